"""The registry's items on the home page "我的待办", counted through ``visible_to``."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org import policy
from hkcourt.org.todos import Todo

from .models import PeerCheck, State
from .selectors import reviewable, risk_points


def _url(**params):
    return reverse("risks:list") + "?" + urlencode(params)


def risk_todos(user):
    visible = risk_points(user)
    mine = Q(owner=user)
    reviewing = policy.can(user, "risks.bulk_review")
    office = policy.can(user, "risks.bulk_campaign")
    counts = visible.aggregate(
        drafts=Count("id", filter=mine & Q(state=State.DRAFT)),
        returned=Count("id", filter=mine & Q(state=State.RETURNED)),
        submitted=Count("id", filter=reviewable(user) & Q(state=State.SUBMITTED)),
        graded=Count("id", filter=~mine & Q(state=State.GRADED)),
        confirmed=Count("id", filter=~mine & Q(state=State.CONFIRMED)),
    )
    section = _("风险点")
    items = []
    if counts["returned"]:
        items.append(
            Todo(
                section,
                _("我被退回的风险点，请修改后重新提交"),
                _url(state=State.RETURNED, mine="true"),
                count=counts["returned"],
            )
        )
    if counts["drafts"]:
        items.append(
            Todo(section, _("我的风险点草稿，尚未提交"), _url(state=State.DRAFT, mine="true"), count=counts["drafts"])
        )
    if reviewing and counts["submitted"]:
        items.append(
            Todo(
                section,
                _("待审核、评定等级的风险点"),
                _url(state=State.SUBMITTED, review="true"),
                count=counts["submitted"],
            )
        )
    if office and counts["graded"]:
        items.append(Todo(section, _("已评级、待集体确定的风险点"), _url(state=State.GRADED), count=counts["graded"]))
    if office and counts["confirmed"]:
        items.append(Todo(section, _("已确定、待公示的风险点"), _url(state=State.CONFIRMED), count=counts["confirmed"]))
    pending_checks = PeerCheck.objects.filter(reviewer=user, comment="").exclude(risk_point__state=State.RETIRED)
    for check in pending_checks.select_related("risk_point")[:20]:
        items.append(
            Todo(
                section,
                _("请互查风险点%(code)s并提出意见") % {"code": check.risk_point.code},
                reverse("risks:detail", args=[check.risk_point_id]),
            )
        )
    return items

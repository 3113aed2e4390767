"""Measures on the home page "我的待办": what I must put in place, and what I must acknowledge as the
responsible leader. Registered when the models load (the app's ready hook belongs to risks)."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hkcourt.org.policy import roles_of
from hkcourt.org.roles import Role
from hkcourt.org.todos import Todo


def measure_todos(user):
    from .models import Measure, MeasureStatus

    today = timezone.localdate()
    headed = roles_of(user).division_ids(Role.DIVISION_HEAD)
    counts = Measure.objects.visible_to(user).aggregate(
        planned=Count("id", filter=Q(owner=user, status=MeasureStatus.PLANNED)),
        overdue=Count("id", filter=Q(owner=user, status=MeasureStatus.PLANNED, deadline__lt=today)),
        due=Min("deadline", filter=Q(owner=user, status=MeasureStatus.PLANNED)),
        unack=Count(
            "id",
            filter=Q(risk_point__responsible_leader=user, acknowledged_at__isnull=True)
            & ~Q(status__in=(MeasureStatus.PROPOSED, MeasureStatus.REJECTED)),
        ),
        proposed=Count(
            "id",
            filter=Q(status=MeasureStatus.PROPOSED, division_id__in=headed or [0]) & ~Q(created_by=user),
        ),
    )
    section = _("防控措施")
    items = []
    if counts["planned"]:
        title = _("我负责落实的防控措施")
        if counts["overdue"]:
            title += _("（其中%(n)s项已逾期）") % {"n": counts["overdue"]}
        items.append(
            Todo(
                section, title, reverse("risks:measures") + "?status=planned&mine=on", counts["due"], counts["planned"]
            )
        )
    if counts["unack"]:
        items.append(
            Todo(
                section,
                _("我作为责任领导待确认的防控措施"),
                reverse("risks:measures") + "?tab=mine",
                None,
                counts["unack"],
            )
        )
    if counts["proposed"]:
        items.append(
            Todo(
                section,
                _("干警提出的岗位措施待我审批"),
                reverse("risks:measures") + "?status=proposed",
                None,
                counts["proposed"],
            )
        )
    return items

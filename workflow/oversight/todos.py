"""The early-warning work on the home page "我的待办": report-backs and rectifications the person owes,
and, for the office, open warnings and missed report-backs. Registered when the models load."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org import policy
from hkcourt.org.todos import Todo


def oversight_todos(user):
    from .models import Handling, HandlingState, Rectification, RectificationState, Warning, WarningState

    items = []
    mine = Handling.objects.visible_to(user).aggregate(
        n=Count("id", filter=Q(person=user, state=HandlingState.OPEN, kind__in=["reminder", "order"])),
        due=Min("report_deadline", filter=Q(person=user, state=HandlingState.OPEN)),
    )
    if mine["n"]:
        items.append(
            Todo(
                _("预警处置"),
                _("请按期回告（原因分析和整改承诺）"),
                reverse("workflow:handling"),
                mine["due"],
                mine["n"],
            )
        )
    rect = Rectification.objects.visible_to(user).aggregate(
        n=Count("id", filter=Q(owner=user, state=RectificationState.OPEN)),
        due=Min("deadline", filter=Q(owner=user, state=RectificationState.OPEN)),
    )
    if rect["n"]:
        items.append(
            Todo(
                _("预警处置"), _("我的限期整改，请报告进展"), reverse("workflow:rectifications"), rect["due"], rect["n"]
            )
        )
    if policy.can(user, "oversight.oversee"):
        open_warnings = Warning.objects.visible_to(user).filter(state=WarningState.OPEN).count()
        if open_warnings:
            items.append(
                Todo(
                    _("预警处置"), _("待处置的预警"), reverse("workflow:warnings") + "?state=open", None, open_warnings
                )
            )
        proposals = (
            Handling.objects.visible_to(user).exclude(next_rung_proposed="").filter(state=HandlingState.OPEN).count()
        )
        if proposals:
            items.append(
                Todo(
                    _("预警处置"),
                    _("逾期未回告、建议升级处置"),
                    reverse("workflow:handling") + "?state=open",
                    None,
                    proposals,
                )
            )
    return items

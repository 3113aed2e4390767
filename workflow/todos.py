"""我的待办 entries: the campaign tasks of the current phase (and overdue ones) that the signed-in person
must still do — their own (staff tasks) and their divisions' (division head tasks)."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org import policy
from hkcourt.org.models import Person
from hkcourt.org.roles import Role
from hkcourt.org.todos import Todo

from .models import Campaign, Phase, PhaseTask, PhaseTaskCompletion, Unit, local_today
from .task_metrics import TASK_METRICS


def campaign_tasks(user) -> list[Todo]:
    today = local_today()
    roles = policy.roles_of(user)
    person = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    # A task is the person's when they hold its responsible role at a court (not by being a superuser).
    is_staff = person is not None and roles.has(Role.STAFF)
    headed = roles.division_ids(Role.DIVISION_HEAD)
    campaigns = Campaign.objects.visible_to(user).running()
    items = _running_phases(user, campaigns, today)
    if not is_staff and not headed:
        return items
    tasks = list(
        PhaseTask.objects.filter(
            phase__campaign__in=campaigns,
            phase__start__lte=today,
            deadline__gte=today - dt.timedelta(days=14),
            responsible_role__in=([Role.STAFF] if is_staff else []) + ([Role.DIVISION_HEAD] if headed else []),
        )
        .select_related("phase__campaign__court")
        .order_by("deadline")
    )
    for task in tasks:
        mine = [person] if task.unit == Unit.PERSON else headed
        done = set()
        if task.measure_key in TASK_METRICS:
            found = TASK_METRICS[task.measure_key].done_ids(task.phase.campaign, only=mine)
            done |= found or set()
        ticked = PhaseTaskCompletion.objects.filter(task=task)
        ticked = ticked.filter(person_id__in=mine) if task.unit == Unit.PERSON else ticked.filter(division_id__in=mine)
        done |= set(ticked.values_list("person_id" if task.unit == Unit.PERSON else "division_id", flat=True))
        if set(mine) <= done:
            continue
        overdue = task.deadline < today
        title = task.title + (_("（已逾期）") if overdue else "")
        if task.unit == Unit.DIVISION and len(mine) > 1:
            title += _("（%(n)s 个庭室未完成）") % {"n": len(set(mine) - done)}
        url = reverse("workflow:task", args=[task.pk])
        items.append(Todo(section=_("工作任务"), title=title, url=url, due=task.deadline))
    return items


def _running_phases(user, campaigns, today) -> list[Todo]:
    """For the office: each campaign it runs that is in a phase now, with the phase's end (one query)."""
    if not policy.holds(user, Role.OFFICE):  # the office of some court (superusers too)
        return []
    phases = Phase.objects.filter(campaign__in=campaigns, start__lte=today, end__gte=today).select_related(
        "campaign__court"
    )
    items = []
    for phase in phases.order_by("end"):
        if not policy.is_office_of(user, phase.campaign.court):
            continue
        title = _("%(campaign)s：第%(n)s阶段“%(phase)s”进行中，查看进度") % {
            "campaign": phase.campaign.name,
            "n": phase.number,
            "phase": phase.name,
        }
        url = reverse("workflow:campaign", args=[phase.campaign_id])
        items.append(Todo(section=_("工作任务"), title=title, url=url, due=phase.end))
    return items

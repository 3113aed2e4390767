"""Reads for the campaign pages, scoped to the user: campaigns through ``Campaign.objects.visible_to``; the
"who is behind" table only over the people and divisions the user's roles reach (own row for staff, the
headed division, the overseen divisions, the whole court for the president, office and leading group)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from hkcourt.org.models import Person, Role
from hkcourt.org.scoping import SUBTREE_ROLES, UserRoles

from .models import Campaign, Phase, PhaseTask, PhaseTaskCompletion, Unit, local_today
from .progress import CampaignUnits, progress_of


def campaigns_for(user):
    return (
        Campaign.objects.visible_to(user)
        .select_related("court")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("number")))
    )


def get_campaign(user, pk) -> Campaign:
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404(_("没有这个活动。"))
    return campaign


def get_task(user, pk) -> PhaseTask:
    task = (
        PhaseTask.objects.filter(phase__campaign__in=Campaign.objects.visible_to(user), pk=pk)
        .select_related("phase__campaign__court")
        .first()
    )
    if task is None:
        raise Http404(_("没有这个任务。"))
    return task


def get_completion(user, pk) -> PhaseTaskCompletion:
    completion = (
        PhaseTaskCompletion.objects.visible_to(user)
        .filter(task__phase__campaign__in=Campaign.objects.visible_to(user), pk=pk)
        .select_related("task__phase__campaign__court")
        .first()
    )
    if completion is None:
        raise Http404(_("没有这条登记。"))
    return completion


# ---------------------------------------------------------------- reach of the user inside a campaign


class Reach:
    """Which units of a campaign the user may see in the progress tables."""

    def __init__(self, user, units: CampaignUnits):
        roles = UserRoles.of(user)
        self.subtrees = roles.subtree_paths(*SUBTREE_ROLES)
        lead = units.campaign.court.path if units.campaign.court_id else None
        self.all = user.is_superuser or bool(lead and any(lead.startswith(p) for p in self.subtrees))
        self.courts = set(roles.court_ids(Role.PRESIDENT))
        self.divisions = set(roles.division_ids(Role.DIVISION_HEAD, Role.DEPUTY_LEADER))
        self.person = Person.objects.filter(user=user).values_list("pk", flat=True).first()
        self.units = units

    def sees(self, unit, unit_id) -> bool:
        if self.all:
            return True
        court_id = self.units.court_of(unit, unit_id)
        if court_id in self.courts:
            return True
        court = self.units.courts.get(court_id)
        if court and any(court.path.startswith(p) for p in self.subtrees):
            return True
        division_id = self.units.division_of(unit, unit_id)
        if division_id and division_id in self.divisions:
            return True
        return unit == Unit.PERSON and unit_id == self.person

    @property
    def is_leader(self):
        return self.all or bool(self.courts) or bool(self.divisions) or bool(self.subtrees)


# ---------------------------------------------------------------- the campaign page


@dataclass
class Bar:
    left: float
    width: float


@dataclass
class PhaseView:
    phase: Phase
    bar: Bar
    tasks: list = field(default_factory=list)  # [(TaskProgress, left%)]
    percent: int = 0
    is_current: bool = False


@dataclass
class BehindRow:
    court: str
    division: str
    cells: list  # per task: (done, total, [names behind]) or None when the task does not apply
    behind_total: int = 0


def _pct(day, start, span):
    return round(100 * (day - start).days / span, 2)


def campaign_overview(
    user, campaign: Campaign, *, today: dt.date | None = None, phase_number=None, court_id=None
) -> dict:
    today = today or local_today()
    phases = list(campaign.phases.order_by("number"))
    tasks = list(PhaseTask.objects.filter(phase__campaign=campaign).select_related("phase"))
    units = CampaignUnits(campaign)
    progress = {p.task.pk: p for p in progress_of(units, tasks)} if not campaign.is_template else {}
    start = min((p.start for p in phases), default=today)
    end = max((p.end for p in phases), default=today)
    span = max((end - start).days + 1, 1)

    views = []
    for phase in phases:
        pv = PhaseView(
            phase=phase,
            bar=Bar(_pct(phase.start, start, span), round(100 * ((phase.end - phase.start).days + 1) / span, 2)),
            is_current=phase.contains(today),
        )
        done = total = 0
        for task in sorted((t for t in tasks if t.phase_id == phase.pk), key=lambda t: (t.deadline, t.sort_order)):
            tp = progress.get(task.pk)
            pv.tasks.append((task, tp, _pct(task.deadline, start, span) + round(50 / span, 2)))
            if tp:
                done += tp.done_count
                total += tp.total
        pv.percent = round(100 * done / total) if total else (100 if phase.end < today else 0)
        views.append(pv)

    months = []
    cursor = dt.date(start.year, start.month, 1)
    while cursor <= end:
        if cursor >= start:
            months.append((cursor, _pct(cursor, start, span)))
        cursor = dt.date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)

    selected = None
    if phase_number:
        selected = next((v for v in views if str(v.phase.number) == str(phase_number)), None)
    if selected is None:
        selected = next((v for v in views if v.is_current), None) or next(
            (v for v in reversed(views) if v.phase.start <= today), views[0] if views else None
        )

    behind, columns, reach = [], [], None
    if not campaign.is_template and selected is not None:
        reach = Reach(user, units)
        columns = [tp for _t, tp, _x in selected.tasks if tp is not None and tp.unit != Unit.COURT]
        try:
            court_id = int(court_id) if court_id else None
        except (TypeError, ValueError):
            court_id = None
        behind = _behind_table(units, reach, columns, court_id=court_id if court_id in units.courts else None)

    return {
        "phases": views,
        "start": start,
        "end": end,
        "today": today,
        "today_left": _pct(today, start, span) if start <= today <= end else None,
        "months": months,
        "selected": selected,
        "behind": behind,
        "behind_columns": columns,
        "behind_courts": (
            sorted(units.courts.values(), key=lambda c: c.path)
            if reach is not None and reach.all and len(units.courts) > 1
            else []
        ),
        "behind_court": court_id,
        "reach": reach,
        "progress": progress,
    }


def _behind_table(units: CampaignUnits, reach: Reach, progresses, court_id=None) -> list[BehindRow]:
    """Rows per division the user may see, cells per task: done/total and the names still behind."""
    rows = {}
    for division in sorted(units.divisions.values(), key=lambda d: (units.courts[d.court_id].path, d.sort_order)):
        if court_id is not None and division.court_id != court_id:
            continue
        rows[division.pk] = BehindRow(
            court=units.courts[division.court_id].name, division=division.name, cells=[None] * len(progresses)
        )
    for index, tp in enumerate(progresses):
        tally = {}
        for unit_id in tp.total_ids:
            if not reach.sees(tp.unit, unit_id):
                continue
            division_id = units.division_of(tp.unit, unit_id)
            if division_id not in rows:
                continue
            done, total, names = tally.get(division_id, (0, 0, []))
            if unit_id in tp.done:
                done += 1
            else:
                names.append(units.label(tp.unit, unit_id))
            tally[division_id] = (done, total + 1, names)
        for division_id, (done, total, names) in tally.items():
            rows[division_id].cells[index] = {
                "done": done,
                "total": total,
                "names": names,
                "people": tp.unit == Unit.PERSON,
            }
            rows[division_id].behind_total += len(names)
    return [row for row in rows.values() if any(cell is not None for cell in row.cells)]


def task_units(user, task: PhaseTask):
    """Every unit of a task that the user may see, with its state and the office's tick-off, if any."""
    units = CampaignUnits(task.phase.campaign)
    reach = Reach(user, units)
    [tp] = progress_of(units, [task])
    completions = {
        (c.person_id or c.division_id or c.court_id): c
        for c in PhaseTaskCompletion.objects.filter(task=task).select_related("done_by__person")
    }
    rows = []
    for unit_id in tp.total_ids:
        if not reach.sees(tp.unit, unit_id):
            continue
        division_id = units.division_of(tp.unit, unit_id)
        rows.append(
            {
                "id": unit_id,
                "label": units.label(tp.unit, unit_id),
                "court": units.courts[units.court_of(tp.unit, unit_id)].name,
                "division": units.divisions[division_id].name if division_id in units.divisions else "",
                "done": unit_id in tp.done,
                "completion": completions.get(unit_id),
            }
        )
    rows.sort(key=lambda r: (r["done"], r["court"], r["division"], r["label"]))
    return tp, rows

"""Reads for the campaign pages, scoped to the user: campaigns through ``Campaign.objects.visible_to``; the
"who is behind" table only over the people and divisions the user's roles reach (own row for staff, the
headed division, the overseen divisions, the whole court for the president, office and leading group)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from hkcourt.org import policy
from hkcourt.org.models import Person

from .models import Campaign, Phase, PhaseTask, PhaseTaskCompletion, Unit, local_today
from .progress import CampaignUnits, attach, progress_of


def campaigns_for(user):
    return (
        Campaign.objects.visible_to(user)
        .select_related("court")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("number")))
    )


def get_campaign(user, pk) -> Campaign:
    """The campaign, if the user may see it; else 404."""
    queryset = Campaign.objects.select_related("court").prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("number"))
    )
    return policy.get_visible_or_404(queryset, user, pk=pk)


def get_task(user, pk) -> PhaseTask:
    """The task, if the user may see its campaign; else 404."""
    return policy.get_visible_or_404(PhaseTask.objects.select_related("phase__campaign__court"), user, pk=pk)


def get_completion(user, pk) -> PhaseTaskCompletion:
    """The tick-off, if the user may see it and its campaign; else 404."""
    queryset = PhaseTaskCompletion.objects.filter(
        task__phase__campaign__in=Campaign.objects.visible_to(user)
    ).select_related("task__phase__campaign__court")
    return policy.get_visible_or_404(queryset, user, pk=pk)


# ---------------------------------------------------------------- reach of the user inside a campaign


class Reach:
    """Which units of a campaign the user may see in the progress tables: the whole campaign for the office,
    leading group and admin over its leading court; a court for its president and for those over it; a
    division for its head and its deputy leader; oneself. Asked of the org predicates once per court and per
    division (a handful), then looked up per unit."""

    def __init__(self, user, units: CampaignUnits):
        self.user = user
        self.units = units
        self.all = units.campaign.court_id is not None and policy.reaches_subtree(user, units.campaign.court)
        self.person = Person.objects.filter(user=user).values_list("pk", flat=True).first()
        self._courts = {}
        self._divisions = {}

    def _court(self, court_id) -> bool:
        if court_id not in self._courts:
            court = self.units.courts.get(court_id)
            self._courts[court_id] = court is not None and (
                policy.presides(self.user, court_id) or policy.reaches_subtree(self.user, court)
            )
        return self._courts[court_id]

    def _division(self, division_id) -> bool:
        if division_id not in self._divisions:
            self._divisions[division_id] = policy.heads(self.user, division_id) or policy.oversees(
                self.user, division_id
            )
        return self._divisions[division_id]

    def sees(self, unit, unit_id) -> bool:
        if self.all or self._court(self.units.court_of(unit, unit_id)):
            return True
        division_id = self.units.division_of(unit, unit_id)
        if division_id and self._division(division_id):
            return True
        return unit == Unit.PERSON and unit_id == self.person


# ---------------------------------------------------------------- the campaign page


@dataclass
class Bar:
    left: float
    width: float


@dataclass
class PhaseView:
    phase: Phase
    bar: Bar
    tasks: list = field(default_factory=list)  # [(task, TaskProgress or None, left%, late)]
    percent: int = 0
    is_current: bool = False
    is_closed: bool = False  # its last day is past


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
    by_id = {p.pk: p for p in phases}
    tasks = list(PhaseTask.objects.filter(phase__campaign=campaign))
    for task in tasks:
        task.phase = by_id[task.phase_id]  # the phases above, which know their campaign: no query per task
    units = CampaignUnits(campaign)
    # Attached to each task, so that the policy's rules on the tasks (催办, 登记) read it, not count again.
    progress = {attach(p).task.pk: p for p in progress_of(units, tasks)} if not campaign.is_template else {}
    start = min((p.start for p in phases), default=today)
    end = max((p.end for p in phases), default=today)
    span = max((end - start).days + 1, 1)

    views = []
    for phase in phases:
        pv = PhaseView(
            phase=phase,
            bar=Bar(_pct(phase.start, start, span), round(100 * ((phase.end - phase.start).days + 1) / span, 2)),
            is_current=phase.contains(today),
            is_closed=phase.end < today,
        )
        done = total = 0
        for task in sorted((t for t in tasks if t.phase_id == phase.pk), key=lambda t: (t.deadline, t.sort_order)):
            tp = progress.get(task.pk)
            late = tp is not None and tp.percent < 100 and task.deadline < today
            pv.tasks.append((task, tp, _pct(task.deadline, start, span) + round(50 / span, 2), late))
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
        columns = [tp for _t, tp, _x, _late in selected.tasks if tp is not None and tp.unit != Unit.COURT]
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
    attach(tp)  # the policy's rules on this task (催办, 登记) read it
    completions = {
        (c.person_id or c.division_id or c.court_id): c
        # Through the task's own manager: each tick-off knows its task (and so its campaign) without a query.
        for c in task.completions.select_related("done_by__person")
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

"""Progress of a campaign: which units (people, divisions, courts) have done which task, and who must be
reminded or told. Everything is read in a fixed number of queries per campaign and per task — the
organisation is loaded once as plain tuples, never a query per person — so the daily sweep over 20,000
people stays a handful of queries (see bench/).

This module computes; it does not check who is asking. Pages go through ``selectors``, which scope.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef, Q

from hkcourt.org.models import Court, Division, Person, Role, RoleAssignment

from .models import PhaseTaskCompletion, Unit
from .task_metrics import TASK_METRICS


@dataclass(frozen=True)
class PersonRow:
    pk: int
    name: str
    division_id: int | None
    court_id: int
    user_id: int


@dataclass(frozen=True)
class DivisionRow:
    pk: int
    name: str
    court_id: int
    sort_order: int


@dataclass(frozen=True)
class CourtRow:
    pk: int
    name: str
    path: str


def court_condition(campaign, prefix="court"):
    """The SQL condition for rows whose court the campaign covers."""
    if campaign.court_id is None:
        return Q(pk__in=[])
    if campaign.covers_subordinates:
        return Q(**{f"{prefix}__path__startswith": campaign.court.path})
    return Q(**{f"{prefix}_id": campaign.court_id})


class CampaignUnits:
    """The organisation a campaign covers, loaded once: its courts, divisions, staff and who leads whom."""

    def __init__(self, campaign):
        self.campaign = campaign
        self._measured = {}

    @cached_property
    def courts(self) -> dict[int, CourtRow]:
        if self.campaign.court_id is None:
            return {}
        qs = (
            Court.objects.filter(path__startswith=self.campaign.court.path)
            if self.campaign.covers_subordinates
            else Court.objects.filter(pk=self.campaign.court_id)
        )
        return {
            pk: CourtRow(pk, short or name, path)
            for pk, name, short, path in qs.values_list("pk", "name", "short_name", "path")
        }

    @cached_property
    def divisions(self) -> dict[int, DivisionRow]:
        rows = Division.objects.filter(court_condition(self.campaign)).values_list(
            "pk", "name", "court_id", "sort_order"
        )
        return {pk: DivisionRow(pk, name, court_id, order) for pk, name, court_id, order in rows}

    @cached_property
    def persons(self) -> dict[int, PersonRow]:
        """Everyone who holds the staff role in a covered court and can sign in."""
        staff = RoleAssignment.objects.filter(user=OuterRef("user"), role=Role.STAFF)
        rows = (
            Person.objects.filter(court_condition(self.campaign), user__is_active=True)
            .filter(Exists(staff))
            .values_list("pk", "full_name", "division_id", "court_id", "user_id")
        )
        return {
            pk: PersonRow(pk, name, division_id, court_id, user_id) for pk, name, division_id, court_id, user_id in rows
        }

    @cached_property
    def everyone(self) -> list[int]:
        """User ids of every active person in the covered courts (for phase notices)."""
        return list(
            Person.objects.filter(court_condition(self.campaign), user__is_active=True).values_list(
                "user_id", flat=True
            )
        )

    @cached_property
    def _roles(self):
        heads, deputies = defaultdict(list), defaultdict(list)
        by_court = {Role.OFFICE: [], Role.PRESIDENT: []}
        rows = RoleAssignment.objects.filter(
            Q(role__in=[Role.DIVISION_HEAD, Role.DEPUTY_LEADER]) & court_condition(self.campaign, "division__court")
            | Q(role__in=[Role.OFFICE, Role.PRESIDENT]),
            user__is_active=True,
        ).values_list("role", "user_id", "division_id", "court__path")
        for role, user_id, division_id, path in rows:
            if role == Role.DIVISION_HEAD:
                heads[division_id].append(user_id)
            elif role == Role.DEPUTY_LEADER:
                deputies[division_id].append(user_id)
            else:
                by_court[role].append((path, user_id))
        return heads, deputies, by_court

    def heads_of(self, division_id) -> list[int]:
        return sorted(set(self._roles[0].get(division_id, [])))

    def deputies_of(self, division_id) -> list[int]:
        return sorted(set(self._roles[1].get(division_id, [])))

    def _nearest(self, role, court_id, *, above=False) -> list[int]:
        """Holders of ``role`` in this court or, failing that, in the nearest court above it."""
        court = self.courts.get(court_id)
        if court is None:
            return []
        candidates = self._roles[2][role]
        path = court.path
        if above:
            path = path.rstrip("/").rsplit("/", 1)[0] + "/"
        while path and path != "/":
            found = sorted({u for p, u in candidates if p == path})
            if found:
                return found
            path = path.rstrip("/").rsplit("/", 1)[0] + "/"
        return []

    def office_of(self, court_id) -> list[int]:
        return self._nearest(Role.OFFICE, court_id)

    def presidents_of(self, court_id) -> list[int]:
        return self._nearest(Role.PRESIDENT, court_id)

    def leaders(self) -> list[int]:
        """Division heads, deputy leaders, presidents and the office: told when a phase closes."""
        heads, deputies, by_court = self._roles
        users = {u for us in heads.values() for u in us} | {u for us in deputies.values() for u in us}
        for court_id in self.courts:
            users.update(self.office_of(court_id))
            users.update(self.presidents_of(court_id))
        return sorted(users)

    # --- units of a task

    def unit_ids(self, unit) -> list[int]:
        if unit == Unit.PERSON:
            return list(self.persons)
        if unit == Unit.DIVISION:
            return list(self.divisions)
        return list(self.courts)

    def label(self, unit, unit_id) -> str:
        if unit == Unit.PERSON:
            return self.persons[unit_id].name
        if unit == Unit.DIVISION:
            return self.divisions[unit_id].name
        return self.courts[unit_id].name

    def division_of(self, unit, unit_id):
        if unit == Unit.PERSON:
            return self.persons[unit_id].division_id
        if unit == Unit.DIVISION:
            return unit_id
        return None

    def court_of(self, unit, unit_id):
        if unit == Unit.PERSON:
            return self.persons[unit_id].court_id
        if unit == Unit.DIVISION:
            return self.divisions[unit_id].court_id
        return unit_id

    def responsible(self, unit, unit_id) -> list[int]:
        """Who must do the task for this unit (reminded before the deadline)."""
        if unit == Unit.PERSON:
            return [self.persons[unit_id].user_id]
        if unit == Unit.DIVISION:
            return self.heads_of(unit_id) or self.deputies_of(unit_id) or self.office_of(self.court_of(unit, unit_id))
        return self.office_of(unit_id)

    def escalation(self, unit, unit_id) -> list[int]:
        """The next level up (staff → division head → deputy leader → office; the office → the president)."""
        court_id = self.court_of(unit, unit_id)
        if unit == Unit.PERSON:
            division_id = self.persons[unit_id].division_id
            if division_id:
                found = [u for u in self.heads_of(division_id) if u != self.persons[unit_id].user_id]
                if found:
                    return found
                found = self.deputies_of(division_id)
                if found:
                    return found
            return self.office_of(court_id)
        if unit == Unit.DIVISION:
            return self.deputies_of(unit_id) or self.office_of(court_id)
        return self.presidents_of(unit_id) or self._nearest(Role.OFFICE, unit_id, above=True)

    # --- what is done

    def measured(self, key):
        """The unit ids a task metric counts as done (``None``: cannot be counted here), once per campaign."""
        if key not in self._measured:
            metric = TASK_METRICS.get(key)
            self._measured[key] = metric.done_ids(self.campaign) if metric else None
        return self._measured[key]


@dataclass
class TaskProgress:
    task: object
    unit: str
    total_ids: list
    done: set = field(default_factory=set)
    measured: bool = False

    @property
    def total(self):
        return len(self.total_ids)

    @property
    def done_count(self):
        return len(self.done)

    @property
    def percent(self):
        return round(100 * self.done_count / self.total) if self.total else 100

    @property
    def behind(self) -> list:
        return [i for i in self.total_ids if i not in self.done]


def completions_by_task(tasks) -> dict[int, set]:
    """Ticked-off unit ids per task, in one query for all the tasks."""
    result = defaultdict(set)
    rows = PhaseTaskCompletion.objects.filter(task__in=[t.pk for t in tasks]).values_list(
        "task_id", "person_id", "division_id", "court_id"
    )
    for task_id, person_id, division_id, court_id in rows:
        result[task_id].add(person_id or division_id or court_id)
    return result


def progress_of(units: CampaignUnits, tasks) -> list[TaskProgress]:
    ticked = completions_by_task(tasks)
    result = []
    for task in tasks:
        unit = task.unit
        all_ids = units.unit_ids(unit)
        done = set()
        measured = False
        if task.measure_key:
            found = units.measured(task.measure_key)
            if found is not None:
                measured = True
                done |= found
        done |= ticked.get(task.pk, set())
        done &= set(all_ids)
        result.append(TaskProgress(task=task, unit=unit, total_ids=all_ids, done=done, measured=measured))
    return result


def attach(progress: TaskProgress) -> TaskProgress:
    """Keep ``progress`` on its task for the rest of this request, so that the policy's rules on the task
    ("has everyone done it?") read it instead of counting again. Only pages' selectors attach: a service
    always counts afresh."""
    progress.task._progress = progress
    return progress


def task_progress(task) -> TaskProgress:
    """The task's progress: the one a page's selector attached, else counted now (a few queries)."""
    progress = getattr(task, "_progress", None)
    if progress is None:
        [progress] = progress_of(CampaignUnits(task.phase.campaign), [task])
    return progress

"""The dashboard's figures, in the user's scope, in a fixed handful of aggregate queries.

Every figure starts from the same scoped querysets as the lists it links to: risk points from
``risks.selectors.risk_points(user)`` (what /risks/ lists), letters from ``commitments.selectors.letters_for``,
people through ``Person.objects.visible_to``, and the divisions a role reaches through the same
``scope_filter`` that decides every list. Nothing is counted per division in a loop: each section is one
GROUP BY, and Python only reshapes the grouped rows.

The whole result is cached for a short time (``TTL``) under a key made of the user, their role
assignments, the filters and a *fingerprint* of the data: counts, highest ids and latest modification
times of the tables the dashboard reads, taken in one cheap query. Any change to a risk point, letter,
tick-off or prevention measure changes the fingerprint, so the next request recomputes; changes that leave no
timestamp (a phase's dates, the org chart) show within ``TTL`` seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Substr
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext as _

from commitments.models import LetterState
from commitments.selectors import letters_for
from hkcourt.org import policy
from hkcourt.org.models import Division, Person, RoleAssignment
from hkcourt.org.roles import SUBTREE_ROLES, Role
from hkcourt.org.scoping import Scope, scope_filter
from risks.models import BusinessArea, Grade, Level, Source, State, campaign_label
from risks.selectors import risk_points
from risks.signals import data_version

from ..models import UNIT_OF_ROLE, Campaign, Phase, PhaseTask, Unit, local_today
from ..task_metrics import TASK_METRICS, campaign_window

TTL = 120  # seconds; the fingerprint invalidates sooner on every change it can see
# A point counts as "confirmed" (coverage) once the office has confirmed it, and stays so when published
# or controlled.
CONFIRMED_STATES = (State.CONFIRMED, State.PUBLISHED, State.CONTROLLED)
GRADES = [Grade.HIGH, Grade.MEDIUM, Grade.LOW]
# The divisions a role reaches: the headed/overseen divisions, the president's court, the office's and
# leading group's courts and every court below. The same rule as every list (scope_filter), over Division.
DIVISION_REACH = Scope(court="court", division="pk", owner=None)
BEHIND_NAMES = 8  # names listed per division and task; the rest are counted
# The page (not the JSON endpoints) lists at most TOP rows in each table that has a row per division, court or
# leader: the rows that need attention first (lowest progress, most behind, most high-grade points), and a
# link to the full list or a drill-down by court. A province's leading group otherwise got 1,000 rows per
# table and a 3.4 MB page. The totals above each table stay those of the whole scope.
TOP = 20
# Above this many divisions (and no court chosen) the division filter asks for a court first.
FILTER_DIVISIONS = 100


#: Sections contributed by the sub-apps above the dashboard, which register themselves in their
#: ``AppConfig.ready()`` (phase four's "assessment"): name -> provider(user, campaign) returning plain data, and
#: the tables (label, time columns) whose changes must refresh the cached dashboard.
SECTION_PROVIDERS: dict = {}
WATCHED_EXTRA: list = []


def register_section(name, provider, *, watched=()):
    SECTION_PROVIDERS[name] = provider
    for item in watched:
        if item not in WATCHED_EXTRA:
            WATCHED_EXTRA.append(item)


def _model(label):
    """A model by its label ("measures.Measure"); a wrong label fails loudly rather than dropping figures."""
    return apps.get_model(label)


def _int(value):
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Filters:
    campaign: int | None = None
    court: int | None = None
    division: int | None = None

    @classmethod
    def from_params(cls, params) -> Filters:
        return cls(_int(params.get("campaign")), _int(params.get("court")), _int(params.get("division")))

    def key(self) -> str:
        return f"{self.campaign or ''}.{self.court or ''}.{self.division or ''}"


# ---------------------------------------------------------------- cache


def _fingerprint_sql():
    """One SELECT of scalar subqueries: count, highest id and latest change of each table read."""
    qn = connection.ops.quote_name
    # Risk points and measures (400,000 rows each at province scale: counting them took 70-260 ms per
    # request) are watched through the data version their writes move on (risks.signals), not by SQL.
    watched = [
        ("commitments.CommitmentLetter", ["generated_at", "signed_at", "countersigned_at", "archived_at"]),
        ("workflow.PhaseTaskCompletion", ["done_at"]),
        (f"{Person._meta.app_label}.Person", []),
        (f"{Person._meta.app_label}.RoleAssignment", []),
        ("oversight.Signal", []),
        ("oversight.Warning", []),
        ("oversight.Rectification", []),
        ("oversight.Handling", []),
        *WATCHED_EXTRA,
    ]
    parts = []
    for label, columns in watched:
        model = _model(label)
        if model is None:
            continue
        table = qn(model._meta.db_table)
        # Identifiers from the models' own metadata, quoted; nothing from a request reaches this SQL.
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({qn(model._meta.pk.column)}) FROM {table})")  # noqa: S608
        fields = {f.name: f for f in model._meta.concrete_fields}
        for name in columns + ["updated_at"] * ("updated_at" not in columns):
            if name in fields:
                parts.append(f"(SELECT MAX({qn(fields[name].column)}) FROM {table})")  # noqa: S608
    # Key links tagged on points (a change of tags alone also bumps the point's updated_at).
    return "SELECT " + ", ".join(parts)


def fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        row = cursor.fetchone()
    return hashlib.sha256(repr((data_version(), row)).encode()).hexdigest()[:16]


def scope_key(user) -> str:
    """The user and their role assignments: a role change yields a new key at once."""
    spec = sorted((a.role, a.court_id, a.division_id or 0) for a in policy.roles_of(user).assignments)
    raw = f"{user.pk}:{int(user.is_superuser)}:{spec}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def cache_key(user, filters: Filters) -> str:
    return f"hk:dash:v1:{scope_key(user)}:{filters.key()}:{fingerprint()}"


def dashboard(user, filters: Filters, *, today: dt.date | None = None, page: bool = False) -> dict:
    """The whole dashboard for the user, from the cache when nothing changed. ``page=True``: the figures
    as the HTML page shows them (:func:`for_page`), cached apart so that a warm page reads a few kilobytes."""
    key = cache_key(user, filters)
    if page:
        data = cache.get(key + ":page")
        if data is not None:
            return data
    data = cache.get(key)
    if data is None:
        data = build(user, filters, today=today)
        cache.set(key, data, TTL)
    if page:
        data = for_page(data)
        cache.set(key + ":page", data, TTL)
    return data


def _top(rows, key=None):
    """The first ``TOP`` rows (after sorting by ``key`` when the list is longer) and how many were left out."""
    n = TOP
    if len(rows) <= n:
        return rows, 0
    if key is not None:
        rows = sorted(rows, key=key)
    return rows[:n], len(rows) - n


def for_page(data: dict) -> dict:
    """The dashboard as the page renders it: each per-division, per-court and per-leader table cut to the
    ``TOP`` rows that need attention first, with ``<table>_more`` saying how many rows were left out (the
    page links to the full list). Every row keeps its own figures and link; the totals are the whole scope's,
    so they equal the lists they link to. Lists no longer than ``TOP`` keep their order."""
    d = dict(data)
    if d.get("campaign"):
        c = d["campaign"] = dict(d["campaign"])
        c["behind"], c["behind_more"] = _top(c.get("behind", []))  # already most people behind first
    cov = d["coverage"] = dict(d["coverage"])
    cov["courts"], cov["courts_more"] = _top(
        cov["courts"], key=lambda r: (r["percent"], r["divisions_percent"], -r["staff"], r["court"])
    )
    cov["divisions"], cov["divisions_more"] = _top(
        cov["divisions"], key=lambda r: (r["confirmed"], r["percent"], -r["staff"], r["court"], r["division"])
    )
    d["heatmap"], d["heatmap_more"] = _top(
        d["heatmap"], key=lambda r: (-r["cells"][0]["n"], -r["total"], r["court"], r["division"])
    )
    d["leaders"], d["leaders_more"] = _top(d["leaders"])  # already the heaviest load first
    if d.get("letters"):
        letters = d["letters"] = dict(d["letters"])
        letters["divisions"], letters["divisions_more"] = _top(letters["divisions"])  # lowest percent first
    f = d["filters"] = dict(d["filters"])
    if f["court"] is None and len(f["courts"]) > 1 and len(f["divisions"]) > FILTER_DIVISIONS:
        f["divisions"], f["divisions_need_court"] = [], True
    return d


# ---------------------------------------------------------------- links


@lru_cache(maxsize=16)
def _path(name, prefix):
    return reverse(name)


_PLAIN = re.compile(r"[\w.-]*", re.ASCII)


def _query(query: dict) -> str:
    """``urlencode`` for the dashboard's links, whose keys and values are nearly always ids, years and choice
    keys: those are joined as they are (urlencode quoted each one: 1.4 s for a province's 6,500 links)."""
    if all(_PLAIN.fullmatch(k) and _PLAIN.fullmatch(str(v)) for k, v in query.items()):
        return "&".join(f"{k}={v}" for k, v in query.items())
    return urlencode(query)


def risk_list_url(base: dict, **params) -> str:
    path = _path("risks:list", get_script_prefix())  # thousands of links per dashboard: resolve once
    query = {k: v for k, v in {**base, **params}.items() if v not in (None, "")}
    return f"{path}?{_query(query)}" if query else path


def _dashboard_url(**params) -> str:
    path = _path("workflow:dashboard", get_script_prefix())
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{_query(query)}" if query else path


def _pct(part, whole) -> int:
    return round(100 * part / whole) if whole else 0


# ---------------------------------------------------------------- the figures


def _choose_campaign(campaigns, wanted, today):
    if wanted is not None:
        for c in campaigns:
            if c.pk == wanted:
                return c
    running = [c for c in campaigns if any(p.contains(today) for p in c._phases)]
    if running:
        return running[0]
    started = [c for c in campaigns if c._phases and c._phases[0].start <= today]
    if started:
        return max(started, key=lambda c: c._phases[0].start)
    return campaigns[0] if campaigns else None


def _campaigns(user):
    """Running campaigns visible to the user with their phases, in one query (phases joined to campaigns).
    Each campaign gets its phases as a prefetched list, so the task metrics read no more."""
    phases = list(
        Phase.objects.filter(campaign__in=Campaign.objects.visible_to(user).running())
        .select_related("campaign__court")
        .order_by("-campaign__year", "-campaign_id", "number")
    )
    campaigns = {}
    for phase in phases:
        campaign = campaigns.setdefault(phase.campaign_id, phase.campaign)
        campaign.__dict__.setdefault("_phases", []).append(phase)
    for campaign in campaigns.values():
        cached = Phase.objects.filter(campaign=campaign)
        cached._result_cache = campaign._phases
        cached._prefetch_done = True
        campaign._prefetched_objects_cache = {"phases": cached}
    return list(campaigns.values())


def _in_campaign(campaign, court_path) -> bool:
    if campaign is None or campaign.court_id is None:
        return False
    if campaign.covers_subordinates:
        return court_path.startswith(campaign.court.path)
    return court_path == campaign.court.path


def build(user, filters: Filters, *, today: dt.date | None = None) -> dict:
    today = today or local_today()
    campaigns = _campaigns(user)
    campaign = _choose_campaign(campaigns, filters.campaign, today)
    # The campaign's year is the risk points' campaign year (the plan's year runs from its start).
    year = campaign.year if campaign else None

    # Scoped risk points, filtered as the list filters them (campaign year, court, division).
    points = risk_points(user)
    if year is not None:
        points = points.filter(campaign_year=year)
    confirmed = points.filter(state__in=CONFIRMED_STATES)

    shown, tasks, ticked = _phase_tasks(campaign, today)
    keys = {t["measure_key"] for t in tasks.values() if t["measure_key"]}
    inline = {k: INLINE_METRICS[k] for k in keys if k in INLINE_METRICS}

    # Divisions the user's roles reach (the same rule as every list), with their court; coverage inline.
    if user.is_superuser:
        divisions_qs = Division.objects.all()
    else:
        condition = scope_filter(DIVISION_REACH, user)
        divisions_qs = Division.objects.filter(condition) if condition is not None else Division.objects.none()
    division_metrics = {
        f"m_{k}": build_expr(campaign) for k, (unit, build_expr) in inline.items() if unit == Unit.DIVISION
    }
    all_divisions = list(
        divisions_qs.annotate(**division_metrics).select_related("court").order_by("court__path", "sort_order", "name")
    )
    courts = {}
    for d in all_divisions:
        courts.setdefault(d.court_id, d.court)
    court_id = filters.court if filters.court in courts else None
    divisions = [d for d in all_divisions if court_id is None or d.court_id == court_id]
    division_id = filters.division if any(d.pk == filters.division for d in divisions) else None
    if division_id is not None:
        divisions = [d for d in divisions if d.pk == division_id]
    if court_id is not None:
        points = points.filter(court_id=court_id)
        confirmed = confirmed.filter(court_id=court_id)
    if division_id is not None:
        points = points.filter(division_id=division_id)
        confirmed = confirmed.filter(division_id=division_id)

    link_base = {"campaign": year, "court": court_id, "division": division_id}
    context = {
        "user": user,
        "today": today,
        "campaign": campaign,
        "year": year,
        "courts": courts,
        "divisions": divisions,
        "division_ids": {d.pk for d in divisions},
        "court_id": court_id,
        "division_id": division_id,
        "link_base": link_base,
        "points": points,
        "confirmed": confirmed,
        "shown": shown,
        "tasks": tasks,
        "ticked": ticked,
        "inline": inline,
    }
    # One GROUP BY over the scoped points serves the risk sections and says which divisions have a confirmed
    # point (an EXISTS per division on the divisions' query cost 0.3 s at province scale).
    context["risk_rows"] = rows = _risk_rows(points)
    confirmed_in = {r["division_id"] for r in rows if r["state"] in CONFIRMED_STATES}
    for d in divisions:
        d.has_confirmed = d.pk in confirmed_in

    staff = _staff(user, context)
    data = {
        "generated": today.isoformat(),
        "filters": {
            "campaign": campaign.pk if campaign else None,
            "court": court_id,
            "division": division_id,
            "campaigns": [
                {"id": c.pk, "name": c.name, "court": c.court.short_name or c.court.name if c.court else ""}
                for c in campaigns
            ],
            "courts": [{"id": c.pk, "name": c.short_name or c.name} for c in courts.values()],
            "divisions": [
                {"id": d.pk, "name": d.name, "court": d.court_id, "court_name": d.court.short_name or d.court.name}
                for d in all_divisions
                if court_id is None or d.court_id == court_id
            ],
            "year": year,
            "year_label": campaign_label(year) if year else "",
        },
        "scope": _scope_label(user, courts, all_divisions),
        "campaign": _campaign_section(user, context, staff),
        "coverage": _coverage(context, staff),
        "letters": _letters(user, context),
        "oversight_visible": policy.can(user, "dashboard.view_oversight"),
    }
    data.update(_risks(context))
    data["control"], data["oversight"] = _control_and_oversight(user, context)
    for name, provider in SECTION_PROVIDERS.items():
        data[name] = provider(user, campaign)
    return data


def _scope_label(user, courts, divisions) -> str:
    if policy.holds(user, *SUBTREE_ROLES):
        return _("全市法院")
    if policy.holds(user, Role.PRESIDENT):
        return "、".join(c.short_name or c.name for c in courts.values() if policy.presides(user, c.pk))
    return _("分管庭室：%(names)s") % {"names": "、".join(d.name for d in divisions)}


def _staff(user, context) -> list[tuple]:
    """Staff in scope (active accounts holding the staff role), with whether they own a confirmed point."""
    is_staff = RoleAssignment.objects.filter(user=OuterRef("user"), role=Role.STAFF)
    qs = (
        Person.objects.visible_to(user)
        .filter(user__is_active=True, division_id__in=context["division_ids"])
        .filter(Exists(is_staff))
        .annotate(has_confirmed=Exists(context["confirmed"].filter(owner=OuterRef("user"))))
        .order_by("division_id", "full_name")
    )
    metrics = {
        f"m_{k}": build_expr(context["campaign"])
        for k, (unit, build_expr) in context["inline"].items()
        if unit == Unit.PERSON
    }
    qs = qs.annotate(**metrics)
    fields = ["pk", "full_name", "division_id", "court_id", "court__path", "has_confirmed"]
    return [
        (*row[:6], {key[2:] for key, done in zip(metrics, row[6:], strict=True) if done})
        for row in qs.values_list(*fields, *metrics)
    ]


# ---------------------------------------------------------------- campaign task metrics, inline

# The campaign's task metrics (workflow.task_metrics) each cost a query of their own. The dashboard
# computes the ones it knows as EXISTS columns of the people and divisions it loads anyway — the same
# conditions as in workflow.task_metrics (a test compares the figures with the campaign page); any other
# metric is asked through the registry.


def _in_window(qs, campaign, field):
    window = campaign_window(campaign)
    if window is None:
        return qs
    return qs.filter(**{f"{field}__gte": window[0], f"{field}__lt": window[1]})


def _post_submitted(campaign):
    from risks.models import RiskPoint

    submitted = RiskPoint.objects.filter(owner=OuterRef("user"), level="post").exclude(state__in=["draft", "retired"])
    return Exists(_in_window(submitted, campaign, "created_at"))


def _graded(campaign):
    from risks.models import RiskPoint

    return ~Exists(RiskPoint.objects.filter(division=OuterRef("pk"), state="submitted"))


def _letter_signed(campaign):
    from commitments.models import CommitmentLetter

    signed = CommitmentLetter.objects.filter(
        signer=OuterRef("user"), kind="personal", superseded_at__isnull=True
    ).exclude(state="drafted")
    return Exists(_in_window(signed, campaign, "signed_at"))


INLINE_METRICS = {
    "risk_post_submitted": (Unit.PERSON, _post_submitted),
    "risk_graded": (Unit.DIVISION, _graded),
    "letters_signed": (Unit.PERSON, _letter_signed),
}


def _phase_tasks(campaign, today):
    """The phase to show (the current one, else the last started) and its tasks with the office's
    tick-offs, in one query (a LEFT JOIN, one row per tick-off)."""
    if campaign is None or not campaign._phases:
        return None, {}, {}
    phases = campaign._phases
    current = next((p for p in phases if p.contains(today)), None)
    shown = current or next((p for p in reversed(phases) if p.start <= today), phases[0])
    rows = (
        PhaseTask.objects.filter(phase=shown)
        .order_by("deadline", "sort_order", "id")
        .values(
            "id",
            "title",
            "deadline",
            "responsible_role",
            "measure_key",
            "completions__person_id",
            "completions__division_id",
            "completions__court_id",
        )
    )
    tasks, ticked = {}, defaultdict(set)
    for row in rows:
        tasks.setdefault(row["id"], row)
        done = row["completions__person_id"] or row["completions__division_id"] or row["completions__court_id"]
        if done:
            ticked[row["id"]].add(done)
    return shown, tasks, ticked


# ---------------------------------------------------------------- campaign


def _campaign_section(user, context, staff) -> dict | None:
    campaign, today = context["campaign"], context["today"]
    if campaign is None:
        return None
    phases = campaign._phases
    current = next((p for p in phases if p.contains(today)), None)
    shown = context["shown"]
    result = {
        "id": campaign.pk,
        "name": campaign.name,
        "url": reverse("workflow:campaign", args=[campaign.pk]),
        "start": phases[0].start.isoformat() if phases else None,
        "end": phases[-1].end.isoformat() if phases else None,
        "phases": [
            {
                "number": p.number,
                "name": p.name,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "current": p is current,
                "url": reverse("workflow:campaign", args=[campaign.pk]) + f"?phase={p.number}",
            }
            for p in phases
        ],
        "phase": None,
        "tasks": [],
        "behind": [],
        "days_left": None,
    }
    if shown is None:
        return result
    result["phase"] = {"number": shown.number, "name": shown.name, "current": shown is current}
    result["days_left"] = (shown.end - today).days if current else None
    result["campaign_days_left"] = (phases[-1].end - today).days if phases[-1].end >= today else 0

    tasks, ticked = context["tasks"], context["ticked"]

    # Units in scope and in the campaign's courts.
    people = {pk: (name, div) for pk, name, div, _c, path, _h, _m in staff if _in_campaign(campaign, path)}
    inline_done = defaultdict(set)
    for pk, _n, _d, _c, _p, _h, done_keys in staff:
        for key in done_keys:
            inline_done[key].add(pk)
    divisions = {d.pk: d for d in context["divisions"] if _in_campaign(campaign, d.court.path)}
    # Court tasks count the courts the person answers for as a whole: presided, or under their office,
    # leading group or administration.
    courts = {
        c.pk: c
        for c in context["courts"].values()
        if _in_campaign(campaign, c.path)
        and (context["court_id"] in (None, c.pk))
        and context["division_id"] is None
        and (policy.presides(user, c.pk) or policy.reaches_subtree(user, c))
    }
    measured = {}
    behind = defaultdict(lambda: {"people": 0, "divisions": 0, "names": [], "tasks": set()})
    for task in tasks.values():
        unit = UNIT_OF_ROLE.get(task["responsible_role"], Unit.COURT)
        ids = list(people if unit == Unit.PERSON else divisions if unit == Unit.DIVISION else courts)
        done = set(ticked.get(task["id"], set()))
        key = task["measure_key"]
        if key in context["inline"]:
            if context["inline"][key][0] == Unit.DIVISION:
                done |= {d.pk for d in context["divisions"] if getattr(d, f"m_{key}")}
            else:
                done |= inline_done[key]
        elif key and key in TASK_METRICS:
            if key not in measured:
                measured[key] = TASK_METRICS[key].done_ids(campaign)
            done |= measured[key] or set()
        done &= set(ids)
        missing = [i for i in ids if i not in done]
        result["tasks"].append(
            {
                "id": task["id"],
                "title": task["title"],
                "deadline": task["deadline"].isoformat(),
                "overdue": task["deadline"] < today,
                "unit": str(Unit(unit).label),
                "done": len(done),
                "total": len(ids),
                # A task with no unit in the user's reach (a court task for a deputy) has no percentage.
                "percent": _pct(len(done), len(ids)) if ids else None,
                "url": reverse("workflow:task", args=[task["id"]]),
            }
        )
        for unit_id in missing:
            if unit == Unit.PERSON:
                name, division_id = people[unit_id]
                entry = behind[division_id]
                entry["people"] += 1
                if len(entry["names"]) < BEHIND_NAMES and name not in entry["names"]:
                    entry["names"].append(name)
            elif unit == Unit.DIVISION:
                entry = behind[unit_id]
                entry["divisions"] += 1
            else:
                continue
            entry["tasks"].add(task["title"])
    phase_done = sum(t["done"] for t in result["tasks"])
    phase_total = sum(t["total"] for t in result["tasks"])
    result["percent"] = _pct(phase_done, phase_total) if phase_total else 0
    url = reverse("workflow:campaign", args=[campaign.pk]) + f"?phase={shown.number}"
    for division_id, entry in behind.items():
        division = divisions.get(division_id)
        if division is None:
            continue
        result["behind"].append(
            {
                "division": division.name,
                "court": division.court.short_name or division.court.name,
                "division_id": division_id,
                "people": entry["people"],
                "tasks": sorted(entry["tasks"]),
                "names": entry["names"],
                "url": url + (f"&court={division.court_id}" if len(context["courts"]) > 1 else ""),
            }
        )
    result["behind"].sort(key=lambda r: (-r["people"], -len(r["tasks"]), r["court"], r["division"]))
    result["behind_people"] = sum(r["people"] for r in result["behind"])
    result["behind_divisions"] = len(result["behind"])
    return result


# ---------------------------------------------------------------- coverage


def _coverage(context, staff) -> dict:
    """Share of staff and of divisions with confirmed risk points, per court and per division."""
    per_division = defaultdict(lambda: [0, 0])
    for _pk, _name, division_id, _court, _path, has, _m in staff:
        per_division[division_id][0] += 1
        per_division[division_id][1] += bool(has)
    rows, per_court = [], {}
    base = context["link_base"]
    campaign_id = context["campaign"].pk if context["campaign"] else None
    for d in context["divisions"]:
        people, covered = per_division.get(d.pk, (0, 0))
        court = d.court.short_name or d.court.name
        rows.append(
            {
                "court": court,
                "division": d.name,
                "division_id": d.pk,
                "staff": people,
                "covered": covered,
                "percent": _pct(covered, people),
                "confirmed": bool(d.has_confirmed),
                "url": risk_list_url(base, court=d.court_id, division=d.pk),
            }
        )
        c = per_court.setdefault(
            d.court_id,
            {
                "court": court,
                "court_id": d.court_id,
                "staff": 0,
                "covered": 0,
                "divisions": 0,
                "divisions_covered": 0,
                "url": risk_list_url(base, court=d.court_id),
                # The drill-down: this dashboard for the one court (its divisions, all of them).
                "dashboard_url": _dashboard_url(campaign=campaign_id, court=d.court_id),
            },
        )
        c["staff"] += people
        c["covered"] += covered
        c["divisions"] += 1
        c["divisions_covered"] += bool(d.has_confirmed)
    for c in per_court.values():
        c["percent"] = _pct(c["covered"], c["staff"])
        c["divisions_percent"] = _pct(c["divisions_covered"], c["divisions"])
    total_staff = sum(r["staff"] for r in rows)
    total_covered = sum(r["covered"] for r in rows)
    divs_covered = sum(r["confirmed"] for r in rows)
    return {
        "divisions": rows,
        "courts": list(per_court.values()),
        "staff": total_staff,
        "staff_covered": total_covered,
        "staff_percent": _pct(total_covered, total_staff),
        "division_count": len(rows),
        "divisions_covered": divs_covered,
        "divisions_percent": _pct(divs_covered, len(rows)),
    }


# ---------------------------------------------------------------- risk points


def _risk_rows(points) -> list[dict]:
    return list(
        points.order_by()
        .values(
            "court_id",
            "court__short_name",
            "court__name",
            "division_id",
            "division__name",
            "grade",
            "level",
            "source",
            "state",
            "power__business_area",
            "power__major_matter",
            "responsible_leader_id",
            "responsible_leader__person__full_name",
            "responsible_leader__username",
        )
        .annotate(n=Count("id"))
    )


def _risks(context) -> dict:
    """Risk points by grade, level, business area, key link, source and state; the division × grade heat
    map; 三重一大 points; responsible leaders' loads. Two GROUP BY queries (the first made by ``build``)."""
    base = context["link_base"]
    points = context["points"]
    rows = context["risk_rows"]
    by = defaultdict(Counter)
    heat = defaultdict(Counter)
    heat_names = {}
    leaders = defaultdict(Counter)
    leader_names = {}
    major = Counter()
    total = 0
    for r in rows:
        n = r["n"]
        total += n
        by["grade"][r["grade"] or ""] += n
        by["level"][r["level"]] += n
        by["source"][r["source"]] += n
        by["state"][r["state"]] += n
        by["area"][r["power__business_area"] or ""] += n
        key = (r["court_id"], r["division_id"])
        heat[key][r["grade"] or ""] += n
        heat_names[key] = (
            r["court__short_name"] or r["court__name"],
            r["division__name"] or _("（院级）"),
        )
        if r["power__major_matter"]:
            major[r["grade"] or ""] += n
        if r["responsible_leader_id"]:
            leaders[r["responsible_leader_id"]][r["grade"] or ""] += n
            leader_names[r["responsible_leader_id"]] = (
                r["responsible_leader__person__full_name"] or r["responsible_leader__username"]
            )

    def series(counter, choices, param):
        items = [
            {
                "key": value,
                "label": str(label),
                "n": counter.get(value, 0),
                "url": risk_list_url(base, **{param: value}),
            }
            for value, label in choices
        ]
        missing = counter.get("", 0)
        return items, missing

    grades, ungraded = series(by["grade"], [(g.value, g.label) for g in GRADES], "grade")
    levels, _none = series(by["level"], Level.choices, "level")
    sources, _none = series(by["source"], Source.choices, "source")
    states, _none = series(by["state"], State.choices, "state")
    areas = [
        {"key": value, "label": str(label), "n": by["area"].get(value, 0), "url": risk_list_url(base, area=value)}
        for value, label in BusinessArea.choices
    ]
    if by["area"].get(""):
        areas.append({"key": "", "label": _("未关联职权"), "n": by["area"][""], "url": None})

    link_rows = (
        points.order_by()
        .filter(key_links__isnull=False)
        .values("key_links__id", "key_links__name", "key_links__area", "key_links__sort_order")
        .annotate(n=Count("id"))
        .order_by("key_links__sort_order", "key_links__id")
    )
    area_label = dict(BusinessArea.choices)
    key_links = [
        {
            "key": r["key_links__id"],
            "label": r["key_links__name"],
            "area": str(area_label.get(r["key_links__area"], "")),
            "n": r["n"],
            "url": risk_list_url(base, key_link=r["key_links__id"]),
        }
        for r in link_rows
    ]

    heatmap = []
    for (court_id, division_id), counter in sorted(heat.items(), key=lambda kv: kv[1].total() * -1):
        court, division = heat_names[(court_id, division_id)]
        params = {"court": court_id, "division": division_id}
        # Points without a division (court level) have no list of their own: the list cannot filter "no division".
        linked = division_id is not None
        heatmap.append(
            {
                "court": court,
                "court_id": court_id,
                "division": division,
                "division_id": division_id,
                "total": counter.total(),
                "url": risk_list_url(base, **params) if linked else None,
                "cells": [
                    {
                        "grade": g.value,
                        "n": counter.get(g.value, 0),
                        "url": risk_list_url(base, grade=g.value, **params) if linked else None,
                    }
                    for g in GRADES
                ],
                "ungraded": counter.get("", 0),
            }
        )
    court_order = {c: i for i, c in enumerate(context["courts"])}
    heatmap.sort(key=lambda r: (court_order.get(r["court_id"], len(court_order)), -r["cells"][0]["n"], -r["total"]))

    leader_rows = sorted(
        (
            {
                "leader": leader_names[uid],
                "total": counter.total(),
                "grades": [{"grade": g.value, "n": counter.get(g.value, 0)} for g in GRADES],
                "url": None,
            }
            for uid, counter in leaders.items()
        ),
        key=lambda r: (-r["total"], r["leader"]),
    )
    return {
        "risks": {
            "total": total,
            "url": risk_list_url(base),
            "grades": grades,
            "ungraded": ungraded,
            "levels": levels,
            "sources": sources,
            "states": states,
            "areas": areas,
            "key_links": key_links,
        },
        "heatmap": heatmap,
        "major": {
            "total": major.total(),
            "url": risk_list_url(base, major="1"),
            "grades": [
                {
                    "grade": g.value,
                    "label": str(g.label),
                    "n": major.get(g.value, 0),
                    "url": risk_list_url(base, major="1", grade=g.value),
                }
                for g in GRADES
            ],
            "ungraded": major.get("", 0),
        },
        "leaders": leader_rows,
    }


# ---------------------------------------------------------------- commitment letters


def _letters(user, context) -> dict | None:
    campaign = context["campaign"]
    if campaign is None:
        return None
    # The campaign's letters: templates made for it, or (made without naming one) for its year.
    qs = (
        letters_for(user)
        .current()
        .filter(
            Q(template__campaign_id=campaign.pk) | Q(template__campaign_id__isnull=True, template__year=campaign.year)
        )
    )
    if context["court_id"] is not None:
        qs = qs.filter(court_id=context["court_id"])
    if context["division_id"] is not None:
        qs = qs.filter(division_id=context["division_id"])
    rows = qs.order_by().values("template_id", "court_id", "division_id", "kind", "state").annotate(n=Count("id"))
    template_id = None
    per_division = {}
    names = {d.pk: d for d in context["divisions"]}
    totals, by_state = Counter(), Counter()
    for r in rows:
        template_id = template_id or r["template_id"]
        entry = per_division.setdefault(r["division_id"], Counter())
        signed = r["state"] != LetterState.DRAFTED
        entry["signed" if signed else "outstanding"] += r["n"]
        totals["signed" if signed else "outstanding"] += r["n"]
        by_state[r["state"]] += r["n"]
    list_url = reverse("commitments:list")
    progress_url = reverse("commitments:progress")
    suffix = f"?template={template_id}" if template_id else ""
    divisions = []
    for division_id, counter in per_division.items():
        d = names.get(division_id)
        divisions.append(
            {
                "division_id": division_id,
                "division": d.name if d else _("（院级）"),
                "court": (d.court.short_name or d.court.name) if d else "",
                "signed": counter["signed"],
                "outstanding": counter["outstanding"],
                "total": counter["signed"] + counter["outstanding"],
                "percent": _pct(counter["signed"], counter["signed"] + counter["outstanding"]),
                "url": progress_url + suffix,  # the signing progress page, grouped by division
            }
        )
    divisions.sort(key=lambda r: (r["percent"], -r["outstanding"], r["court"], r["division"]))
    return {
        "template": template_id,
        "signed": totals["signed"],
        "outstanding": totals["outstanding"],
        "total": totals["signed"] + totals["outstanding"],
        "percent": _pct(totals["signed"], totals["signed"] + totals["outstanding"]),
        "states": [
            {
                "key": s.value,
                "label": str(s.label),
                "n": by_state.get(s.value, 0),
                "url": f"{list_url}?{urlencode({'template': template_id or '', 'state': s.value})}",
            }
            for s in LetterState
        ],
        "divisions": divisions,
        "progress_url": progress_url + suffix,
    }


# ---------------------------------------------------------------- control and oversight (when installed)


def _grouped(qs, section, k1, k2=None, late=None):
    """One aggregate over a model as rows of (section, key 1, key 2, count, late count), so that every
    section below can share a single UNION ALL query."""
    text = CharField()
    return (
        qs.order_by()
        .annotate(
            dash_section=Value(section, output_field=text),
            dash_k1=Cast(k1, text),
            dash_k2=Cast(k2, text) if k2 is not None else Value("", output_field=text),
        )
        .values("dash_section", "dash_k1", "dash_k2")
        .annotate(dash_n=Count("pk"), dash_late=Count("pk", filter=late if late is not None else Q(pk__isnull=True)))
    )


def _control_and_oversight(user, context) -> tuple[dict | None, dict | None]:
    """Measures (planned / in place / checked / overdue) for everyone who sees the dashboard; warnings by
    level and state, signals by channel and month, handling and rectifications for the office and the
    leading group only. Each model through its own ``visible_to``; all in one UNION ALL query.

    The chosen campaign narrows every figure: measures to its year's risk points, signals, warnings, handling
    and rectifications to its courts and its phases' dates; the links carry it (``?campaign=``) and the lists
    filter the same way. The lists have no court or division filter: filtered by court or division, the
    figures count that court or division and carry no link."""
    today = context["today"]
    Measure = _model("measures.Measure")
    parts = []
    filtered = context["court_id"] is not None or context["division_id"] is not None

    campaign, year = context["campaign"], context["year"]

    def narrow(qs, has_division=True):
        if context["court_id"] is not None:
            qs = qs.filter(court_id=context["court_id"])
        if context["division_id"] is not None:
            qs = qs.filter(division_id=context["division_id"]) if has_division else qs.none()
        return qs

    def in_campaign(qs, day_field):
        """The chosen campaign: its courts, its phases' dates — as the lists filter ``?campaign=<id>``."""
        if campaign is None:
            return qs
        qs = qs.filter(court__in=campaign.courts())
        if campaign.start is not None:
            qs = qs.filter(**{f"{day_field}__gte": campaign.start, f"{day_field}__lte": campaign.end})
        return qs

    if Measure is not None:
        measures = Measure.objects.visible_to(user)
        if year is not None:  # the measures of the campaign year's risk points, as the list's ?campaign=<year>
            measures = measures.filter(risk_point__campaign_year=year)
        parts.append(
            _grouped(
                narrow(measures),
                "measure",
                F("status"),
                late=Q(status="planned", deadline__lt=today),
            )
        )
    oversight = policy.can(user, "dashboard.view_oversight")
    models = {name: _model(f"oversight.{name}") for name in ("Signal", "Warning", "Handling", "Rectification")}
    if oversight:
        if models["Warning"] is not None:
            parts.append(
                _grouped(
                    narrow(in_campaign(models["Warning"].objects.visible_to(user), "raised_at__date")),
                    "warning",
                    F("level"),
                    F("state"),
                )
            )
        if models["Signal"] is not None:
            month = Substr(Cast("received_on", CharField()), 1, 7)
            signals = in_campaign(models["Signal"].objects.visible_to(user), "received_on")
            parts.append(_grouped(narrow(signals), "signal", F("channel"), month))
        if models["Handling"] is not None:
            parts.append(
                _grouped(
                    narrow(in_campaign(models["Handling"].objects.visible_to(user), "created_at__date")),
                    "handling",
                    F("kind"),
                    F("state"),
                )
            )
        if models["Rectification"] is not None:
            parts.append(
                _grouped(
                    narrow(in_campaign(models["Rectification"].objects.visible_to(user), "created_at__date")),
                    "rectification",
                    F("state"),
                    late=Q(state="open", deadline__lt=today),
                )
            )
    if not parts:
        return None, None
    rows = list(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else list(parts[0])
    by = defaultdict(list)
    for r in rows:
        by[r["dash_section"]].append(r)

    def url(name, **params):
        if filtered:
            return None
        try:
            base = reverse(name)
        except NoReverseMatch:
            return None
        # The lists follow the campaign filter: the measures by their risk points' year, the rest by campaign.
        params = {"campaign": year if name.startswith("risks:") else (campaign.pk if campaign else None), **params}
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{base}?{query}" if query else base

    def choices(model, field):
        return model._meta.get_field(field).choices or []

    control = None
    if Measure is not None:
        counts = {r["dash_k1"]: r for r in by["measure"]}
        statuses = [
            {
                "key": v,
                "label": str(label),
                "n": counts.get(v, {}).get("dash_n", 0),
                "url": url("risks:measures", status=v),
            }
            for v, label in choices(Measure, "status")
        ]
        control = {
            "statuses": statuses,
            "total": sum(x["n"] for x in statuses),
            "overdue": sum(r["dash_late"] for r in by["measure"]),
            "overdue_url": url("risks:measures", overdue="on"),
            "url": url("risks:measures"),
            "filtered": filtered,
        }
    if not oversight:
        return control, None

    result = {"filtered": filtered}
    if models["Warning"] is not None:
        W = models["Warning"]
        levels = choices(W, "level")
        states = choices(W, "state")
        cells = Counter()
        for r in by["warning"]:
            cells[(r["dash_k1"], r["dash_k2"])] += r["dash_n"]
        result["warnings"] = {
            "url": url("workflow:warnings"),
            "total": sum(cells.values()),
            "states": [{"key": s_, "label": str(lab)} for s_, lab in states],
            "levels": [
                {
                    "key": lv,
                    "label": str(lab),
                    "n": sum(cells[(lv, s_)] for s_, _l in states),
                    "url": url("workflow:warnings", level=lv),
                    "cells": [
                        {"state": s_, "n": cells[(lv, s_)], "url": url("workflow:warnings", level=lv, state=s_)}
                        for s_, _l in states
                    ],
                }
                for lv, lab in levels
            ],
        }
    if models["Signal"] is not None:
        S = models["Signal"]
        months = sorted({r["dash_k2"] for r in by["signal"]})[-12:]
        cells = Counter()
        for r in by["signal"]:
            cells[(r["dash_k1"], r["dash_k2"])] += r["dash_n"]
        channels = [
            {
                "key": ch,
                "label": str(lab),
                "n": sum(n for (c, _m), n in cells.items() if c == ch),
                "url": url("workflow:signals", channel=ch),
                "months": [cells[(ch, m)] for m in months],
            }
            for ch, lab in choices(S, "channel")
        ]
        result["signals"] = {
            "url": url("workflow:signals"),
            "total": sum(cells.values()),
            "months": months,
            "channels": channels,
        }
    if models["Handling"] is not None:
        H = models["Handling"]
        cells = Counter()
        for r in by["handling"]:
            cells[r["dash_k1"]] += r["dash_n"]
        result["handling"] = {
            "url": url("workflow:handling"),
            "total": sum(cells.values()),
            "kinds": [
                {"key": k, "label": str(lab), "n": cells[k], "url": url("workflow:handling", kind=k)}
                for k, lab in choices(H, "kind")
            ],
        }
    if models["Rectification"] is not None:
        R = models["Rectification"]
        counts = {r["dash_k1"]: r for r in by["rectification"]}
        result["rectifications"] = {
            "url": url("workflow:rectifications"),
            "states": [
                {
                    "key": k,
                    "label": str(lab),
                    "n": counts.get(k, {}).get("dash_n", 0),
                    "url": url("workflow:rectifications", state=k),
                }
                for k, lab in choices(R, "state")
            ],
            "overdue": sum(r["dash_late"] for r in by["rectification"]),
        }
    return control, result

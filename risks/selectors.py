"""Reads of the registry, always starting from ``visible_to(user)``."""

import datetime as dt
import hashlib

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hkcourt.org.models import Court, Division, Person, Post
from hkcourt.org.policy import get_visible_or_404
from hkcourt.org.scoping import PkIn

from .filters import RiskPointFilter
from .models import (
    RISK_POINT_HISTORY,
    Grade,
    GradingTier,
    KeyLink,
    PeerCheck,
    Power,
    PowerStep,
    PublicFeedback,
    RiskGrading,
    RiskPoint,
    State,
    Transition,
    reason_text,
)
from .signals import data_version

GRADE_RANK = Case(
    When(grade=Grade.HIGH, then=Value(3)),
    When(grade=Grade.MEDIUM, then=Value(2)),
    When(grade=Grade.LOW, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
# States whose grade counts as established for the flowchart's weak links.
GRADED_STATES = (State.GRADED, State.CONFIRMED, State.PUBLISHED, State.CONTROLLED)
SORT_FIELDS = {
    "-updated_at": ["-updated_at", "-id"],
    "updated_at": ["updated_at", "id"],
    "grade_rank": ["-grade_rank", "-updated_at", "-id"],
    "-grade_rank": ["grade_rank", "-updated_at", "-id"],
    "division": ["court__path", "division__sort_order", "-id"],
    "id": ["id"],
}


def _without_others_drafts(user):
    """A draft stays private to its owner until it is submitted."""
    return RiskPoint.objects.exclude(Q(state=State.DRAFT) & ~Q(owner_id=user.pk))


def risk_points(user):
    """Risk points in the user's scope, without other people's drafts."""
    return _without_others_drafts(user).visible_to(user)


def risk_point_or_404(user, pk, *related):
    """One risk point the user may see (not another person's draft), or 404: existence does not leak."""
    return get_visible_or_404(_without_others_drafts(user).select_related(*related), user, pk=pk)


# The list's counts are cached briefly when they are large: counting a province's 378,000 rows takes
# 150–250 ms, a few hundred rows well under a millisecond (bench/results.md). Every write to a risk point
# moves the data version on (risks.signals), so a cached count is never older than the data it counts;
# COUNTS_TTL bounds what the version cannot see (a role given or taken away).
COUNTS_CACHE_ABOVE = 5000
COUNTS_TTL = 60
LIST_PARAMS_NOT_COUNTED = ("page", "size", "sort", "state")


def _counts_key(user, params):
    filters = sorted((k, v) for k, values in params.lists() if k not in LIST_PARAMS_NOT_COUNTED for v in values)
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()
    return f"risks:list-counts:{data_version()}:{user.pk}:{digest}"


def state_counts(user, filtered, params):
    """{state: n} over the filtered list: the tabs' figures and, summed, the paginator's count — one grouped
    COUNT per page, cached for a minute when the scope is large."""
    key = _counts_key(user, params)
    counts = cache.get(key)
    if counts is None:
        counts = dict(filtered.order_by().values_list("state").annotate(n=Count("id")))
        if sum(counts.values()) >= COUNTS_CACHE_ABOVE:
            cache.set(key, counts, COUNTS_TTL)
    return counts


# Keyset ("seek") pagination for the orders an index serves: the next and previous links carry the sort key
# of the page's last or first row (``after`` / ``before``), and that page is read as "the next 20 rows past
# this key" — an index range scan whatever the page number, instead of OFFSET skipping every earlier row.
KEYSET_SORTS = {"-updated_at": True, "updated_at": False}  # descending?


def row_key(rp):
    return f"{rp.updated_at.isoformat()}~{rp.pk}"


def parse_key(text):
    try:
        stamp, pk = str(text).rsplit("~", 1)
        return dt.datetime.fromisoformat(stamp), int(pk)
    except (TypeError, ValueError):
        return None


class ListRows:
    """The list's rows for the paginator, read in two steps within one query: the page's ids first —
    the scope, filters and order alone, walking an index — then those rows with what the table shows
    (``pk = ANY(ARRAY(ids))``). A deep page skips ids, not ten joined rows; planning joins 20 rows. With a
    ``seek`` = (``after`` or ``before``, key) on a keyset sort the ids are the rows past the key (no OFFSET).
    The count is the one the tabs computed (no second COUNT)."""

    ordered = True

    def __init__(self, queryset, order, count, *, sort=None, seek=None):
        self.queryset, self.order, self._count = queryset, order, count
        self.sort, self.seek = sort, (seek if sort in KEYSET_SORTS else None)

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def _ids(self, index):
        if self.seek:
            direction, (stamp, pk) = self.seek
            descending = KEYSET_SORTS[self.sort] == (direction == "after")  # reading towards older rows
            # The first bound is redundant but an index condition: the scan starts at the key.
            past = (
                Q(updated_at__lte=stamp) & (Q(updated_at__lt=stamp) | Q(updated_at=stamp, pk__lt=pk))
                if descending
                else Q(updated_at__gte=stamp) & (Q(updated_at__gt=stamp) | Q(updated_at=stamp, pk__gt=pk))
            )
            order = ["-updated_at", "-id"] if descending else ["updated_at", "id"]
            return self.queryset.filter(past).order_by(*order).values("pk")[: index.stop - index.start]
        return self.queryset.order_by(*self.order).values("pk")[index]

    def page_queryset(self, index):
        ids = self._ids(index)
        return RiskPoint.objects.filter(PkIn(ids)).annotate(grade_rank=GRADE_RANK).for_list().order_by(*self.order)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("ListRows is read a page at a time")
        return list(self.page_queryset(index))


def filtered_risk_points(user, params, request):
    """The list page's filters and search over the user's scope: (filterset, filtered rows before the state
    tab, rows with the state tab applied). The page, its export and the API read the list through this."""
    base = risk_points(user)
    filterset = RiskPointFilter(params, queryset=base, request=request)
    filtered = filterset.qs if filterset.is_valid() else base.none()
    state = params.get("state", "")
    return filterset, filtered, filtered.filter(state=state) if state in State.values else filtered


def risk_point_list(user, params, request):
    """The filtered list (without the state tab applied), the state tab counts, and the rows (a ListRows
    for the paginator)."""
    filterset, filtered, rows = filtered_risk_points(user, params, request)
    counts = state_counts(user, filtered, params)
    state = params.get("state", "")
    total = counts.get(state, 0) if state in State.values else sum(counts.values())
    sort = params.get("sort", "-updated_at")
    order = SORT_FIELDS.get(sort, SORT_FIELDS["-updated_at"])
    seek = None
    for direction in ("after", "before"):
        key = parse_key(params.get(direction)) if params.get(direction) else None
        if key:
            seek = (direction, key)
    return filterset, counts, ListRows(rows.annotate(grade_rank=GRADE_RANK), order, total, sort=sort, seek=seek)


def risk_points_for_export(user, params, request):
    """The rows of the list's export: the page's scope, filters, state tab and order, every row, with what
    the file shows joined or in the row (for ``iterator()``: one cursor, no query per row or per chunk)."""
    _filterset, _filtered, rows = filtered_risk_points(user, params, request)
    order = SORT_FIELDS.get(params.get("sort", "-updated_at"), SORT_FIELDS["-updated_at"])
    return (
        rows.annotate(grade_rank=GRADE_RANK)
        .for_list()
        .select_related("step", "responsible_leader__person")
        .order_by(*order)
    )


def risk_point_detail(user, pk):
    """One point with what its page shows. On PostgreSQL in the same row: its key links' names, the court
    rules covering it and the ids of the people asked to check it (``peer_reviewer_ids``, which the comment
    rule reads instead of querying); see RiskPoint.link_names and rule_links."""
    rows = _without_others_drafts(user).select_related(
        "court",
        "division",
        "post",
        "power",
        "step",
        "owner__person",
        "responsible_leader__person",
        "decision",
    )
    if connection.vendor == "postgresql":
        rules = RiskPoint._meta.get_field("court_rules").related_model.objects.filter(risk_points=OuterRef("pk"))
        rows = rows.annotate(
            key_link_names=ArraySubquery(
                KeyLink.objects.filter(risk_points=OuterRef("pk")).order_by("sort_order", "id").values("name")
            ),
            court_rule_links=ArraySubquery(
                rules.order_by("-issued_on", "-id").values(json=JSONObject(pk="pk", title="title"))
            ),
            peer_reviewer_ids=ArraySubquery(
                PeerCheck.objects.filter(risk_point=OuterRef("pk")).order_by().values("reviewer_id")
            ),
            field_versions=ArraySubquery(_versions_of(OuterRef("pk"))),
        )
    return get_visible_or_404(rows, user, pk=pk)


def history(rp):
    return Transition.objects.filter(risk_point=rp).select_related("actor__person")


# The fields the page's field history compares, in the page's order (the key links come last), each as the
# version row shows it: a name instead of an id, a choice's value (labelled in Python).
HISTORY_FIELDS = {
    "description": "description",
    "manifestations": "manifestations",
    "level": "level",
    "division": "division__name",
    "post": "post__name",
    "power": "power__name",
    "step": "step__name",
    "source": "source",
    "state": "state",
    "grade": "grade",
    "responsible_leader": Coalesce("responsible_leader__person__full_name", "responsible_leader__username"),
    "decision": Cast("decision__date", CharField()),
    "publicity_ends": Cast("publicity_ends", CharField()),
    "campaign_year": Cast("campaign_year", CharField()),
}


def _versions_of(point):
    """The point's saved versions (django-simple-history), oldest first, one JSON object each: who, when, why
    and the shown fields, its key links' names on PostgreSQL. ``point``: a pk, or ``OuterRef("pk")`` (the
    detail row reads them as an array column)."""
    model = RiskPoint.history.model
    fields = dict(HISTORY_FIELDS)
    if connection.vendor == "postgresql":
        through = RISK_POINT_HISTORY.m2m_models[RiskPoint._meta.get_field("key_links")]
        links = through.objects.filter(history=OuterRef("pk")).order_by("keylink__sort_order", "keylink_id")
        fields["key_links"] = ArraySubquery(links.values("keylink__name"))
    json = JSONObject(
        at="history_date",
        reason="history_change_reason",
        user=Coalesce("history_user__person__full_name", "history_user__username"),
        **fields,
    )
    return model.objects.filter(id=point).order_by("history_date", "history_id").values(json=json)


def field_history(rp):
    """Every saved version of the point, newest first, with who, when, why and its changed fields against the
    version before: ``[{"at", "user", "reason", "changes": [(label, old, new)], "first"}]``. No query when the
    detail row brought them (``field_versions``, PostgreSQL); the caller has checked the point is in scope."""
    rows = rp.__dict__.get("field_versions")
    if rows is None:
        rows = [row["json"] for row in _versions_of(rp.pk)]
    versions, before = [], None
    for row in rows:
        changes = []
        if before is not None:
            for name in (*HISTORY_FIELDS, "key_links"):
                old, new = _shown(before, name), _shown(row, name)
                if old != new:
                    changes.append((RiskPoint._meta.get_field(name).verbose_name, old, new))
        at = row["at"]
        versions.append(
            {
                "at": parse_datetime(at) if isinstance(at, str) else at,
                "user": row["user"] or "",
                "reason": reason_text(row["reason"]),  # a system's reason in the reader's language
                "changes": changes,
                "first": before is None,
            }
        )
        before = row
    return versions[::-1]


def _shown(row, name):
    value = row.get(name)
    if name == "key_links":
        return "、".join(n for n in value or [] if n)
    if value in (None, ""):
        return ""
    choices = RiskPoint._meta.get_field(name).choices
    return str(dict(choices).get(value, value)) if choices else str(value)


def gradings(rp):
    """The tiers' gradings side by side, in tier order."""
    by_tier = {g.tier: g for g in RiskGrading.objects.filter(risk_point=rp).select_related("graded_by__person")}
    return [(tier, by_tier.get(tier)) for tier in GradingTier]


def peer_checks(rp):
    if not getattr(rp, "peer_reviewer_ids", True):
        return PeerCheck.objects.none()  # the row says there are none: no query
    return PeerCheck.objects.filter(risk_point=rp).select_related("reviewer__person", "requested_by__person")


def peer_candidates(user, rp):
    """People the user may ask for a peer check: in scope, in the point's court, not the owner."""
    return (
        Person.objects.visible_to(user)
        .filter(court_id=rp.court_id)
        .exclude(user_id__in=[rp.owner_id, user.pk])
        .select_related("division")
        .order_by("division__sort_order", "full_name")
    )


def powers_for_picker(user, court):
    return Power.objects.visible_to(user).filter(court=court, is_active=True).select_related("division")


def steps_of(power):
    return PowerStep.objects.filter(power=power).order_by("order", "id")


def feedback_for(user):
    return PublicFeedback.objects.visible_to(user).select_related("court", "risk_point")


# ---------------------------------------------------------------- catalogue


def catalogue_courts(user):
    return Court.objects.visible_to(user)


def catalogue_divisions(user, court):
    return (
        Division.objects.visible_to(user)
        .filter(court=court)
        .annotate(power_count=Count("powers", distinct=True))
        .prefetch_related(Prefetch("posts", queryset=Post.objects.annotate(power_count=Count("powers"))))
        .order_by("sort_order", "name")
    )


def catalogue_powers(user, court, division=None, post=None):
    qs = Power.objects.visible_to(user).filter(court=court)
    if division is not None:
        qs = qs.filter(division=division)
    if post is not None:
        qs = qs.filter(posts=post)
    return qs.select_related("division").prefetch_related("posts").annotate(step_count=Count("steps", distinct=True))


def power_detail(user, pk):
    return get_visible_or_404(Power.objects.select_related("court", "division"), user, pk=pk)


POWER_CHANGE_ACTIONS = ("risks.power_save", "risks.steps_save")


def power_changes(power, limit: int = 10):
    """Who changed a power and its flowchart, and when (清权确权 by the divisions): the catalogue's audit
    entries of this power, newest first. The names and times only; the full log stays the office's."""
    from django.contrib.contenttypes.models import ContentType

    from hkcourt.org import audit
    from hkcourt.org.models import AuditEntry

    entries = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Power),
            object_id=str(power.pk),
            action__in=POWER_CHANGE_ACTIONS,
        )
        .select_related("actor__person")
        .order_by("-created_at", "-id")[:limit]
    )
    changes = []
    for entry in entries:
        person = getattr(entry.actor, "person", None) if entry.actor else None
        who = person.full_name if person else (entry.actor.get_username() if entry.actor else "")
        changes.append({"at": entry.created_at, "who": who, "what": audit.label(entry.action)})
    return changes


def step_grades(user, power) -> dict:
    """Highest established grade per step of a power, {step_id: (grade, count)}, counted only over the risk
    points the user may see: a flowchart never shows the grade of a point hidden from its reader."""
    rows = (
        RiskPoint.objects.visible_to(user)
        .filter(step__power=power, state__in=GRADED_STATES)
        .exclude(grade="")
        .values_list("step_id", "grade")
    )
    result = {}
    rank = {Grade.HIGH: 3, Grade.MEDIUM: 2, Grade.LOW: 1}
    for step_id, grade in rows:
        best, n = result.get(step_id, (None, 0))
        if best is None or rank[grade] > rank[best]:
            best = grade
        result[step_id] = (best, n + 1)
    return result


def post_detail(user, pk):
    return get_visible_or_404(Post.objects.select_related("division__court"), user, pk=pk)


def post_powers(post):
    return (
        Power.objects.filter(posts=post, is_active=True)
        .select_related("division")
        .prefetch_related(Prefetch("steps", queryset=PowerStep.objects.order_by("order", "id")))
    )


def post_risk_points(user, post):
    return (
        risk_points(user)
        .filter(post=post, state__in=GRADED_STATES)  # the statement lists graded, established risks
        .select_related("power", "step")
        .order_by("power_id", "id")
    )


# ---------------------------------------------------------------- public


def public_court(code):
    return get_object_or_404(Court, code=code)


def public_points(court):
    """Published points of a court in their publicity period, with no person attached."""
    return (
        RiskPoint.objects.filter(court=court, state=State.PUBLISHED, publicity_ends__gte=timezone.localdate())
        .select_related("division", "post", "power")
        .only(
            "id",
            "level",
            "description",
            "manifestations",
            "grade",
            "publicity_ends",
            "division__name",
            "post__name",
            "power__name",
        )
        .order_by("division__sort_order", "post__sort_order", "id")
    )


def key_links():
    return KeyLink.objects.all()


# ---------------------------------------------------------------- small reads the views need


def person_of(user):
    """The user's place in the organisation (court, division, post), or None."""
    return Person.objects.filter(user=user).select_related("court").first()


def proposal_of(rp):
    return RiskGrading.objects.filter(risk_point=rp, tier=GradingTier.PROPOSAL).first()


def steps_for_picker(user, power_id):
    if not str(power_id).isdigit():
        return PowerStep.objects.none()
    return PowerStep.objects.visible_to(user).filter(power_id=power_id).order_by("order", "id")


def search_powers(user, court, q):
    rows = powers_for_picker(user, court)
    return rows.filter(Q(name__icontains=q) | Q(division__name__icontains=q)) if q else rows


def search_peers(user, rp, q):
    rows = peer_candidates(user, rp)
    return rows.filter(Q(full_name__icontains=q) | Q(division__name__icontains=q)) if q else rows


def power_risk_points(user, power):
    return (
        risk_points(user)
        .filter(power=power)
        .exclude(state=State.RETIRED)
        .select_related("step", "post", "division")
        .order_by("step__order", "id")
    )


def post_holders(user, post):
    return Person.objects.visible_to(user).filter(post=post).order_by("full_name")


def risk_points_by_ids(user, ids):
    return risk_points(user).filter(pk__in=ids).select_related("court")


def reviewable(user):
    """The condition for points the user may review (return or grade) — the same rule as
    risks.policy.reviews, as SQL: head → post level of the headed divisions; deputy → post and division level
    of the overseen divisions; president → court level of the court; office → everything in its courts."""
    from hkcourt.org.models import Role
    from hkcourt.org.scoping import UserRoles

    roles = UserRoles.of(user)
    if user.is_superuser:
        return ~Q(owner_id=user.pk)
    condition = Q(pk__isnull=True)  # nothing, without an empty IN that some aggregates cannot compile
    heads = roles.division_ids(Role.DIVISION_HEAD)
    if heads:
        condition |= Q(level="post", division_id__in=heads)
    overseen = roles.division_ids(Role.DEPUTY_LEADER)
    if overseen:
        condition |= Q(level__in=["post", "division"], division_id__in=overseen)
    presided = roles.court_ids(Role.PRESIDENT)
    if presided:
        condition |= Q(level="court", court_id__in=presided)
    for path in roles.subtree_paths(Role.OFFICE):
        condition |= Q(court__path__startswith=path)
    return condition & ~Q(owner_id=user.pk)

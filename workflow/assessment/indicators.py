"""The indicator system (考核评估指标体系, plan 四(三)): six indicators, each a formula over the system's own
records, computed per court and per division of a campaign, weighted into one score and ranked.

Every indicator is a ratio of two *figures*; a figure is one queryset of records (people, risk points,
measures, risk information), defined once below. The ranking counts it grouped by court and division; the
figure's page lists the very same queryset for one unit — so a raw figure and the list behind it cannot
disagree (``tests/assessment/test_indicators.py`` checks every one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from hkcourt.org.models import Court, Division, Person, RoleAssignment
from hkcourt.org.roles import Role
from risks.measures.models import Measure, MeasureCategory
from risks.models import RiskPoint, State
from workflow.oversight.models import Channel as SignalChannel
from workflow.oversight.models import Severity, Signal

from .models import IndicatorKey, IndicatorScheme

CONFIRMED = (State.CONFIRMED, State.PUBLISHED, State.CONTROLLED)
PUBLISHED = (State.PUBLISHED, State.CONTROLLED)


# ---------------------------------------------------------------- figures: one queryset each


def _staff(campaign):
    is_staff = RoleAssignment.objects.filter(user=OuterRef("user"), role=Role.STAFF)
    return Person.objects.filter(Exists(is_staff), user__is_active=True, court__in=campaign.courts())


def _covered(campaign):
    owns = RiskPoint.objects.filter(owner=OuterRef("user"), state__in=CONFIRMED, campaign_year=campaign.year)
    return _staff(campaign).filter(Exists(owns))


def _confirmed(campaign):
    return RiskPoint.objects.filter(state__in=CONFIRMED, campaign_year=campaign.year, court__in=campaign.courts())


def _with_measure(campaign):
    return _confirmed(campaign).filter(Exists(Measure.objects.filter(risk_point=OuterRef("pk"))))


def _published(campaign):
    return _confirmed(campaign).filter(state__in=PUBLISHED)


def _measures(campaign):
    return Measure.objects.filter(risk_point__campaign_year=campaign.year, court__in=campaign.courts())


def _technology(campaign):
    return _measures(campaign).filter(category=MeasureCategory.TECHNOLOGY)


def _in_window(qs, campaign):
    start, end = campaign.start, campaign.end
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    return qs


def _petitions(campaign):
    return _in_window(Signal.objects.filter(channel=SignalChannel.PETITION, court__in=campaign.courts()), campaign)


def _grave(campaign):
    return _in_window(Signal.objects.filter(severity=Severity.GRAVE, court__in=campaign.courts()), campaign)


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    kind: str  # what the records are: person, risk_point, measure, signal
    build: Callable


FIGURES = {
    f.key: f
    for f in [
        Figure("staff", _("干警人数"), "person", _staff),
        Figure("covered", _("查找出风险点的干警"), "person", _covered),
        Figure("confirmed", _("已确定风险点"), "risk_point", _confirmed),
        Figure("with_measure", _("已制定措施的风险点"), "risk_point", _with_measure),
        Figure("published", _("已公示的风险点"), "risk_point", _published),
        Figure("measures", _("防控措施"), "measure", _measures),
        Figure("technology", _("科技类措施"), "measure", _technology),
        Figure("petitions", _("信访举报"), "signal", _petitions),
        Figure("grave", _("严重问题线索"), "signal", _grave),
    ]
}
MODELS = {"person": Person, "risk_point": RiskPoint, "measure": Measure, "signal": Signal}


def figure_queryset(key, campaign, *, court_id=None, division_id=None):
    qs = FIGURES[key].build(campaign)
    if division_id is not None:
        qs = qs.filter(division_id=division_id)
    elif court_id is not None:
        qs = qs.filter(court_id=court_id)
    return qs


# ---------------------------------------------------------------- indicators


RATE, PER_HUNDRED = "rate", "per100"


@dataclass(frozen=True)
class Definition:
    key: str
    numerator: str
    denominator: str
    kind: str  # RATE: higher is better, full marks at the target; PER_HUNDRED: lower is better, 0 at the target
    weight: int
    target: Decimal
    formula: object

    @property
    def label(self):
        return IndicatorKey(self.key).label

    @property
    def short(self):
        return SHORT[self.key]

    @property
    def unit(self):
        return "%" if self.kind == RATE else _("件/百人")

    @property
    def numerator_label(self):
        return FIGURES[self.numerator].label

    @property
    def denominator_label(self):
        return FIGURES[self.denominator].label


SHORT = {
    IndicatorKey.IDENTIFICATION: _("排查识别"),
    IndicatorKey.MEASURES: _("措施制定"),
    IndicatorKey.TECHNOLOGY: _("科技手段"),
    IndicatorKey.OPENNESS: _("公开度"),
    IndicatorKey.PETITIONS: _("信访举报"),
    IndicatorKey.CASES: _("发案率"),
}


DEFINITIONS = [
    Definition(
        IndicatorKey.IDENTIFICATION,
        "covered",
        "staff",
        RATE,
        20,
        Decimal("100"),
        _("查找出已确定风险点的干警占干警人数的比例；达到目标值（%）得满分。"),
    ),
    Definition(
        IndicatorKey.MEASURES,
        "with_measure",
        "confirmed",
        RATE,
        20,
        Decimal("100"),
        _("已制定防控措施的风险点占已确定风险点的比例；达到目标值（%）得满分。"),
    ),
    Definition(
        IndicatorKey.TECHNOLOGY,
        "technology",
        "measures",
        RATE,
        15,
        Decimal("20"),
        _("科技类防控措施占全部措施的比例；达到目标值（%）得满分。"),
    ),
    Definition(
        IndicatorKey.OPENNESS,
        "published",
        "confirmed",
        RATE,
        15,
        Decimal("100"),
        _("已公示（含已防控）的风险点占已确定风险点的比例；达到目标值（%）得满分。"),
    ),
    Definition(
        IndicatorKey.PETITIONS,
        "petitions",
        "staff",
        PER_HUNDRED,
        15,
        Decimal("10"),
        _("本年度工作期间每百名干警的信访举报件数，越少越好；为0得满分，达到目标值得0分。"),
    ),
    Definition(
        IndicatorKey.CASES,
        "grave",
        "staff",
        PER_HUNDRED,
        15,
        Decimal("5"),
        _("本年度工作期间每百名干警的严重问题线索（风险信息中“严重”一级）件数，越少越好；为0得满分，达到目标值得0分。"),
    ),
]
BY_KEY = {d.key: d for d in DEFINITIONS}


def _round(value, places="0.1"):
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def score_of(definition: Definition, numerator: int, denominator: int, target: Decimal):
    """(value, score) — value in % or per hundred; None, None when the denominator is zero."""
    if not denominator:
        return None, None
    value = Decimal(100 * numerator) / Decimal(denominator)
    if definition.kind == RATE:
        score = Decimal(100) if target <= 0 else min(Decimal(100), value / target * 100)
    else:
        score = Decimal(0) if target <= 0 else max(Decimal(0), 100 * (1 - value / target))
    return _round(value), _round(score)


# ---------------------------------------------------------------- weights: the campaign's current version


@dataclass
class Weights:
    version: int  # 0: the built-in defaults, never edited
    items: dict  # key -> (weight, target)
    scheme: IndicatorScheme | None = None


def weights_for(campaign, version=None) -> Weights:
    schemes = IndicatorScheme.objects.filter(campaign=campaign).prefetch_related("weights")
    scheme = schemes.filter(version=version).first() if version else schemes.order_by("-version").first()
    if scheme is None:
        return Weights(0, {d.key: (d.weight, d.target) for d in DEFINITIONS})
    items = {w.key: (w.weight, w.target) for w in scheme.weights.all()}
    for d in DEFINITIONS:  # an indicator added after this version was saved weighs nothing in it
        items.setdefault(d.key, (0, d.target))
    return Weights(scheme.version, items, scheme)


# ---------------------------------------------------------------- the ranking


@dataclass
class Cell:
    definition: Definition
    numerator: int
    denominator: int
    value: Decimal | None
    score: Decimal | None
    weight: int
    manual: object = None  # the ManualScore that replaced the formula's score
    formula_score: Decimal | None = None


@dataclass
class Row:
    kind: str  # "court" or "division"
    unit: object
    court: Court
    cells: list = field(default_factory=list)
    total: Decimal | None = None
    rank: int | None = None

    @property
    def code(self):
        return f"{self.kind[0]}{self.unit.pk}"


def _counts(key, campaign):
    """(court_id, division_id) -> count of the figure's records."""
    qs = FIGURES[key].build(campaign).order_by()
    return {
        (r["court_id"], r["division_id"]): r["n"] for r in qs.values("court_id", "division_id").annotate(n=Count("pk"))
    }


def manual_scores(campaign) -> dict:
    """(court_id, division_id or None, indicator key) -> the latest manual score of the unit, if it is not a
    withdrawal. One query."""
    from .models import ManualScore

    latest = {}
    for m in ManualScore.objects.filter(campaign=campaign).order_by("key", "court_id", "division_id", "-version"):
        latest.setdefault((m.court_id, m.division_id, m.key), m)
    return {k: m for k, m in latest.items() if m.score is not None}


def ranking(campaign, weights: Weights) -> dict:
    """Every court and division of the campaign, scored and ranked (unscoped: callers keep the rows the
    reader may see). Nine grouped counts, whatever the number of units, and one for the manual scores: a
    unit's manual score for an indicator takes the place of the formula's."""
    counts = {key: _counts(key, campaign) for key in FIGURES}
    manual = manual_scores(campaign)
    courts = list(campaign.courts().order_by("path", "sort_order"))
    divisions = list(
        Division.objects.filter(court__in=courts).select_related("court").order_by("court__path", "sort_order")
    )

    def per_court(key):
        totals = defaultdict(int)
        for (court_id, _division_id), n in counts[key].items():
            totals[court_id] += n
        return totals

    court_counts = {key: per_court(key) for key in FIGURES}

    def row(kind, unit, court, figure):
        r = Row(kind, unit, court)
        weighted = Decimal(0)
        weight_sum = 0
        division_id = unit.pk if kind == "division" else None
        for d in DEFINITIONS:
            weight, target = weights.items[d.key]
            num, den = figure(d.numerator), figure(d.denominator)
            value, score = score_of(d, num, den, Decimal(target))
            by_hand = manual.get((court.pk, division_id, d.key))
            cell = Cell(d, num, den, value, score, weight, manual=by_hand, formula_score=score)
            if by_hand is not None:
                cell.score = score = by_hand.score
            r.cells.append(cell)
            if score is not None and weight:
                weighted += score * weight
                weight_sum += weight
        r.total = _round(weighted / weight_sum) if weight_sum else None
        return r

    court_rows = [row("court", c, c, lambda key, c=c: court_counts[key].get(c.pk, 0)) for c in courts]
    division_rows = [
        row("division", d, d.court, lambda key, d=d: counts[key].get((d.court_id, d.pk), 0)) for d in divisions
    ]
    for rows in (court_rows, division_rows):
        rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.court.path, r.unit.pk))
        rank, previous = 0, None
        for i, r in enumerate(rows, 1):
            if r.total is None:
                continue
            if r.total != previous:
                rank, previous = i, r.total
            r.rank = rank
    return {"courts": court_rows, "divisions": division_rows}


# ---------------------------------------------------------------- who sees which rows


def reach(user):
    """The rows a reader may see: ``(all courts under these paths, these courts, these divisions)``. The
    office and the leading group: their court and below; a court's leaders: their court (and its
    divisions); a division head: that division only."""
    from hkcourt.org.scoping import UserRoles

    if user.is_superuser:
        return ["/"], set(), set()
    roles = UserRoles.of(user)
    return (
        roles.subtree_paths(Role.OFFICE, Role.LEADING_GROUP),
        set(roles.court_ids(Role.PRESIDENT, Role.DEPUTY_LEADER)),
        set(roles.division_ids(Role.DIVISION_HEAD)),
    )


def row_visible(row: Row, paths, courts, divisions) -> bool:
    if any(row.court.path.startswith(p) for p in paths) or row.court.pk in courts:
        return True
    return row.kind == "division" and row.unit.pk in divisions


def unit_condition(paths, courts, divisions):
    """The same reach as a filter on a model's ``court``/``division`` columns."""
    condition = Q(court_id__in=courts) | Q(division_id__in=divisions)
    for p in paths:
        condition |= Q(court__path__startswith=p)
    return condition

"""Early-warning rules: one evaluator per rule kind. The office edits each rule's row (level, threshold,
window, on/off); an evaluator reads the row and returns :class:`Candidate` conditions in a few queries
(no query per row). :func:`workflow.oversight.services.evaluate_warnings` turns candidates into warnings,
at most one active warning per condition key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from hkcourt.org import texts
from hkcourt.org.models import Court, Division
from risks.measures.models import Measure, MeasureStatus
from risks.models import Grade, RiskPoint, State

from .models import Rectification, RectificationState, RuleKind, Signal, WarningLevel

# What each colour means (shown beside the rules; the office sets each rule's colour on the same page).
LEVEL_MEANINGS = [
    (
        WarningLevel.RED,
        gettext_lazy("红色预警：高等级风险点出现风险信息等严重情形，须立即核实，视情诫勉谈话或责令纠错。"),
    ),
    (WarningLevel.ORANGE, gettext_lazy("橙色预警：防控措施或整改逾期等较重情形，须限期督促，视情责令纠错。")),
    (WarningLevel.YELLOW, gettext_lazy("黄色预警：风险信息增多、排查不到位等苗头性情形，进行风险提示。")),
]


def level_meanings():
    """(level, text) for each colour, red first: the office's wording where it has one, else the default."""
    from .models import WarningLevelMeaning

    worded = dict(WarningLevelMeaning.objects.values_list("level", "meaning"))
    return [(level, worded.get(level, default)) for level, default in LEVEL_MEANINGS]


# The rules the office starts with (kind, name, level, threshold, window days, description).
DEFAULT_RULES = [
    (
        RuleKind.DIVISION_SIGNALS,
        gettext_noop("同一庭室90天内风险信息2条以上"),
        WarningLevel.YELLOW,
        2,
        90,
        gettext_noop("同一庭室在统计期间（天）内收到的风险信息达到阈值条数时，黄色预警。"),
    ),
    (
        RuleKind.HIGH_RISK_SIGNAL,
        gettext_noop("高等级风险点出现风险信息"),
        WarningLevel.RED,
        1,
        365,
        gettext_noop("等级为“高”的风险点在统计期间内收到阈值条数以上的风险信息时，红色预警。"),
    ),
    (
        RuleKind.MEASURE_OVERDUE,
        gettext_noop("防控措施逾期超过30天"),
        WarningLevel.ORANGE,
        30,
        None,
        gettext_noop("计划中的防控措施超过完成期限的天数大于阈值时，橙色预警。"),
    ),
    (
        RuleKind.RECTIFICATION_OVERDUE,
        gettext_noop("整改逾期"),
        WarningLevel.ORANGE,
        1,
        None,
        gettext_noop("整改超过期限的天数达到阈值（1 即期限次日）仍未验收时，橙色预警。"),
    ),
    (
        RuleKind.NO_CONFIRMED_POINTS,
        gettext_noop("排查阶段结束时庭室无已确定风险点"),
        WarningLevel.YELLOW,
        1,
        60,
        gettext_noop(
            "工作方案第二阶段（排查廉政风险）结束后统计期间（天）内，庭室已确定的本年度风险点少于阈值时，黄色预警。"
        ),
    ),
]


# The default rules' names and descriptions in the reader's language; a name or description the office wrote
# is shown as written. (The rows keep the Chinese the rule was created with.)
DEFAULT_WORDS = {text: gettext_lazy(text) for _k, name, _l, _t, _w, desc in DEFAULT_RULES for text in (name, desc)}


def shown(text: str) -> str:
    return str(DEFAULT_WORDS.get(text, text))


# What each rule's warning says, rendered in the reader's language (hkcourt.org.texts): a warning stores the code
# and its parameters, not the sentence.
texts.register(
    {
        "oversight.rule.division_signals": gettext_lazy("%(division)s近%(days)s天内收到风险信息%(n)s条"),
        "oversight.rule.high_risk_signal": gettext_lazy("高等级风险点%(code)s出现风险信息%(n)s条：%(title)s"),
        "oversight.rule.measure_overdue": gettext_lazy("防控措施%(code)s“%(title)s”已逾期%(days)s天未落实"),
        "oversight.rule.rectification_overdue": gettext_lazy("整改%(code)s已逾期%(days)s天未验收"),
        "oversight.rule.no_confirmed_points": gettext_lazy(
            "%(division)s在排查阶段结束（%(end)s）时已确定的风险点不足%(n)s个"
        ),
    }
)


@dataclass
class Candidate:
    key: str
    court_id: int
    message: str  # a text code registered above
    params: dict
    since: dt.datetime
    division_id: int | None = None
    person_id: int | None = None
    risk_point_id: int | None = None
    measure_id: int | None = None
    rectification_id: int | None = None
    signal_ids: list = field(default_factory=list)


def _day_start(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def division_signals(rule, today):
    since_day = today - dt.timedelta(days=rule.window_days or 90)
    recent = Signal.objects.filter(division__isnull=False, received_on__gte=since_day, received_on__lte=today)
    rows = (
        recent.values("division_id", "court_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .filter(n__gte=rule.threshold)
    )
    rows = list(rows)
    names = dict(Division.objects.filter(pk__in=[r["division_id"] for r in rows]).values_list("pk", "name"))
    ids = {}
    for sid, did in recent.filter(division_id__in=names).values_list("id", "division_id"):
        ids.setdefault(did, []).append(sid)
    return [
        Candidate(
            key=f"division_signals:{r['division_id']}",
            court_id=r["court_id"],
            division_id=r["division_id"],
            since=r["last"],
            message="oversight.rule.division_signals",
            params={"division": names.get(r["division_id"], ""), "days": rule.window_days or 90, "n": r["n"]},
            signal_ids=ids.get(r["division_id"], []),
        )
        for r in rows
    ]


def high_risk_signal(rule, today):
    qs = Signal.objects.filter(risk_point__grade=Grade.HIGH, received_on__lte=today)
    if rule.window_days:
        qs = qs.filter(received_on__gte=today - dt.timedelta(days=rule.window_days))
    by_point = {}
    for s in qs.select_related("risk_point").order_by("created_at", "id"):
        by_point.setdefault(s.risk_point_id, []).append(s)
    out = []
    for rp_id, signals in by_point.items():
        if len(signals) < rule.threshold:
            continue
        last = signals[-1]
        rp = last.risk_point
        out.append(
            Candidate(
                key=f"high_risk_signal:{rp_id}",
                court_id=rp.court_id,
                division_id=rp.division_id,
                person_id=last.person_id,
                risk_point_id=rp_id,
                since=last.created_at,
                message="oversight.rule.high_risk_signal",
                params={"code": rp.code, "n": len(signals), "title": last.title},
                signal_ids=[s.pk for s in signals],
            )
        )
    return out


def measure_overdue(rule, today, passed_since=None):
    """A planned measure more than ``threshold`` days past its deadline. With ``passed_since`` (the hourly
    sweep) only the measures whose condition began on or after that day: a range on the indexed deadline."""
    limit = today - dt.timedelta(days=rule.threshold)
    qs = Measure.objects.filter(status=MeasureStatus.PLANNED, deadline__lt=limit).select_related("risk_point")
    if passed_since is not None:  # the condition holds from deadline + threshold + 1
        qs = qs.filter(deadline__gte=passed_since - dt.timedelta(days=rule.threshold + 1))
    return [
        Candidate(
            key=f"measure_overdue:{m.pk}",
            court_id=m.court_id,
            division_id=m.division_id,
            person_id=m.owner_id,
            risk_point_id=m.risk_point_id,
            measure_id=m.pk,
            since=_day_start(m.deadline),
            message="oversight.rule.measure_overdue",
            params={"code": m.code, "title": m.title, "days": (today - m.deadline).days},
        )
        for m in qs
    ]


def rectification_overdue(rule, today, passed_since=None):
    limit = today - dt.timedelta(days=rule.threshold - 1)
    qs = Rectification.objects.filter(state=RectificationState.OPEN, deadline__lt=limit)
    if passed_since is not None:  # the condition holds from deadline + threshold
        qs = qs.filter(deadline__gte=passed_since - dt.timedelta(days=rule.threshold))
    return [
        Candidate(
            key=f"rectification_overdue:{r.pk}",
            court_id=r.court_id,
            division_id=r.division_id,
            person_id=r.owner_id,
            rectification_id=r.pk,
            since=_day_start(r.deadline),
            message="oversight.rule.rectification_overdue",
            params={"code": r.code, "days": (today - r.deadline).days},
        )
        for r in qs
    ]


def no_confirmed_points(rule, today, passed_since=None):
    from workflow.models import Campaign

    window = dt.timedelta(days=rule.window_days or 60)
    first_end = today - window
    if passed_since is not None:  # the condition holds from the day after the phase's end
        first_end = max(first_end, passed_since - dt.timedelta(days=1))
    campaigns = Campaign.objects.filter(
        is_template=False, phases__number=2, phases__end__lt=today, phases__end__gte=first_end
    ).distinct()
    out = []
    done_states = (State.CONFIRMED, State.PUBLISHED, State.CONTROLLED)
    for campaign in campaigns.select_related("court"):
        end = campaign.phases.get(number=2).end
        courts = list(campaign.courts()) if campaign.court_id else list(Court.objects.none())
        counts = dict(
            RiskPoint.objects.filter(court__in=courts, campaign_year=campaign.year, state__in=done_states)
            .exclude(division=None)
            .values("division_id")
            .annotate(n=Count("id"))
            .values_list("division_id", "n")
        )
        for division in Division.objects.filter(court__in=courts):
            if counts.get(division.pk, 0) >= rule.threshold:
                continue
            out.append(
                Candidate(
                    key=f"no_confirmed_points:{campaign.pk}:{division.pk}",
                    court_id=division.court_id,
                    division_id=division.pk,
                    since=_day_start(end),
                    message="oversight.rule.no_confirmed_points",
                    params={"division": str(division), "end": end.isoformat(), "n": rule.threshold},
                )
            )
    return out


# The rules whose condition begins when a deadline passes (no event records it: the hourly sweep looks).
# Each of their evaluators takes ``passed_since``: only the conditions that began on or after that day.
DEADLINE_KINDS = (RuleKind.MEASURE_OVERDUE, RuleKind.RECTIFICATION_OVERDUE, RuleKind.NO_CONFIRMED_POINTS)

EVALUATORS = {
    RuleKind.DIVISION_SIGNALS: division_signals,
    RuleKind.HIGH_RISK_SIGNAL: high_risk_signal,
    RuleKind.MEASURE_OVERDUE: measure_overdue,
    RuleKind.RECTIFICATION_OVERDUE: rectification_overdue,
    RuleKind.NO_CONFIRMED_POINTS: no_confirmed_points,
}


def ensure_default_rules(WarningRule):
    """Create the missing default rule rows (never overwrites the office's edits)."""
    for kind, name, level, threshold, window, description in DEFAULT_RULES:
        WarningRule.objects.get_or_create(
            kind=kind,
            defaults={
                "name": name,
                "level": level,
                "threshold": threshold,
                "window_days": window,
                "description": description,
            },
        )

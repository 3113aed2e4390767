"""Every business action of the office's early-warning work: one function per action, keyword-only
arguments, in a transaction, permission-checked first by the oversight policy (:mod:`.policy`: a refusal
raises :class:`~hkcourt.org.policy.Refusal`, also when only the state stands in the way), validated,
audited. Bad input raises ``ValidationError`` in Chinese and writes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.notifications.services import notify
from hkcourt.org import audit, texts, transitions
from hkcourt.org import policy as org_policy
from hkcourt.org.files import check_upload
from hkcourt.org.models import Court, Division, Person, RoleAssignment
from hkcourt.org.queueing import queue_after_commit
from hkcourt.org.roles import Role
from hkcourt.org.text import clean_text
from risks.models import PublicFeedback, RiskPoint

from . import rules as rule_defs
from .models import (
    RUNGS,
    Channel,
    EventAction,
    Handling,
    HandlingKind,
    HandlingState,
    Rectification,
    RectificationProgress,
    RectificationState,
    ReportBack,
    Severity,
    Signal,
    SignalAttachment,
    TalkerLevel,
    Warning,
    WarningEvent,
    WarningLevel,
    WarningLevelMeaning,
    WarningRule,
    WarningState,
)
from .policy import RUNG_ACTIONS, top_courts

# What the notifications and the warnings' trail say, rendered in the reader's language (hkcourt.org.texts).
texts.register(
    {
        "oversight.warnings": gettext_lazy("新增预警%(n)s条，请及时处置"),
        "oversight.next_rung": texts.Text(
            gettext_lazy("处置%(code)s逾期未回告，建议升级为“%(rung)s”"), choices={"rung": HandlingKind}
        ),
        "oversight.rect_overdue": gettext_lazy("整改%(code)s已超过期限（%(day)s），请尽快完成并报告"),
        "oversight.rect_due": gettext_lazy("整改%(code)s将于%(day)s到期，请按期完成并报告进展"),
        "oversight.handling": texts.Text(gettext_lazy("%(kind)s：请于%(day)s前回告"), choices={"kind": HandlingKind}),
        "oversight.report_back": gettext_lazy("处置%(code)s已回告"),
        "oversight.rect_order": gettext_lazy("责令整改：请于%(day)s前完成整改并报告进展"),
        "oversight.event.raise": texts.Text(gettext_lazy("规则“%(rule)s”"), choices={"rule": rule_defs.DEFAULT_WORDS}),
        "oversight.event.raise_rung": texts.Text(
            gettext_lazy("规则“%(rule)s”；此前已有处置，建议升级为“%(rung)s”"),
            choices={"rung": HandlingKind, "rule": rule_defs.DEFAULT_WORDS},
        ),
        "oversight.event.handle": texts.Text(gettext_lazy("%(kind)s：%(person)s"), choices={"kind": HandlingKind}),
    }
)

audit.register(
    {
        "oversight.signal_record": gettext_lazy("登记风险信息"),
        "oversight.feedback_convert": gettext_lazy("群众意见转为风险信息"),
        "oversight.rule_update": gettext_lazy("修改预警规则"),
        "oversight.levels_update": gettext_lazy("修改预警等级含义"),
        "oversight.evaluate": gettext_lazy("运行预警规则"),
        "oversight.warning_raise": gettext_lazy("发出预警"),
        "oversight.warning_close": gettext_lazy("预警办结"),
        "oversight.warning_handle": gettext_lazy("预警进入处置"),
        "oversight.handling_create": gettext_lazy("登记处置"),
        "oversight.report_back": gettext_lazy("回告"),
        "oversight.handling_close": gettext_lazy("处置办结"),
        "oversight.next_rung": gettext_lazy("建议升级处置"),
        "oversight.rect_progress": gettext_lazy("报告整改进展"),
        "oversight.rect_close": gettext_lazy("整改验收"),
        # sensitive reads (hkcourt.org.audit.read)
        "oversight.signal_view": gettext_lazy("查看风险信息"),
        "oversight.signal_attachment": gettext_lazy("下载风险信息附件"),
        "oversight.handling_view": gettext_lazy("查看处置"),
        "oversight.dossier_view": gettext_lazy("查看廉政档案"),
        "oversight.rect_order": gettext_lazy("责令单位整改"),
    }
)

REPORT_DAYS = 5
RECT_REMIND_DAYS = 3
TEXT = 4000


def _text(value, label, field, *, required=True, limit=TEXT):
    return clean_text(value, label, limit=limit, field=field, required=required)


def _person_in(user, court, field, label):
    person = Person.objects.filter(user=user).first() if user is not None else None
    if person is None or not person.court.path.startswith(court.path):
        raise ValidationError({field: _("%(label)s须是%(court)s的人员。") % {"label": label, "court": court.name}})
    return person


def _event(warning, action, actor=None, note="", handling=None, message="", params=None):
    """One entry of a warning's trail: ``action`` an :class:`EventAction` code, ``note`` what a person wrote, the
    system's own note a registered text code with ``params`` (both rendered in the reader's language)."""
    WarningEvent.objects.create(
        warning=warning,
        action=action,
        actor=actor,
        note=note,
        handling=handling,
        message=message,
        params=params or {},
    )


# ---------------------------------------------------------------- signals


@transaction.atomic
def record_signal(
    *,
    actor,
    court: Court,
    channel: str,
    title: str,
    content: str,
    received_on,
    severity: str = Severity.MINOR,
    division: Division | None = None,
    person=None,
    risk_point: RiskPoint | None = None,
    upload=None,
    feedback: PublicFeedback | None = None,
) -> Signal:
    """The office records risk information from a channel, linked to a court, division, person, point."""
    org_policy.check(actor, "oversight.record_signal", court)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("请选择信息渠道。")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("请选择严重程度。")})
    title = _text(title, _("标题"), "title", limit=120)
    content = _text(content, _("内容"), "content")
    if received_on is None:
        raise ValidationError({"received_on": _("请填写收到日期。")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("收到日期不能晚于今天。")})
    if division is not None and division.court_id != court.pk:
        raise ValidationError({"division": _("所选庭室不属于%(court)s。") % {"court": court.name}})
    if person is not None:
        p = _person_in(person, court, "person", _("涉及人员"))
        if division is None:
            division = p.division
    if risk_point is not None:
        if risk_point.court_id != court.pk:
            raise ValidationError({"risk_point": _("所选风险点不属于%(court)s。") % {"court": court.name}})
        division = division or risk_point.division
    signal = Signal(
        court=court,
        division=division,
        person=person,
        risk_point=risk_point,
        channel=channel,
        severity=severity,
        title=title,
        content=content,
        received_on=received_on,
        feedback=feedback,
        recorded_by=actor,
    )
    signal.full_clean()
    signal.save()
    if upload is not None:
        name = check_upload(upload)
        att = SignalAttachment(signal=signal, name=name, size=upload.size, uploaded_by=actor)
        att.file.save(name, upload, save=False)
        att.save()
    audit.record(actor=actor, action="oversight.signal_record", obj=signal, data={"channel": channel})
    queue_evaluation(signal_ids=[signal.pk])  # 即时预警, after commit
    return signal


@transaction.atomic
def convert_feedback(
    *, actor, feedback: PublicFeedback, title: str, severity: str = Severity.MINOR, division=None, person=None
) -> Signal:
    """群众提: the office turns a comment from the public page into a signal of the public channel."""
    fb = (
        PublicFeedback.objects.select_for_update(of=("self",)).select_related("court", "risk_point").get(pk=feedback.pk)
    )
    org_policy.check(actor, "oversight.convert_feedback", fb)
    signal = record_signal(
        actor=actor,
        court=fb.court,
        channel=Channel.PUBLIC,
        title=title,
        content=fb.text,
        received_on=timezone.localdate(fb.created_at),
        severity=severity,
        division=division,
        person=person,
        risk_point=fb.risk_point,
        feedback=fb,
    )
    audit.record(actor=actor, action="oversight.feedback_convert", obj=signal, data={"feedback": fb.pk})
    return signal


# ---------------------------------------------------------------- rules and warnings


@transaction.atomic
def update_rule(*, actor, rule: WarningRule, level: str, threshold, window_days=None, enabled: bool = True):
    """The rules are city-wide: only the top court's office edits them."""
    r = WarningRule.objects.select_for_update().get(pk=rule.pk)
    org_policy.check(actor, "oversight.edit_rule", r)
    if level not in WarningLevel.values:
        raise ValidationError({"level": _("请选择预警等级。")})
    try:
        threshold = int(threshold)
    except (TypeError, ValueError):
        raise ValidationError({"threshold": _("阈值须是正整数。")}) from None
    if threshold <= 0:
        raise ValidationError({"threshold": _("阈值须大于0（现为%(n)s）。") % {"n": threshold}})
    if window_days not in (None, ""):
        try:
            window_days = int(window_days)
        except (TypeError, ValueError):
            raise ValidationError({"window_days": _("统计期间须是正整数天数。")}) from None
        if window_days <= 0:
            raise ValidationError({"window_days": _("统计期间须大于0天。")})
    else:
        window_days = None
    before = {"level": r.level, "threshold": r.threshold, "window_days": r.window_days, "enabled": r.enabled}
    r.level, r.threshold, r.window_days, r.enabled, r.updated_by = level, threshold, window_days, enabled, actor
    r.full_clean()
    r.save()
    audit.record(actor=actor, action="oversight.rule_update", obj=r, data={"before": before})
    return r


@transaction.atomic
def update_level_meanings(*, actor, meanings: dict) -> list:
    """Word what each colour means (红/橙/黄); ``meanings`` maps a level to its text, every level required.
    Only the top court's office; the previous texts go to the audit entry."""
    from .rules import level_meanings

    org_policy.check(actor, "oversight.edit_levels")
    errors, cleaned = {}, {}
    for level, label in WarningLevel.choices:
        text = " ".join(str(meanings.get(level) or "").split())
        if not text:
            errors[level] = _("请填写%(level)s预警的含义。") % {"level": label}
        elif len(text) > 200:
            errors[level] = _("%(level)s预警的含义不能超过200字。") % {"level": label}
        cleaned[level] = text
    if errors:
        raise ValidationError(errors)
    before = {level: str(text) for level, text in level_meanings()}
    rows = list(WarningLevelMeaning.objects.select_for_update().filter(level__in=cleaned))
    by_level = {row.level: row for row in rows}
    changed = {}
    for level, text in cleaned.items():
        if text == before[level]:
            continue
        row = by_level.get(level) or WarningLevelMeaning(level=level)
        row.meaning, row.updated_by = text, actor
        row.full_clean()
        row.save()
        changed[level] = text
    if changed:
        audit.record(
            actor=actor,
            action="oversight.levels_update",
            data={"before": {k: before[k] for k in changed}, "after": changed},
            court=next(iter(top_courts()), None),
        )
    return level_meanings()


def _rung_after(kind):
    if not kind:
        return HandlingKind.REMINDER
    i = RUNGS.index(kind)
    return RUNGS[min(i + 1, len(RUNGS) - 1)]


def _highest_rung(person_id, division_id):
    if person_id:
        qs = Handling.objects.filter(person_id=person_id)
    elif division_id:
        qs = Handling.objects.filter(division_id=division_id)
    else:
        return ""
    kinds = set(qs.values_list("kind", flat=True))
    return next((k for k in reversed(RUNGS) if k in kinds), "")


def _office_users(court):
    """The office members who cover ``court`` (its own office and the offices above it)."""
    paths = [court.path[: i + 1] for i, ch in enumerate(court.path) if ch == "/" and i > 0]
    User = get_user_model()
    return User.objects.filter(
        role_assignments__role=Role.OFFICE, role_assignments__court__path__in=paths, is_active=True
    ).distinct()


def evaluate_warnings(*, actor=None, today=None) -> dict:
    """Run every enabled rule. Idempotent: a condition with an active (open or being handled) warning is
    skipped — and a concurrent run is stopped by the unique constraint; a closed one is raised again only
    when a newer fact appeared. Also proposes the next rung for missed report-backs and reminds owners of
    rectifications coming due. ``actor`` None is the periodic task; a person must be the top court's office."""
    if actor is not None:
        org_policy.check(actor, "oversight.run_rules")
    today = today or timezone.localdate()
    raised = []
    with transaction.atomic():
        rule_defs.ensure_default_rules(WarningRule)
        for rule in WarningRule.objects.filter(enabled=True).order_by("id"):
            for cand in rule_defs.EVALUATORS[rule.kind](rule, today):
                warning = _raise(rule, cand)
                if warning is not None:
                    raised.append(warning)
        proposals = _propose_for_missed_report_backs(today)
        _remind_rectifications(today)
        _escalate_overdue_rectifications(today)
        _notify_office(raised, today)
        audit.record(
            actor=actor,
            action="oversight.evaluate",
            data={"raised": len(raised), "proposals": proposals, "today": today.isoformat()},
        )
    counts = {level: sum(1 for w in raised if w.level == level) for level in WarningLevel.values}
    return {"raised": len(raised), "proposals": proposals, **counts}


@dataclass(frozen=True)
class Touched:
    """The objects an event touched (即时预警): a recorded signal, a grade change, a missed deadline."""

    signal_ids: frozenset = frozenset()
    risk_point_ids: frozenset = frozenset()
    measure_ids: frozenset = frozenset()
    rectification_ids: frozenset = frozenset()
    division_ids: frozenset = frozenset()

    def concerns(self, cand) -> bool:
        return bool(
            (cand.risk_point_id and cand.risk_point_id in self.risk_point_ids)
            or (cand.measure_id and cand.measure_id in self.measure_ids)
            or (cand.rectification_id and cand.rectification_id in self.rectification_ids)
            or (cand.division_id and cand.division_id in self.division_ids and cand.key.startswith("division_"))
            or self.signal_ids.intersection(cand.signal_ids)
        )


def evaluate_warnings_for(
    *, signal_ids=(), risk_point_ids=(), measure_ids=(), rectification_ids=(), today=None
) -> dict:
    """即时预警: run the enabled rules for the objects an event touched, right after it (a Celery task queued on
    commit), not only in the daily 07:00 run. Raises only the warnings whose condition concerns those objects
    (a signal's division and point, a point whose grade changed, a measure or rectification past its
    deadline); as idempotent as the daily run — one active warning per condition, a unique key."""
    today = today or timezone.localdate()
    signals = list(Signal.objects.filter(pk__in=list(signal_ids)).values_list("pk", "division_id", "risk_point_id"))
    touched = Touched(
        signal_ids=frozenset(pk for pk, _d, _r in signals),
        risk_point_ids=frozenset(list(risk_point_ids) + [r for _p, _d, r in signals if r]),
        measure_ids=frozenset(measure_ids),
        rectification_ids=frozenset(rectification_ids),
        division_ids=frozenset(d for _p, d, _r in signals if d),
    )
    raised = []
    with transaction.atomic():
        rule_defs.ensure_default_rules(WarningRule)
        for rule in WarningRule.objects.filter(enabled=True).order_by("id"):
            for cand in rule_defs.EVALUATORS[rule.kind](rule, today):
                if touched.concerns(cand):
                    warning = _raise(rule, cand)
                    if warning is not None:
                        raised.append(warning)
        _notify_office(raised, today)
        if raised:
            audit.record(
                actor=None,
                action="oversight.evaluate",
                data={"raised": len(raised), "instant": True, "today": today.isoformat()},
            )
    return {"raised": len(raised), "keys": sorted(w.key for w in raised)}


# How many days back the hourly sweep looks for deadlines that passed: yesterday's and today's, so a beat
# stopped over midnight loses nothing; anything older is the daily 07:00 run's (it always looks at all).
SWEEP_LOOKBACK_DAYS = 2


def sweep_missed_deadlines(*, today=None) -> dict:
    """即时预警 for missed deadlines (the hourly beat entry): no event records a deadline passing, so this
    looks for the measures, rectifications, handlings' report-backs and phase ends whose deadline passed in
    the last :data:`SWEEP_LOOKBACK_DAYS` days — a range on each indexed deadline column, not a full scan — and
    runs the deadline rules for just those: the warnings, the next-rung proposals of missed report-backs and
    the owners' overdue notices. As idempotent as the daily run: one active warning per condition (a unique
    key), one proposal per handling, notifications keyed per recipient and object."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=SWEEP_LOOKBACK_DAYS - 1)
    raised = []
    with transaction.atomic():
        rule_defs.ensure_default_rules(WarningRule)
        rules = WarningRule.objects.filter(enabled=True, kind__in=rule_defs.DEADLINE_KINDS).order_by("id")
        for rule in rules:
            for cand in rule_defs.EVALUATORS[rule.kind](rule, today, passed_since=since):
                warning = _raise(rule, cand)
                if warning is not None:
                    raised.append(warning)
        proposals = _propose_for_missed_report_backs(today, passed_since=since)
        _escalate_overdue_rectifications(today, passed_since=since)
        _notify_office(raised, today)
        if raised or proposals:
            audit.record(
                actor=None,
                action="oversight.evaluate",
                data={"raised": len(raised), "proposals": proposals, "sweep": True, "today": today.isoformat()},
            )
    return {"raised": len(raised), "proposals": proposals, "keys": sorted(w.key for w in raised)}


def queue_evaluation(**ids) -> None:
    """After the current transaction commits, evaluate the rules for the touched objects (a task taking ids)."""
    from . import tasks

    ids = {k: sorted(v) for k, v in ids.items() if v}
    if ids:
        queue_after_commit(tasks.evaluate_warnings_for, **ids)


def _on_grade_change(risk_point_ids) -> None:
    """The registry's grade changes (grade, adjust) reach the early warnings through this hook."""
    queue_evaluation(risk_point_ids=risk_point_ids)


def _notify_office(raised, today) -> None:
    courts = {w.court_id: w.court for w in raised}
    for court in courts.values():
        n = sum(1 for w in raised if w.court_id == court.pk)
        for user in _office_users(court):
            notify(
                recipient=user,
                kind="oversight.warnings",
                obj=court,
                due=today,
                message="oversight.warnings",
                params={"n": n},
                url=reverse("workflow:warnings"),
            )


def _raise(rule, cand):
    if Warning.objects.filter(key=cand.key).exclude(state=WarningState.CLOSED).exists():
        return None
    last_closed = Warning.objects.filter(key=cand.key, state=WarningState.CLOSED).order_by("-closed_at").first()
    if last_closed is not None and last_closed.closed_at and cand.since and cand.since <= last_closed.closed_at:
        return None
    proposed = _rung_after(_highest_rung(cand.person_id, cand.division_id))
    warning = Warning(
        rule=rule,
        level=rule.level,
        key=cand.key,
        court_id=cand.court_id,
        division_id=cand.division_id,
        person_id=cand.person_id,
        risk_point_id=cand.risk_point_id,
        measure_id=cand.measure_id,
        rectification_id=cand.rectification_id,
        message=cand.message,
        params={k: texts.value(v) for k, v in cand.params.items()},
        proposed_rung=proposed,
    )
    try:
        with transaction.atomic():
            warning.save()
    except IntegrityError:  # a concurrent run raised it first
        return None
    if cand.signal_ids:
        warning.signals.set(cand.signal_ids)
    if proposed != HandlingKind.REMINDER:
        _event(
            warning,
            EventAction.RAISE,
            message="oversight.event.raise_rung",
            params={"rule": rule.name, "rung": proposed},
        )
    else:
        _event(warning, EventAction.RAISE, message="oversight.event.raise", params={"rule": rule.name})
    audit.record(actor=None, action="oversight.warning_raise", obj=warning, data={"key": cand.key})
    return warning


def _propose_for_missed_report_backs(today, passed_since=None) -> int:
    missed = Handling.objects.filter(
        kind__in=[HandlingKind.REMINDER, HandlingKind.ORDER],
        state=HandlingState.OPEN,
        report_deadline__lt=today,
        next_rung_proposed="",
        report_back__isnull=True,
    ).select_related("court")
    if passed_since is not None:  # missed from the day after the report-back deadline
        missed = missed.filter(report_deadline__gte=passed_since - dt.timedelta(days=1))
    n = 0
    for h in missed.select_for_update(of=("self",)):
        h.next_rung_proposed = _rung_after(h.kind)
        h.save(update_fields=["next_rung_proposed"])
        audit.record(actor=None, action="oversight.next_rung", obj=h, data={"proposed": h.next_rung_proposed})
        for user in _office_users(h.court):
            notify(
                recipient=user,
                kind="oversight.next_rung",
                obj=h,
                due=h.report_deadline,
                message="oversight.next_rung",
                params={"code": h.code, "rung": h.next_rung_proposed},
                url=reverse("workflow:handling_detail", args=[h.pk]),
            )
        n += 1
    return n


def _escalate_overdue_rectifications(today, passed_since=None):
    """The day after a missed rectification deadline: the owner and the head of their division hear once."""
    overdue = Rectification.objects.overdue(today).select_related("owner")
    if passed_since is not None:  # overdue from the day after the deadline
        overdue = overdue.filter(deadline__gte=passed_since - dt.timedelta(days=1))
    heads = {
        r.division_id: r.user
        for r in RoleAssignment.objects.filter(
            role=Role.DIVISION_HEAD, division_id__in={r.division_id for r in overdue if r.division_id}
        ).select_related("user")
    }
    for r in overdue:
        url = reverse("workflow:rectification_detail", args=[r.pk])
        said = {"message": "oversight.rect_overdue", "params": {"code": r.code, "day": r.deadline}}
        notify(recipient=r.owner, kind="oversight.rect_overdue", obj=r, due=r.deadline, url=url, **said)
        head = heads.get(r.division_id)
        if head is not None and head.pk != r.owner_id:
            notify(recipient=head, kind="oversight.rect_overdue", obj=r, due=r.deadline, **said)


def _remind_rectifications(today):
    soon = Rectification.objects.filter(
        state=RectificationState.OPEN, deadline__gte=today, deadline__lte=today + dt.timedelta(days=RECT_REMIND_DAYS)
    ).select_related("owner")
    for r in soon:
        notify(
            recipient=r.owner,
            kind="oversight.rect_due",
            obj=r,
            due=r.deadline,
            message="oversight.rect_due",
            params={"code": r.code, "day": r.deadline},
            url=reverse("workflow:rectification_detail", args=[r.pk]),
        )


@transaction.atomic
def close_warning(*, actor, warning: Warning, note: str) -> Warning:
    w = Warning.objects.select_for_update().select_related("court").get(pk=warning.pk)
    org_policy.check(actor, "oversight.close_warning", w)
    note = _text(note, _("办结说明"), "note")
    transitions.apply(w, "close", actor=actor, reason=note)
    _event(w, EventAction.CLOSE, actor, note)
    return w


# ---------------------------------------------------------------- handling


@transaction.atomic
def create_handling(
    *,
    actor,
    kind: str,
    person,
    content: str,
    warning: Warning | None = None,
    signal: Signal | None = None,
    report_days: int = REPORT_DAYS,
    talk_date=None,
    talker_level: str = "",
    talkers: str = "",
    talk_record: str = "",
    rect_deadline=None,
    rect_plan: str = "",
) -> Handling:
    """The office records a handling action on a warning or a signal: 风险提示 (delivered to the person's
    inbox, report-back due), 诫勉谈话 (date, talkers by level, record), 责令纠错 (delivered, report-back
    due, opens a rectification)."""
    if warning is not None:
        warning = Warning.objects.select_for_update().select_related("court").get(pk=warning.pk)
        org_policy.check(actor, "oversight.handle_warning", warning)
    elif signal is not None:
        signal = Signal.objects.select_related("court").get(pk=signal.pk)
        org_policy.check(actor, "oversight.handle_signal", signal)
    else:
        raise ValidationError(_("处置须针对一条预警或风险信息。"))
    if kind not in HandlingKind.values:
        raise ValidationError({"kind": _("请选择处置方式。")})
    org_policy.check(actor, RUNG_ACTIONS[kind], warning or signal)
    court = warning.court if warning is not None else signal.court
    person_row = _person_in(person, court, "person", _("处置对象"))
    if person.pk == actor.pk:
        raise ValidationError({"person": _("不能对本人登记处置。")})
    content = _text(content, _("提示或纠错内容"), "content")
    today = timezone.localdate()
    h = Handling(
        kind=kind,
        court=person_row.court,
        division=person_row.division,
        person=person,
        warning=warning,
        signal=signal,
        content=content,
        created_by=actor,
    )
    if kind == HandlingKind.TALK:
        if talk_date is None:
            raise ValidationError({"talk_date": _("请填写谈话日期。")})
        if talker_level not in TalkerLevel.values:
            raise ValidationError({"talker_level": _("请选择谈话人层级（庭室负责人、分管院领导或院长）。")})
        h.talk_date, h.talker_level = talk_date, talker_level
        h.talkers = _text(talkers, _("谈话人"), "talkers", limit=120)
        h.talk_record = _text(talk_record, _("谈话记录"), "talk_record")
        h.state = HandlingState.REPORTED
    else:
        try:
            report_days = int(report_days)
        except (TypeError, ValueError):
            report_days = 0
        if not 1 <= report_days <= 60:
            raise ValidationError({"report_days": _("回告期限须为1至60天。")})
        h.report_deadline = today + dt.timedelta(days=report_days)
        h.delivered_at = timezone.now()
    if kind == HandlingKind.ORDER and (rect_deadline is None or rect_deadline < today):
        raise ValidationError({"rect_deadline": _("请填写整改期限（不能早于今天）。")})
    h.full_clean()
    h.save()
    if kind == HandlingKind.ORDER:
        rect = Rectification(
            court=h.court,
            division=h.division,
            owner=person,
            handling=h,
            problem=content,
            plan=_text(rect_plan, _("整改方案"), "rect_plan", required=False),
            deadline=rect_deadline,
            created_by=actor,
        )
        rect.full_clean()
        rect.save()
    if warning is not None:
        if warning.state == WarningState.OPEN:
            transitions.apply(warning, "handle", actor=actor, data={"handling": h.pk})
        _event(
            warning,
            EventAction.HANDLE,
            actor,
            handling=h,
            message="oversight.event.handle",
            params={"kind": h.kind, "person": person_row.full_name},
        )
    audit.record(actor=actor, action="oversight.handling_create", obj=h, data={"kind": kind})
    if h.delivered_at:
        notify(
            recipient=person,
            kind=f"oversight.{kind}",
            obj=h,
            due=today,
            message="oversight.handling",
            params={"kind": h.kind, "day": h.report_deadline},
            body=content,
            url=reverse("workflow:handling_detail", args=[h.pk]),
            actor=actor,
        )
    return h


@transaction.atomic
def submit_report_back(*, actor, handling: Handling, analysis: str, commitment: str) -> ReportBack:
    """回告: the person answers a reminder or an order with their analysis and commitment."""
    h = Handling.objects.select_for_update().select_related("court").get(pk=handling.pk)
    org_policy.check(actor, "oversight.report_back", h)
    analysis = _text(analysis, _("原因分析"), "analysis")
    commitment = _text(commitment, _("整改承诺"), "commitment")
    rb = ReportBack.objects.create(
        handling=h, analysis=analysis, commitment=commitment, late=timezone.localdate() > h.report_deadline
    )
    transitions.apply(h, "report_back", actor=actor, data={"late": rb.late})
    for user in _office_users(h.court):
        notify(
            recipient=user,
            kind="oversight.report_back",
            obj=h,
            due=timezone.localdate(),
            message="oversight.report_back",
            params={"code": h.code},
            url=reverse("workflow:handling_detail", args=[h.pk]),
        )
    return rb


@transaction.atomic
def close_handling(*, actor, handling: Handling, outcome: str) -> Handling:
    h = Handling.objects.select_for_update().select_related("court").get(pk=handling.pk)
    org_policy.check(actor, "oversight.close_handling", h)
    h.outcome = _text(outcome, _("处置结果"), "outcome")
    transitions.apply(h, "close", actor=actor, reason=h.outcome, fields=["outcome"])
    if h.warning_id:
        _event(h.warning, EventAction.HANDLING_CLOSE, actor, h.outcome, handling=h)
    return h


# ---------------------------------------------------------------- rectification


@transaction.atomic
def report_progress(*, actor, rectification: Rectification, text: str) -> RectificationProgress:
    r = Rectification.objects.select_for_update().select_related("court").get(pk=rectification.pk)
    org_policy.check(actor, "oversight.report_progress", r)
    p = RectificationProgress.objects.create(rectification=r, text=_text(text, _("进展情况"), "text"), by=actor)
    audit.record(actor=actor, action="oversight.rect_progress", obj=r)
    return p


@transaction.atomic
def close_rectification(*, actor, rectification: Rectification, check: str) -> Rectification:
    """The office's closing check (验收)."""
    r = Rectification.objects.select_for_update().select_related("court").get(pk=rectification.pk)
    org_policy.check(actor, "oversight.close_rectification", r)
    r.closing_check = _text(check, _("验收意见"), "check")
    transitions.apply(r, "close", actor=actor, reason=r.closing_check, fields=["closing_check"])
    for w in Warning.objects.filter(rectification=r).exclude(state=WarningState.CLOSED):
        close_warning(actor=actor, warning=w, note=_("整改已验收：%(check)s") % {"check": r.closing_check})
    return r


@transaction.atomic
def order_unit_rectification(
    *,
    actor,
    court: Court,
    owner,
    problem: str = "",
    deadline,
    division: Division | None = None,
    plan: str = "",
    problem_code: str = "",
    problem_params: dict | None = None,
) -> Rectification:
    """责令整改、重新补课 of a whole unit (a court, or one of its divisions): a rectification with a deadline that
    the unit's responsible leader (``owner``) answers with progress reports and the office checks, like any
    other. No handling: it is not about one person's conduct. ``problem`` is a person's text; the system's is a
    registered text ``problem_code`` with ``problem_params`` (hkcourt.org.texts), shown in the reader's language."""
    org_policy.check(actor, "oversight.order_unit_rectification", court)
    if division is not None and division.court_id != court.pk:
        raise ValidationError({"division": _("所选庭室不属于%(court)s。") % {"court": court.name}})
    if owner is None:
        raise ValidationError({"owner": _("请选择整改责任人。")})
    _person_in(owner, court, "owner", _("整改责任人"))
    if owner.pk == actor.pk:
        raise ValidationError({"owner": _("不能责令本人整改。")})
    if problem_code:
        if not texts.is_registered(problem_code):
            raise ValueError(f"unknown problem text {problem_code!r}: register it with hkcourt.org.texts.register")
        problem_params = {k: texts.value(v) for k, v in (problem_params or {}).items()}
        problem = ""
    else:
        problem, problem_params = _text(problem, _("问题"), "problem"), None
    today = timezone.localdate()
    if deadline is None or deadline < today:
        raise ValidationError({"deadline": _("请填写整改期限（不能早于今天）。")})
    rect = Rectification(
        court=court,
        division=division,
        owner=owner,
        problem=problem,
        problem_code=problem_code,
        problem_params=problem_params,
        plan=_text(plan, _("整改方案"), "plan", required=False),
        deadline=deadline,
        created_by=actor,
    )
    rect.full_clean()
    rect.save()
    with translation.override(settings.LANGUAGE_CODE):
        shown = rect.problem_text
    audit.record(
        actor=actor,
        action="oversight.rect_order",
        obj=rect,
        court=court,
        reason=shown,
        data={"division": division.pk if division else None, "deadline": deadline.isoformat()},
    )
    notify(
        recipient=owner,
        kind="oversight.rect_order",
        obj=rect,
        due=deadline,
        message="oversight.rect_order",
        params={"day": deadline},
        body=shown,  # a notification's body is literal: the system's problem in the site's language
        url=reverse("workflow:rectification_detail", args=[rect.pk]),
        actor=actor,
    )
    return rect

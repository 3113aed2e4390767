"""Every business action on the registry: one function per action, keyword-only arguments, in a
transaction, validated, permission-checked, written to the transition history and the audit log.

Bad input raises ``ValidationError`` with a Chinese message and writes nothing; an action the user may
not take is refused by its rule in :mod:`risks.policy`, checked first (``Refusal``, a ``PermissionDenied``:
403, or 409 where only the state stands in the way); two reviewers acting on the same point at once get a
:class:`Conflict` (optimistic locking on ``RiskPoint.version``).
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.org import audit, texts, transitions
from hkcourt.org import policy as org_policy
from hkcourt.org.models import Court, Division, Person, Role, RoleAssignment
from hkcourt.org.policy import check
from hkcourt.org.services import grant_object_view
from hkcourt.org.text import clean_text

from . import policy as risks_policy
from .models import (
    RISK_POINT_HISTORY,
    TEXT_LIMIT,
    CatalogueLock,
    CollectiveDecision,
    Grade,
    GradingTier,
    KeyLink,
    Level,
    PeerCheck,
    Power,
    PowerStep,
    PublicFeedback,
    RiskGrading,
    RiskPoint,
    Source,
    State,
    SystemReason,
    Transition,
    campaign_year_of,
    reason_fields,
)

audit.register(
    {
        "risks.create": gettext_lazy("新建风险点"),
        "risks.update": gettext_lazy("修改风险点"),
        "risks.submit": gettext_lazy("提交风险点"),
        "risks.return": gettext_lazy("退回风险点"),
        "risks.grade": gettext_lazy("评定风险等级"),
        "risks.adjust_grade": gettext_lazy("调整风险等级"),
        "risks.confirm": gettext_lazy("集体确定风险点"),
        "risks.publish": gettext_lazy("公示风险点"),
        "risks.retire": gettext_lazy("撤销风险点"),
        "risks.control": gettext_lazy("风险点纳入防控"),
        "risks.peer_request": gettext_lazy("发起互相查"),
        "risks.peer_comment": gettext_lazy("提出互查意见"),
        "risks.public_feedback": gettext_lazy("群众提交意见"),
        "risks.leaders_recompute": gettext_lazy("重算责任领导"),
        "risks.powers_import": gettext_lazy("导入职权目录"),
        "risks.points_import": gettext_lazy("导入风险点"),
        "risks.enter": gettext_lazy("录入风险点（导入）"),
        "risks.power_save": gettext_lazy("保存职权"),
        "risks.steps_save": gettext_lazy("保存权力运行流程"),
        "risks.catalogue_lock": gettext_lazy("审核锁定职权目录"),
        "risks.catalogue_unlock": gettext_lazy("解除职权目录锁定"),
    }
)

# What the notifications say, rendered in the reader's language (hkcourt.org.texts).
texts.register(
    {
        "risks.returned": gettext_lazy("风险点%(code)s被退回，请修改后重新提交"),
        "risks.returned.body": gettext_lazy("退回理由：%(reason)s"),
        "risks.graded": texts.Text(gettext_lazy("风险点%(code)s已评定为“%(grade)s”"), choices={"grade": Grade}),
        "risks.responsible": texts.Text(
            gettext_lazy("您是%(grade)s风险点%(code)s的责任领导"), choices={"grade": Grade}
        ),
        "risks.peer_check": gettext_lazy("请您互查风险点%(code)s并提出意见"),
    }
)

# The reasons the system gives a risk point's transitions and field-history versions (risks.models.SystemReason):
# kept as codes, rendered in the reader's language; a person's reason is kept as typed.
texts.register(
    {
        "risks.reason.decision": gettext_lazy("%(date)s集体决定"),
        "risks.reason.publicity": gettext_lazy("公示至%(date)s"),
        "risks.reason.in_place_at_publication": gettext_lazy("公示时已有落实的防控措施"),
        "risks.reason.measure_in_place": gettext_lazy("防控措施%(code)s“%(title)s”已落实。"),
        "risks.reason.import": gettext_lazy("批量导入"),
        "risks.version.created": gettext_lazy("新建"),
        "risks.version.changed": gettext_lazy("修改"),
        "risks.version.regraded": gettext_lazy("调整等级"),
        "risks.version.leader": gettext_lazy("重新确定责任领导"),
        "risks.version.before": gettext_lazy("此前的版本"),
        "risks.version.state": texts.Text("%(state)s", choices={"state": State}),
    }
)

FACTORS = ("importance", "discretion", "probability", "harm")
FACTOR_LABELS = {
    "importance": gettext_lazy("权力重要程度"),
    "discretion": gettext_lazy("自由裁量权大小"),
    "probability": gettext_lazy("发生概率"),
    "harm": gettext_lazy("危害程度"),
}
FEEDBACK_LIMIT_SHORT = (3, datetime.timedelta(minutes=10))  # at most 3 comments per 10 minutes per IP
FEEDBACK_LIMIT_DAY = (10, datetime.timedelta(days=1))  # and 10 per day
MAX_PUBLICITY_DAYS = 366


class Conflict(ValidationError):
    """Someone else changed the risk point since the user loaded it."""


# ---------------------------------------------------------------- the grading rule (one place)


def suggest_grade(factors: dict) -> str:
    """The suggested grade from the four factors (each 1–3): total 10–12 高, 7–9 中, 4–6 低; a power
    of the highest importance whose abuse does the greatest harm is never below 中."""
    values = _factors(factors)
    total = sum(values.values())
    if total >= 10:
        return Grade.HIGH
    if total >= 7 or (values["importance"] == 3 and values["harm"] == 3):
        return Grade.MEDIUM
    return Grade.LOW


def _factors(factors) -> dict:
    if not factors:
        raise ValidationError({"factors": _("评定等级前请为四项因素分别打分（1—3分）。")})
    values = {}
    for name in FACTORS:
        raw = factors.get(name)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value not in (1, 2, 3):
            raise ValidationError({name: _("“%(factor)s”须为1—3分。") % {"factor": FACTOR_LABELS[name]}})
        values[name] = value
    return values


# ---------------------------------------------------------------- who may do what: risks/policy.py


# ---------------------------------------------------------------- helpers


def _text(value, label, *, required=True, limit=TEXT_LIMIT, field=None):
    return clean_text(value, label, limit=limit, field=field, required=required)


def _quiet(rp: RiskPoint) -> RiskPoint:
    """Its saves write no version by themselves: the service writes one with :func:`_record_version` once the
    action's changes (fields, key links) are all made."""
    rp.skip_history_when_saving = True
    return rp


def _record_version(rp: RiskPoint, *, actor, reason="", created: bool = False) -> None:
    """Keep the point's fields and key links as they now are in its field history (django-simple-history,
    as the org models), with who and why: one version per business action. Call after ``version`` is read
    back (never while it is an ``F()`` expression)."""
    if hasattr(rp, "skip_history_when_saving"):
        del rp.skip_history_when_saving
    rp._history_user = actor
    rp._change_reason = str(reason or "")[:100]
    RISK_POINT_HISTORY.create_historical_record(rp, "+" if created else "~")


def _keep_baseline(rp: RiskPoint) -> None:
    """A point without history yet (bulk-inserted by a seeder or written before the history began) keeps its
    current fields as a first version before a service changes it, so its earlier version is not lost."""
    if not RiskPoint.history.filter(id=rp.pk).exists():
        rp._history_user = None  # unknown: written before the history began
        rp._change_reason = SystemReason("risks.version.before")
        RISK_POINT_HISTORY.create_historical_record(rp, "~")


def _lock(rp: RiskPoint, expected_version=None) -> RiskPoint:
    """Re-read the point under a row lock; refuse if someone changed it since ``expected_version``."""
    locked = _quiet(RiskPoint.objects.select_for_update().select_related("court").get(pk=rp.pk))
    _keep_baseline(locked)
    if expected_version is not None and not str(expected_version).isdigit():
        raise ValidationError(_("页面已过期，请刷新后重试。"))
    if expected_version is not None and int(expected_version) != locked.version:
        last = locked.transitions.select_related("actor__person").order_by("-created_at", "-id").first()
        who = ""
        if last and last.actor:
            person = getattr(last.actor, "person", None)
            who = person.full_name if person else last.actor.get_username()
        raise Conflict(
            _("该风险点刚刚已被%(who)s处理（当前状态：%(state)s），您的操作未保存。请刷新页面查看最新内容后再操作。")
            % {"who": who or _("他人"), "state": locked.get_state_display()}
        )
    return locked


def _move(rp: RiskPoint, step: str, *, actor, reason: str = "", audit_reason=None, data=None) -> Transition:
    """Take the declared ``step`` (``RISK_POINT_MACHINE``) on a locked point: the state, a new ``version``, one
    field-history version, one Transition row and one audit entry (:func:`hkcourt.org.transitions.apply`)."""

    def save(rp, fields):
        rp.full_clean(exclude=["key_links"])
        rp.version = F("version") + 1
        rp.save(
            update_fields=[
                "state",
                "version",
                "grade",
                "responsible_leader",
                "decision",
                "publicity_ends",
                "updated_at",
            ]
        )
        rp.refresh_from_db(fields=["version"])
        _record_version(rp, actor=actor, reason=reason or SystemReason("risks.version.state", state=rp.state))
        _quiet(rp)  # a second move in the same action (publish → controlled) writes its own version

    if audit_reason is None and isinstance(reason, SystemReason):
        audit_reason = reason.render()  # the audit log keeps a sentence
    return transitions.apply(
        rp, step, actor=actor, reason=reason, audit_reason=audit_reason, data=data, save=save, court=rp.court
    )


def _notify(recipient, kind: str, rp: RiskPoint, params: dict, body: str = "", actor=None):
    """Tell a person about their risk point in the inbox (and by e-mail if they have an address): the text
    registered as ``kind`` with ``params``; ``body`` is literal (a person's words)."""
    from django.urls import reverse

    from hkcourt.notifications.services import notify

    if recipient is None or recipient.pk == getattr(actor, "pk", None):
        return
    notify(
        recipient=recipient,
        kind=kind,
        obj=rp,
        due=timezone.localdate(),
        message=kind,
        params={"code": rp.code, **params},
        body=body,
        url=reverse("risks:detail", args=[rp.pk]),
        actor=actor,
    )


def responsible_leader_for(rp: RiskPoint):
    """高 → the court president; 中 → the deputy leader overseeing the division; 低 → the division head.
    A court-level point (no division) belongs to the president whatever its grade."""
    if not rp.grade:
        return None
    chain = [(Role.PRESIDENT, None)]
    if rp.division_id and rp.grade != Grade.HIGH:
        chain.insert(0, (Role.DEPUTY_LEADER, rp.division_id))
        if rp.grade == Grade.LOW:
            chain.insert(0, (Role.DIVISION_HEAD, rp.division_id))
    # Where a court has no such leader (a basic court without deputies), the next one up is responsible.
    rows = RoleAssignment.objects.filter(court_id=rp.court_id, role__in=[r for r, _d in chain]).order_by("id")
    found = {}
    for row in rows.select_related("user"):
        found.setdefault((row.role, row.division_id if row.role != Role.PRESIDENT else None), row.user)
    for key in chain:
        if key in found:
            return found[key]
    return None


def _save_grading(rp, *, tier, actor, factors, grade, reason) -> RiskGrading:
    values = _factors(factors)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("请选择风险等级（高、中、低）。")})
    suggested = suggest_grade(values)
    reason = _text(reason, _("理由"), required=False, field="reason")
    if grade != suggested and not reason:
        raise ValidationError(
            {
                "reason": _("评定等级“%(grade)s”与建议等级“%(suggested)s”不同，请写明理由。")
                % {"grade": Grade(grade).label, "suggested": Grade(suggested).label}
            }
        )
    grading = RiskGrading.objects.filter(risk_point=rp, tier=tier).first() or RiskGrading(risk_point=rp, tier=tier)
    for name, value in {**values, "suggested": suggested, "grade": grade, "reason": reason, "graded_by": actor}.items():
        setattr(grading, name, value)
    grading.full_clean(validate_constraints=False)
    grading.save()
    return grading


def _links(key_links) -> list[KeyLink]:
    links = list(key_links or [])
    ids = [k.pk if isinstance(k, KeyLink) else int(k) for k in links]
    found = list(KeyLink.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"key_links": _("所选重点环节不存在。")})
    return found


def _check_power_step(court, power, step):
    if power is not None and power.court_id != court.pk:
        raise ValidationError({"power": _("所选职权“%(power)s”不属于本院的职权目录。") % {"power": power.name}})
    if step is not None and (power is None or step.power_id != power.pk):
        raise ValidationError({"step": _("所选环节不属于所选职权。")})


def _check_source(source):
    if source not in Source.values:
        raise ValidationError({"source": _("请选择查找方式。")})


# ---------------------------------------------------------------- who listens to grade changes

_GRADE_LISTENERS = []


def on_grade_change(listener) -> None:
    """A higher layer (the early warnings) asks to hear of grade changes: ``listener(risk_point_ids)`` is called
    inside the transaction that changed them (it queues its own work on commit). Registered once per listener."""
    if listener not in _GRADE_LISTENERS:
        _GRADE_LISTENERS.append(listener)


def _grade_changed(rp: RiskPoint) -> None:
    for listener in _GRADE_LISTENERS:
        listener([rp.pk])


# ---------------------------------------------------------------- risk point actions


@transaction.atomic
def create_risk_point(
    *,
    actor,
    level: str,
    description: str,
    manifestations: str,
    power: Power | None = None,
    step: PowerStep | None = None,
    source: str = Source.SELF,
    key_links=(),
    division=None,
    proposal: dict | None = None,
) -> RiskPoint:
    """A new draft. Staff: about their own post; heads: about a division they head; the president, the
    deputy leaders and the office: court level (单位层面, the leadership's 三重一大).
    ``proposal`` (optional) is the submitter's own grading: ``{factors..., "grade", "reason"}``."""
    check(actor, "risks.create", level)
    check(actor, "risks.use_source", source)
    roles = org_policy.roles_of(actor)
    if level == Level.DIVISION:
        division_id = division.pk if division is not None else roles.division_ids(Role.DIVISION_HEAD)[0]
        division = Division.objects.select_related("court").filter(pk=division_id).first()
        check(actor, "risks.create_for_division", division)
        court, post = division.court, None
    else:
        person = Person.objects.filter(user=actor).select_related("court", "division", "post").first()
        if level == Level.POST:
            court, division, post = person.court, person.division, person.post
        else:
            court = Court.objects.get(pk=risks_policy.court_for_court_level(actor))
            division, post = None, None
    _check_power_step(court, power, step)
    _check_source(source)
    rp = RiskPoint(
        court=court,
        division=division,
        post=post,
        owner=actor,
        level=level,
        power=power,
        step=step,
        description=_text(description, _("风险点描述"), field="description"),
        manifestations=_text(manifestations, _("主要表现形式"), field="manifestations"),
        source=source,
        campaign_year=campaign_year_of(timezone.localdate()),
    )
    rp.full_clean()
    _quiet(rp).save()
    rp.key_links.set(_links(key_links))
    _record_version(rp, actor=actor, reason=SystemReason("risks.version.created"), created=True)
    if proposal:
        _save_grading(
            rp,
            tier=GradingTier.PROPOSAL,
            actor=actor,
            factors=proposal,
            grade=proposal.get("grade"),
            reason=proposal.get("reason"),
        )
    Transition.objects.create(risk_point=rp, actor=actor, from_state="", to_state=State.DRAFT, action="risks.create")
    audit.record(actor=actor, action="risks.create", obj=rp, data={"level": level})
    return rp


@transaction.atomic
def update_risk_point(
    *,
    actor,
    risk_point: RiskPoint,
    expected_version,
    description: str,
    manifestations: str,
    power: Power | None = None,
    step: PowerStep | None = None,
    source: str = Source.SELF,
    key_links=(),
    proposal: dict | None = None,
) -> RiskPoint:
    rp = _lock(risk_point, expected_version)
    check(actor, "risks.edit", rp)
    check(actor, "risks.use_source", source)
    _check_power_step(rp.court, power, step)
    _check_source(source)
    rp.description = _text(description, _("风险点描述"), field="description")
    rp.manifestations = _text(manifestations, _("主要表现形式"), field="manifestations")
    rp.power, rp.step, rp.source = power, step, source
    rp.full_clean()
    rp.version = F("version") + 1
    rp.save()
    rp.refresh_from_db(fields=["version"])
    rp.key_links.set(_links(key_links))
    _record_version(rp, actor=actor, reason=SystemReason("risks.version.changed"))
    if proposal:
        _save_grading(
            rp,
            tier=GradingTier.PROPOSAL,
            actor=actor,
            factors=proposal,
            grade=proposal.get("grade"),
            reason=proposal.get("reason"),
        )
    else:
        rp.gradings.filter(tier=GradingTier.PROPOSAL).delete()
    audit.record(actor=actor, action="risks.update", obj=rp)
    return rp


@transaction.atomic
def submit(*, actor, risk_point: RiskPoint, expected_version=None) -> RiskPoint:
    rp = _lock(risk_point, expected_version)
    check(actor, "risks.submit", rp)
    _move(rp, "submit", actor=actor)
    return rp


@transaction.atomic
def return_risk_point(*, actor, risk_point: RiskPoint, reason: str, expected_version=None) -> RiskPoint:
    rp = _lock(risk_point, expected_version)
    check(actor, "risks.return", rp)
    reason = _text(reason, _("退回理由"), field="reason")
    _move(rp, "return", actor=actor, reason=reason)
    _notify(rp.owner, "risks.returned", rp, {"reason": reason}, actor=actor)
    return rp


@transaction.atomic
def grade(*, actor, risk_point: RiskPoint, factors: dict, grade: str, reason: str = "", expected_version) -> RiskPoint:
    """The reviewer grades a submitted point with the four factors; the grade names the responsible leader."""
    rp = _lock(risk_point, expected_version)
    check(actor, "risks.grade", rp)
    grading = _save_grading(rp, tier=GradingTier.REVIEW, actor=actor, factors=factors, grade=grade, reason=reason)
    rp.grade = grading.grade
    rp.responsible_leader = responsible_leader_for(rp)
    _move(rp, "grade", actor=actor, reason=grading.reason, data={**grading.factors, "grade": grading.grade})
    _notify(rp.owner, "risks.graded", rp, {"grade": grading.grade}, actor=actor)
    _notify(rp.responsible_leader, "risks.responsible", rp, {"grade": grading.grade}, str(rp), actor=actor)
    _grade_changed(rp)
    return rp


@transaction.atomic
def adjust_grade(
    *, actor, risk_point: RiskPoint, factors: dict, grade: str, reason: str = "", expected_version
) -> RiskPoint:
    """The office adjusts a graded point's grade before confirming it (a separate tier, kept side by side)."""
    rp = _lock(risk_point, expected_version)
    check(actor, "risks.adjust_grade", rp)
    grading = _save_grading(rp, tier=GradingTier.CONFIRMATION, actor=actor, factors=factors, grade=grade, reason=reason)
    rp.grade = grading.grade
    rp.responsible_leader = responsible_leader_for(rp)
    rp.full_clean(exclude=["key_links"])
    rp.version = F("version") + 1
    rp.save(update_fields=["grade", "responsible_leader", "version", "updated_at"])
    rp.refresh_from_db(fields=["version"])
    _record_version(rp, actor=actor, reason=grading.reason or SystemReason("risks.version.regraded"))
    audit.record(
        actor=actor,
        action="risks.adjust_grade",
        obj=rp,
        reason=grading.reason,
        data={**grading.factors, "grade": grading.grade},
    )
    _grade_changed(rp)
    return rp


@transaction.atomic
def confirm(*, actor, risk_points, date, participants: str, minutes: str) -> CollectiveDecision:
    """The office confirms graded points in a batch, recorded as one collective decision (集体定)."""
    points = [_lock(rp) for rp in risk_points]
    for rp in points:
        check(actor, "risks.confirm", rp)
    if not points:
        raise ValidationError(_("请至少选择一个风险点。"))
    if not date:
        raise ValidationError({"date": _("请填写会议日期。")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("会议日期不能晚于今天。")})
    courts = {rp.court_id for rp in points}
    if len(courts) > 1:
        raise ValidationError(_("一次集体决定只能确定同一法院的风险点。"))
    decision = CollectiveDecision(
        court=points[0].court,
        date=date,
        participants=_text(participants, _("参会人员"), field="participants"),
        minutes=_text(minutes, _("会议纪要"), field="minutes", limit=TEXT_LIMIT * 2),
        created_by=actor,
    )
    decision.full_clean()
    decision.save()
    for rp in points:
        rp.decision = decision
        _move(
            rp,
            "confirm",
            actor=actor,
            reason=SystemReason("risks.reason.decision", date=date),
            audit_reason="",
            data={"decision": decision.pk},
        )
    return decision


@transaction.atomic
def publish(*, actor, risk_points, publicity_ends) -> list[RiskPoint]:
    """Publish confirmed points on the court's public page until ``publicity_ends`` (公示)."""
    points = [_lock(rp) for rp in risk_points]
    for rp in points:
        check(actor, "risks.publish", rp)
    if not points:
        raise ValidationError(_("请至少选择一个风险点。"))
    today = timezone.localdate()
    if not publicity_ends:
        raise ValidationError({"publicity_ends": _("请填写公示截止日期。")})
    if publicity_ends <= today:
        raise ValidationError({"publicity_ends": _("公示截止日期须晚于今天。")})
    if (publicity_ends - today).days > MAX_PUBLICITY_DAYS:
        raise ValidationError({"publicity_ends": _("公示期不能超过一年。")})
    for rp in points:
        rp.publicity_ends = publicity_ends
        _move(
            rp,
            "publish",
            actor=actor,
            reason=SystemReason("risks.reason.publicity", date=publicity_ends),
            audit_reason="",
            data={"publicity_ends": publicity_ends.isoformat()},
        )
        # A point whose measure was put in place before publication is under control once published.
        if rp.measures.filter(status__in=("in_place", "checked")).exists():
            _move(rp, "control", actor=actor, reason=SystemReason("risks.reason.in_place_at_publication"))
    return points


@transaction.atomic
def retire(*, actor, risk_point: RiskPoint, reason: str, expected_version=None) -> RiskPoint:
    """Retire a point whose power or post no longer exists (the office), or withdraw an own draft."""
    rp = _lock(risk_point, expected_version)
    check(actor, "risks.retire", rp)
    reason = _text(reason, _("撤销理由"), field="reason")
    _move(rp, "retire", actor=actor, reason=reason)
    return rp


@transaction.atomic
def mark_controlled(*, actor, risk_point: RiskPoint, reason: str = "") -> RiskPoint:
    """The office marks a published point with at least one measure in place as under control (putting a
    measure in place does it by itself, in ``measures.services``)."""
    rp = _lock(risk_point)
    check(actor, "risks.mark_controlled", rp)
    reason = _text(reason, _("理由"), required=False, field="reason")
    _move(rp, "control", actor=actor, reason=reason)
    return rp


@transaction.atomic
def request_peer_check(*, actor, risk_point: RiskPoint, reviewer, reason: str = "") -> PeerCheck:
    """互相查: a head (or the office) asks a colleague of the same court to check a point; the colleague
    gets a per-object view grant (django-guardian) and may leave comments."""
    rp = _lock(risk_point)
    check(actor, "risks.request_peer_check", rp)
    person = Person.objects.filter(user=reviewer).first()
    if reviewer is None or person is None or person.court_id != rp.court_id:
        raise ValidationError({"reviewer": _("互查人须是本院干警。")})
    if reviewer.pk in (rp.owner_id, actor.pk):
        raise ValidationError({"reviewer": _("互查人不能是提出人或发起人本人。")})
    reason = _text(reason, _("说明"), required=False, field="reason")
    if PeerCheck.objects.filter(risk_point=rp, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": _("已请%(name)s互查过该风险点。") % {"name": person.full_name}})
    peer = PeerCheck(risk_point=rp, reviewer=reviewer, requested_by=actor)
    peer.full_clean()
    peer.save()
    grant_object_view(actor=actor, user=reviewer, obj=rp, reason=reason or _("互相查"))
    audit.record(actor=actor, action="risks.peer_request", obj=rp, reason=reason, data={"reviewer": reviewer.username})
    _notify(reviewer, "risks.peer_check", rp, {}, reason, actor=actor)
    return peer


@transaction.atomic
def comment_peer_check(*, actor, risk_point: RiskPoint, comment: str) -> PeerCheck:
    check(actor, "risks.comment_peer_check", risk_point)
    peer = PeerCheck.objects.select_for_update().get(risk_point=risk_point, reviewer=actor)
    peer.comment = _text(comment, _("互查意见"), field="comment")
    peer.commented_at = timezone.now()
    peer.full_clean()
    peer.save()
    audit.record(actor=actor, action="risks.peer_comment", obj=risk_point, reason=peer.comment)
    return peer


@transaction.atomic
def recompute_responsible_leaders(*, actor, court: Court) -> int:
    """After an org change: name the responsible leader of every graded point of the court again."""
    check(actor, "risks.recompute_responsible_leaders", court)
    changed = 0
    for rp in RiskPoint.objects.filter(court=court).exclude(grade="").select_for_update():
        _quiet(rp)
        leader = responsible_leader_for(rp)
        if (leader.pk if leader else None) != rp.responsible_leader_id:
            _keep_baseline(rp)
            rp.responsible_leader = leader
            rp.save(update_fields=["responsible_leader"])
            _record_version(rp, actor=actor, reason=SystemReason("risks.version.leader"))
            changed += 1
    audit.record(actor=actor, action="risks.leaders_recompute", obj=court, data={"changed": changed})
    return changed


# ---------------------------------------------------------------- the public


def ip_fingerprint(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|feedback|{ip}".encode()).hexdigest()


def publicity_open(court: Court):
    """The court's points in their publicity period today."""
    return RiskPoint.objects.filter(court=court, state=State.PUBLISHED, publicity_ends__gte=timezone.localdate())


@transaction.atomic
def submit_public_feedback(
    *, court: Court, text: str, ip: str, contact: str = "", risk_point_id=None
) -> PublicFeedback:
    """群众提: a comment from the public, accepted only while the court has points in publicity and
    limited per IP address (the address itself is not stored, only a keyed hash)."""
    open_points = publicity_open(court)
    if not open_points.exists():
        raise ValidationError(_("本院目前没有处于公示期的风险点，公示期已结束，暂不受理意见。"))
    text = _text(text, _("意见内容"), field="text")
    contact = _text(contact, _("联系方式"), required=False, limit=60, field="contact")
    rp = None
    if risk_point_id not in (None, ""):
        rp = open_points.filter(pk=risk_point_id).first()
        if rp is None:
            raise ValidationError({"risk_point": _("所选风险点不在公示期内。")})
    fingerprint = ip_fingerprint(ip or "")
    now = timezone.now()
    for limit, window in (FEEDBACK_LIMIT_SHORT, FEEDBACK_LIMIT_DAY):
        if PublicFeedback.objects.filter(ip_hash=fingerprint, created_at__gte=now - window).count() >= limit:
            raise ValidationError(_("提交过于频繁，请稍后再试。"))
    feedback = PublicFeedback(court=court, risk_point=rp, text=text, contact=contact, ip_hash=fingerprint)
    feedback.full_clean()
    feedback.save()
    audit.record(actor=None, action="risks.public_feedback", obj=feedback, court=court)
    return feedback


# ---------------------------------------------------------------- the power catalogue


class ImportOutcome:
    def __init__(self, rows=None, file_error="", committed=False):
        self.rows = rows or []
        self.file_error = file_error
        self.committed = committed

    @property
    def ok(self):
        return not self.file_error and bool(self.rows) and all(r["ok"] for r in self.rows)

    @property
    def counts(self):
        return {
            "total": len(self.rows),
            "errors": sum(1 for r in self.rows if not r["ok"]),
        }


def _import(resource_factory, *, required, filename, content, commit, writes=True):
    """Dry run, and with ``commit`` the real import in the caller's transaction: every row or none. A resource
    that ``writes`` nothing itself (it collects checked rows for a service) is run once, not twice."""
    from .resources import ImportFileError, import_report, read_file

    try:
        dataset = read_file(filename, content)
    except ImportFileError as exc:
        return ImportOutcome(file_error=str(exc)), None
    missing = [c for c in required if c not in dataset.headers]
    if missing:
        return ImportOutcome(
            file_error=_("缺少必需的列：%(cols)s。请使用下载的模板。") % {"cols": "、".join(missing)}
        ), None
    options = {"use_transactions": True, "rollback_on_validation_errors": True, "raise_errors": False}
    if not writes:
        # Nothing to roll back, so no savepoint per row (two queries a row): the caller's transaction holds.
        resource = resource_factory()
        result = resource.import_data(dataset, dry_run=False, use_transactions=False, raise_errors=False)
        outcome = ImportOutcome(rows=import_report(result))
        outcome.committed = commit and outcome.ok
        return outcome, resource if outcome.committed else None
    outcome = ImportOutcome(rows=import_report(resource_factory().import_data(dataset, dry_run=True, **options)))
    if not commit or not outcome.ok:
        return outcome, None
    resource = resource_factory()
    outcome = ImportOutcome(rows=import_report(resource.import_data(dataset, dry_run=False, **options)))
    if not outcome.ok:  # changed between the check and the write: nothing is kept
        transaction.set_rollback(True)
        return outcome, None
    outcome.committed = True
    return outcome, resource


def _record_versions(points, links_of, *, actor, reason) -> None:
    """The first version of many points just created (what :func:`_record_version` writes for one), in two
    INSERTs: the versions, then their key links (``links_of``: point → the through rows just written)."""
    model = RiskPoint.history.model
    links_model = RISK_POINT_HISTORY.m2m_models[RiskPoint._meta.get_field("key_links")]
    now = timezone.now()
    reason = str(reason or "")[:100]
    versions = []
    for rp in points:
        attrs = {field.attname: getattr(rp, field.attname) for field in RISK_POINT_HISTORY.fields_included(rp)}
        versions.append(
            model(history_date=now, history_type="+", history_user=actor, history_change_reason=reason, **attrs)
        )
    model.objects.bulk_create(versions)
    links_model.objects.bulk_create(
        [
            links_model(history=version, id=row.pk, riskpoint_id=rp.pk, keylink_id=row.keylink_id)
            for rp, version in zip(points, versions, strict=True)
            for row in links_of.get(id(rp), ())
        ]
    )


def _check_references(court, points, key_links) -> dict:
    """The rows the points refer to still exist and belong to ``court``: one query per referenced table, not
    one per point and foreign key (``full_clean`` asks each). Returns the key links by id."""
    from hkcourt.org.models import Post

    def ids(attname):
        return {getattr(rp, attname) for rp in points} - {None}

    checks = (
        ("division", _("所选庭室不属于该法院。"), Division.objects.filter(court=court), ids("division_id")),
        ("post", _("所选岗位不属于该庭室。"), Post.objects.filter(division__court=court), ids("post_id")),
        ("power", _("所选职权不属于本院的职权目录。"), Power.objects.filter(court=court), ids("power_id")),
        ("step", _("所选环节不属于所选职权。"), PowerStep.objects.filter(power__court=court), ids("step_id")),
    )
    for field, message, queryset, wanted in checks:
        if wanted and len(set(queryset.filter(pk__in=wanted).values_list("pk", flat=True))) != len(wanted):
            raise ValidationError({field: message})
    found = {k.pk: k for k in KeyLink.objects.filter(pk__in=key_links)} if key_links else {}
    if len(found) != len(key_links):
        raise ValidationError({"key_links": _("所选重点环节不存在。")})
    return found


REFERENCES = ("court", "division", "post", "owner", "power", "step", "responsible_leader", "decision", "key_links")


@transaction.atomic
def enter_risk_points(*, actor, court: Court, entries, reason: str = "") -> list[RiskPoint]:
    """The office enters risk points collected outside the system (组织评、集体定、群众提), many at once: each
    arrives as submitted, for the reviewers of its division to grade, with its history (one transition from
    nothing to submitted, ``reason``; one version) and an audit entry. ``entries``: ``(unsaved RiskPoint, key
    links)`` pairs, the points' level, division, post, power, step, texts and source filled in (the related
    objects, not bare ids). Written in bulk: a constant number of queries whatever the number of points."""
    check(actor, "risks.import_risk_points", court)
    reason = _text(reason, _("理由"), required=False, field="reason") or SystemReason("risks.reason.import")
    year = campaign_year_of(timezone.localdate())
    entries = [(rp, list(links or [])) for rp, links in entries]
    for source in {rp.source for rp, _links in entries}:
        check(actor, "risks.use_source", source)
        _check_source(source)
    points = []
    for rp, _links in entries:
        _check_power_step(court, rp.power, rp.step)
        rp.court, rp.owner, rp.state, rp.campaign_year = court, actor, State.SUBMITTED, year
        rp.description = _text(rp.description, _("风险点描述"), field="description")
        rp.manifestations = _text(rp.manifestations, _("主要表现形式"), field="manifestations")
        rp.clean_fields(exclude=REFERENCES)  # the references are checked below, one query per table
        rp.clean()  # reads the related objects given, no query
        points.append(rp)
    link_ids = {k.pk if isinstance(k, KeyLink) else int(k) for _rp, links in entries for k in links}
    _check_references(court, points, link_ids)
    RiskPoint.objects.bulk_create(points)
    through = RiskPoint.key_links.through
    rows, links_of = [], {}
    for rp, links in entries:
        for link_id in dict.fromkeys(k.pk if isinstance(k, KeyLink) else int(k) for k in links):
            row = through(riskpoint_id=rp.pk, keylink_id=link_id)
            rows.append(row)
            links_of.setdefault(id(rp), []).append(row)
    through.objects.bulk_create(rows)
    _record_versions(points, links_of, actor=actor, reason=reason)
    fields = reason_fields(reason)
    Transition.objects.bulk_create(
        [
            Transition(
                risk_point=rp, actor=actor, from_state="", to_state=State.SUBMITTED, action="risks.enter", **fields
            )
            for rp in points
        ]
    )
    logged = reason.render() if isinstance(reason, SystemReason) else reason
    with audit.batch():
        for rp in points:
            audit.record(actor=actor, action="risks.enter", obj=rp, reason=logged, data={"level": rp.level})
    from .signals import data_changed

    data_changed()  # bulk_create sends no post_save: the cached counts must still see the new points
    return points


STEP_ACTIONS = {
    State.DRAFT: "risks.create",
    State.SUBMITTED: "risks.submit",
    State.RETURNED: "risks.return",
    State.GRADED: "risks.grade",
    State.CONFIRMED: "risks.confirm",
    State.PUBLISHED: "risks.publish",
    State.CONTROLLED: "risks.control",
    State.RETIRED: "risks.retire",
}


@transaction.atomic
def record_risk_points(*, court: Court, entries) -> list[RiskPoint]:
    """Points that arrive with their past (the demo seeder; a register kept on paper), written in bulk with
    what the per-action services leave behind: the point, its key links, one transition, one version and one
    audit entry (the action's code: ``risks.create``, ``risks.submit``, ``risks.grade`` …) per step of its
    path, and its gradings. A system action, no requester: the caller is a seeder or a command, never a view.

    ``entries``: ``(unsaved RiskPoint in its final state, key link ids, steps, gradings)``; ``steps`` the path
    as ``(state, actor, reason, at)`` from the first state on (each move one the state machine allows, the
    last the point's state); ``gradings`` unsaved ``RiskGrading`` rows without their point. A constant
    number of queries whatever the number of points."""
    from django.contrib.auth import get_user_model

    points, links_of, rows = [], {}, []
    for rp, _links, steps, _gradings in entries:
        if rp.court_id != court.pk:
            raise ValidationError(_("所选风险点不属于该法院。"))
        previous = ""
        for state, *_rest in steps:
            if previous and state not in RiskPoint.TRANSITIONS[previous]:
                raise ValidationError(_("风险点的状态变化不合规则：%(a)s → %(b)s。") % {"a": previous, "b": state})
            previous = state
        if not steps or previous != rp.state:
            raise ValidationError(_("风险点的状态变化须以其当前状态结束。"))
        _check_source(rp.source)
        rp.version = len(steps)
        rp.clean_fields(exclude=REFERENCES)
        points.append(rp)
    key_links = {int(k) for _rp, links, *_more in entries for k in links}
    _check_references(court, points, key_links)
    actor_ids = {actor for _rp, _l, steps, _g in entries for _s, actor, *_more in steps if actor}
    actors = {u.pk: u for u in get_user_model().objects.filter(pk__in=actor_ids)}
    RiskPoint.objects.bulk_create(points)
    through = RiskPoint.key_links.through
    for rp, links, *_more in entries:
        for link_id in dict.fromkeys(int(k) for k in links):
            row = through(riskpoint_id=rp.pk, keylink_id=link_id)
            rows.append(row)
            links_of.setdefault(id(rp), []).append(row)
    through.objects.bulk_create(rows)

    model = RiskPoint.history.model
    links_model = RISK_POINT_HISTORY.m2m_models[RiskPoint._meta.get_field("key_links")]
    versions, version_links, transitions, stamps, gradings = [], [], [], [], []
    set_at = {  # the fields a step sets: before it, a version shows them empty
        "grade": State.GRADED,
        "responsible_leader_id": State.GRADED,
        "decision_id": State.CONFIRMED,
        "publicity_ends": State.PUBLISHED,
    }
    for rp, _links, steps, point_gradings in entries:
        final = {field.attname: getattr(rp, field.attname) for field in RISK_POINT_HISTORY.fields_included(rp)}
        reached = set()
        previous = ""
        for number, (state, actor, reason, at) in enumerate(steps, start=1):
            reached.add(state)
            attrs = dict(final, state=state, version=number)
            for attname, state_setting in set_at.items():
                if state_setting not in reached:
                    attrs[attname] = None if attname != "grade" else ""
            version = model(
                history_date=at,
                history_type="+" if number == 1 else "~",
                history_user_id=actor,
                history_change_reason=str(reason or SystemReason("risks.version.state", state=state))[:100],
                **attrs,
            )
            versions.append(version)
            version_links.extend((version, row) for row in links_of.get(id(rp), ()))
            transitions.append(
                Transition(
                    risk_point=rp,
                    actor_id=actor,
                    from_state=previous,
                    to_state=state,
                    reason=reason,
                    action=STEP_ACTIONS[state],
                )
            )
            stamps.append(at)
            previous = state
        for grading in point_gradings:
            grading.risk_point = rp
            gradings.append(grading)
    model.objects.bulk_create(versions)
    links_model.objects.bulk_create(
        [
            links_model(history=version, id=row.pk, riskpoint_id=row.riskpoint_id, keylink_id=row.keylink_id)
            for version, row in version_links
        ]
    )
    Transition.objects.bulk_create(transitions)
    for transition, at in zip(transitions, stamps, strict=True):  # auto_now_add stamped them now
        transition.created_at = at
    Transition.objects.bulk_update(transitions, ["created_at"])
    for rp, _links, steps, _gradings in entries:
        rp.created_at, rp.updated_at = steps[0][3], steps[-1][3]
        rp.campaign_year = rp.campaign_year or campaign_year_of(timezone.localtime(steps[0][3]).date())
    RiskPoint.objects.bulk_update(points, ["created_at", "updated_at", "campaign_year"])
    RiskGrading.objects.bulk_create(gradings)
    with audit.batch():
        for rp, _links, steps, _gradings in entries:
            for state, actor, reason, at in steps:
                data = {"at": at.isoformat()}
                if state == State.GRADED:
                    data["grade"] = rp.grade
                audit.record(
                    actor=actors.get(actor),
                    action=STEP_ACTIONS[state],
                    obj=rp,
                    court=court,
                    reason=reason or "",
                    data=data,
                )
    from .signals import data_changed

    data_changed()
    return points


@transaction.atomic
def import_risk_points(*, actor, court: Court, filename: str, content: bytes, commit: bool = False) -> ImportOutcome:
    """The office enters risk points collected outside the system (组织评、集体定、群众提) from a file: every row
    is checked (a dry run); with ``commit`` the rows are entered by :func:`enter_risk_points`, all or none."""
    from .resources import RISK_COLUMNS, RiskPointImportResource

    check(actor, "risks.import_risk_points", court)
    required = [RISK_COLUMNS[k] for k in ("level", "description", "manifestations")]
    outcome, resource = _import(
        lambda: RiskPointImportResource(court=court, actor=actor),
        required=required,
        filename=filename,
        content=content,
        commit=commit,
        writes=False,  # the resource only checks rows; enter_risk_points writes them
    )
    if not outcome.committed:
        return outcome
    try:
        created = enter_risk_points(actor=actor, court=court, entries=resource.entries)  # reason: "bulk import"
    except ValidationError as exc:  # changed between the check and the write: nothing is kept
        return ImportOutcome(rows=outcome.rows, file_error="；".join(exc.messages))
    audit.record(
        actor=actor,
        action="risks.points_import",
        obj=court,
        data={"file": filename[:100], "risk_points": [rp.pk for rp in created]},
    )
    return outcome


@transaction.atomic
def import_powers(*, actor, court: Court, filename: str, content: bytes, commit: bool = False) -> ImportOutcome:
    """Check a catalogue file row by row (a dry run) and, with ``commit``, write it: every row or none."""
    from .resources import COLUMNS, PowerResource

    check(actor, "risks.import_powers", court)
    outcome, _resource = _import(
        lambda: PowerResource(court=court),
        required=[COLUMNS["name"], COLUMNS["content"]],
        filename=filename,
        content=content,
        commit=commit,
    )
    if not outcome.committed:
        return outcome
    audit.record(
        actor=actor, action="risks.powers_import", obj=court, data={"file": filename[:100], "rows": len(outcome.rows)}
    )
    return outcome


POWER_TEXT_FIELDS = ("content", "legal_basis", "conditions", "procedure", "supervision")


@transaction.atomic
def save_power(
    *,
    actor,
    court: Court,
    power: Power | None = None,
    name: str,
    content: str,
    division=None,
    posts=(),
    legal_basis: str = "",
    conditions: str = "",
    procedure: str = "",
    time_limit_days=None,
    supervision: str = "",
    business_area: str = "other",
    major_matter: bool = False,
) -> Power:
    """Create or change one power of the court's catalogue: the head of the exercising division (清权确权 by
    the divisions, until the office locks the catalogue), the office or a system administrator (always,
    and alone for court-level powers without a division)."""
    if power is not None and power.court_id != court.pk:
        raise ValidationError(_("该职权不属于所选法院。"))
    if division is not None and division.court_id != court.pk:
        raise ValidationError({"division": _("所选庭室不属于该法院。")})
    if power is not None:
        check(actor, "risks.edit_power", power)
    if division is None:
        check(actor, "risks.manage_catalogue", court)
    elif power is None or power.division_id != division.pk:
        check(actor, "risks.add_power", division)
    posts = list(posts or [])
    if any(p.division_id != getattr(division, "pk", None) for p in posts):
        raise ValidationError({"posts": _("行使岗位须属于所选庭室。")})
    power = power or Power(court=court)
    power.name = _text(name, _("职权名称"), limit=100, field="name")
    power.content = _text(content, _("职权内容"), field="content")
    for field, label, value in (
        ("legal_basis", _("法律依据"), legal_basis),
        ("conditions", _("行使条件"), conditions),
        ("procedure", _("行使程序"), procedure),
        ("supervision", _("监督方式"), supervision),
    ):
        setattr(power, field, _text(value, label, required=False, field=field))
    power.division = division
    power.time_limit_days = time_limit_days
    power.business_area = business_area
    power.major_matter = bool(major_matter)
    duplicate = Power.objects.filter(court=court, division=division, name=power.name).exclude(pk=power.pk)
    if duplicate.exists():
        raise ValidationError({"name": _("该庭室已有名为“%(name)s”的职权。") % {"name": power.name}})
    power.full_clean(exclude=["posts"])
    created = power.pk is None
    power.save()
    power.posts.set(posts)
    audit.record(actor=actor, action="risks.power_save", obj=power, data={"created": created})
    return power


@transaction.atomic
def save_steps(*, actor, power: Power, rows: list[dict]) -> list[PowerStep]:
    """Replace the flowchart of a power with ``rows`` (each: id or None, order, name, actor, time_limit_days,
    is_end, next orders, delete). Steps keep their identity, so risk points stay on them; a step that
    carries risk points cannot be deleted. The division's head until the lock, the office always."""
    check(actor, "risks.edit_power", power)
    existing = {s.pk: s for s in PowerStep.objects.select_for_update().filter(power=power).order_by("order", "id")}
    kept, errors = [], []
    for number, row in enumerate(rows, start=1):
        step = existing.get(row.get("id")) if row.get("id") else None
        if row.get("id") and step is None:
            errors.append(_("第%(n)d行：该环节不属于本职权。") % {"n": number})
            continue
        if row.get("delete"):
            if step is not None:
                if step.risk_points.exists():
                    errors.append(
                        _("第%(n)d行：环节“%(name)s”上登记有风险点，不能删除。") % {"n": number, "name": step.name}
                    )
                    kept.append((step, row))
                else:
                    step.delete()
            continue
        step = step or PowerStep(power=power)
        step.order = row.get("order")
        step.name = (row.get("name") or "").strip()
        step.actor = (row.get("actor") or "").strip()
        step.time_limit_days = row.get("time_limit_days")
        step.is_end = bool(row.get("is_end"))
        if not step.order or step.order < 1:
            errors.append(_("第%(n)d行：请填写顺序号（正整数）。") % {"n": number})
        if not step.name:
            errors.append(_("第%(n)d行：环节名称不能为空。") % {"n": number})
        kept.append((step, row))
    orders = {step.order for step, _row in kept}
    for step, row in kept:
        for target in row.get("next") or []:
            if target not in orders:
                errors.append(_("“%(name)s”的下一环节顺序号%(o)d不存在。") % {"name": step.name, "o": target})
    if errors:
        raise ValidationError(errors)
    for step, _row in kept:
        step.full_clean(exclude=["next_steps"])
        step.save()
    by_order = {}
    for step, _row in kept:
        by_order.setdefault(step.order, []).append(step)
    for step, row in kept:
        step.next_steps.set([t for o in (row.get("next") or []) for t in by_order.get(o, [])])
    audit.record(actor=actor, action="risks.steps_save", obj=power, data={"steps": len(kept)})
    return [step for step, _row in kept]


@transaction.atomic
def lock_catalogue(*, actor, court: Court, note: str = "") -> CatalogueLock:
    """The office has reviewed the catalogue the divisions compiled (清权确权) and locks it, as phase two
    ends: from now on only the office changes powers and flowcharts."""
    Court.objects.select_for_update().filter(pk=court.pk).first()  # one lock at a time per court
    court.__dict__.pop("_hk_catalogue_lock", None)
    check(actor, "risks.lock_catalogue", court)
    lock = CatalogueLock.objects.create(
        court=court, locked_by=actor, note=_text(note, _("审核意见"), required=False, field="note")
    )
    court._hk_catalogue_lock = lock
    audit.record(
        actor=actor,
        action="risks.catalogue_lock",
        obj=court,
        court=court,
        reason=lock.note,
        data={"powers": Power.objects.filter(court=court, is_active=True).count()},
    )
    return lock


@transaction.atomic
def unlock_catalogue(*, actor, court: Court, reason: str) -> None:
    """Open the locked catalogue again for the divisions (a reason is required: the lock was a review)."""
    Court.objects.select_for_update().filter(pk=court.pk).first()
    court.__dict__.pop("_hk_catalogue_lock", None)
    check(actor, "risks.unlock_catalogue", court)
    reason = _text(reason, _("理由"), field="reason")
    CatalogueLock.objects.filter(court=court).delete()
    court._hk_catalogue_lock = None
    audit.record(actor=actor, action="risks.catalogue_unlock", obj=court, court=court, reason=reason)

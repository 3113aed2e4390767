"""Every business action on prevention measures and court rules: one function per action, keyword-only
arguments, in a transaction, checked first against its rule in :mod:`risks.measures.policy`, validated,
audited. A published risk point whose first
measure is in place moves to ``controlled`` through the registry's own transition helper."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.org import audit, transitions
from hkcourt.org.files import check_upload
from hkcourt.org.models import Court, Person
from hkcourt.org.policy import check
from hkcourt.org.text import clean_text

from .. import services as risk_services
from ..models import TEXT_LIMIT, Power, RiskPoint, State, SystemReason
from .models import CourtRule, Measure, MeasureAttachment, MeasureCategory, MeasureKind, MeasureStatus

audit.register(
    {
        "measures.create": gettext_lazy("制定防控措施"),
        "measures.in_place": gettext_lazy("防控措施落实"),
        "measures.check": gettext_lazy("检查防控措施"),
        "measures.acknowledge": gettext_lazy("责任领导确认防控措施"),
        "measures.attach": gettext_lazy("上传佐证材料"),
        "measures.rule_create": gettext_lazy("登记单位制度"),
        "measures.propose": gettext_lazy("提出岗位防控措施"),
        "measures.approve": gettext_lazy("审批岗位防控措施"),
        "measures.reject": gettext_lazy("不予采纳岗位防控措施"),
    }
)


def _text(value, label, field, *, required=True, limit=TEXT_LIMIT):
    return clean_text(value, label, limit=limit, field=field, required=required)


def _lock(measure: Measure) -> Measure:
    return Measure.objects.select_for_update().select_related("court", "risk_point").get(pk=measure.pk)


@transaction.atomic
def create_measure(
    *,
    actor,
    risk_point: RiskPoint,
    kind: str,
    category: str,
    title: str,
    description: str,
    owner,
    deadline,
    rule: CourtRule | None = None,
) -> Measure:
    """Set a prevention measure on a graded risk point (岗位定措施、部门定流程、单位定制度)."""
    rp = RiskPoint.objects.select_related("court").get(pk=risk_point.pk)
    check(actor, "measures.create", rp)
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": _("请选择措施类型。")})
    if category not in MeasureCategory.values:
        raise ValidationError({"category": _("请选择措施类别。")})
    title = _text(title, _("措施"), "title", limit=120)
    description = _text(description, _("具体内容"), "description")
    if deadline is None:
        raise ValidationError({"deadline": _("请填写完成期限。")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("完成期限（%(day)s）不能早于今天。") % {"day": deadline}})
    person = Person.objects.filter(user=owner).first() if owner is not None else None
    if person is None or person.court_id != rp.court_id:
        raise ValidationError({"owner": _("落实责任人须是%(court)s的干警。") % {"court": rp.court.name}})
    if rule is not None and rule.court_id != rp.court_id:
        raise ValidationError({"rule": _("所选制度不属于本院的制度汇编。")})
    if kind == MeasureKind.COURT and rule is None:
        raise ValidationError({"rule": _("“单位定制度”的措施须选择所依据的制度。")})
    measure = Measure(
        risk_point=rp,
        court=rp.court,
        division=rp.division,
        kind=kind,
        category=category,
        title=title,
        description=description,
        rule=rule,
        owner=owner,
        deadline=deadline,
        created_by=actor,
    )
    measure.full_clean()
    measure.save()
    if rule is not None:
        rule.risk_points.add(rp)
    audit.record(actor=actor, action="measures.create", obj=measure, data={"risk_point": rp.pk})
    return measure


@transaction.atomic
def propose_measure(*, actor, risk_point: RiskPoint, category: str, title: str, description: str, deadline) -> Measure:
    """岗位定措施: a staff member proposes a measure for a point of their own post, to carry out themselves;
    it waits for the division head's approval (待审批) before it counts as planned."""
    rp = RiskPoint.objects.select_related("court").get(pk=risk_point.pk)
    check(actor, "measures.propose", rp)
    if category not in MeasureCategory.values:
        raise ValidationError({"category": _("请选择措施类别。")})
    title = _text(title, _("措施"), "title", limit=120)
    description = _text(description, _("具体内容"), "description")
    if deadline is None:
        raise ValidationError({"deadline": _("请填写完成期限。")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("完成期限（%(day)s）不能早于今天。") % {"day": deadline}})
    measure = Measure(
        risk_point=rp,
        court=rp.court,
        division=rp.division,
        kind=MeasureKind.POST,
        category=category,
        title=title,
        description=description,
        owner=actor,
        deadline=deadline,
        status=MeasureStatus.PROPOSED,
        created_by=actor,
    )
    measure.full_clean()
    measure.save()
    audit.record(actor=actor, action="measures.propose", obj=measure, data={"risk_point": rp.pk})
    return measure


@transaction.atomic
def approve_measure(*, actor, measure: Measure, note: str = "") -> Measure:
    """The head approves a staff member's proposal: it becomes a planned measure of the post."""
    m = _lock(measure)
    check(actor, "measures.approve", m)
    note = _text(note, _("审批意见"), "note", required=False)
    transitions.apply(m, "approve", actor=actor, reason=note, save=_save)
    return m


@transaction.atomic
def reject_measure(*, actor, measure: Measure, reason: str) -> Measure:
    """The head does not adopt the proposal (with a reason the proposer reads)."""
    m = _lock(measure)
    check(actor, "measures.reject", m)
    reason = _text(reason, _("理由"), "note")
    transitions.apply(m, "reject", actor=actor, reason=reason, save=_save)
    return m


def _save(m: Measure, fields) -> None:
    m.full_clean()
    m.save()


def _control(actor, rp: RiskPoint, measure: Measure):
    """A published point with a measure in place is under control: the registry's transition, recorded."""
    locked = risk_services._lock(rp)
    if not locked.can_move_to(State.CONTROLLED):
        return None
    reason = SystemReason("risks.reason.measure_in_place", code=measure.code, title=measure.title)
    return risk_services._move(locked, "control", actor=actor, reason=reason)


@transaction.atomic
def mark_in_place(*, actor, measure: Measure, note: str = "") -> Measure:
    """The owner (or the office) reports the measure in place; its risk point becomes ``controlled``."""
    m = _lock(measure)
    check(actor, "measures.put_in_place", m)
    m.in_place_note = _text(note, _("落实情况"), "note", required=False)
    transitions.apply(m, "put_in_place", actor=actor, reason=m.in_place_note, save=_save)
    _control(actor, m.risk_point, m)
    return m


@transaction.atomic
def check_measure(*, actor, measure: Measure, note: str) -> Measure:
    """The office checks a measure in place and records what it found."""
    m = _lock(measure)
    check(actor, "measures.check", m)
    m.check_note = _text(note, _("检查意见"), "note")
    transitions.apply(m, "check", actor=actor, reason=m.check_note, save=_save)
    return m


@transaction.atomic
def acknowledge(*, actor, measure: Measure) -> Measure:
    """分级负责: the responsible leader of the point's grade acknowledges its measure."""
    m = _lock(measure)
    check(actor, "measures.acknowledge", m)
    m.acknowledged_by = actor
    m.acknowledged_at = timezone.now()
    m.save(update_fields=["acknowledged_by", "acknowledged_at", "updated_at"])
    audit.record(actor=actor, action="measures.acknowledge", obj=m)
    return m


@transaction.atomic
def add_evidence(*, actor, measure: Measure, upload) -> MeasureAttachment:
    m = _lock(measure)
    check(actor, "measures.upload_evidence", m)
    name = check_upload(upload)
    attachment = MeasureAttachment(measure=m, name=name, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit.record(actor=actor, action="measures.attach", obj=m, data={"file": name})
    return attachment


@transaction.atomic
def create_rule(
    *,
    actor,
    court: Court,
    title: str,
    issued_on,
    number: str = "",
    text: str = "",
    upload=None,
    risk_points=(),
    powers=(),
) -> CourtRule:
    """The office registers a court rule (单位定制度) with the risk points and powers it covers."""
    check(actor, "measures.create_rule", court)
    title = _text(title, _("制度名称"), "title", limit=120)
    number = _text(number, _("文号"), "number", required=False, limit=60)
    text = _text(text, _("制度内容"), "text", required=False, limit=TEXT_LIMIT * 10)
    if issued_on is None:
        raise ValidationError({"issued_on": _("请填写印发日期。")})
    if not text and upload is None:
        raise ValidationError({"text": _("请填写制度内容或上传制度文件。")})
    if CourtRule.objects.filter(court=court, title=title).exists():
        raise ValidationError({"title": _("本院已有名为“%(title)s”的制度。") % {"title": title}})
    rps = list(RiskPoint.objects.filter(pk__in=[getattr(r, "pk", r) for r in risk_points]))
    pws = list(Power.objects.filter(pk__in=[getattr(p, "pk", p) for p in powers]))
    if any(r.court_id != court.pk for r in rps) or len(rps) != len(set(risk_points)):
        raise ValidationError({"risk_points": _("所选风险点须是本院的风险点。")})
    if any(p.court_id != court.pk for p in pws) or len(pws) != len(set(powers)):
        raise ValidationError({"powers": _("所选职权须是本院职权目录中的职权。")})
    rule = CourtRule(court=court, title=title, number=number, issued_on=issued_on, text=text, created_by=actor)
    if upload is not None:
        rule.file_name = check_upload(upload)
        rule.file.save(rule.file_name, upload, save=False)
    rule.full_clean()
    rule.save()
    rule.risk_points.set(rps)
    rule.powers.set(pws)
    audit.record(actor=actor, action="measures.rule_create", obj=rule)
    return rule

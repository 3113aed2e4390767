"""What a person may do with prevention measures and court rules: one rule per action.

``measures.create`` is an action on a risk point (its button sits on the risk point's page); the actions on a
measure are listed by ``allowed_actions(user, measure)``; registering a court rule is asked by name with the
court.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from hkcourt.org.policy import ALLOW, Policy, deny, heads, holds, is_office_of, not_now, oversees, presides, roles_of
from hkcourt.org.roles import Role

from ..models import Level, RiskPoint, State
from .models import Measure, MeasureStatus

policy = Policy("measures")

# A measure is set on a risk point once it has been graded: the plan's phase three follows phase two.
MEASURABLE_STATES = (State.GRADED, State.CONFIRMED, State.PUBLISHED, State.CONTROLLED)


def _wrong_status(m: Measure, action: str):
    return not_now(
        _("防控措施当前为“%(status)s”，不能%(action)s。") % {"status": m.get_status_display(), "action": action}
    )


def _carries_out(user, m: Measure) -> bool:
    """The person responsible for carrying the measure out, or the office."""
    return m.owner_id == user.pk or is_office_of(user, m.court)


@policy.rule("create", model=RiskPoint)
def _create(user, rp):
    """The office, the responsible leader, and the leaders in the line of the point's division."""
    if not (
        rp.responsible_leader_id == user.pk
        or is_office_of(user, rp.court)
        or heads(user, rp.division_id)
        or oversees(user, rp.division_id)
        or presides(user, rp.court_id)
    ):
        return deny(_("只有领导小组办公室、责任领导和该庭室的负责人、分管院领导可以制定防控措施。"))
    if rp.state not in MEASURABLE_STATES:
        return not_now(_("风险点当前为“%(state)s”，评定等级后才能制定防控措施。") % {"state": rp.get_state_display()})
    return ALLOW


@policy.rule("propose", model=RiskPoint)
def _propose(user, rp):
    """岗位定措施: a staff member proposes a measure for a point of their own post; the head approves it."""
    person = roles_of(user).person
    if rp.level != Level.POST or person is None or not person.post_id or person.post_id != rp.post_id:
        return deny(_("只能为本人岗位的风险点提出防控措施。"))
    if rp.state not in MEASURABLE_STATES:
        return not_now(_("风险点当前为“%(state)s”，评定等级后才能制定防控措施。") % {"state": rp.get_state_display()})
    return ALLOW


def _approves(user, m: Measure) -> bool:
    """The head of the measure's division (or the deputy leader over it, or the office) — never the proposer."""
    return m.created_by_id != user.pk and (
        heads(user, m.division_id) or oversees(user, m.division_id) or is_office_of(user, m.court)
    )


@policy.rule("approve", model=Measure)
def _approve(user, m):
    if not _approves(user, m):
        return deny(
            _("只有本庭室负责人（或分管院领导、领导小组办公室）可以审批干警提出的防控措施，不能审批本人提出的。")
        )
    if m.status != MeasureStatus.PROPOSED:
        return _wrong_status(m, _("审批"))
    return ALLOW


@policy.rule("reject", model=Measure)
def _reject(user, m):
    if not _approves(user, m):
        return deny(
            _("只有本庭室负责人（或分管院领导、领导小组办公室）可以审批干警提出的防控措施，不能审批本人提出的。")
        )
    if m.status != MeasureStatus.PROPOSED:
        return _wrong_status(m, _("不予采纳"))
    return ALLOW


@policy.rule("put_in_place", model=Measure)
def _put_in_place(user, m):
    if not _carries_out(user, m):
        return deny(_("只有落实责任人或领导小组办公室可以报告措施已落实。"))
    if not m.can_move_to(MeasureStatus.IN_PLACE):
        return _wrong_status(m, _("报告落实"))
    return ALLOW


@policy.rule("check", model=Measure)
def _check(user, m):
    if m.owner_id == user.pk or not is_office_of(user, m.court):
        return deny(_("只有领导小组办公室可以检查防控措施（不能检查本人负责的措施）。"))
    if not m.can_move_to(MeasureStatus.CHECKED):
        return _wrong_status(m, _("检查"))
    return ALLOW


@policy.rule("acknowledge", model=Measure)
def _acknowledge(user, m):
    """分级负责: the responsible leader of the point's grade acknowledges its measure, once."""
    if m.risk_point.responsible_leader_id != user.pk:
        return deny(_("只有该风险点的责任领导可以确认其防控措施。"))
    if m.status in (MeasureStatus.PROPOSED, MeasureStatus.REJECTED):
        return _wrong_status(m, _("确认"))
    if m.acknowledged_at is not None:
        return not_now(
            _("该防控措施已于%(at)s确认过。") % {"at": timezone.localtime(m.acknowledged_at).strftime("%Y-%m-%d %H:%M")}
        )
    return ALLOW


@policy.rule("upload_evidence", model=Measure)
def _upload_evidence(user, m):
    if not _carries_out(user, m):
        return deny(_("只有落实责任人或领导小组办公室可以上传佐证材料。"))
    return ALLOW


@policy.rule("create_rule")
def _create_rule(user, court=None):
    """单位定制度: the office registers its court's rules (``court=None``: for some court)."""
    allowed = holds(user, Role.OFFICE) if court is None else is_office_of(user, court)
    return allowed or deny(_("只有领导小组办公室可以登记单位制度。"))

"""What a person may do in the registry: one rule per action, asked by pages and enforced by services.

Rules on a risk point (``model=RiskPoint``, listed by ``allowed_actions(user, rp)`` and so by the detail page)
include the state conditions, so a rule answers "would the service accept now?". Rules on a court, a level or
a source are asked by name (``policy.can(user, "risks.import_risk_points", court)``).

The organisation predicates (``is_office_of``, ``heads``, ``oversees``, ``presides`` …) come from
:mod:`hkcourt.org.policy`; this module only combines them.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hkcourt.org.models import Court, Division
from hkcourt.org.policy import (
    ALLOW,
    Policy,
    deny,
    heads,
    holds,
    is_campaign_admin_of,
    is_office_of,
    is_oversight_of,
    not_now,
    oversees,
    presides,
    roles_of,
)
from hkcourt.org.roles import OVERSIGHT_ROLES, REVIEWER_ROLES, Role

from .models import CatalogueLock, Level, PeerCheck, Power, RiskPoint, Source, State

policy = Policy("risks")

# Sources only the office enters (collected from the public, an organisation's assessment, a meeting).
OFFICE_SOURCES = (Source.PUBLIC, Source.ORGANISATION, Source.COLLECTIVE)


# ---------------------------------------------------------------- who the person is to a risk point


#: Who submits court-level points (单位层面: the leadership's 三重一大): the president and the deputy
#: leaders find their own (自己找) or point them out (领导点); the office enters those collected otherwise.
COURT_LEVEL_ROLES = (Role.PRESIDENT, Role.DEPUTY_LEADER, Role.OFFICE)


def levels_for(user) -> list[str]:
    """The levels at which the person may submit risk points: their post, a division they head, the court
    (the president, the deputy leaders, the office)."""
    roles = roles_of(user)
    levels = []
    if roles.person is not None and roles.person.post_id:
        levels.append(Level.POST)
    if roles.division_ids(Role.DIVISION_HEAD):
        levels.append(Level.DIVISION)
    if holds(user, *COURT_LEVEL_ROLES):
        levels.append(Level.COURT)
    return levels


def court_for_court_level(user):
    """The court a person's court-level point belongs to: the court where they lead (president, deputy)
    or run the office; their own court when they hold such a role there."""
    roles = roles_of(user)
    ids = roles.court_ids(*COURT_LEVEL_ROLES)
    if roles.person is not None and roles.person.court_id in ids:
        return roles.person.court_id
    return ids[0] if ids else None


def reviews(user, rp: RiskPoint) -> bool:
    """Return or grade: the head of the point's division (post level), the deputy leader overseeing the
    division (post and division level), the president (court level), or the office — never the owner.
    ``selectors.reviewable`` is the same rule as SQL."""
    if rp.owner_id == user.pk:
        return False
    if rp.level == Level.POST and heads(user, rp.division_id):
        return True
    if rp.level in (Level.POST, Level.DIVISION) and oversees(user, rp.division_id):
        return True
    if rp.level == Level.COURT and presides(user, rp.court_id):
        return True
    return is_office_of(user, rp.court)


def runs_campaign(user, rp: RiskPoint) -> bool:
    """Confirm, adjust, publish: the office of the point's court (never on its own points)."""
    return rp.owner_id != user.pk and is_office_of(user, rp.court)


def decides_collectively(user, rp: RiskPoint) -> bool:
    """集体定 of a court-level point (the leadership's 三重一大): the leading group (党组) of the point's court
    confirms it, as the office does for every point — never the person who submitted it."""
    return (
        rp.level == Level.COURT
        and rp.owner_id != user.pk
        and (is_office_of(user, rp.court) or is_oversight_of(user, rp.court))
    )


def _wrong_state(rp: RiskPoint, action: str):
    return not_now(_("风险点当前为“%(state)s”，不能%(action)s。") % {"state": rp.get_state_display(), "action": action})


# ---------------------------------------------------------------- entering points (asked by name)


@policy.rule("create")
def _create(user, level=None):
    """Submit a risk point at ``level`` (``None``: at some level)."""
    levels = levels_for(user)
    if not levels:
        return deny(_("您没有岗位，不能提交风险点。"))
    if level is not None and level not in levels:
        label = Level(level).label if level in Level.values else level
        return deny(_("您不能提交“%(level)s”层面的风险点。") % {"level": label})
    return ALLOW


@policy.rule("create_for_division")
def _create_for_division(user, division):
    """A division-level point is about a division the person heads."""
    if division is None or not heads(user, division.pk):
        return deny(_("只能为本人负责的庭室提交庭室风险点。"))
    return ALLOW


@policy.rule("use_source")
def _use_source(user, source):
    """Who may enter a point found in a given way (查找方式)."""
    if source in OFFICE_SOURCES and not holds(user, Role.OFFICE):
        return deny(_("“群众提”“组织评”“集体定”的风险点由领导小组办公室录入。"))
    if source == Source.LEADER and not holds(user, *REVIEWER_ROLES):
        return deny(_("“领导点”的风险点由领导录入。"))
    return ALLOW


# ---------------------------------------------------------------- actions on a risk point


@policy.rule("edit", model=RiskPoint)
def _edit(user, rp):
    if rp.owner_id != user.pk:
        return deny(_("只有提出人可以修改风险点。"))
    if not rp.is_editable:
        return not_now(_("风险点当前为“%(state)s”，不能修改。") % {"state": rp.get_state_display()})
    return ALLOW


@policy.rule("submit", model=RiskPoint)
def _submit(user, rp):
    if rp.owner_id != user.pk:
        return deny(_("只有提出人可以提交风险点。"))
    if not rp.can_move_to(State.SUBMITTED):
        return _wrong_state(rp, pgettext("风险点操作", "提交"))
    return ALLOW


@policy.rule("return", model=RiskPoint)
def _return(user, rp):
    """A submitted point goes back from its reviewer; a graded one from the office before confirming."""
    if rp.state == State.GRADED:
        allowed = runs_campaign(user, rp)
    elif rp.state == State.SUBMITTED:
        allowed = reviews(user, rp)
    else:
        allowed = reviews(user, rp) or runs_campaign(user, rp)
        if allowed:
            return _wrong_state(rp, pgettext("风险点操作", "退回"))
    if not allowed:
        return deny(_("您无权退回该风险点（不能退回本人提出的风险点）。"))
    return ALLOW


@policy.rule("grade", model=RiskPoint)
def _grade(user, rp):
    if not reviews(user, rp):
        return deny(_("您无权评定该风险点的等级（任何人不能评定本人提出的风险点）。"))
    if rp.state != State.SUBMITTED:
        return not_now(_("风险点当前为“%(state)s”，不能评定等级。") % {"state": rp.get_state_display()})
    return ALLOW


@policy.rule("adjust_grade", model=RiskPoint)
def _adjust_grade(user, rp):
    if not runs_campaign(user, rp):
        return deny(_("只有领导小组办公室可以在确定前调整等级（不能调整本人提出的风险点）。"))
    if rp.state != State.GRADED:
        return not_now(
            _("风险点当前为“%(state)s”，只有“已评级”的风险点可以调整等级。") % {"state": rp.get_state_display()}
        )
    return ALLOW


@policy.rule("confirm", model=RiskPoint)
def _confirm(user, rp):
    if not (runs_campaign(user, rp) or decides_collectively(user, rp)):
        return deny(_("您无权确定风险点“%(rp)s”（不能确定本人提出的风险点）。") % {"rp": rp})
    if rp.state != State.GRADED:
        return not_now(
            _("风险点“%(rp)s”当前为“%(state)s”，只有“已评级”的风险点可以确定。")
            % {"rp": rp, "state": rp.get_state_display()}
        )
    return ALLOW


@policy.rule("publish", model=RiskPoint)
def _publish(user, rp):
    if not runs_campaign(user, rp):
        return deny(_("您无权公示风险点“%(rp)s”。") % {"rp": rp})
    if not rp.can_move_to(State.PUBLISHED):
        return _wrong_state(rp, pgettext("风险点操作", "公示"))
    return ALLOW


@policy.rule("retire", model=RiskPoint)
def _retire(user, rp):
    """The office retires a point whose power or post no longer exists; the owner may withdraw a draft."""
    own_draft = rp.owner_id == user.pk and rp.state == State.DRAFT
    if not (own_draft or is_office_of(user, rp.court)):
        return deny(_("只有领导小组办公室可以撤销风险点（提出人可撤回本人的草稿）。"))
    if not rp.can_move_to(State.RETIRED):
        return _wrong_state(rp, pgettext("风险点操作", "撤销"))
    return ALLOW


@policy.rule("mark_controlled", model=RiskPoint)
def _mark_controlled(user, rp):
    """A published point is under control once at least one of its measures is in place."""
    if not is_office_of(user, rp.court):
        return deny(_("只有领导小组办公室可以将风险点标记为已防控。"))
    if not rp.can_move_to(State.CONTROLLED):
        return _wrong_state(rp, pgettext("风险点操作", "标记为已防控"))
    if not rp.measures.filter(status__in=("in_place", "checked")).exists():
        return not_now(_("该风险点尚无已落实的防控措施，不能标记为已防控。"))
    return ALLOW


@policy.rule("request_peer_check", model=RiskPoint)
def _request_peer_check(user, rp):
    """互相查: the head of the point's division or the office asks a colleague to check it."""
    if not (heads(user, rp.division_id) or is_office_of(user, rp.court)):
        return deny(_("只有庭室负责人或领导小组办公室可以发起互相查。"))
    if rp.state == State.RETIRED:
        return not_now(_("风险点已撤销，不能发起互相查。"))
    return ALLOW


@policy.rule("comment_peer_check", model=RiskPoint)
def _comment_peer_check(user, rp):
    reviewers = getattr(rp, "peer_reviewer_ids", None)  # read with the row by risks.selectors.risk_point_detail
    invited = (
        user.pk in reviewers
        if reviewers is not None
        else PeerCheck.objects.filter(risk_point=rp, reviewer=user).exists()
    )
    if not invited:
        return deny(_("您没有被邀请互查该风险点。"))
    return ALLOW


# ---------------------------------------------------------------- lists, catalogue, import (asked by name)


@policy.rule("bulk_review")
def _bulk_review(user, obj=None):
    """The list offers returning and grading in a batch to those who review (each point is checked again)."""
    return holds(user, *REVIEWER_ROLES) or deny(_("您没有批量操作的权限。"))


@policy.rule("bulk_campaign")
def _bulk_campaign(user, obj=None):
    """The list offers confirming and publishing in a batch to the office (each point is checked again)."""
    return holds(user, Role.OFFICE) or deny(_("您没有批量操作的权限。"))


@policy.rule("bulk_confirm")
def _bulk_confirm(user, obj=None):
    """The leading group confirms court-level points in a batch (集体定); each point is checked again."""
    return holds(user, Role.OFFICE, Role.LEADING_GROUP) or deny(_("您没有批量操作的权限。"))


@policy.rule("export")
def _export(user, obj=None):
    """Anyone signed in exports what they can see: the rows come through ``visible_to``."""
    return ALLOW


@policy.rule("read_feedback")
def _read_feedback(user, obj=None):
    """群众提: comments from the public are for the office and the leading group only."""
    return holds(user, *OVERSIGHT_ROLES) or deny(_("群众意见只向领导小组办公室和领导小组成员开放。"))


@policy.rule("manage_catalogue")
def _manage_catalogue(user, court):
    """The office or a system administrator of the court (or a court above it) keeps the whole catalogue:
    court-level powers, imports, any division's powers, also after the catalogue is locked."""
    if not is_campaign_admin_of(user, court):
        return deny(_("只有领导小组办公室或系统管理员可以维护本院的职权目录。"))
    return ALLOW


def catalogue_lock(court):
    """The court's lock (清权确权 closed), or ``None``. Read once per court and request."""
    if court is None:
        return None
    if not hasattr(court, "_hk_catalogue_lock"):
        court._hk_catalogue_lock = CatalogueLock.objects.filter(court_id=court.pk).first()
    return court._hk_catalogue_lock


def _locked_refusal(court):
    lock = catalogue_lock(court)
    return not_now(
        _("本院职权目录已于%(date)s经领导小组办公室审核锁定，如需修改请联系领导小组办公室。")
        % {"date": timezone.localtime(lock.locked_at).strftime("%Y-%m-%d")}
    )


@policy.rule("add_power", model=Division)
def _add_power(user, division):
    """清权确权 by the divisions: the head adds a power exercised by the division (until the office locks the
    catalogue); the office and the administrator always may."""
    if division is None:
        return deny(_("请选择行使庭室。"))
    if is_campaign_admin_of(user, division.court):
        return ALLOW
    if not heads(user, division.pk):
        return deny(_("只有本庭室负责人或领导小组办公室可以维护该庭室的职权。"))
    if catalogue_lock(division.court):
        return _locked_refusal(division.court)
    return ALLOW


@policy.rule("edit_power", model=Power)
def _edit_power(user, power):
    """Change a power and its flowchart: the head of the exercising division until the lock; the office and
    the administrator always (court-level powers, with no division, are theirs alone)."""
    if is_campaign_admin_of(user, power.court):
        return ALLOW
    if not heads(user, power.division_id):
        return deny(_("只有本庭室负责人或领导小组办公室可以修改该职权及其流程图。"))
    if catalogue_lock(power.court):
        return _locked_refusal(power.court)
    return ALLOW


@policy.rule("lock_catalogue", model=Court)
def _lock_catalogue(user, court):
    """The office reviews the catalogue the divisions compiled and locks it when phase two ends."""
    if not is_office_of(user, court):
        return deny(_("只有领导小组办公室可以审核锁定职权目录。"))
    if catalogue_lock(court):
        return not_now(_("本院职权目录已经锁定。"))
    return ALLOW


@policy.rule("unlock_catalogue", model=Court)
def _unlock_catalogue(user, court):
    if not is_office_of(user, court):
        return deny(_("只有领导小组办公室可以解除职权目录的锁定。"))
    if not catalogue_lock(court):
        return not_now(_("本院职权目录尚未锁定。"))
    return ALLOW


@policy.rule("import_powers")
def _import_powers(user, court):
    if not is_campaign_admin_of(user, court):
        return deny(_("只有领导小组办公室或系统管理员可以导入本院的职权目录。"))
    return ALLOW


@policy.rule("import_risk_points")
def _import_risk_points(user, court=None):
    """The office enters points collected outside the system (``court=None``: into some court)."""
    allowed = holds(user, Role.OFFICE) if court is None else is_office_of(user, court)
    return allowed or deny(_("只有领导小组办公室可以导入风险点。"))


@policy.rule("recompute_responsible_leaders")
def _recompute(user, court=None):
    """After an org change (``court=None``: for some court)."""
    allowed = holds(user, Role.OFFICE, Role.ADMIN) if court is None else is_campaign_admin_of(user, court)
    return allowed or deny(_("只有领导小组办公室或系统管理员可以重算责任领导。"))

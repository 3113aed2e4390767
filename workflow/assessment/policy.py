"""What a person may do with questionnaires and interviews: the rules of ``assessment.*``.

Answering is not here: the one-time token (or the public link) is the credential, and the answer is
anonymous, so no rule is asked about the person who answers.
"""

from django.utils.translation import gettext_lazy as _

from hkcourt.org.policy import ALLOW, Policy, deny, holds, is_office_of, is_oversight_of, not_now, presides, roles_of
from hkcourt.org.roles import Role

from .models import Item, Questionnaire, QuestionnaireState

policy = Policy("assessment")

ONLY_OFFICE = _("只有领导小组办公室可以%(what)s。")


def leads_court(user, court) -> bool:
    """The court's president or one of its deputy leaders (院领导)."""
    return presides(user, court.pk) or court.pk in roles_of(user).court_ids(Role.DEPUTY_LEADER)


def _office(user, court, what):
    if court is None:
        return holds(user, Role.OFFICE) or deny(ONLY_OFFICE % {"what": what})
    return is_office_of(user, court) or deny(ONLY_OFFICE % {"what": what})


@policy.rule("create")
def _create(user, court):
    """``court``: the questionnaire's court, or None for "may create one somewhere"."""
    return _office(user, court, _("制作问卷"))


@policy.rule("edit", model=Questionnaire)
def _edit(user, q):
    decision = _office(user, q.court, _("修改问卷"))
    if not decision:
        return decision
    if q.state != QuestionnaireState.DRAFT:
        return not_now(_("问卷已发放，题目和设置不能再修改。"))
    return ALLOW


def _distributable(q, what):
    if q.state == QuestionnaireState.CLOSED:
        return not_now(_("问卷已结束，不能再%(what)s。") % {"what": what})
    if q.expired:
        return not_now(_("问卷已于%(day)s截止，不能再%(what)s。") % {"day": q.closes_on.isoformat(), "what": what})
    if not q.items.exists():
        return not_now(_("问卷还没有题目，不能%(what)s。") % {"what": what})
    return ALLOW


@policy.rule("send", model=Questionnaire)
def _send(user, q):
    decision = _office(user, q.court, _("发放问卷"))
    return _distributable(q, _("发放")) if decision else decision


@policy.rule("publish", model=Questionnaire)
def _publish(user, q):
    decision = _office(user, q.court, _("向社会公开问卷"))
    if not decision:
        return decision
    if q.is_public:
        return not_now(_("问卷已公开发布。"))
    return _distributable(q, _("公开发布"))


@policy.rule("close", model=Questionnaire)
def _close(user, q):
    decision = _office(user, q.court, _("结束问卷"))
    if not decision:
        return decision
    if q.state != QuestionnaireState.OPEN:
        return not_now(_("问卷当前为“%(state)s”，不能结束。") % {"state": q.get_state_display()})
    return ALLOW


@policy.rule("results", model=Questionnaire)
def _results(user, q):
    if is_oversight_of(user, q.court) or leads_court(user, q.court):
        return ALLOW
    return deny(_("问卷结果仅供领导小组及其办公室和本院院领导查看。"))


@policy.rule("rectify", model=Item)
def _rectify(user, item):
    from .stats import item_stats

    q = item.questionnaire
    decision = _office(user, q.court, _("下达整改"))
    if not decision:
        return decision
    if item.rectification_id:
        return not_now(_("已就该题下达整改。"))
    if not q.finished:
        return not_now(_("问卷结束后才能根据结果下达整改。"))
    stats = item_stats(item)
    if not stats.below:
        return not_now(_("该题满意度未低于整改线（或答卷不足%(n)s份），无需整改。") % {"n": stats.min_group})
    return ALLOW


@policy.rule("interviews")
def _interviews(user, court):
    """``court``: the interview's court, or None for "keeps interviews somewhere"."""
    return _office(user, court, _("登记和查看个别访谈"))


# ---------------------------------------------------------------- the indicator system (on a campaign)

SCORE_READERS = (Role.OFFICE, Role.LEADING_GROUP, Role.PRESIDENT, Role.DEPUTY_LEADER, Role.DIVISION_HEAD)


@policy.rule("scores")
def _scores(user, campaign):
    """Read a campaign's scores and ranking (each reader sees the rows of their reach: the office and the
    leading group their court and below, court leaders their court, division heads their division)."""
    if holds(user, *SCORE_READERS):
        return ALLOW
    return deny(_("考核评估结果仅供领导小组及其办公室、院领导和庭室负责人查看。"))


@policy.rule("weights")
def _weights(user, campaign):
    """Edit a campaign's indicator weights (a new version each time)."""
    if campaign is None or campaign.court is None:
        return deny(_("请选择工作方案。"))
    return _office(user, campaign.court, _("调整考核指标权重"))

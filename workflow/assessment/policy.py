"""What a person may do with questionnaires and interviews: the rules of ``assessment.*``.

Answering is not here: the one-time token (or the public link) is the credential, and the answer is
anonymous, so no rule is asked about the person who answers.
"""

from django.utils.translation import gettext_lazy as _

from hkcourt.org.policy import (
    ALLOW,
    Policy,
    deny,
    heads,
    holds,
    is_office_of,
    is_oversight_of,
    not_now,
    presides,
    roles_of,
)
from hkcourt.org.roles import Role

from .models import (
    ACCEPTANCE_READERS,
    Acceptance,
    AcceptanceState,
    AcceptanceUnit,
    Item,
    PhaseSummary,
    Questionnaire,
    QuestionnaireState,
)

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


@policy.rule("manual_score")
def _manual_score(user, campaign):
    """A manual score (with reason and evidence) for an indicator of a unit: the campaign court's office."""
    if campaign is None or campaign.court is None:
        return deny(_("请选择工作方案。"))
    return _office(user, campaign.court, _("人工评分"))


# ---------------------------------------------------------------- 考核验收


@policy.rule("acceptances")
def _acceptances(user, obj=None):
    """The acceptance pages: the office, the leading group, court leaders and division heads (each sees the
    units of their reach); staff none."""
    if holds(user, *ACCEPTANCE_READERS):
        return ALLOW
    return deny(_("考核验收仅供领导小组及其办公室、院领导和庭室负责人查看。"))


@policy.rule("create_acceptance")
def _create_acceptance(user, campaign):
    """Organise an acceptance of a campaign's units: the office of the campaign's court (without a campaign:
    the office of some court)."""
    if campaign is None:
        return holds(user, Role.OFFICE) or deny(ONLY_OFFICE % {"what": _("组织考核验收")})
    return _office(user, campaign.court, _("组织考核验收"))


def _open(unit_or_acceptance):
    acceptance = getattr(unit_or_acceptance, "acceptance", unit_or_acceptance)
    if acceptance.state != AcceptanceState.OPEN:
        return not_now(_("本次考核验收已结束。"))
    if isinstance(unit_or_acceptance, AcceptanceUnit) and unit_or_acceptance.grade:
        return not_now(_("该单位已作出验收结论。"))
    return ALLOW


def answers_for_unit(user, unit) -> bool:
    """The unit's own leader: the division head of a division; the president or the court's own office (not
    one above) of a court."""
    if unit.division_id:
        return heads(user, unit.division_id)
    return presides(user, unit.court_id) or unit.court_id in roles_of(user).court_ids(Role.OFFICE)


def member_of(user, unit) -> bool:
    person = roles_of(user).person
    if person is None:
        return False
    return person.division_id == unit.division_id if unit.division_id else person.court_id == unit.court_id


@policy.rule("self_report", model=AcceptanceUnit)
def _self_report(user, unit):
    """自我检查: the unit's own report, by its leader."""
    if not answers_for_unit(user, unit):
        return deny(_("自查报告由被验收单位的负责人提交。"))
    return _open(unit)


def _checker(user, unit, what):
    """上级抽查 and the result: the office of the organising court, never of its own unit."""
    if not is_office_of(user, unit.acceptance.court):
        return deny(ONLY_OFFICE % {"what": what})
    if member_of(user, unit):
        return deny(_("不能对本单位进行%(what)s。") % {"what": what})
    return ALLOW


@policy.rule("spot_check", model=AcceptanceUnit)
def _spot_check(user, unit):
    decision = _checker(user, unit, _("上级抽查"))
    return _open(unit) if decision else decision


@policy.rule("social", model=AcceptanceUnit)
def _social(user, unit):
    decision = _checker(user, unit, _("社会评议"))
    if not decision:
        return decision
    decision = _open(unit)
    if not decision:
        return decision
    q = unit.acceptance.questionnaire
    if q is None:
        return not_now(_("本次验收未指定社会评议问卷。"))
    if not q.finished:
        return not_now(_("社会评议问卷结束后才能计算评议结果。"))
    return ALLOW


@policy.rule("decide", model=AcceptanceUnit)
def _decide(user, unit):
    decision = _checker(user, unit, _("作出验收结论"))
    if not decision:
        return decision
    decision = _open(unit)
    if not decision:
        return decision
    if not unit.self_at:
        return not_now(_("该单位尚未提交自查报告。"))
    if not unit.spot_at:
        return not_now(_("尚未完成上级抽查。"))
    if unit.acceptance.questionnaire_id and not unit.social_at:
        return not_now(_("尚未计算社会评议结果。"))
    return ALLOW


@policy.rule("close_acceptance", model=Acceptance)
def _close_acceptance(user, acceptance):
    decision = _office(user, acceptance.court, _("结束考核验收"))
    if not decision:
        return decision
    if acceptance.state != AcceptanceState.OPEN:
        return not_now(_("本次考核验收已结束。"))
    if acceptance.units.filter(grade="").exists():
        return not_now(_("还有单位没有验收结论，不能结束。"))
    return ALLOW


# ---------------------------------------------------------------- phase summaries


@policy.rule("summaries")
def _summaries(user, obj=None):
    if holds(user, *ACCEPTANCE_READERS):
        return ALLOW
    return deny(_("阶段总结仅供领导小组及其办公室、院领导和庭室负责人查看。"))


@policy.rule("write_summary")
def _write_summary(user, target):
    """``target``: (phase, court, division or None). The court's summary by its own office (or an office
    above); a division's stage summary by its head. Only once the phase has started."""
    phase, court, division = target
    if division is None:
        decision = _office(user, court, _("撰写阶段总结"))
    else:
        decision = ALLOW if heads(user, division.pk) else deny(_("庭室阶段总结由庭室负责人提交。"))
    if not decision:
        return decision
    if not phase.has_started:
        return not_now(_("该阶段尚未开始，不能撰写总结。"))
    return ALLOW


@policy.rule("edit_summary", model=PhaseSummary)
def _edit_summary(user, summary):
    return _write_summary(user, (summary.phase, summary.court, summary.division))


# ---------------------------------------------------------------- the campaign report


@policy.rule("report")
def _report(user, campaign):
    """Generate and download the campaign report: the office and the leading group of the campaign's court."""
    if campaign is None or campaign.court is None:
        return deny(_("请选择工作方案。"))
    if is_oversight_of(user, campaign.court):
        return ALLOW
    return deny(_("工作总结报告仅供领导小组及其办公室使用。"))

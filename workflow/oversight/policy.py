"""What a person may do in the early-warning work (预警处置): one rule per action, asked by the services (which
enforce it first), the views and the templates (which only ask). Seeing a row is ``visible_to``'s answer; these
rules answer "may this person take this action on this row, now".

Who acts:

- the office (领导小组办公室) of the row's court or of a court above it records signals, converts public feedback,
  handles and closes warnings, registers each rung of handling, closes handling and checks rectifications;
- the warning rules are city-wide (全市法院通用): only the office of the top court (the court with no parent)
  edits them or runs them on demand;
- the person a handling was delivered to reports back (回告); the owner of a rectification (or the office) reports
  its progress; nobody checks their own rectification;
- the office and the leading group read the early-warning pages; only the office reads the integrity dossier,
  never their own.
"""

from django.utils.translation import gettext as _

from hkcourt.org.policy import ALLOW, Policy, deny, holds, is_active, is_office_of, not_now
from hkcourt.org.roles import OVERSIGHT_ROLES, Role

from .models import (
    Handling,
    HandlingKind,
    HandlingState,
    Rectification,
    RectificationState,
    Signal,
    Warning,
    WarningRule,
    WarningState,
)

policy = Policy("oversight")


def top_courts():
    from hkcourt.org.models import Court

    return list(Court.objects.filter(parent__isnull=True))


def is_top_office(user) -> bool:
    """The office of the top court: the warning rules are one set for every court under it. Read once per user
    object (like its roles)."""
    if not is_active(user):
        return False
    cached = getattr(user, "_oversight_top_office", None)
    if cached is None:
        tops = top_courts()
        cached = bool(tops) and all(is_office_of(user, court) for court in tops)
        user._oversight_top_office = cached
    return cached


def _rules_refusal(what):
    tops = top_courts()
    court = tops[0].name if len(tops) == 1 else _("上级法院")
    return deny(_("预警规则全市法院通用，只有%(court)s领导小组办公室可以%(what)s。") % {"court": court, "what": what})


# ---------------------------------------------------------------- pages


@policy.rule("oversee")
def _oversee(user, obj=None):
    """The early-warning pages (signals, warnings, rectifications of others) are the office's and the leading
    group's."""
    if not holds(user, *OVERSIGHT_ROLES):
        return deny(_("只有领导小组及其办公室可以查看预警处置。"))
    return ALLOW


@policy.rule("view_dossier")
def _view_dossier(user, person=None):
    """廉政档案: the office, of the people of its courts, never its own. Without a person: may open the index."""
    if person is None:
        return ALLOW if holds(user, Role.OFFICE) else deny(_("只有领导小组办公室可以查看廉政档案。"))
    if person.user_id == user.pk:
        return deny(_("不能查看本人的廉政档案。"))
    if not is_office_of(user, person.court):
        return deny(_("只有领导小组办公室可以查看廉政档案。"))
    return ALLOW


# ---------------------------------------------------------------- signals


@policy.rule("record_signal")
def _record_signal(user, court=None):
    """Record risk information about ``court`` (without a court: at some court)."""
    if court is None:
        ok = holds(user, Role.OFFICE)
    else:
        ok = is_office_of(user, court)
    return ALLOW if ok else deny(_("只有领导小组办公室可以登记风险信息。"))


@policy.rule("convert_feedback")
def _convert_feedback(user, feedback):
    """群众提: turn a comment left on the public page into a signal (once)."""
    if not is_office_of(user, feedback.court):
        return deny(_("只有领导小组办公室可以将群众意见转为风险信息。"))
    if hasattr(feedback, "signal"):
        return not_now(_("该群众意见已转为风险信息。"))
    return ALLOW


@policy.rule("handle_signal", model=Signal)
def _handle_signal(user, signal):
    if not is_office_of(user, signal.court):
        return deny(_("只有领导小组办公室可以登记处置。"))
    return ALLOW


# ---------------------------------------------------------------- rules and warnings


@policy.rule("run_rules")
def _run_rules(user, obj=None):
    """立即运行: the rules run over every court, so only the top court's office runs them on demand."""
    if not is_top_office(user):
        return _rules_refusal(_("运行预警规则"))
    return ALLOW


@policy.rule("edit_rule", model=WarningRule)
def _edit_rule(user, rule):
    if not is_top_office(user):
        return _rules_refusal(_("修改预警规则"))
    return ALLOW


@policy.rule("edit_levels")
def _edit_levels(user, obj=None):
    """What each colour means is city-wide like the rules: only the top court's office words it."""
    if not is_top_office(user):
        return _rules_refusal(_("修改预警等级的含义"))
    return ALLOW


@policy.rule("handle_warning", model=Warning)
def _handle_warning(user, warning):
    """Register handling on a warning (it goes from 待处置 to 处置中)."""
    if not is_office_of(user, warning.court):
        return deny(_("只有领导小组办公室可以登记处置。"))
    if warning.state == WarningState.CLOSED:
        return not_now(_("该预警已办结，不能再登记处置。"))
    return ALLOW


@policy.rule("close_warning", model=Warning)
def _close_warning(user, warning):
    if not is_office_of(user, warning.court):
        return deny(_("只有领导小组办公室可以办结预警。"))
    if warning.state == WarningState.CLOSED:
        return not_now(_("该预警已办结。"))
    return ALLOW


# ---------------------------------------------------------------- the handling ladder


def _source_rule(user, source):
    if isinstance(source, Warning):
        return _handle_warning(user, source)
    if isinstance(source, Signal):
        return _handle_signal(user, source)
    return deny(_("处置须针对一条预警或风险信息。"))


@policy.rule(HandlingKind.REMINDER.value)
def _reminder(user, source):
    """风险提示 on a warning or signal: delivered to the person, report-back due."""
    return _source_rule(user, source)


@policy.rule(HandlingKind.TALK.value)
def _talk(user, source):
    """诫勉谈话 on a warning or signal: recorded with its date, talkers and record; not delivered."""
    return _source_rule(user, source)


@policy.rule(HandlingKind.ORDER.value)
def _order(user, source):
    """责令纠错 on a warning or signal: delivered, report-back due, opens a rectification."""
    return _source_rule(user, source)


RUNG_ACTIONS = {kind: f"{policy.label}.{kind}" for kind in HandlingKind.values}


@policy.rule("report_back", model=Handling)
def _report_back(user, handling):
    """回告: only the person it was delivered to, once, for a reminder or an order still open."""
    if handling.person_id != user.pk or not handling.delivered_at:
        return deny(_("只有处置对象本人可以回告。"))
    if not handling.needs_report:
        return not_now(_("诫勉谈话无需回告。"))
    if handling.state != HandlingState.OPEN:
        return not_now(_("该处置当前为“%(state)s”，不能再回告。") % {"state": handling.get_state_display()})
    return ALLOW


@policy.rule("close_handling", model=Handling)
def _close_handling(user, handling):
    if not is_office_of(user, handling.court):
        return deny(_("只有领导小组办公室可以办结处置。"))
    if handling.state == HandlingState.CLOSED:
        return not_now(_("该处置已办结。"))
    if (
        handling.kind == HandlingKind.ORDER
        and Rectification.objects.filter(handling=handling, state=RectificationState.OPEN).exists()
    ):
        return not_now(_("责令纠错的整改尚未验收，不能办结。"))
    return ALLOW


# ---------------------------------------------------------------- rectification


@policy.rule("report_progress", model=Rectification)
def _report_progress(user, rect):
    if not (rect.owner_id == user.pk or is_office_of(user, rect.court)):
        return deny(_("只有整改责任人或领导小组办公室可以报告整改进展。"))
    if rect.state != RectificationState.OPEN:
        return not_now(_("整改已验收，不能再报告进展。"))
    return ALLOW


@policy.rule("close_rectification", model=Rectification)
def _close_rectification(user, rect):
    """验收: the office's closing check, never of one's own rectification, once progress was reported."""
    if not is_office_of(user, rect.court):
        return deny(_("只有领导小组办公室可以验收整改。"))
    if rect.owner_id == user.pk:
        return deny(_("不能验收本人的整改。"))
    if rect.state != RectificationState.OPEN:
        return not_now(_("整改当前为“%(state)s”，不能再验收。") % {"state": rect.get_state_display()})
    if not rect.progress.exists():
        return not_now(_("整改责任人尚未报告整改进展，不能验收。"))
    return ALLOW


@policy.rule("order_unit_rectification")
def _order_unit_rectification(user, court):
    """责令整改、重新补课 of a whole unit (a court or one of its divisions), e.g. after a failed acceptance: the
    office of the unit's court or of a court above."""
    if court is None or not is_office_of(user, court):
        return deny(_("只有领导小组办公室可以责令单位整改。"))
    return ALLOW

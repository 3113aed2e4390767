"""What a person may do with a campaign (工作方案): one rule per action, registered on ``Policy("workflow")``.

Services enforce these rules first (``policy.check``); the campaign pages only ask them
(``{% allowed_actions campaign as may %}``, ``{% allowed_actions task as may %}``), so a button shows exactly
when the service would accept. Rules include the state conditions:

- the office (领导小组办公室) of the campaign's leading court, or of a court above it, runs the campaign:
  dates, tick-offs, 催办;
- the built-in template is copied, never run or edited;
- 催办 makes sense only once the task's phase has started and while someone has still not done it; a
  tick-off only while someone has still not done it.

"Has everyone done it" needs the task's progress: a page's selector attaches the progress it computed anyway
(``progress.attach``), so asking costs no query there; anywhere else it is counted when asked.

Who sees a campaign at all is ``Campaign.objects.visible_to`` (404 outside it), not a rule here.
"""

from django.utils.translation import gettext_lazy as _

from hkcourt.org.policy import ALLOW, Policy, deny, holds, is_office_of, not_now
from hkcourt.org.roles import CAMPAIGN_ADMIN_ROLES, Role

from .models import Campaign, PhaseTask, PhaseTaskCompletion
from .progress import task_progress

policy = Policy("workflow")

OFFICE_ONLY = _("只有领导小组办公室可以管理工作方案。")


def _runs(user, campaign) -> bool:
    """The office of the campaign's leading court or of a court above it (superusers too)."""
    return is_office_of(user, campaign.court)


# ---------------------------------------------------------------- campaigns


@policy.rule("create_campaign")
def _create_campaign(user, court):
    """Start a campaign led by ``court``; without a court: may the person start campaigns at all."""
    allowed = holds(user, Role.OFFICE) if court is None else is_office_of(user, court)
    return ALLOW if allowed else deny(_("只有领导小组办公室可以创建工作方案。"))


@policy.rule("copy", model=Campaign)
def _copy(user, campaign):
    """Use this campaign (the template, an earlier year's) as the source of a new one, led by the person's
    own court (the court itself is asked with ``create_campaign``)."""
    return _create_campaign(user, None)


@policy.rule("edit_schedule", model=Campaign)
def _edit_schedule(user, campaign):
    """Change the dates of the phases and the deadlines of the tasks."""
    if campaign.is_template:
        return deny(_("内置模板不能修改，请先由模板创建工作方案。"))
    if not _runs(user, campaign):
        return deny(_("只有领导小组办公室可以调整本工作方案的日期。"))
    return ALLOW


@policy.rule("run_schedule")
def _run_schedule(user, _obj):
    """Run the campaign's scheduled work by hand (advance the phases, send reminders, escalate the
    overdue). The scheduler itself runs it as the system, without a person."""
    if not holds(user, *CAMPAIGN_ADMIN_ROLES):
        return deny(_("只有领导小组办公室或系统管理员可以运行工作方案的定时任务。"))
    return ALLOW


# ---------------------------------------------------------------- tasks


@policy.rule("complete", model=PhaseTask)
def _complete(user, task):
    """Tick off (登记完成) units that have done the task, with a note and an attachment."""
    campaign = task.phase.campaign
    if campaign.is_template:
        return deny(_("模板中的任务不能登记完成情况。"))
    if not _runs(user, campaign):
        return deny(OFFICE_ONLY)
    if not task_progress(task).behind:
        return not_now(_("所有对象均已完成该任务，无需登记。"))
    return ALLOW


@policy.rule("urge", model=PhaseTask)
def _urge(user, task):
    """催办: remind, now, everyone who has not yet done the task — once its phase has started."""
    campaign = task.phase.campaign
    if campaign.is_template:
        return deny(_("模板不能催办。"))
    if not _runs(user, campaign):
        return deny(OFFICE_ONLY)
    if not task.phase.has_started:
        return not_now(
            _("“%(phase)s”将于 %(start)s 开始，开始前不能催办。")
            % {"phase": task.phase.name, "start": task.phase.start}
        )
    if not task_progress(task).behind:
        return not_now(_("所有对象均已完成该任务，无需催办。"))
    return ALLOW


@policy.rule("undo", model=PhaseTaskCompletion)
def _undo(user, completion):
    """Withdraw a tick-off (with a reason)."""
    if not _runs(user, completion.task.phase.campaign):
        return deny(OFFICE_ONLY)
    return ALLOW

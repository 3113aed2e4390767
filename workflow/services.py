"""Business actions on campaigns: one function per action, keyword-only, in a transaction, validated,
permission-checked and written to the audit log. Each action asks its rule in ``workflow/policy.py`` first
(``policy.check``), and nothing else decides who may act. The periodic sweeps (phase opening and closing,
deadline reminders, overdue escalation) are services too, run by the Celery tasks with ``actor=None``
(the system); each is idempotent through the notifications' unique key. The sweeps are deliberately
*not* one transaction: they commit chunk by chunk (see ``notify_many``), so that a worker killed
half-way keeps what it did and the next run completes the rest without repeating any of it.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.notifications.services import Message, notify_many
from hkcourt.org import audit, policy, texts, transitions
from hkcourt.org.files import check_upload
from hkcourt.org.models import Court

from . import template_2012
from .models import (
    MAX_REMINDER_DAYS,
    PHASE_STEP_TO,
    Campaign,
    Phase,
    PhaseState,
    PhaseTask,
    PhaseTaskCompletion,
    Unit,
    local_today,
)
from .progress import CampaignUnits, progress_of

log = logging.getLogger(__name__)

audit.register(
    {
        "workflow.campaign_copy": gettext_lazy("由模板创建工作方案"),
        "workflow.schedule_update": gettext_lazy("调整工作方案日期"),
        "workflow.task_complete": gettext_lazy("登记任务完成"),
        "workflow.task_complete_undo": gettext_lazy("撤销完成登记"),
        "workflow.task_urge": gettext_lazy("催办"),
        "workflow.phase_state": gettext_lazy("阶段状态变更"),
        "workflow.reminders": gettext_lazy("截止日期提醒"),
        "workflow.escalation": gettext_lazy("逾期上报"),
    }
)

# What the notifications say, rendered in the reader's language (hkcourt.org.texts).
texts.register(
    {
        "workflow.task_urge": gettext_lazy("【催办】%(task)s（截止 %(deadline)s）"),
        "workflow.task_urge.body": gettext_lazy("领导小组办公室提醒您尽快完成“%(task)s”。%(desc)s"),
        "workflow.phase_open": gettext_lazy("%(campaign)s：第%(n)s阶段“%(name)s”开始（%(start)s 至 %(end)s）"),
        "workflow.phase_close": gettext_lazy("%(campaign)s：第%(n)s阶段“%(name)s”已于 %(end)s 结束"),
        "workflow.phase_close.body": gettext_lazy("请查看本阶段各项任务的完成情况，对未完成的事项督促整改。"),
        "workflow.task_reminder": gettext_lazy("提醒：“%(task)s”还有 %(days)s 天截止（%(deadline)s）"),
        "workflow.task_reminder.body": gettext_lazy(
            "%(campaign)s 第%(n)s阶段“%(phase)s”的任务“%(task)s”尚未完成。%(desc)s"
        ),
        "workflow.task_reminder_today": gettext_lazy("提醒：“%(task)s”今天（%(deadline)s）截止"),
        "workflow.task_reminder_today.body": gettext_lazy(
            "%(campaign)s 第%(n)s阶段“%(phase)s”的任务“%(task)s”尚未完成。%(desc)s"
        ),
        "workflow.task_overdue": gettext_lazy("逾期：“%(task)s”已于 %(deadline)s 截止，%(count)s 个对象未完成"),
        "workflow.task_overdue.body": gettext_lazy("%(campaign)s 的任务“%(task)s”逾期未完成：%(names)s。请督促落实。"),
    }
)

# A phase closed longer ago than this is closed silently (history, or a campaign created late).
NOTICE_WINDOW = dt.timedelta(days=7)
# Overdue tasks are escalated once, the day after the deadline; a sweep that was down catches up
# within this window, older misses are not dug up.
ESCALATION_WINDOW = dt.timedelta(days=14)

# ---------------------------------------------------------------- validation


def validate_schedule(phases, deadlines):
    """``phases``: [(key, name, start, end)], ``deadlines``: [(phase key, task title, deadline)].
    Raises one ValidationError listing every problem, in Chinese."""
    errors = []
    if not phases:
        raise ValidationError(_("工作方案至少需要一个阶段。"))
    for _key, name, start, end in phases:
        if start is None or end is None:
            errors.append(_("阶段“%(name)s”缺少开始或结束日期。") % {"name": name})
        elif end < start:
            errors.append(
                _("阶段“%(name)s”的结束日期（%(end)s）早于开始日期（%(start)s）。")
                % {"name": name, "end": end, "start": start}
            )
    if errors:
        raise ValidationError(errors)
    ordered = sorted(phases, key=lambda p: p[2])
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after[2] <= before[3]:
            errors.append(
                _("阶段“%(a)s”（%(a_start)s 至 %(a_end)s）与阶段“%(b)s”（%(b_start)s 至 %(b_end)s）时间重叠。")
                % {
                    "a": before[1],
                    "a_start": before[2],
                    "a_end": before[3],
                    "b": after[1],
                    "b_start": after[2],
                    "b_end": after[3],
                }
            )
    by_key = {p[0]: p for p in phases}
    for phase_key, title, deadline in deadlines:
        _k, name, start, end = by_key[phase_key]
        if deadline is None:
            errors.append(_("任务“%(task)s”缺少截止日期。") % {"task": title})
        elif not start <= deadline <= end:
            errors.append(
                _("任务“%(task)s”的截止日期 %(deadline)s 不在“%(phase)s”（%(start)s 至 %(end)s）之内。")
                % {"task": title, "deadline": deadline, "phase": name, "start": start, "end": end}
            )
    if errors:
        raise ValidationError(errors)


def _validate_campaign(campaign):
    phases = list(campaign.phases.all())
    tasks = list(PhaseTask.objects.filter(phase__campaign=campaign))
    validate_schedule(
        [(p.pk, p.name, p.start, p.end) for p in phases], [(t.phase_id, t.title, t.deadline) for t in tasks]
    )
    for obj in [campaign, *phases, *tasks]:
        obj.full_clean()


# ---------------------------------------------------------------- campaigns


def ensure_builtin_template() -> Campaign:
    """The 2012–2013 template; idempotent. Installed by data migration 0002 — this is for seeding (the demo,
    tests after a flush of the database), never called by a request."""
    with transaction.atomic():
        return template_2012.install(Campaign, Phase, PhaseTask)


@transaction.atomic
def copy_campaign(
    *, actor, source: Campaign, court: Court, name: str, start: dt.date, covers_subordinates=True, as_template=False
) -> Campaign:
    """A new campaign from ``source`` (usually the template) with every date shifted so that its first
    phase starts on ``start``. The office edits the dates afterwards."""
    policy.check(actor, "workflow.copy", source)
    policy.check(actor, "workflow.create_campaign", court)
    if start is None:
        raise ValidationError({"start": _("请填写开始日期。")})
    phases = list(source.phases.prefetch_related("tasks").order_by("number"))
    if not phases:
        raise ValidationError(_("工作方案至少需要一个阶段：“%(name)s”没有阶段，无法复制。") % {"name": source.name})
    shift = start - min(p.start for p in phases)
    campaign = Campaign(
        name=name,
        year=start.year,
        court=court,
        covers_subordinates=covers_subordinates,
        is_template=as_template,
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    for p in phases:
        phase = Phase.objects.create(
            campaign=campaign, number=p.number, name=p.name, summary=p.summary, start=p.start + shift, end=p.end + shift
        )
        PhaseTask.objects.bulk_create(
            [
                PhaseTask(
                    phase=phase,
                    code=t.code,
                    title=t.title,
                    description=t.description,
                    deadline=t.deadline + shift,
                    responsible_role=t.responsible_role,
                    measure_key=t.measure_key,
                    reminder_days=t.reminder_days,
                    sort_order=t.sort_order,
                )
                for t in p.tasks.all()
            ]
        )
    _validate_campaign(campaign)
    audit.record(
        actor=actor,
        action="workflow.campaign_copy",
        obj=campaign,
        court=court,
        data={"source": source.pk, "shift_days": shift.days, "start": start.isoformat()},
    )
    return campaign


@transaction.atomic
def update_schedule(*, actor, campaign: Campaign, phase_dates: dict, deadlines: dict, reason: str = "") -> Campaign:
    """Change phase dates (``{phase_id: (start, end)}``) and task deadlines (``{task_id: date}``) together;
    refused as a whole, with every problem listed, if the result is not a valid schedule."""
    policy.check(actor, "workflow.edit_schedule", campaign)
    phases = {p.pk: p for p in campaign.phases.all()}
    tasks = {t.pk: t for t in PhaseTask.objects.filter(phase__campaign=campaign)}
    unknown = (set(phase_dates) - set(phases)) | (set(deadlines) - set(tasks))
    if unknown:
        raise ValidationError(_("提交的阶段或任务不属于本工作方案。"))
    before = {pk: (p.start.isoformat(), p.end.isoformat()) for pk, p in phases.items()}
    for pk, (start, end) in phase_dates.items():
        phases[pk].start, phases[pk].end = start, end
    for pk, deadline in deadlines.items():
        tasks[pk].deadline = deadline
    validate_schedule(
        [(p.pk, p.name, p.start, p.end) for p in phases.values()],
        [(t.phase_id, t.title, t.deadline) for t in tasks.values()],
    )
    for p in phases.values():
        p.full_clean()
    Phase.objects.bulk_update(list(phases.values()), ["start", "end"])
    PhaseTask.objects.bulk_update(list(tasks.values()), ["deadline"])
    audit.record(
        actor=actor,
        action="workflow.schedule_update",
        obj=campaign,
        reason=reason,
        data={
            "before": {str(k): v for k, v in before.items()},
            "after": {str(pk): (p.start.isoformat(), p.end.isoformat()) for pk, p in phases.items()},
        },
    )
    return campaign


# ---------------------------------------------------------------- tick-offs


@transaction.atomic
def record_completion(*, actor, task: PhaseTask, unit_id: int, note: str, attachment=None) -> PhaseTaskCompletion:
    """The office records that a unit (person, division or court, by the task) has done a task. For a
    measured task this records work done outside the system (a paper submission) for a unit the
    measure does not count yet."""
    [completion] = record_completions(actor=actor, task=task, unit_ids=[unit_id], note=note, attachment=attachment)
    return completion


@transaction.atomic
def record_completions(*, actor, task: PhaseTask, unit_ids, note: str, attachment=None) -> list:
    """The same for several units at once (a meeting that covered many divisions), in a fixed number of
    queries. All or nothing: one unit that cannot be recorded refuses the whole batch."""
    policy.check(actor, "workflow.complete", task)
    campaign = task.phase.campaign
    if attachment is not None:
        # The same rule as every other upload: allowed types, size limit, a sanitised name.
        attachment.name = check_upload(attachment)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写完成情况说明（如会议纪要、学习记录的要点）。")})
    unit_ids = list(dict.fromkeys(unit_ids))
    if not unit_ids:
        raise ValidationError({"unit": _("请选择完成对象。")})
    units = CampaignUnits(campaign)
    unit = task.unit
    covered = set(units.unit_ids(unit))
    outside = [u for u in unit_ids if u not in covered]
    if outside:
        raise ValidationError({"unit": _("所选对象不在本工作方案范围内。")})
    measured = units.measured(task.measure_key) if task.measure_key else None
    [progress] = progress_of(units, [task])
    already = [u for u in unit_ids if u in progress.done]
    if already:
        names = "、".join(units.label(unit, u) for u in already[:5])
        if measured is not None and any(u in measured for u in already):
            raise ValidationError(_("“%(units)s”已由系统统计为完成，无需登记。") % {"units": names})
        raise ValidationError(_("“%(units)s”已登记完成，无需重复登记。") % {"units": names})
    rows = []
    for unit_id in unit_ids:
        row = PhaseTaskCompletion(
            task=task,
            court_id=units.court_of(unit, unit_id),
            note=note,
            done_by=actor,
            division_id=None,
            person_id=None,
        )
        if unit == Unit.PERSON:
            row.person_id, row.division_id = unit_id, units.division_of(unit, unit_id)
        elif unit == Unit.DIVISION:
            row.division_id = unit_id
        if attachment is not None:
            row.attachment = attachment
        row.full_clean(validate_constraints=False)
        rows.append(row)
    if attachment is not None:
        for row in rows:
            row.save()  # the file is stored once per row
    else:
        PhaseTaskCompletion.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="workflow.task_complete",
        obj=task,
        court=campaign.court,
        reason=note,
        data={"unit": unit, "unit_ids": unit_ids},
    )
    return rows


@transaction.atomic
def undo_completion(*, actor, completion: PhaseTaskCompletion, reason: str) -> None:
    policy.check(actor, "workflow.undo", completion)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤销登记须说明理由。")})
    audit.record(
        actor=actor,
        action="workflow.task_complete_undo",
        obj=completion.task,
        court=completion.court,
        reason=reason,
        data={"completion": completion.pk},
    )
    completion.delete()


# ---------------------------------------------------------------- notices


def _task_url(task):
    return reverse("workflow:task", args=[task.pk])


def _behind(units, progress):
    return [(unit_id, units.responsible(progress.unit, unit_id)) for unit_id in progress.behind]


@transaction.atomic
def urge(*, actor, task: PhaseTask) -> int:
    """催办: the office reminds, now, everyone who has not yet done ``task`` (at most once a day), once the
    task's phase has started (the rule ``workflow.urge``)."""
    policy.check(actor, "workflow.urge", task)
    campaign = task.phase.campaign
    today = local_today()
    units = CampaignUnits(campaign)
    [progress] = progress_of(units, [task])
    recipients = sorted({u for _unit, users in _behind(units, progress) for u in users})
    if not recipients:
        raise ValidationError(_("未完成的对象没有可以通知的责任人。"))
    params = {"task": task.title, "deadline": task.deadline.isoformat(), "desc": task.description}
    created = notify_many(
        kind="task_urge",
        obj=task,
        due=today,
        messages=[
            Message(recipient_id=u, url=_task_url(task), message="workflow.task_urge", params=params)
            for u in recipients
        ],
        actor=actor,
    )
    audit.record(actor=actor, action="workflow.task_urge", obj=task, court=campaign.court, data={"sent": created})
    return created


def _check_schedule_run(actor):
    """The scheduler runs the sweeps as the system (``actor=None``); a person running them by hand is asked."""
    if actor is not None:
        policy.check(actor, "workflow.run_schedule")


def _running_campaigns():
    return Campaign.objects.running().select_related("court")


def advance_phases(*, today: dt.date | None = None, actor=None) -> dict:
    """Keep each phase's state current and tell people: everyone in the covered courts when a phase
    opens, the leaders when it closes. The notices go out before the state is saved, so a run killed
    half-way sends the rest next time; the notifications' key makes sure nobody gets one twice."""
    _check_schedule_run(actor)
    today = today or local_today()
    counts = {"opened": 0, "closed": 0, "notified": 0}
    phases = Phase.objects.filter(campaign__in=_running_campaigns()).select_related("campaign__court")
    units_of = {}
    for phase in phases.order_by("campaign_id", "number"):
        if today > phase.end:
            target = PhaseState.CLOSED
        elif today >= phase.start:
            target = PhaseState.OPEN
        else:
            target = PhaseState.PENDING
        if target == phase.state:
            continue
        units = units_of.setdefault(phase.campaign_id, CampaignUnits(phase.campaign))
        url = reverse("workflow:campaign", args=[phase.campaign_id])
        if target == PhaseState.OPEN:
            params = {
                "campaign": phase.campaign.name,
                "n": phase.number,
                "name": phase.name,
                "start": phase.start.isoformat(),
                "end": phase.end.isoformat(),
            }
            counts["notified"] += notify_many(
                kind="phase_open",
                obj=phase,
                due=phase.start,
                messages=[
                    Message(u, body=phase.summary, url=url, message="workflow.phase_open", params=params)
                    for u in units.everyone
                ],
                actor=actor,
            )
            counts["opened"] += 1
        elif target == PhaseState.CLOSED:
            if today - phase.end <= NOTICE_WINDOW:
                params = {
                    "campaign": phase.campaign.name,
                    "n": phase.number,
                    "name": phase.name,
                    "end": phase.end.isoformat(),
                }
                counts["notified"] += notify_many(
                    kind="phase_close",
                    obj=phase,
                    due=phase.end,
                    messages=[
                        Message(u, url=url, message="workflow.phase_close", params=params) for u in units.leaders()
                    ],
                    actor=actor,
                )
            counts["closed"] += 1
        with transaction.atomic():
            data = {"from": phase.state, "to": str(target)}
            transitions.apply(phase, PHASE_STEP_TO[target], actor=actor, data=data)
    return counts


def _threshold(days_left, reminder_days):
    """The reminder due now: the smallest configured lead time not shorter than the days left. A day the
    sweep missed is caught up the next day (under the same key), so nothing is lost and nothing doubled."""
    fitting = [n for n in reminder_days if n >= days_left]
    return min(fitting) if fitting else None


def send_deadline_reminders(*, today: dt.date | None = None, actor=None) -> int:
    """Before each task's deadline (by default 7 days and 1 day before; per task in ``reminder_days``),
    remind every person or division head who has not yet done it. Returns the number of new notifications."""
    _check_schedule_run(actor)
    today = today or local_today()
    tasks = (
        PhaseTask.objects.filter(
            phase__campaign__in=_running_campaigns(),
            deadline__gte=today,
            deadline__lte=today + dt.timedelta(days=MAX_REMINDER_DAYS),
        )
        .select_related("phase__campaign__court")
        .order_by("phase__campaign_id", "deadline", "pk")
    )
    due_tasks = []
    for task in tasks:
        days_left = (task.deadline - today).days
        lead = _threshold(days_left, task.reminder_day_list())
        if lead is not None:
            due_tasks.append((task, days_left, lead))
    created = 0
    by_campaign = defaultdict(list)
    for item in due_tasks:
        by_campaign[item[0].phase.campaign_id].append(item)
    for items in by_campaign.values():
        units = CampaignUnits(items[0][0].phase.campaign)
        progress = {p.task.pk: p for p in progress_of(units, [t for t, _d, _l in items])}
        for task, days_left, lead in items:
            recipients = sorted({u for _unit, users in _behind(units, progress[task.pk]) for u in users})
            if not recipients:
                continue
            message = "workflow.task_reminder_today" if days_left == 0 else "workflow.task_reminder"
            params = {
                "task": task.title,
                "days": days_left,
                "deadline": task.deadline.isoformat(),
                "campaign": task.phase.campaign.name,
                "n": task.phase.number,
                "phase": task.phase.name,
                "desc": task.description,
            }
            created += notify_many(
                kind=f"task_reminder_{lead}",
                obj=task,
                due=task.deadline,
                messages=[Message(u, url=_task_url(task), message=message, params=params) for u in recipients],
                actor=actor,
            )
    if created:
        with transaction.atomic():
            audit.record(actor=actor, action="workflow.reminders", data={"date": today.isoformat(), "sent": created})
    return created


def escalate_overdue(*, today: dt.date | None = None, actor=None) -> int:
    """The day after a missed deadline, tell the next responsible level (staff → division head → deputy
    leader → office; the office's own tasks → the president) who is behind — once per task and person."""
    _check_schedule_run(actor)
    today = today or local_today()
    tasks = (
        PhaseTask.objects.filter(
            phase__campaign__in=_running_campaigns(),
            deadline__lt=today,
            deadline__gte=today - ESCALATION_WINDOW,
        )
        .select_related("phase__campaign__court")
        .order_by("phase__campaign_id", "deadline", "pk")
    )
    by_campaign = defaultdict(list)
    for task in tasks:
        by_campaign[task.phase.campaign_id].append(task)
    created = 0
    for items in by_campaign.values():
        units = CampaignUnits(items[0].phase.campaign)
        for progress in progress_of(units, items):
            task = progress.task
            behind_for = defaultdict(list)
            for unit_id in progress.behind:
                for user_id in units.escalation(progress.unit, unit_id):
                    behind_for[user_id].append(units.label(progress.unit, unit_id))
            if not behind_for:
                continue
            messages = []
            for user_id, names in behind_for.items():
                params = {
                    "task": task.title,
                    "deadline": task.deadline.isoformat(),
                    "count": len(names),
                    "campaign": task.phase.campaign.name,
                    # the first names and one more: the text ends with "等" ("etc.") when there are more
                    "names": names[: texts.LIST_LIMIT + 1],
                }
                messages.append(Message(user_id, url=_task_url(task), message="workflow.task_overdue", params=params))
            created += notify_many(kind="task_overdue", obj=task, due=task.deadline, messages=messages, actor=actor)
    if created:
        with transaction.atomic():
            audit.record(actor=actor, action="workflow.escalation", data={"date": today.isoformat(), "sent": created})
    return created

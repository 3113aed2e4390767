"""The periodic schedule, kept as django-celery-beat rows (installed by migration 0002).

Why rows and not ``CELERY_BEAT_SCHEDULE``: the system administrator can change a time or switch an entry
off in the admin, and the change survives restarts — django-celery-beat rewrites the entries named in
``CELERY_BEAT_SCHEDULE`` every time beat starts. ``install`` only creates missing entries, so running it
again keeps an administrator's edits. All times are Asia/Shanghai. Exactly one beat process should
run; a second one would only repeat work that the notifications' unique key turns into no-ops.
"""

SCHEDULE = [
    # name, task, minute, hour, description
    (
        "阶段状态更新与开始/结束通知",
        "workflow.advance_phases",
        "5",
        "0",
        "每日 00:05：按日期开启、结束阶段，并通知相关人员。",
    ),
    (
        "截止日期提醒",
        "workflow.send_deadline_reminders",
        "0",
        "8",
        "每日 08:00：在截止日期前（默认 7 天和 1 天）提醒尚未完成的人员。",
    ),
    ("逾期上报", "workflow.escalate_overdue", "30", "8", "每日 08:30：截止日期次日起向上一级责任人报告一次。"),
    (
        "预警规则运行",
        "workflow.evaluate_warnings",
        "0",
        "7",
        "每日 07:00：运行预警规则，逾期回告建议升级处置，提醒即将到期的整改。",
    ),
    (
        "逾期即时预警",
        "workflow.sweep_missed_deadlines",
        "10",
        "*",
        "每小时第 10 分：查找昨天以来期限已过的防控措施、整改、回告和排查阶段，"
        "只对这些对象运行预警规则（重复运行不重复预警）。",
    ),
    (
        "承诺书签订提醒",
        "commitments.remind_unsigned",
        "15",
        "8",
        "每日 08:15：签订截止日期前 7 天起，提醒尚未签订承诺书或尚未作为监督人签字的人员（每人每天至多一次）。",
    ),
    (
        "重新投递发件箱",
        "notifications.requeue_deliveries",
        "15",
        "*",
        "每小时：重新投递发送失败或因消息队列中断而滞留的邮件。",
    ),
]
TIME_ZONE = "Asia/Shanghai"


def install(CrontabSchedule, PeriodicTask):
    """Create the missing entries (real or historical models)."""
    for name, task, minute, hour, description in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=TIME_ZONE
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "description": description, "enabled": True}
        )


def ensure():
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    install(CrontabSchedule, PeriodicTask)

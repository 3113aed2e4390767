"""Data: the built-in 2012–2013 template, and the periodic schedule as django-celery-beat rows.

The schedule lives in the database (not in CELERY_BEAT_SCHEDULE) so that the system administrator can
change times or switch an entry off in the admin, and the change survives restarts: django-celery-beat
overwrites entries named in CELERY_BEAT_SCHEDULE every time beat starts. get_or_create keeps an
administrator's later edits when migrations run again. All times are Asia/Shanghai.
"""

from django.db import migrations

SCHEDULE = [
    # name, task, minute, hour, description
    ("阶段状态更新与开始/结束通知", "workflow.advance_phases", "5", "0", "每日 00:05：按日期开启、结束阶段，并通知相关人员。"),
    ("截止日期提醒", "workflow.send_deadline_reminders", "0", "8", "每日 08:00：在截止日期前（默认 7 天和 1 天）提醒尚未完成的人员。"),
    ("逾期上报", "workflow.escalate_overdue", "30", "8", "每日 08:30：截止日期次日起向上一级责任人报告一次。"),
    ("重新投递发件箱", "notifications.requeue_deliveries", "15", "*", "每小时：重新投递发送失败或因消息队列中断而滞留的邮件。"),
]


def forwards(apps, schema_editor):
    from workflow import template_2012

    template_2012.install(apps.get_model("workflow", "Campaign"), apps.get_model("workflow", "Phase"),
                          apps.get_model("workflow", "PhaseTask"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, description in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "description": description, "enabled": True}
        )


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[row[0] for row in SCHEDULE]).delete()
    apps.get_model("workflow", "Campaign").objects.filter(builtin_key="hgzy-2012-2013").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

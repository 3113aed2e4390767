"""Data: the built-in 2012–2013 template, and the periodic schedule as django-celery-beat rows (see
workflow/schedule.py for why the schedule lives in the database)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from workflow import schedule, template_2012

    template_2012.install(
        apps.get_model("workflow", "Campaign"), apps.get_model("workflow", "Phase"), apps.get_model("workflow", "PhaseTask")
    )
    schedule.install(apps.get_model("django_celery_beat", "CrontabSchedule"), apps.get_model("django_celery_beat", "PeriodicTask"))


def backwards(apps, schema_editor):
    from workflow import schedule

    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[row[0] for row in schedule.SCHEDULE]).delete()
    apps.get_model("workflow", "Campaign").objects.filter(builtin_key="hgzy-2012-2013").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

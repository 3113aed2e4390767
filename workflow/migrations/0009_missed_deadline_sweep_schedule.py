from django.db import migrations


def install(apps, schema_editor):
    """Add the hourly missed-deadline sweep (即时预警) to the beat schedule (install() keeps existing rows)."""
    from workflow import schedule

    schedule.install(
        apps.get_model("django_celery_beat", "CrontabSchedule"), apps.get_model("django_celery_beat", "PeriodicTask")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0008_phase_one_plan_order"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

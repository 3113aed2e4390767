from django.db import migrations


def install(apps, schema_editor):
    """Add the daily commitment-letter reminder to the beat schedule (install() keeps existing rows)."""
    from workflow import schedule

    schedule.install(
        apps.get_model("django_celery_beat", "CrontabSchedule"), apps.get_model("django_celery_beat", "PeriodicTask")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_oversight"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

"""Data: a database that already holds the built-in template gets phase one's tasks in the plan's order
(学习宣传 first, with the plan's staged deadlines) — before, only ``ensure_builtin_template`` did it. Idempotent;
campaigns copied from the template are the office's and are left alone."""

from django.db import migrations


def forwards(apps, schema_editor):
    from workflow import template_2012

    template_2012.reorder_phase_one(apps.get_model("workflow", "Campaign"), apps.get_model("workflow", "PhaseTask"))


class Migration(migrations.Migration):
    dependencies = [("workflow", "0007_plan_words")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Oversight (issue #11): a warning's trail entry names the handling it records, so that the entry passes through
the handling's own scope (a talk about a person does not show to that person on the warning it answers).

Existing entries are linked best-effort: "处置" entries by the handling's kind and person on the same warning,
"处置办结" entries by the handling's outcome."""

import django.db.models.deletion
from django.db import migrations, models

KINDS = {"reminder": "风险提示", "talk": "诫勉谈话", "order": "责令纠错"}


def link(apps, schema_editor):
    Handling = apps.get_model("workflow", "Handling")
    WarningEvent = apps.get_model("workflow", "WarningEvent")
    Person = apps.get_model("org", "Person")
    names = dict(Person.objects.values_list("user_id", "full_name"))
    for h in Handling.objects.exclude(warning=None).order_by("created_at", "id"):
        created = (
            WarningEvent.objects.filter(warning_id=h.warning_id, handling=None, action="处置")
            .filter(note=f"{KINDS.get(h.kind, h.kind)}：{names.get(h.person_id, '')}")
            .order_by("at", "id")
            .first()
        )
        if created is not None:
            WarningEvent.objects.filter(pk=created.pk).update(handling=h)
        if h.outcome:
            WarningEvent.objects.filter(
                warning_id=h.warning_id, handling=None, action="处置办结", note=h.outcome
            ).update(handling=h)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0004_letter_reminder_schedule"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="warningevent",
            name="handling",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workflow.handling",
                verbose_name="处置",
            ),
        ),
        migrations.RunPython(link, migrations.RunPython.noop),
    ]

"""The dashboard's per-person "post risk point submitted" metric read from a partial covering index (issue 12).

``(created_at) INCLUDE (owner_id, state) WHERE level = 'post'``: the metric's EXISTS (owner, level post, not
draft or retired, created in the campaign's window) becomes one index-only range scan hashed by owner
instead of a scan of every risk point (92 → 21 ms at 400,000 points, bench/README.md). Built
``CONCURRENTLY`` outside a transaction (like 0007 and 0012), plainly inside one (a test migrating back and
forth) and on SQLite.
"""

from django.db import migrations, models

INDEX = models.Index(
    fields=["created_at"],
    include=["owner", "state"],
    condition=models.Q(level="post"),
    name="risk_post_created_idx",
)


def _concurrently(schema_editor):
    return schema_editor.connection.vendor == "postgresql" and not schema_editor.connection.in_atomic_block


def create(apps, schema_editor):
    model = apps.get_model("risks", "RiskPoint")
    if _concurrently(schema_editor):
        schema_editor.add_index(model, INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, INDEX)


def drop(apps, schema_editor):
    model = apps.get_model("risks", "RiskPoint")
    if _concurrently(schema_editor):
        schema_editor.remove_index(model, INDEX, concurrently=True)
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("risks", "0012_search_bigram")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="riskpoint", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]

"""The list's text search (``q``: description or manifestations contains) read from trigram indexes.

The search is Django's ``icontains``, which PostgreSQL runs as ``UPPER(col::text) LIKE UPPER('%…%')``, so the
indexes are GIN ``gin_trgm_ops`` on ``UPPER(col)``. A term of three characters or more is found through them
(at 400,000 points: 0.8–1.3 s → a few ms, bench/scope.md); a two-character term yields no trigram for
``LIKE '%ab%'`` and is still read by a scan. PostgreSQL only (``make run`` may use SQLite): the extension
and the indexes are skipped elsewhere. Built ``CONCURRENTLY`` (the migration is not atomic) so that adding
them to a production table does not block writes.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "risk_desc_trgm_idx": "description",
    "risk_manif_trgm_idx": "manifestations",
}


def _concurrently(schema_editor):
    """CONCURRENTLY outside a transaction (``migrate``); plain inside one (a test migrating back and forth)."""
    return "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    how = _concurrently(schema_editor)
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {how} IF NOT EXISTS {name} ON risks_riskpoint USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    how = _concurrently(schema_editor)
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {how} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("risks", "0006_list_indexes")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]

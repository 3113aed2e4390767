"""Two-character search (保全, 拍卖) read from bigram indexes, not by a scan of every risk point (issue 12).

The trigram indexes of 0007 cannot serve ``LIKE '%保全%'``: a two-character term has no trigram. pg_bigm is
not available, so this migration builds the same idea from core PostgreSQL: ``hk_bigrams(text)``, an
IMMUTABLE function returning the two-character substrings of ``UPPER(text)`` as ``text[]``, and
GIN indexes on ``hk_bigrams(description)`` and ``hk_bigrams(manifestations)``. The filter asks
``hk_bigrams(col) @> hk_bigrams(term)`` (every bigram of the term is one of the text's: necessary for the
term to be a substring) and keeps the ``UPPER(col) LIKE UPPER('%term%')`` as the exact recheck
(``risks.filters.RiskPointFilter.search``). PostgreSQL only; elsewhere the plain LIKE stays. Built
``CONCURRENTLY`` (the migration is not atomic) like 0007, so a production table takes writes meanwhile.
"""

from django.db import migrations

# PL/pgSQL, linear in the text: the characters once (string_to_array(…, NULL)), then each adjacent pair.
# (An SQL function over generate_series and substr was 4.6 × slower: 4 minutes for the two indexes at 400,000
# points.) Duplicates are harmless: GIN stores each key of a row once.
FUNCTION = """
CREATE OR REPLACE FUNCTION hk_bigrams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
    c text[] := string_to_array(upper(t), NULL);
    r text[] := '{}';
BEGIN
    FOR i IN 1 .. coalesce(array_length(c, 1), 0) - 1 LOOP
        r := r || (c[i] || c[i + 1]);
    END LOOP;
    RETURN r;
END
$$
"""

INDEXES = {
    "risk_desc_bigram_idx": "description",
    "risk_manif_bigram_idx": "manifestations",
}


def _concurrently(schema_editor):
    """CONCURRENTLY outside a transaction (``migrate``); plain inside one (a test migrating back and forth)."""
    return "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    how = _concurrently(schema_editor)
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {how} IF NOT EXISTS {name} ON risks_riskpoint USING gin (hk_bigrams({column}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    how = _concurrently(schema_editor)
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {how} IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS hk_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("risks", "0011_riskpoint_history")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

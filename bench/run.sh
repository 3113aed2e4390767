#!/usr/bin/env bash
# `make bench`: the province-scale benchmark (issue 12) from a fresh clone. Creates the database named by
# BENCH_DATABASE_URL if it does not exist, migrates it, seeds it once with `manage.py seed_scale` (about
# five minutes on the project machine; skipped when the data is already there), then times the pages
# (bench/pages.py → bench/results.md and bench/results.json) and the list's queries under EXPLAIN
# (bench/scope_explain.py → bench/scope-latest.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hk_bench}
export DJANGO_SETTINGS_MODULE=hkcourt.settings.dev CELERY_BROKER_URL=${CELERY_BROKER_URL:-memory://}
PY=.venv/bin/python
case "$DATABASE_URL" in
  postgres*) ;;
  *) echo "make bench needs PostgreSQL (BENCH_DATABASE_URL=postgres://…), not $DATABASE_URL" >&2; exit 2 ;;
esac
$PY - <<'PY'
import os, urllib.parse as up
import psycopg2
url = up.urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                         dbname="postgres")
admin.autocommit = True
with admin.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if not cursor.fetchone():
        cursor.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
PY
$PY manage.py migrate --noinput -v0
$PY manage.py seed_scale --if-empty ${SEED_SCALE_ARGS:-}
# A table just filled by COPY has no visibility map until autovacuum reaches it (a production table has
# one): without it no index-only scan pays off and the figures would depend on autovacuum's timing.
$PY - <<'PY'
import os, urllib.parse as up
import psycopg2
url = up.urlparse(os.environ["DATABASE_URL"])
db = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                      dbname=url.path.lstrip("/"))
db.autocommit = True
with db.cursor() as cursor:
    cursor.execute("VACUUM (ANALYZE) risks_riskpoint")
PY
$PY bench/pages.py ${BENCH_ARGS:-}
$PY bench/scope_explain.py > bench/scope-latest.md
echo "bench/results.md, bench/results.json and bench/scope-latest.md written"

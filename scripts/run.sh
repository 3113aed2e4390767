#!/usr/bin/env bash
# Brings the demo up at http://127.0.0.1:${PORT:-8000}: migrate, seed the demo, a Celery worker with
# embedded beat on the embedded (filesystem) broker — or Redis when REDIS_URL is set — and the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-hkcourt.settings.dev}
PORT=${PORT:-8000}
PY=.venv/bin/python
# The default SQLite file is shared by the web server and the worker (with embedded beat): wait for a lock
# instead of failing with "database is locked", take the write lock at BEGIN, and let readers run beside
# the writer (WAL). Only when no database was chosen (environment or .env).
if [ -z "${DATABASE_URL:-}" ] && ! grep -qs '^DATABASE_URL=' .env; then
  export DATABASE_URL="sqlite:///$PWD/var/db.sqlite3?timeout=30&transaction_mode=IMMEDIATE&init_command=PRAGMA%20journal_mode%3DWAL"
fi
# The filesystem broker's folders must exist before anything publishes to them (the demo seed queues
# notifications) or the worker polls them.
mkdir -p var/log var/celery/queue var/celery/processed var/celery/control
$PY manage.py migrate --noinput
$PY manage.py seed_demo
.venv/bin/celery -A hkcourt worker -B --pool=solo --loglevel=INFO >var/log/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
sleep 3
if ! kill -0 "$worker" 2>/dev/null; then
  echo "The Celery worker stopped at start-up; the end of var/log/celery.log:" >&2
  tail -n 20 var/log/celery.log >&2
  exit 1
fi
broker="the filesystem broker under var/celery"
[ -n "${REDIS_URL:-}" ] && broker="Redis at $REDIS_URL"
echo "==> Celery worker and beat running on $broker (log: var/log/celery.log)"
echo "==> http://127.0.0.1:${PORT}  —  demo accounts in README.md (password hegang2012)"
$PY manage.py runserver "127.0.0.1:${PORT}"

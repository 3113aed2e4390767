#!/usr/bin/env bash
# Brings the demo up at http://127.0.0.1:8000: migrate, seed the demo, a Celery worker with embedded
# beat on the embedded (filesystem) broker — or Redis when REDIS_URL is set — and the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-hkcourt.settings.dev}
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py seed_demo
mkdir -p var/log
.venv/bin/celery -A hkcourt worker -B --pool=solo --loglevel=INFO >var/log/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "==> Celery worker and beat running (log: var/log/celery.log)"
echo "==> http://127.0.0.1:8000  —  demo accounts in README.md (password hegang2012)"
$PY manage.py runserver 127.0.0.1:${PORT:-8000}

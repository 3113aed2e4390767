# The README's two commands: `make run` and `make test`. Both do their own set-up.
.PHONY: run test setup lint format check-migrations ci bench screenshots journeys

setup:
	scripts/bootstrap.sh dev

run: setup
	scripts/run.sh

# -ra: the summary lists every skip with its reason (under CI a missing tool or service fails instead).
test: setup lint check-migrations
	.venv/bin/pytest -p no:cacheprovider --create-db -ra

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# -W: the test database may not exist yet (pytest creates it); the history check is then skipped quietly.
check-migrations: setup
	DJANGO_SETTINGS_MODULE=hkcourt.settings.test .venv/bin/python -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

# CI: `make test` against real PostgreSQL and Redis (started if down), plus the compose file check.
ci:
	.ci/run

# Province-scale benchmark (issue 12) on PostgreSQL: BENCH_DATABASE_URL (default hk_bench on 127.0.0.1) is
# created, migrated and seeded once (manage.py seed_scale), then the pages are timed: bench/results.md.
bench: setup
	bench/run.sh

# The browser journeys alone (tests/journeys: every role in Chromium against the seeded demo).
journeys: setup
	.venv/bin/pytest -p no:cacheprovider -q tests/journeys

# The user guide's pictures (docs/guide/img/*.jpg) and axe-core's findings (docs/guide/axe-report.json),
# taken by the journeys as they run. Look at every picture before committing it.
screenshots: setup
	rm -f docs/guide/img/*.jpg docs/guide/axe-report.json
	HKCOURT_SCREENSHOTS=1 .venv/bin/pytest -p no:cacheprovider -q tests/journeys

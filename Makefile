# The README's two commands: `make run` and `make test`. Both do their own set-up.
.PHONY: run test setup lint format check-migrations

setup:
	scripts/bootstrap.sh dev

run: setup
	scripts/run.sh

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=hkcourt.settings.test .venv/bin/python -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run
	.venv/bin/pytest -p no:cacheprovider --create-db

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

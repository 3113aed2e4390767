"""The Celery worker of the fault scenarios: tests/notifications/worker_settings.py (test database, e-mail to
files, this session's key prefix) on the private Redis, with a short visibility timeout so that a task whose
worker was killed before acknowledging it is delivered again within seconds (production: an hour)."""

from tests.notifications.worker_settings import *  # noqa: F403
from tests.notifications.worker_settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 3}

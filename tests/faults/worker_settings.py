"""The Celery worker of the fault scenarios: tests/notifications/worker_settings.py (test database, e-mail to
files, this session's key prefix) on the private Redis, with a short visibility timeout so that a task whose
worker was killed before acknowledging it is delivered again within seconds (production: an hour)."""

from tests.notifications.worker_settings import *  # noqa: F403
from tests.notifications.worker_settings import CELERY_BROKER_TRANSPORT_OPTIONS

# kombu looks for expired unacknowledged messages once at start and then every unacked_restore_interval ×
# unacked_restore_throttle seconds (10 × 10 by default): on an idle machine the restarted worker's first look
# came before the 3 s had passed, and the next one after the test's minute. Look every second.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

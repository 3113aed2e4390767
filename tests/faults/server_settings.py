"""The gunicorn process of the fault scenarios: the test settings (plain static files, fast hashing, demo
data allowed), with the connection handling production configures, taken from ``hkcourt.settings.prod`` itself
— the database (``CONN_MAX_AGE``, ``CONN_HEALTH_CHECKS``), the cache and the broker on Redis — so that what is
proved is what runs in production."""

from hkcourt.settings import prod as _prod
from hkcourt.settings.test import *  # noqa: F403

DATABASES = _prod.DATABASES
CACHES = _prod.CACHES
CELERY_BROKER_URL = _prod.CELERY_BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS = _prod.CELERY_BROKER_TRANSPORT_OPTIONS
PUBLIC_BASE_URL = _prod.PUBLIC_BASE_URL
# the pages' rate limits as in production (the test settings raise them for the suite's many requests)
HKCOURT_RATE_LIMITS = {}

"""Tests: PostgreSQL when DATABASE_URL is set or a server answers on 127.0.0.1:5432, SQLite otherwise."""

import socket

from .base import *  # noqa: F403
from .base import BASE_DIR, STORAGES, env


def _postgres_answers(host="127.0.0.1", port=5432):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif _postgres_answers():
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/hkcourt")}
else:
    DATABASES = {"default": env.db_url_config(f"sqlite:///{BASE_DIR / 'var' / 'test.sqlite3'}")}

SECRET_KEY = "test-only-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
LANGUAGE_CODE = "zh-hans"
# Each test process its own cache, so parallel runs and tests do not see each other's counters.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The public pages' per-address limits (hkcourt.org.ratelimit) would trip over a test run's hundreds of
# requests from 127.0.0.1; tests of the limits lower them with the settings fixture.
HKCOURT_RATE_LIMITS = {"verify": (100_000, 60), "public": (100_000, 60)}
# The API's throttles count per token/person in the cache; the suite's many requests as one demo person must not
# hit them (tests/api/test_tokens.py sets low rates to test them).
API_THROTTLE_RATES = {"token": "100000/min", "anon": "100000/min"}

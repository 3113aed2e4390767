"""The load run's server (bench/load.py): the production settings, minus only what needs HTTPS in front (the
clients speak plain HTTP to gunicorn on 127.0.0.1) and the hashed static manifest (no collectstatic here; the
clients fetch no static files)."""

from hkcourt.settings.prod import *  # noqa: F403
from hkcourt.settings.prod import STORAGES

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

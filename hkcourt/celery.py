"""The Celery application. Broker: Redis in production, kombu's filesystem transport by default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")

app = Celery("hkcourt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Reachability checks for /healthz: the database and the Celery broker."""

from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import Connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return {"ok": False, "error": exc.__class__.__name__}


def check_broker(timeout: float = 2.0) -> dict:
    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0]
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    try:
        if transport == "filesystem":
            for key in ("data_folder_in", "data_folder_out"):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
        with Connection(url, transport_options=options, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return {"ok": False, "transport": transport, "error": exc.__class__.__name__}

"""Absolute links that leave the system (the verify link and QR code printed on a signed letter, a public
questionnaire's link and QR code) are built from ``settings.PUBLIC_BASE_URL``, never from the request's Host
header: a forged Host must not end up printed on a court's letter. Without the setting (development) the
request's own address is used; production refuses to start without it (``hkcourt.E001``, checks.py)."""

from django.conf import settings


def public_base() -> str:
    return (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")


def public_url(request, path: str = "/") -> str:
    """``path`` (absolute, starting with ``/``) on the public address of the system."""
    base = public_base()
    if base:
        return base + path
    return request.build_absolute_uri(path)

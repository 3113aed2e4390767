"""Per-visitor rate limits and a request-size cap for the pages anyone may open without signing in (the
letter verification page, a court's public risk page, a public questionnaire).

Counts live in the shared cache (Redis in production, so every gunicorn worker counts the same visitor
once), in fixed windows keyed by the page and the visitor's address (``hkcourt.org.clientip``: behind the
proxy, the address the proxy saw). A request whose declared body is larger than the page accepts is refused
with 413 before a byte of the body is read; a visitor over the limit gets 429 with ``Retry-After``. When the
cache is unreachable the limit is not applied (the page keeps working while Redis is down).

Limits: ``settings.HKCOURT_RATE_LIMITS = {"verify": (requests, seconds), ...}`` overrides ``DEFAULTS``.
"""

import functools
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from .clientip import client_ip

log = logging.getLogger(__name__)

DEFAULTS = {
    "verify": (30, 60),  # 30 verifications a minute per address
    "public": (60, 60),  # 60 views or posts of a public page a minute per address
}


def _limit(scope):
    return getattr(settings, "HKCOURT_RATE_LIMITS", {}).get(scope, DEFAULTS[scope])


def over_limit(scope: str, ident: str) -> int:
    """Count one request of ``ident`` on ``scope``; the seconds to wait when it is over the limit, else 0."""
    count, window = _limit(scope)
    now = int(time.time())
    bucket = now // window
    key = f"rl:{scope}:{ident}:{bucket}"
    try:
        cache.add(key, 0, timeout=window + 1)
        seen = cache.incr(key)
    except Exception:  # noqa: BLE001 - no cache, no limit: the page still answers
        log.warning("rate limit cache unavailable for %s", scope, exc_info=True)
        return 0
    if seen > count:
        return (bucket + 1) * window - now or 1
    return 0


def _refusal(request, status, message, retry_after=None):
    response = render(request, "limited.html", {"message": message}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def limit_requests(scope: str, *, max_body: int):
    """Decorate a public view: refuse a body over ``max_body`` bytes (413) and a visitor over the scope's
    rate (429), both before the view (and before the body is read)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > max_body:
                return _refusal(
                    request,
                    413,
                    _("提交的内容过大（超过%(mb)d MB），未予处理。") % {"mb": max_body // (1024 * 1024)},
                )
            wait = over_limit(scope, client_ip(request))
            if wait:
                return _refusal(request, 429, _("访问过于频繁，请稍后再试。"), retry_after=wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

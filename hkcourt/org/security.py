"""Protections every page needs, as middleware.

``ContentSecurityPolicyMiddleware``: every response carries ``Content-Security-Policy`` (``settings.
CONTENT_SECURITY_POLICY``): scripts, stylesheets, fonts and images only from this site, no inline script
and no inline event handler (behaviour is bound by data attributes in ``static/js/hkcourt.js``), no
``<style>`` element (``style-src-elem 'self'``; the ``style=""`` attributes that place bars and widths stay
allowed), no plugins, no framing, forms post only here. An injected ``<script>`` would not run.

``NoStoreMiddleware``: what a signed-in person sees (risk points, reports, letters, exports) must not stay in
a browser's or a proxy's cache on a shared court PC: every response to a signed-in request, and every
attachment download, is sent with ``Cache-Control: no-store``.

``IdleTimeoutMiddleware``: a session left idle for ``SESSION_IDLE_TIMEOUT`` seconds (default 30 minutes) is
signed out; the session's last activity is written at most once a minute (``SESSION_IDLE_RESOLUTION``), so an
active page costs no database write per request. ``SESSION_COOKIE_AGE`` (8 hours) caps a session's life.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers, patch_cache_control

LAST_SEEN = "hk_last_seen"


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        attachment = "attachment" in response.get("Content-Disposition", "")
        if attachment or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


def _now() -> int:
    return int(time.time())


@receiver(user_logged_in, dispatch_uid="hk_idle_timeout_login")
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = _now()


class IdleTimeoutMiddleware:
    """After ``AuthenticationMiddleware``: signs out an idle session before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = _now()
            last = request.session.get(LAST_SEEN)
            timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", 30 * 60)
            if last is not None and now - last > timeout:
                logout(request)
            elif last is None or now - last >= getattr(settings, "SESSION_IDLE_RESOLUTION", 60):
                request.session[LAST_SEEN] = now
        return self.get_response(request)


DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; style-src-elem 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RequestAddressMiddleware:
    """The visitor's address (behind the proxy: the one the proxy saw) for every audit entry the request
    writes (:func:`hkcourt.org.audit.request_address`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import audit
        from .clientip import client_ip

        with audit.request_address(client_ip(request)):
            return self.get_response(request)

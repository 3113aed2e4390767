"""The visitor's address, for rate limits and sign-in throttling.

Behind the production reverse proxy every request comes from the proxy, so when ``RISKS_TRUSTED_PROXIES``
(default: none) names the proxy's addresses, the address that proxy appended to X-Forwarded-For is used
instead — never one the client could forge (hops the client wrote stand to the left of the proxy's).
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "RISKS_TRUSTED_PROXIES", ())
    if remote in trusted:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        while hops and hops[-1] in trusted:
            hops.pop()
        if hops:
            return hops[-1]
    return remote

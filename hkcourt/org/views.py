import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health, policy, selectors
from .todos import todos_for


@login_required
def home(request):
    """我的待办: what the signed-in person must do now, grouped by section."""
    sections = {}
    for item in todos_for(request.user):
        sections.setdefault(item.section, []).append(item)
    return render(request, "org/home.html", {"sections": sections})


def server_error(request):
    """The project's 500 (``handler500``). When the database cannot be reached (restarting, a network cut) the
    answer is 503 with ``Retry-After``: a temporary outage, not a fault in the page; each request after it opens
    a fresh connection (``CONN_HEALTH_CHECKS``), so the application recovers without a restart. Rendered
    without the request's context: the navigation and the inbox count would ask the database again."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        response = HttpResponseServerError(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


@never_cache
@require_GET
def healthz(request):
    """200 while the database answers, 503 when it does not. Anonymous callers (the load balancer, the
    container's health check) learn only ``{"status": "ok" | "not ok"}``; the transport, the error class and
    the database vendor are for a signed-in system administrator."""
    database = health.check_database()
    broker = health.check_broker()
    status = "ok" if database["ok"] and broker["ok"] else ("degraded" if database["ok"] else "down")
    http_status = 200 if database["ok"] else 503
    if not policy.can(request.user, "org.use_admin_site"):
        return JsonResponse({"status": "ok" if status == "ok" else "not ok"}, status=http_status)
    return JsonResponse(
        {"status": status, "database": database, "broker": broker},
        status=http_status,
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_GET
def leading_group(request):
    """领导小组及其办公室: who leads the campaign at the court, with their ranks (plan 三(一))."""
    court = selectors.leading_group_court(request.user, request.GET.get("court") or None)
    body = selectors.leading_group(court) if court is not None else {"group": [], "office": []}
    return render(request, "org/leading_group.html", {"court": court, **body})

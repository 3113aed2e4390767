"""The dashboard page and its JSON endpoints: thin, the figures come from :mod:`.selectors` (scoped, cached)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors

SECTIONS = ("campaign", "coverage", "risks", "heatmap", "major", "leaders", "letters", "control", "oversight")


def _data(request):
    if not selectors.may_view(request.user):
        # Staff and division heads work from their lists; the dashboard is for those who oversee others.
        raise PermissionDenied(_("领导驾驶舱仅供分管院领导、院长、领导小组及其办公室使用。"))
    return selectors.dashboard(request.user, selectors.Filters.from_params(request.GET))


@login_required
@require_GET
def dashboard(request):
    data = _data(request)
    query = request.GET.copy()
    query.pop("print", None)
    template = "workflow/dashboard/print.html" if request.GET.get("print") else "workflow/dashboard/page.html"
    return render(request, template, {"d": data, "query": query.urlencode()})


@login_required
@require_GET
def data(request):
    return JsonResponse(_data(request), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def section(request, name):
    if name not in SECTIONS:
        raise Http404
    payload = _data(request)
    return JsonResponse(
        {"filters": payload["filters"], name: payload.get(name)}, json_dumps_params={"ensure_ascii": False}
    )

"""The dashboard page and its JSON endpoints: thin, the figures come from :mod:`.selectors` (scoped, cached)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hkcourt.org import policy

from . import selectors

SECTIONS = (
    "campaign",
    "coverage",
    "risks",
    "heatmap",
    "major",
    "leaders",
    "letters",
    "control",
    "oversight",
)


def _data(request, *, page=False):
    policy.check(request.user, "dashboard.view")  # 403 with the rule's message
    return selectors.dashboard(request.user, selectors.Filters.from_params(request.GET), page=page)


@login_required
@require_GET
def dashboard(request):
    data = _data(request, page=True)  # the long tables cut to their first rows (selectors.for_page)
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
    if name not in SECTIONS and name not in selectors.SECTION_PROVIDERS:
        raise Http404
    payload = _data(request)
    return JsonResponse(
        {"filters": payload["filters"], name: payload.get(name)}, json_dumps_params={"ensure_ascii": False}
    )

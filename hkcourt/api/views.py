"""The profile page's API tokens: create (the token shown once), list, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_http_methods, require_POST

from hkcourt.org.actions import flash_failure, forbid_unless_may

from . import services
from .forms import TokenForm
from .models import ApiToken
from .rest import error_body


def not_found(request, exception=None):
    """The project's 404 (``handler404``): under /api/ the API's JSON shape (a path no route matches, such as
    ``/api/v1/risk-points/0.5/``), elsewhere the page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(error_body("not_found", _("未找到，或您无权查看。")), status=404)
    return defaults.page_not_found(request, exception)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.create_token(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {"__all__": exc.error_list}).items():
                for error in errors:
                    form.add_error(None if field == "__all__" else field, error)
        else:
            created = (token, raw)  # shown on this response only: the database keeps the digest
            form = TokenForm()
    rows = ApiToken.objects.owned_by(request.user)
    return render(request, "api/tokens.html", {"form": form, "created": created, "tokens": rows})


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)  # another's: 404
    if forbid_unless_may(request, "api.revoke_token", token):
        try:
            services.revoke_token(actor=request.user, token=token)
        except ValidationError as exc:
            flash_failure(request, exc)
        else:
            messages.success(request, _("令牌已吊销，使用它的请求将被拒绝。"))
    return redirect("api_tokens:list")

"""The two-factor pages: enrolment (QR code drawn here), the code after the password, new recovery codes.
Thin: the actions are in :mod:`.twofactor`."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from . import twofactor


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app: scan the QR code, type a code it shows; the recovery codes appear once."""
    key = twofactor.pending_key(request)
    error = ""
    if request.method == "POST":
        try:
            device, codes = twofactor.confirm_enrolment(
                actor=request.user, key=key, token=request.POST.get("token", "")
            )
        except ValueError as exc:
            error = str(exc.args[0])
        else:
            request.session.pop(twofactor.SESSION_KEY, None)
            otp_login(request, device)
            return render(
                request, "registration/twofactor_codes.html", {"codes": codes, "next": twofactor.safe_next(request)}
            )
    device = twofactor.pending_device(request.user, key)
    uri = twofactor.provisioning_uri(request.user, device)
    return render(
        request,
        "registration/twofactor_setup.html",
        {
            "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
            "secret": twofactor.secret_text(device),
            "error": error,
            "next": request.GET.get("next", ""),
            "enrolled": twofactor.has_device(request.user),
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step after the password: a code from the app or a recovery code."""
    if not twofactor.has_device(request.user):
        return redirect("twofactor_setup")
    error = ""
    if request.method == "POST":
        device = twofactor.verify(actor=request.user, token=request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(twofactor.safe_next(request))
        error = _("验证码不正确或已使用，请重试。")
    return render(
        request,
        "registration/twofactor_verify.html",
        {"error": error, "next": request.GET.get("next", "") or request.POST.get("next", "")},
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes (the old ones stop working); only after the second step."""
    if not request.user.is_verified():
        return redirect("twofactor_verify")
    codes = twofactor.new_recovery_codes(actor=request.user)
    messages.success(request, _("已生成新的恢复码，原有恢复码作废。"))
    return render(request, "registration/twofactor_codes.html", {"codes": codes, "next": twofactor.safe_next(request)})

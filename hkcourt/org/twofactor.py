"""Two-factor sign-in (TOTP, django-otp) for the people who hold the registry's most sensitive rows: the
office (领导小组办公室), the leading group and the administrators (and every staff or superuser account).

After the password, such a person must enter the six-digit code of an authenticator app (or one of ten
single-use recovery codes) before any page opens; a person without a confirmed device is sent to enrolment
first (a QR code drawn here, never fetched from anywhere). ``settings.HKCOURT_REQUIRE_2FA`` turns the
requirement on (production: on; development and tests: off, so the demo accounts sign in with their password,
and the tests of this module turn it on).

The actions (enrol, confirm, new recovery codes) are services: audited, in a transaction.
"""

import secrets
import time
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import audit, policy
from .roles import Role

REQUIRED_ROLES = frozenset({Role.OFFICE, Role.LEADING_GROUP, Role.ADMIN})
RECOVERY_CODES = 10
ISSUER = "廉政风险防控"
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"

audit.register(
    {
        "org.2fa_enrol": _("启用两步验证"),
        "org.2fa_recovery_codes": _("重新生成恢复码"),
        "org.2fa_verify_failed": _("两步验证码错误"),
    }
)


def required_for(user) -> bool:
    """Whether ``user`` must pass the second step (and the setting asks for it)."""
    if not getattr(settings, "HKCOURT_REQUIRE_2FA", False):
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or policy.holds(user, *REQUIRED_ROLES)


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


# ---------------------------------------------------------------- services


SESSION_KEY = "hk_2fa_pending_key"


def pending_key(request) -> str:
    """The secret of the authenticator being enrolled, kept in the session until it is confirmed (so that
    opening the enrolment page writes no device row)."""
    key = request.session.get(SESSION_KEY)
    if not key:
        key = random_hex(20)
        request.session[SESSION_KEY] = key
    return key


def pending_device(user, key: str) -> TOTPDevice:
    """An unsaved device around ``key`` (for the QR code and the check)."""
    return TOTPDevice(user=user, name=TOTP_NAME, key=key, confirmed=False)


@transaction.atomic
def confirm_enrolment(*, actor, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator holding ``key`` with a code it shows: it replaces any earlier device and the
    recovery codes. Returns the device and the new recovery codes (shown once). ``ValueError`` when wrong."""
    device = pending_device(actor, key)
    token = (token or "").replace(" ", "").strip()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not token.isdigit() or not totp.verify(int(token), tolerance=device.tolerance):
        raise ValueError(_("验证码不正确，请核对手机上显示的6位数字后重试。"))
    TOTPDevice.objects.filter(user=actor).delete()
    device.confirmed = True
    device.last_t = totp.t()
    device.save()
    codes = _new_codes(actor)
    audit.record(actor=actor, action="org.2fa_enrol", data={"device": device.pk})
    return device, codes


def _new_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def new_recovery_codes(*, actor) -> list[str]:
    codes = _new_codes(actor)
    audit.record(actor=actor, action="org.2fa_recovery_codes")
    return codes


def verify(*, actor, token: str):
    """The device that accepts ``token`` (a TOTP code or an unused recovery code, which is then spent), or
    ``None`` (the failure is logged)."""
    device = match_token(actor, (token or "").replace(" ", "").strip())
    if device is None:
        audit.record(actor=actor, action="org.2fa_verify_failed")
    return device


def provisioning_uri(user, device: TOTPDevice) -> str:
    """What the QR code holds: the ``otpauth://`` address authenticator apps read."""
    label = quote(f"{ISSUER}:{user.get_username()}")
    return (
        f"otpauth://totp/{label}?secret={_b32(device)}&issuer={quote(ISSUER)}"
        f"&digits={device.digits}&period={device.step}"
    )


def _b32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


def secret_text(device) -> str:
    """The key for typing in by hand, in groups of four."""
    key = _b32(device)
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


# ---------------------------------------------------------------- the gate

EXEMPT_URL_NAMES = ("logout", "twofactor_setup", "twofactor_verify", "set_language", "healthz")


class TwoFactorMiddleware:
    """After django-otp's ``OTPMiddleware``: a person who must pass the second step and has not (in this
    session) gets only the enrolment or verification page, the sign-out and the language switch."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and required_for(user) and not user.is_verified() and not self._exempt(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(_("需要完成两步验证。"))}, status=403)
            target = "twofactor_verify" if has_device(user) else "twofactor_setup"
            url = reverse(target)
            if request.method == "GET":
                url += "?next=" + quote(request.get_full_path())
            return redirect(url)
        return self.get_response(request)

    @staticmethod
    def _exempt(request):
        if request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            return True
        exempt = {reverse(name) for name in EXEMPT_URL_NAMES}
        return request.path in exempt


def safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(default)

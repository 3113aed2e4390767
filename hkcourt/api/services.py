"""Creating and revoking personal API tokens. The plain token exists only in the return value of
:func:`create_token`: the database keeps its digest."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hkcourt.org import audit
from hkcourt.org.policy import check

from .models import PREFIX, ApiToken, TokenScope, digest

MAX_DAYS = 366
MAX_ACTIVE = 10  # usable tokens per person


@transaction.atomic
def create_token(*, actor, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``actor`` valid ``days`` days; returns (the row, the plain token to show once)."""
    check(actor, "api.create_token")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写令牌名称。")
    elif len(name) > 60:
        errors["name"] = _("令牌名称不能超过60个字。")
    if scope not in TokenScope.values:
        errors["scope"] = _("请选择只读或读写。")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = _("有效期须为1—366天。")
    if errors:
        raise ValidationError(errors)
    if ApiToken.objects.owned_by(actor).usable().count() >= MAX_ACTIVE:
        raise ValidationError(_("有效令牌最多%(n)d个，请先吊销不用的令牌。") % {"n": MAX_ACTIVE})
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        key_hash=digest(raw),
        hint=raw[:10],
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit.record(actor=actor, action="api.token_create", obj=token, data={"scope": scope, "days": days})
    return token, raw


@transaction.atomic
def revoke_token(*, actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    check(actor, "api.revoke_token", token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api.token_revoke", obj=token)
    return token

"""Personal API tokens as DRF authentication (kept apart from the rest: DRF imports it while it loads)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import PREFIX, ApiToken, digest


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer hk_…`` (or ``Token hk_…``): a personal token from the profile page."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为：Bearer <令牌>。"))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        if not raw.startswith(PREFIX):
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        # The user's is_active is read on every request: deactivating a person stops their tokens at once.
        token = ApiToken.objects.usable().select_related("user").filter(key_hash=digest(raw)).first()
        if token is None:
            from .rest import count_failed_token

            count_failed_token(request)
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

"""Who may manage API tokens: each person their own, nobody else's."""

from django.utils.translation import gettext as _

from hkcourt.org import twofactor
from hkcourt.org.policy import ALLOW, Policy, deny, not_now

from .models import ApiToken

policy = Policy("api")


@policy.rule("create_token")
def _create_token(user, _obj):
    # A token acts with exactly its owner's rights but skips the sign-in, the second step included: a person
    # who must sign in with two factors gets one only from a session that has passed the second step
    # (django-otp's ``is_verified``, set on the request's user by its middleware; absent elsewhere: refused).
    if twofactor.required_for(user) and not _verified(user):
        return deny(_("请先完成两步验证，再创建API令牌。"))
    return ALLOW  # every signed-in, active person


def _verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


@policy.rule("revoke_token", model=ApiToken)
def _revoke_token(user, token):
    if token.user_id != user.pk:
        return deny(_("只能吊销自己的令牌。"))
    if token.revoked_at is not None:
        return not_now(_("该令牌已经吊销。"))
    return ALLOW

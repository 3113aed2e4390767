"""Who may manage API tokens: each person their own, nobody else's."""

from django.utils.translation import gettext as _

from hkcourt.org.policy import ALLOW, Policy, deny, not_now

from .models import ApiToken

policy = Policy("api")


@policy.rule("create_token")
def _create_token(user, _obj):
    return ALLOW  # every signed-in, active person; the token acts with exactly their rights


@policy.rule("revoke_token", model=ApiToken)
def _revoke_token(user, token):
    if token.user_id != user.pk:
        return deny(_("只能吊销自己的令牌。"))
    if token.revoked_at is not None:
        return not_now(_("该令牌已经吊销。"))
    return ALLOW

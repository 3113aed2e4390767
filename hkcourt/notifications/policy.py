"""What a person may do with notifications: an inbox is personal, so only its recipient acts on a message."""

from django.utils.translation import gettext as _

from hkcourt.org.policy import ALLOW, Policy, deny, not_now

from . import selectors
from .models import Notification

policy = Policy("notifications")


def _own(user, notification):
    if notification.recipient_id != user.pk:
        return deny(_("只能处理自己的通知。"))
    return ALLOW


@policy.rule("open", model=Notification)
def _open(user, notification):
    """Follow the notification's link (marking it read on the way)."""
    decision = _own(user, notification)
    if not decision:
        return decision
    if not notification.url:
        return not_now(_("这条通知没有链接。"))
    return ALLOW


@policy.rule("mark_read", model=Notification)
def _mark_read(user, notification):
    decision = _own(user, notification)
    if not decision:
        return decision
    if notification.is_read:
        return not_now(_("这条通知已读。"))
    return ALLOW


@policy.rule("mark_all_read")
def _mark_all_read(user, _obj):
    if not selectors.unread_count(user):
        return not_now(_("没有未读通知。"))
    return ALLOW

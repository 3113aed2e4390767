from django.urls import reverse
from django.utils.translation import gettext as _

from hkcourt.org.todos import Todo

from . import selectors


def unread_notifications(user):
    count = selectors.unread_count(user)
    if not count:
        return []
    return [
        Todo(section=_("通知"), title=_("未读通知"), url=reverse("notifications:inbox") + "?show=unread", count=count)
    ]

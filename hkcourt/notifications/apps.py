from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hkcourt.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from hkcourt.org import todos

        from . import policy, services  # noqa: F401 - register the permission rules and the audit codes
        from .todos import unread_notifications

        todos.register(unread_notifications)

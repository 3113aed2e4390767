from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("风险防控登记")

    def ready(self):
        from hkcourt.org import todos

        from . import policy, services  # noqa: F401 - registers the permission rules and the audit action codes
        from .signals import connect
        from .todos import risk_todos

        connect()

        todos.register(risk_todos)

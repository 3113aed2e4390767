from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("廉政风险防范承诺书")

    def ready(self):
        from hkcourt.org import todos

        from . import policy, services  # noqa: F401 - register the permission rules and the audit codes
        from .todos import letters_todos

        todos.register(letters_todos)

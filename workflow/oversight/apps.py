from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """The office's early-warning work (预警处置): signals, warnings and their rules, handling,
    rectification, the dossier. A sub-app of ``workflow``; its tables keep their ``workflow_`` names."""

    name = "workflow.oversight"
    label = "oversight"
    verbose_name = _("预警处置")

    def ready(self):
        from hkcourt.org import todos
        from risks import services as risk_services

        from . import policy, services  # noqa: F401 - register the permission rules and the audit codes
        from .todos import oversight_todos

        todos.register(oversight_todos)
        # 即时预警: a grade change in the registry queues the warning rules for the points it touched.
        risk_services.on_grade_change(services._on_grade_change)

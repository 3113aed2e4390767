from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("活动与预警处置")

    def ready(self):
        from hkcourt.org import todos
        from risks import services as risk_services

        from . import policy, services  # noqa: F401 - register the rules ("workflow.*") and the audit codes
        from .dashboard import policy as dashboard_policy  # noqa: F401 - registers "dashboard.*"
        from .oversight import policy as _oversight_policy  # noqa: F401 - registers the oversight rules
        from .oversight import services as oversight_services

        # 即时预警: a grade change in the registry queues the warning rules for the points it touched.
        risk_services.on_grade_change(oversight_services._on_grade_change)
        from .todos import campaign_tasks

        todos.register(campaign_tasks)

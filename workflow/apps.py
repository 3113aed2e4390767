from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("工作进度与预警处置")

    def ready(self):
        from hkcourt.org import todos

        from . import policy, services  # noqa: F401 - register the rules ("workflow.*") and the audit codes
        from .todos import campaign_tasks

        todos.register(campaign_tasks)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The leading group's dashboard (领导驾驶舱): reads every app, owns no table. A sub-app of ``workflow``."""

    name = "workflow.dashboard"
    label = "dashboard"
    verbose_name = _("领导驾驶舱")

    def ready(self):
        from . import policy  # noqa: F401 - registers the "dashboard.*" rules

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Phase four (巩固提高): questionnaires and democratic evaluation, interviews, the indicator system."""

    name = "workflow.assessment"
    label = "assessment"
    verbose_name = _("考核评估与问卷测评")

    def ready(self):
        from hkcourt.org import todos

        from . import policy, services  # noqa: F401 - register the permission rules and the audit codes
        from .todos import assessment_todos

        todos.register(assessment_todos)

        from workflow.dashboard.selectors import register_section

        from .dashboard import section

        register_section(
            "assessment",
            section,
            watched=[("assessment.AcceptanceUnit", ["self_at", "spot_at", "social_at", "decided_at"])],
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    """Prevention measures (防控措施) and the court rules register (制度汇编): a sub-app of ``risks``.

    Its tables keep their first names (``risks_measure`` …): the models moved here from the ``risks`` label
    by state-only migrations, so an existing database upgrades without copying a row."""

    name = "risks.measures"
    label = "measures"
    verbose_name = _("防控措施")

    def ready(self):
        from hkcourt.org import todos

        from . import policy, services  # noqa: F401 - register the permission rules and the audit codes
        from .todos import measure_todos

        todos.register(measure_todos)

"""Who reads the leading group's dashboard (领导驾驶舱), registered on ``Policy("dashboard")``.

What the figures count is each model's ``visible_to``; these rules only say whether the page, and its
oversight figures (signals, warnings, handling, rectifications), are for the person at all.
"""

from django.utils.translation import gettext_lazy as _

from hkcourt.org.policy import Policy, holds
from hkcourt.org.roles import DASHBOARD_ROLES, OVERSIGHT_ROLES

policy = Policy("dashboard")


@policy.rule("view", message=_("领导驾驶舱仅供分管院领导、院长、领导小组及其办公室使用。"))
def _view(user, _obj):
    """Staff and division heads work from their lists; the dashboard is for those who oversee others."""
    return holds(user, *DASHBOARD_ROLES)


@policy.rule("view_oversight")
def _view_oversight(user, _obj):
    """Signals, warnings and handling are for the office and the leading group only."""
    return holds(user, *OVERSIGHT_ROLES)

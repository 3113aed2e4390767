from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "hkcourt.org"
    label = "org"
    verbose_name = _("组织机构")

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the start-up checks (proxies, public address)
            policy_rules,  # noqa: F401 - registers the org's permission rules
            security,  # noqa: F401 - stamps a session's activity at sign-in (before any request)
        )

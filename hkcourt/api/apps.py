from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hkcourt.api"
    label = "api"
    verbose_name = _("接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from hkcourt.org import audit

        from . import policy  # noqa: F401  (registers the rules)

        audit.register({"api.token_create": _("创建接口令牌"), "api.token_revoke": _("吊销接口令牌")})

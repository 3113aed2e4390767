"""Start-up checks (run by ``manage.py migrate``, ``check`` and ``runserver``) for settings that production
must get right and that cannot be checked by Django's own deploy checks."""

from django.conf import settings
from django.core import checks


def _behind_proxy() -> bool:
    """The production settings: TLS ends at a reverse proxy (``SECURE_PROXY_SSL_HEADER``)."""
    return bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)) and not settings.DEBUG


@checks.register(checks.Tags.security)
def trusted_proxies(app_configs=None, **kwargs):
    if _behind_proxy() and not getattr(settings, "RISKS_TRUSTED_PROXIES", ()):
        return [
            checks.Warning(
                "RISKS_TRUSTED_PROXIES 为空：反向代理之后的所有访问者共用一个限流计数"
                "（登录锁定、意见反馈、验证页面）。",
                hint="Set RISKS_TRUSTED_PROXIES to the reverse proxy's addresses (comma-separated), so the "
                "visitor's own address is read from X-Forwarded-For.",
                id="hkcourt.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def public_base_url(app_configs=None, **kwargs):
    value = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    if _behind_proxy() and not value:
        return [
            checks.Error(
                "PUBLIC_BASE_URL 未设置：承诺书上的验证网址和二维码必须来自配置，而不是请求的 Host。",
                hint="Set PUBLIC_BASE_URL to the address the public uses, e.g. https://lianzheng.court.example",
                id="hkcourt.E001",
            )
        ]
    if value and not value.startswith(("https://", "http://")):
        return [checks.Error("PUBLIC_BASE_URL must start with https:// or http://", id="hkcourt.E002")]
    return []

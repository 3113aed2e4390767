"""Production: PostgreSQL, Redis, gunicorn behind a reverse proxy. Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = False
# No defaults here: an unset or empty SECRET_KEY / ALLOWED_HOSTS stops every process (web, worker, beat,
# manage.py) at start-up with this message, instead of running with base.py's development key.
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "生产环境必须设置 SECRET_KEY 环境变量 (SECRET_KEY is not set: the production settings refuse to start)."
    )
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or SECRET_KEY.startswith("dev-"):
    raise ImproperlyConfigured(
        "SECRET_KEY 太短或为开发用默认值；生产环境需要至少 50 个随机字符 (SECRET_KEY: at least 50 random characters)."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("生产环境必须设置 ALLOWED_HOSTS 环境变量 (ALLOWED_HOSTS is not set).")

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/hkcourt")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Redis down: pages keep working without the cache (hkcourt/org/cache.py; tests/faults prove it).
CACHES = {
    "default": {
        "BACKEND": "hkcourt.org.cache.ResilientRedisCache",
        "LOCATION": env("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": "hkcourt",
    }
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# collectstatic runs at image build time into var/staticfiles (the image's /app/var/staticfiles).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))

# Behind a reverse proxy that terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The reverse proxy's addresses: the public feedback rate limit then reads the visitor's address from
# X-Forwarded-For (set only by the proxy); without it every visitor shares the proxy's bucket.
RISKS_TRUSTED_PROXIES = tuple(env.list("RISKS_TRUSTED_PROXIES", default=[]))

# The office, the leading group and the administrators sign in with a second factor (TOTP).
HKCOURT_REQUIRE_2FA = env.bool("HKCOURT_REQUIRE_2FA", default=True)

DEMO_DATA_ALLOWED = False

"""Settings shared by every stage. Everything that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The address the public reaches the system at (verify links and QR codes on letters, public questionnaires):
# never taken from a request's Host header. Required in production (check hkcourt.E001).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "guardian",
    "import_export",
    "simple_history",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # ground floor
    "hkcourt.org",
    "hkcourt.notifications",
    "hkcourt.api",
    # the apps, in dependency order
    "risks",
    "risks.measures",
    "commitments",
    "workflow",
    "workflow.oversight",
    "workflow.dashboard",
    "workflow.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hkcourt.org.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hkcourt.org.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # two-factor sign-in: django-otp marks a verified session, ours sends the unverified to the second step
    "django_otp.middleware.OTPMiddleware",
    "hkcourt.org.twofactor.TwoFactorMiddleware",
    "hkcourt.org.security.IdleTimeoutMiddleware",
    "hkcourt.org.security.RequestAddressMiddleware",
    "hkcourt.org.security.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as django-axes asks: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hkcourt.urls"
WSGI_APPLICATION = "hkcourt.wsgi.application"
ASGI_APPLICATION = "hkcourt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hkcourt.org.context_processors.navigation",
                "hkcourt.notifications.context_processors.unread",
            ],
        },
    },
]

# One form rendering: Bootstrap 5's classes on every widget (hkcourt/org/forms_renderer.py).
FORM_RENDERER = "hkcourt.org.forms_renderer.BootstrapFormRenderer"

# Database: SQLite file under var/ unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles any query whose estimated cost passes jit_above_cost (100,000): at province
    # scale the dashboard's scoped aggregates spent 2.9 s compiling for 0.3 s of execution (EXPLAIN ANALYZE,
    # bench/README.md "Dashboard"). Short OLTP queries never repay it; off for this application's sessions.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account before any password is checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A session ends after 30 idle minutes and after 8 hours at most (a court PC is often shared).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=8) * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (django-axes, counted in the database, so every gunicorn worker sees the same count):
# five wrong passwords for one account, or from one address, lock it for 15 minutes, on the sign-in page and
# the admin alike (the address is the visitor's behind the proxy: RISKS_TRUSTED_PROXIES).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "hkcourt.org.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Two-factor sign-in (hkcourt/org/twofactor.py) for the office, the leading group and the administrators:
# on in production (prod.py), off here so that the demo accounts sign in with their password alone.
HKCOURT_REQUIRE_2FA = env.bool("HKCOURT_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "廉政风险防控"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the public pages need no grants

# Language and time: Chinese first, English selectable; Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files are served by the application itself (whitenoise): court networks are closed, no CDN.
# Third-party assets come from the npm registry into node_modules/ at set-up and are served from there.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# E-mail: console unless EMAIL_URL says otherwise.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="廉政风险防控 <noreply@court.local>")

# Celery: Redis in production (REDIS_URL); the embedded default is kombu's filesystem transport under
# var/celery/, which needs no server and still carries the worker's and beat's periodic work.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")

# One cache shared by every process (web workers, Celery): Redis when there is one; otherwise files under
# var/cache, which the web server and the worker of `make run` share. Never per-process memory: counters
# such as the signing lock must hold across workers.
CACHES = {
    "default": (
        {"BACKEND": "hkcourt.org.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "hkcourt"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
_CELERY_FS = VAR_DIR / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_CELERY_FS / "queue"),
        "data_folder_out": str(_CELERY_FS / "queue"),
        "processed_folder": str(_CELERY_FS / "processed"),
        "store_processed": False,
        "control_folder": str(_CELERY_FS / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": 3600}
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hkcourt.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["hkcourt.api.rest.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["hkcourt.api.rest.PersonThrottle", "hkcourt.api.rest.AnonymousThrottle"],
    "DEFAULT_SCHEMA_CLASS": "hkcourt.api.schema.Schema",
    "DEFAULT_PAGINATION_CLASS": "hkcourt.api.rest.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "hkcourt.api.rest.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["hkcourt.api.rest.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Per token (else per signed-in person) and per anonymous address; the cache is Redis in production.
API_THROTTLE_RATES = {"token": env("API_RATE_TOKEN", default="600/min"), "anon": env("API_RATE_ANON", default="60/min")}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "廉政风险防控 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema and its docs describe every endpoint: for signed-in people only
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "risks.models.Level",
        "CourtLevelEnum": "hkcourt.org.models.CourtLevel",
        "GradeEnum": "risks.models.Grade",
        "BusinessAreaEnum": "risks.models.BusinessArea",
        "RiskStateEnum": "risks.models.State",
        "LetterStateEnum": "commitments.models.LetterState",
        "LetterKindEnum": "commitments.models.Kind",
        "MeasureKindEnum": "risks.measures.models.MeasureKind",
        "QuestionnaireKindEnum": "workflow.assessment.models.QuestionnaireKind",
        "QuestionnaireStateEnum": "workflow.assessment.models.QuestionnaireState",
        "ItemKindEnum": "workflow.assessment.models.ItemKind",
        "HandlingKindEnum": "workflow.oversight.models.HandlingKind",
        "WarningLevelEnum": "workflow.oversight.models.WarningLevel",
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; lockouts (WARNING) are what the office needs to see
    "loggers": {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}},
}

# Is this stage allowed to load demo data? Only prod says no.
DEMO_DATA_ALLOWED = True

# seed_demo runs these in dependency order; each app adds its own seeder with its issue.
DEMO_SEEDERS = [
    "hkcourt.org.demo.seed",
    "risks.demo.seed",
    "risks.measures.demo.seed",
    "commitments.demo.seed",
    "workflow.demo.seed",
    "workflow.oversight.demo.seed",
    "workflow.assessment.demo.seed",
]

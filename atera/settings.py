"""Django settings for the console, read from the environment (12-factor).

Local use needs no variables at all: SQLite, a file-system Celery broker and
DEBUG off unless ``DJANGO_DEBUG`` is set (``make run`` sets it). Production sets
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` and
``REDIS_URL``; with DEBUG off every security setting turns strict.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Everything read from the environment -------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
REDIS_URL = os.environ.get("REDIS_URL", "")
DATA_DIR = Path(os.environ.get("ATERA_DATA_DIR", BASE_DIR / "var"))
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(60 * 60 * 12)))
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "support@localhost")
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
ATERA_CURRENCY = os.environ.get("ATERA_CURRENCY", "USD")
# Extra shared/free-mail domains to refuse as customer domains, and ones to allow again.
ATERA_FREEMAIL_EXTRA = env_list("ATERA_FREEMAIL_EXTRA")
ATERA_FREEMAIL_ALLOW = env_list("ATERA_FREEMAIL_ALLOW")
# Imports: the largest upload, the most data rows, and how far an XLSX may unpack.
ATERA_IMPORT_MAX_BYTES = int(os.environ.get("ATERA_IMPORT_MAX_BYTES", 50 * 1000 * 1000))
ATERA_IMPORT_MAX_ROWS = int(os.environ.get("ATERA_IMPORT_MAX_ROWS", 1_000_000))
ATERA_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("ATERA_IMPORT_MAX_UNPACKED_BYTES", 1000 * 1000 * 1000)
)
# A validating or importing job with no sign of life for this long is marked failed.
ATERA_IMPORT_STALL_SECONDS = int(os.environ.get("ATERA_IMPORT_STALL_SECONDS", 120))
# Where alert emails go (the MSP's address); empty sends none.
ATERA_ALERT_EMAIL = os.environ.get("ATERA_ALERT_EMAIL", "alerts@localhost")
# Requests per API token, in DRF's "N/period" form.
ATERA_API_TOKEN_RATE = os.environ.get("ATERA_API_TOKEN_RATE", "1000/hour")
# How often the offline check runs, in seconds.
ATERA_OFFLINE_CHECK_SECONDS = int(os.environ.get("ATERA_OFFLINE_CHECK_SECONDS", "60"))
# Tickets from email: the product's own support addresses (mail goes to them, never from
# them; the first one sends replies), the largest message and attachment kept, and how
# many messages one sender may send in a window before the rest are quarantined.
ATERA_SUPPORT_ADDRESSES = env_list("ATERA_SUPPORT_ADDRESSES", "support@localhost")
ATERA_MAIL_MAX_MESSAGE_BYTES = int(
    os.environ.get("ATERA_MAIL_MAX_MESSAGE_BYTES", 30 * 1000 * 1000)
)
ATERA_MAIL_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("ATERA_MAIL_MAX_ATTACHMENT_BYTES", 10 * 1000 * 1000)
)
ATERA_MAIL_RATE_LIMIT = int(os.environ.get("ATERA_MAIL_RATE_LIMIT", "20"))
ATERA_MAIL_RATE_WINDOW_SECONDS = int(os.environ.get("ATERA_MAIL_RATE_WINDOW_SECONDS", "600"))
# Portal sign-in: failures for one address before it locks, and for how long; how long an
# invitation or password-reset link stays valid.
PORTAL_SIGNIN_MAX_FAILURES = int(os.environ.get("PORTAL_SIGNIN_MAX_FAILURES", "5"))
PORTAL_SIGNIN_LOCKOUT_SECONDS = int(os.environ.get("PORTAL_SIGNIN_LOCKOUT_SECONDS", "900"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))
# Mail a receipt ("we opened ticket #N") to customers' people who open a ticket by email.
ATERA_MAIL_ACKNOWLEDGE = env_bool("ATERA_MAIL_ACKNOWLEDGE", default=True)
# -------------------------------------------------------------------------------------------

if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, or set "
            "DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "formtools",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "customers",
    "contacts",
    "contracts",
    "sla",
    "monitoring",
    "tickets",
    "imports",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PortalAccessMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "atera.urls"
WSGI_APPLICATION = "atera.wsgi.application"
ASGI_APPLICATION = "atera.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Celery: Redis in production; otherwise a broker kept in files, so that the worker
# still runs as a separate process with no server to install.
CELERY_BROKER_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # kombu's file transport expects its folders to exist; web and worker both need them.
    for folder in ("queue", "control"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "imports-fail-stalled-jobs": {"task": "imports.fail_stalled_jobs", "schedule": 60.0},
    "monitoring-check-offline": {
        "task": "monitoring.check_offline",
        "schedule": ATERA_OFFLINE_CHECK_SECONDS,
        # A late run is useless once the next one is due.
        "options": {"expires": ATERA_OFFLINE_CHECK_SECONDS},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# Shared by web and workers (import progress lives here): Redis in production, else files.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "atera",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.authentication.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": ATERA_API_TOKEN_RATE},
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "atera.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "atera.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "atera.api.errors.exception_handler",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MSP Console API",
    "DESCRIPTION": (
        "Customers, contacts, contracts, SLA policies, threshold profiles, tickets, devices, "
        "alerts and imports. Authenticate with `Authorization: Token <key>` (keys are made "
        "on the API tokens page of the console) or a console session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # The docs page loads Swagger UI from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        # The 400 body (see atera.api.schema.AutoSchema): field → messages, nested for
        # nested input, or a single detail message.
        "schemas": {
            "ValidationError": {
                "type": "object",
                "description": (
                    "Invalid input: each refused field (or non_field_errors) mapped to its "
                    "messages (nested objects and lists for nested input), or a single "
                    "detail message."
                ),
                "additionalProperties": {
                    "anyOf": [
                        {"type": "array", "items": {}},
                        {"type": "object"},
                        {"type": "string"},
                    ]
                },
            }
        }
    },
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.choices.TicketStatus",
        "PriorityEnum": "tickets.choices.Priority",
        "ImportJobStatusEnum": "imports.models.Status",
        "ImportKindEnum": "imports.models.Kind",
        "TicketMessageKindEnum": "tickets.models.MessageKind",
        "DeviceKindEnum": "monitoring.models.DeviceKind",
        "AlertStateEnum": "monitoring.models.AlertState",
        "ContractTypeEnum": "contracts.choices.ContractType",
        "RateUnitEnum": "contracts.choices.RateUnit",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Once, through our handler (Django's own would print every line twice).
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # 4xx answers are the client's business and are in the access log; keep 5xx.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

"""Settings shared by every environment, read from the process environment.

Only what differs per deployment comes from the environment (12-factor):
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DEBUG``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Environments override these two; base itself is never run directly.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Django's admin, as a site that only superusers may use (console/admin.py).
    "console.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "django_tasks_db",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Ours after django.contrib.auth: our post_migrate receivers then run
    # after auth has created each app's permissions.
    "console",
    "apps.core",
    "apps.accounts",
    "apps.activity",
    "apps.markets",
    "apps.catalog",
    "apps.orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost of ours so its duration and query count cover the whole request.
    "console.middleware.RequestLogMiddleware",
    # Before sessions and auth: input no page accepts is refused (and logged) first.
    "console.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: its response pass sees every page a
    # signed-in user gets, refusals and redirects included.
    "console.middleware.PrivatePagesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "console.middleware.StaffRequiredMiddleware",
    "console.middleware.ActiveUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "console.middleware.HtmxMessagesMiddleware",
    "console.errors.DomainErrorMiddleware",
    # Last, as axes asks: it turns a lockout flagged by its backend into our
    # sign-in page with the lockout message (console/signin.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"
ASGI_APPLICATION = "console.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.console",
            ],
            "builtins": ["django.templatetags.static"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a request writes; a busy timeout
    # turns short lock waits into waits instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds a Redis connect or reply may take; Redis answers in well under a
# millisecond on a LAN, so anything near this is an outage, not load.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
REDIS_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, wrapped so a Redis outage means recomputing,
            # never an error page (see console/cache.py).
            "BACKEND": "console.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "console"),
            "TIMEOUT": 3600,
            # Passed to redis-py's connection pool. Without them a Redis that
            # accepts connections and never answers holds every request
            # forever; with them each cache call gives up quickly and the
            # page is recomputed (console/cache.py).
            "OPTIONS": REDIS_OPTIONS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "console",
            "TIMEOUT": 3600,
        }
    }

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out username+address before any password
# is checked (it needs ``request`` passed to authenticate(); LoginView does).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes, console/signin.py): 5 failures for one
# username from one address lock that pair for 15 minutes; a success resets
# the count. Attempts and lockouts are rows in the admin (superusers only)
# and WARNING lines of the ``axes`` logger.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "console.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "console.signin.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
# Axes' default masks username and address in its log lines (a username box
# sometimes receives a password); the admin's attempt rows have them in full.
# How many proxies in front append to X-Forwarded-For: 0 means the socket's
# address is the client's (dev, tests). Production defaults it to 1 when
# SECURE_PROXY_SSL says a proxy terminates TLS (prod.py).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# A strict policy: nothing inline, nothing from elsewhere. Our scripts and
# htmx are served from 'self'; the nonce covers htmx's own script tag.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}

# Dev prints emails; prod reads EMAIL_URL (console/settings/mailurl.py).
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "console@example.com")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-hover align-middle"}

# How often the active-user middleware may write ``Profile.last_active``.
LAST_ACTIVE_INTERVAL_SECONDS = 300

# The load balancer's liveness probe speaks plain HTTP: never redirect it
# (SECURE_SSL_REDIRECT is on in production).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Requests at least this slow are logged at WARNING (console.middleware.RequestLogMiddleware).
REQUEST_LOG_SLOW_MS = int(os.environ.get("REQUEST_LOG_SLOW_MS", "1000"))
REQUEST_LOG_LEVEL = os.environ.get("REQUEST_LOG_LEVEL", "INFO")
# ``X-Query-Count`` and ``Server-Timing`` (db time, query count) on every
# response, and each query's SQL, time and line of our code kept for the
# debug toolbar's query-budget panel. Dev and test turn it on; production
# leaves it off: the headers would tell anyone how the pages are built, and
# recording costs a stack walk per query.
QUERY_COUNT_HEADERS = False
# How the querysets of lists and details fetch a field they did not load
# (apps/core/fetching.py): "raise" (FieldFetchBlocked) in dev and test so an
# N+1 fails where it is written; "peers" here, for production, where one
# query for the whole page beats an error page (and "one" is Django's default).
CONSOLE_FETCH_MODE = os.environ.get("CONSOLE_FETCH_MODE", "peers")
if CONSOLE_FETCH_MODE not in ("raise", "peers", "one"):
    raise ImproperlyConfigured("CONSOLE_FETCH_MODE must be raise, peers or one.")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "console.request": {
            "handlers": ["console"],
            "level": REQUEST_LOG_LEVEL,
            "propagate": False,
        },
        "console": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Every attempt of background work, retried or not (apps/core/work.py).
        "apps.core.work": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
# Retries of background work (apps/core/work.py): attempts in all, and the
# first wait, doubled each time: 2, 4, 8, 16, 32 minutes, about an hour.
BACKGROUND_WORK = {"MAX_ATTEMPTS": 6, "FIRST_RETRY_SECONDS": 120}

# --- The automation API (/api/v1/, docs/DESIGN.md "The API") ---------------------
# Tokens are knox's, swapped for ours: the same hashed token with a name.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migrations create its AuthToken table even when the model is
# swapped; unused, it would still reference users (and break flushing them on
# PostgreSQL). knox has no other model, so it needs no migrations at all.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    # The page asks for an expiry; this is the longest it offers.
    "TOKEN_TTL": timedelta(days=365),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "con_",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.web.rest_policy.StaffModelPermissions"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.web.rest_policy.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_RATE", "600/minute")},
    "DEFAULT_PAGINATION_CLASS": "apps.core.web.rest_policy.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.web.rest.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Console API",
    "DESCRIPTION": "Markets, orders, carts, products and the activity timeline, over the "
    "same services as the pages. Authenticate with `Authorization: Token <token>` "
    "(create one at /api-tokens/).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for staff, like everything else.
    "SERVE_PERMISSIONS": ["apps.core.web.rest_policy.StaffModelPermissions"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MarketStatusEnum": "apps.markets.models.MarketStatus.choices",
        "OrderStatusEnum": "apps.orders.models.OrderStatus.choices",
        "PaymentStatusEnum": "apps.orders.models.PaymentStatus.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.web.rest.add_problem_responses",
    ],
}
# How long a repeated Idempotency-Key waits for the first request's answer
# before it is told the charge is still in progress.
API_IDEMPOTENCY_WAIT_SECONDS = 10.0

PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "apps.orders.payments.SandboxGateway")

"""Production: secure by default, every secret from the environment.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``EMAIL_URL``,
``DEFAULT_FROM_EMAIL``.
Recommended: ``REDIS_URL``. Behind a TLS-terminating proxy set ``SECURE_PROXY_SSL=1``
(and ``PROXY_COUNT`` if more than one proxy appends to ``X-Forwarded-For``).
"""

import os
import sys

from .base import *  # noqa: F403
from .base import LOGGING, env_bool, env_list
from .mailurl import EmailURLError, mailer_from_url

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # One line that says what to do beats an ImproperlyConfigured traceback.
    sys.exit(
        "console: SECRET_KEY is not set; export SECRET_KEY to a random string of 50+ characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))")'
    )

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
if env_bool("SECURE_PROXY_SSL", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The same proxy appends the client's address to X-Forwarded-For: sign-in
    # lockouts (axes, console/signin.py) count per real client, not per proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1"))

# One JSON line per request is for development; production logs the failed
# (5xx) and slow ones only (RequestLogMiddleware). REQUEST_LOG_LEVEL=INFO
# brings every line back while investigating.
LOGGING["loggers"]["console.request"]["level"] = os.environ.get("REQUEST_LOG_LEVEL", "WARNING")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Side effects run in a worker (`manage.py db_worker`), off the request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if not EMAIL_URL:
    sys.exit(
        "console: EMAIL_URL is not set; export EMAIL_URL=smtp+tls://user:password@host:587 "
        "(or console:// to print emails instead of sending them; see docs/deploy.md)"
    )
try:
    MAILERS = {"default": mailer_from_url(EMAIL_URL)}
except EmailURLError as error:
    sys.exit(f"console: EMAIL_URL cannot be used: {error} (see docs/deploy.md)")

# base.py's console@example.com is fine for dev; customers must never get it.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip()
if not DEFAULT_FROM_EMAIL:
    sys.exit(
        "console: DEFAULT_FROM_EMAIL is not set; export DEFAULT_FROM_EMAIL to the sender of "
        "customer emails, e.g. 'Orders <orders@shop.example>' (see docs/deploy.md)"
    )

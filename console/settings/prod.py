"""Production: secure by default, every secret from the environment.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``. Recommended:
``REDIS_URL``. Behind a TLS-terminating proxy set ``SECURE_PROXY_SSL=1``.
"""

import os
import sys

from .base import *  # noqa: F403
from .base import env_bool, env_list

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

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Side effects run in a worker (`manage.py db_worker`), off the request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    }
}

"""``make bench``'s settings: production's behaviour on a database of the bench's own.

DEBUG off, no query-count headers, the production fetch mode, the request
log at WARNING (as ``console.settings.prod``), without prod's secrets and
HTTPS (the test client speaks plain HTTP). ``DATABASE_URL`` chooses the
database server (SQLite without it); ``BENCH_DB`` the database: a file for
SQLite, a database name for PostgreSQL (``benchmarks.__main__`` sets it).
The URLconf adds the admin the bench compares with (``benchmarks.urls``).
"""

import os

from console.settings.base import *  # noqa: F403
from console.settings.base import DATABASES, LOGGING

DEBUG = False
SECRET_KEY = "bench-only-insecure-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Static files from the app and project folders, no collectstatic (as the tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
ROOT_URLCONF = "benchmarks.urls"
LOGGING["loggers"]["console.request"]["level"] = "WARNING"

if os.environ.get("BENCH_DB"):
    DATABASES["default"]["NAME"] = os.environ["BENCH_DB"]
    # The throw-away database of the growth benchmark (benchmarks/growth.py).
    DATABASES["default"]["TEST"] = {"NAME": os.environ["BENCH_DB"] + "_growth"}

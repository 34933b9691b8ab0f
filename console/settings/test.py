"""The test suite: fast hashing, emails kept in memory, tasks run inline."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Serve static files straight from the app and project folders, no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# X-Query-Count and Server-Timing on every response (console/middleware.py).
QUERY_COUNT_HEADERS = True
# A field a list or detail row did not load is an error, not a query per row
# (apps/core/fetching.py).
CONSOLE_FETCH_MODE = "raise"

# Persistent connections would outlive the live server's threads and block
# dropping the PostgreSQL test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, like the real thing: an in-memory shared-cache database takes
    # table locks that ignore the busy timeout, so concurrent transactions
    # (the live server's threads, the double-click tests) would fail where
    # production waits its turn.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405

"""Local development: DEBUG on, debug toolbar, emails printed to the console."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, MIDDLEWARE, SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
INTERNAL_IPS = ["127.0.0.1"]

INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
# The toolbar goes right after the request log so it sees every other layer.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("console.middleware.RequestLogMiddleware") + 1,
    "debug_toolbar.middleware.DebugToolbarMiddleware",
)

DEBUG_TOOLBAR_CONFIG = {
    # htmx swaps would otherwise remove the toolbar; fetch updates show each
    # htmx request's panels (queries included) in the toolbar's history.
    "ROOT_TAG_EXTRA_ATTRS": "hx-preserve",
    "UPDATE_ON_FETCH": True,
    "SHOW_COLLAPSED": True,
}

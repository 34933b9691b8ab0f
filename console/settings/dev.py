"""Local development: DEBUG on, debug toolbar, emails printed to the console."""

from debug_toolbar.settings import PANELS_DEFAULTS

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, MIDDLEWARE, SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
INTERNAL_IPS = ["127.0.0.1"]

# X-Query-Count and Server-Timing on every response, and the queries kept for
# the query-budget panel below (console/middleware.py).
QUERY_COUNT_HEADERS = True
# A field a list or detail row did not load is an error, not a query per row
# (apps/core/fetching.py).
CONSOLE_FETCH_MODE = "raise"

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
# The stock panels, with the query budget first after the history: the
# number of queries against the view's budget and the N+1 suspects, for the
# page and each htmx request in the history (console/debug_panels.py).
DEBUG_TOOLBAR_PANELS = [
    "debug_toolbar.panels.history.HistoryPanel",
    "console.debug_panels.QueryBudgetPanel",
    *(panel for panel in PANELS_DEFAULTS if panel != "debug_toolbar.panels.history.HistoryPanel"),
]

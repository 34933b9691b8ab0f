"""Query budgets: each view says once how many queries a GET of it may run.

``@query_budget(7)`` on a view is read by the debug toolbar's query-budget
panel (console/debug_panels.py) and by the test that walks every URL at two
data sizes (console/tests/test_budgets.py): within the budget, and the same
count whatever the number of rows. The number is the ceiling over the
view's GETs (full page, filtered page, htmx partial); the per-view tests
pin the exact count of each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

View = TypeVar("View", bound=Callable[..., Any])

ATTRIBUTE = "query_budget"


def query_budget(queries: int) -> Callable[[View], View]:
    """Declare the most queries one GET of the decorated view may run.

    Django's view decorators (``require_GET``, ``permission_required``) copy
    the function's attributes onto their wrappers, so the order does not
    matter.
    """
    if queries < 1:
        raise ValueError("A page runs at least one query (the session).")

    def declare(view: View) -> View:
        setattr(view, ATTRIBUTE, queries)
        return view

    return declare


def budget_of(view: Callable[..., Any] | None) -> int | None:
    """The budget ``view`` declares, or ``None`` for one that declares none."""
    if view is None:
        return None
    budget = getattr(view, ATTRIBUTE, None)
    if budget is None and hasattr(view, "view_class"):  # a class-based view's as_view()
        budget = getattr(view.view_class, ATTRIBUTE, None)
    return budget

"""Query budgets: each view says once how many queries a request to it may run.

``@query_budget(7)`` on a view is read by the debug toolbar's query-budget
panel (console/debug_panels.py) and by the test that walks every URL at two
data sizes (console/tests/test_budgets.py): within the budget, and the same
count whatever the number of rows. The number is the ceiling over the
view's GETs (full page, filtered page, htmx partial); the per-view tests
pin the exact count of each.

An API ViewSet (``apps/*/rest.py``) serves several actions under one URL
name (``list`` and ``create`` on ``market-list``; ``retrieve`` and
``partial_update`` on ``market-detail``; each transition on its own), so it
declares one budget per action, once, on the class:
``@query_budget(list=6, retrieve=7, charge=15)``. ``budget_of`` picks the
action the request's method is routed to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

View = TypeVar("View", bound=Callable[..., Any])

ATTRIBUTE = "query_budget"


def query_budget(queries: int | None = None, /, **actions: int) -> Callable[[View], View]:
    """Declare the most queries one GET of the decorated view may run.

    Either one number (a function or class-based view), or one per action of
    an API ViewSet, by the action's name (``list=6, retrieve=7, publish=12``).
    Django's view decorators (``require_GET``, ``permission_required``) copy
    the function's attributes onto their wrappers, so the order does not
    matter.
    """
    if (queries is None) == (not actions):
        raise ValueError("Declare one budget, or one per action of a ViewSet.")
    declared: int | dict[str, int] = queries if queries is not None else dict(actions)
    if min([queries] if queries is not None else list(actions.values())) < 1:
        raise ValueError("A request runs at least one query (the session or the token).")

    def declare(view: View) -> View:
        setattr(view, ATTRIBUTE, declared)
        return view

    return declare


def budget_of(view: Callable[..., Any] | None, method: str = "GET") -> int | None:
    """The budget ``view`` declares for a ``method`` request, or ``None`` if none.

    ``view`` is what the URL pattern resolves to: a function, a class-based
    view's ``as_view()`` (``view_class``; DRF's ``cls``), or a ViewSet's
    ``as_view(actions)``, whose ``actions`` map the method to the action.
    """
    if view is None:
        return None
    budget = getattr(view, ATTRIBUTE, None)
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if budget is None and view_class is not None:
        budget = getattr(view_class, ATTRIBUTE, None)
    if isinstance(budget, dict):
        actions = getattr(view, "actions", None) or {}
        method = method.lower()
        # DRF answers a HEAD with the GET's action (routing it on the first request).
        action = actions.get(method) or (actions.get("get") if method == "head" else None)
        return budget.get(action) if action else None
    return budget

"""The debug toolbar's query-budget panel (dev settings only: the toolbar is a
dev dependency, so nothing outside ``DEBUG_TOOLBAR_PANELS`` imports this).

For the page and each htmx request the toolbar keeps in its history: the
number of queries and their time, the view's declared budget and whether it
was exceeded, and the queries grouped by SQL with N+1 suspects flagged and
the line of our code that ran them (console/querybudget.py). The subtitle
reads ``7 queries · budget 8 · 0 N+1``.
"""

from __future__ import annotations

from typing import Any

from debug_toolbar.panels import Panel
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .querybudget import query_report, summary


class QueryBudgetPanel(Panel):
    title = "Query budget"
    nav_title = "Query budget"
    template = "console/debug/query_budget.html"

    @property
    def nav_subtitle(self) -> str:
        stats = self.get_stats()
        return summary(stats) if stats else ""

    def generate_stats(self, request: HttpRequest, response: HttpResponse) -> None:
        # The queries were recorded by RequestLogMiddleware's execute wrapper,
        # which sits outside the toolbar: by now it has seen every query of
        # the view and the middleware inside the toolbar.
        self.record_stats(query_report(request))

    def _history(self) -> list[dict[str, Any]]:
        """This panel's numbers for every request the toolbar's store keeps."""
        rows = []
        for request_id in reversed(list(self.toolbar.store.request_ids())):
            stats = self.toolbar.store.panel(request_id, self.panel_id)
            if stats:
                rows.append(
                    {
                        **stats,
                        "summary": summary(stats),
                        "current": request_id == self.toolbar.request_id,
                    }
                )
        return rows

    @property
    def content(self) -> str:
        stats = self.get_stats()
        return render_to_string(
            self.template, {**stats, "summary": summary(stats), "history": self._history()}
        )

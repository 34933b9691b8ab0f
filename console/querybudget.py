"""What a request's queries say about its budget: counts, time, N+1 suspects.

Reads the queries ``RequestLogMiddleware`` recorded (``request.query_counter``,
dev and test only) and the budget the view declared
(``apps.core.web.budgets``). The debug toolbar's query-budget panel shows it
(console/debug_panels.py); the budget walk test asserts on it
(console/tests/test_budgets.py). No toolbar import here: tests run without it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest

from apps.core.web.budgets import budget_of

# A group of queries is an N+1 suspect when the same SQL ran at least twice
# with different parameters: one query per row (or per related object) where
# one query for all of them would do. The same SQL with the same parameters
# is a duplicate, shown too but not an N+1.
N_PLUS_ONE_MIN = 2


def view_budget(request: HttpRequest) -> tuple[str, int | None]:
    """The resolved view's name and the budget it declares for this request's method."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", None
    return match.view_name or match._func_path, budget_of(match.func, request.method or "GET")


def query_report(request: HttpRequest) -> dict[str, Any]:
    """The request's queries against its budget, as JSON-ready data.

    Groups are queries with the same SQL (parameters aside), most run first;
    each names the lines of our code that ran them, most frequent first.
    """
    counter = getattr(request, "query_counter", None)
    queries = list(counter.queries) if counter is not None and counter.detailed else []
    view, budget = view_budget(request)
    by_sql: dict[str, list[Any]] = {}
    for query in queries:
        by_sql.setdefault(query.sql, []).append(query)
    groups = []
    for sql, runs in by_sql.items():
        distinct = len({repr(run.params) for run in runs})
        origins = Counter(run.origin or "(not our code)" for run in runs)
        groups.append(
            {
                "sql": sql,
                "count": len(runs),
                "distinct_params": distinct,
                "duration_ms": round(sum(run.duration_ms for run in runs), 2),
                "origins": [
                    {"line": line, "times": times} for line, times in origins.most_common()
                ],
                "n_plus_one": len(runs) >= N_PLUS_ONE_MIN and distinct >= 2,
                "duplicate": len(runs) >= 2 and distinct == 1,
            }
        )
    groups.sort(key=lambda group: (-group["count"], -group["duration_ms"]))
    count = counter.count if counter is not None else 0
    return {
        "path": request.path,
        "method": request.method,
        "htmx": request.headers.get("HX-Request") == "true",
        "view": view,
        "count": count,
        "db_ms": round(counter.db_ms, 2) if counter is not None else 0.0,
        "budget": budget,
        "exceeded": budget is not None and count > budget,
        "over": max(0, count - budget) if budget is not None else 0,
        "n_plus_one": sum(1 for group in groups if group["n_plus_one"]),
        "groups": groups,
    }


def summary(report: dict[str, Any]) -> str:
    """``7 queries · budget 8 · 0 N+1``: the panel's subtitle."""
    budget = report.get("budget")
    count = report.get("count", 0)
    return " · ".join(
        [
            f"{count} {'query' if count == 1 else 'queries'}",
            f"budget {budget}" if budget is not None else "no budget",
            f"{report.get('n_plus_one', 0)} N+1",
        ]
    )

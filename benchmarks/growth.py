"""Query counts and render times per page at growing row counts.

``python -m benchmarks growth`` (a part of ``make bench``). Runs against a
throw-away test database (SQLite, or PostgreSQL when ``DATABASE_URL`` is set).
A page whose query count grows with the rows has an N+1; its time column
shows what that costs. Targets live here, never in
timed tests.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client

from benchmarks import scenarios

REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))


@dataclass
class Result:
    page: str
    rows: int
    queries: int
    median_ms: float
    p90_ms: float


def measure(client: Client, path: str) -> tuple[int, float, float]:
    client.get(path)  # warm caches and imports
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return queries, statistics.median(timings), timings[int(len(timings) * 0.9) - 1]


def main() -> int:
    logging.getLogger("console.request").setLevel(logging.WARNING)
    # No setup_test_environment(): it instruments every template render and
    # the test client then copies each context, which real requests never pay.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results: list[Result] = []
    try:
        for name, grow, paths in scenarios.SCENARIOS:
            client = scenarios.staff_client()
            for rows in scenarios.ROW_COUNTS:
                grow(rows)
                for path_name, path in paths().items():
                    queries, median, p90 = measure(client, path)
                    results.append(Result(f"{name}: {path_name}", rows, queries, median, p90))
        export = _export_memory()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"{'page':<40} {'rows':>6} {'queries':>8} {'median ms':>10} {'p90 ms':>8}")
    for r in results:
        print(f"{r.page:<40} {r.rows:>6} {r.queries:>8} {r.median_ms:>10.1f} {r.p90_ms:>8.1f}")
    print()
    print(f"{'CSV export':<40} {'rows':>6} {'peak KiB':>10}")
    for rows, peak in export:
        print(f"{'orders/export.csv':<40} {rows:>6} {peak:>10.0f}")
    flat = _flat_query_counts(results)
    for page, ok in flat.items():
        print(f"{'flat' if ok else 'GROWS'}: {page}")
    # Streaming: peak memory must not grow with the rows (10x rows, < 2x memory).
    memory_flat = export[-1][1] < 2 * export[0][1]
    print(f"{'flat' if memory_flat else 'GROWS'}: CSV export memory")
    return 0 if all(flat.values()) and memory_flat else 1


def _export_memory() -> list[tuple[int, float]]:
    """Peak Python memory while streaming the CSV export, at growing row counts."""
    import tracemalloc

    client = scenarios.staff_client()
    measured = []
    for rows in (1000, 10000):
        scenarios.grow_orders(rows)
        response = client.get("/orders/export.csv")
        tracemalloc.start()
        written = sum(1 for _ in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
        assert written == rows + 1, (written, rows)
        measured.append((rows, peak))
    return measured


def _flat_query_counts(results: list[Result]) -> dict[str, bool]:
    by_page: dict[str, set[int]] = {}
    for r in results:
        by_page.setdefault(r.page, set()).add(r.queries)
    return {page: len(counts) == 1 for page, counts in by_page.items()}


Grow = Callable[[int], None]

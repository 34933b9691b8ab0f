"""The load test's results table, from locust's CSV files (``--csv PREFIX``).

Locust's own summary prints a dozen percentiles for every row; this keeps
what docs/performance.md reports: requests, requests/s, p50/p95/p99 and
errors per endpoint, then the errors' messages.
"""

from __future__ import annotations

import csv
import os
import platform
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: str
    p95: str
    p99: str


def read_stats(prefix: Path) -> tuple[list[Row], list[tuple[str, str, int]]]:
    """Rows of ``PREFIX_stats.csv`` (the aggregate last) and (name, error, count)
    of ``PREFIX_failures.csv``."""
    rows = []
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        for line in csv.DictReader(stats):
            rows.append(
                Row(
                    name=line["Name"],
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    rps=float(line["Requests/s"]),
                    p50=line["50%"],
                    p95=line["95%"],
                    p99=line["99%"],
                )
            )
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with path.open(newline="") as found:
            for line in csv.DictReader(found):
                failures.append((line["Name"], line["Error"], int(line["Occurrences"])))
    return rows, failures


def render_table(rows: list[Row], failures: list[tuple[str, str, int]]) -> str:
    """A Markdown table (it goes into docs/performance.md as it is)."""
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        name = "**all**" if row.name == "Aggregated" else row.name
        lines.append(
            f"| {name} | {row.requests} | {row.rps:.1f} | {row.p50} | {row.p95} | {row.p99} "
            f"| {row.failures} |"
        )
    for name, error, count in failures:
        lines.append(f"\n{count} x {name}: {error}")
    return "\n".join(lines)


def machine() -> str:
    """Cores, CPU and load when the run started: the figures mean little without them."""
    model = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") if os.path.exists("/proc/cpuinfo") else open(os.devnull) as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"Machine: {os.cpu_count()} cores, {model}; load average {load} (1, 5, 15 min)."

"""The activity list's search and filter choices, on the database the suite runs on
(SQLite here, PostgreSQL in CI): same results on both, served by an index."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity import selectors
from apps.activity.models import Event

pytestmark = pytest.mark.django_db


def _event(label: str, reason: str = "", *, context: str = "orders", age: int = 0) -> Event:
    return Event.objects.create(
        name="order_refunded",
        context=context,
        aggregate_type="order",
        aggregate_id=label,
        aggregate_label=label,
        reason=reason,
        occurred_at=timezone.now() - timedelta(minutes=age),
    )


@pytest.fixture
def events() -> dict[str, Event]:
    return {
        "damaged": _event("ORD-7K3M9Q", "Arrived damaged, box crushed", age=0),
        "late": _event("ORD-HQ2W4X", "Arrived two weeks late", age=1),
        "market": _event("Lisbon Ceramics", "Fraud suspected", context="markets", age=2),
    }


def _labels(client: Client, query: str) -> list[str]:
    response = client.get("/activity/", {"q": query})
    assert response.status_code == 200
    labels = ("ORD-7K3M9Q", "ORD-HQ2W4X", "Lisbon Ceramics")
    content = response.content.decode()
    return sorted(label for label in labels if label in content)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ord-7k3", ["ORD-7K3M9Q"]),  # part of the subject, any case
        ("ARRIVED", ["ORD-7K3M9Q", "ORD-HQ2W4X"]),  # part of the reason
        ("arrived late", ["ORD-HQ2W4X"]),  # every word, each in either column
        ("late arrived", ["ORD-HQ2W4X"]),  # in any order
        ("hq2 weeks", ["ORD-HQ2W4X"]),  # one word in the subject, one in the reason
        ("lisbon fraud", ["Lisbon Ceramics"]),
        ("arrived ox", ["ORD-7K3M9Q"]),  # a two-letter word with a longer one ("box")
        ("ox", ["ORD-7K3M9Q"]),  # two letters alone
        ('"crushed"', []),  # quotes are text, not FTS5 syntax
        ("arrived OR fraud", []),  # OR is a word to find
        ("arr*", []),
        ("nothing", []),
    ],
)
def test_every_word_in_the_subject_or_the_reason(
    client: Client, viewer, events: dict[str, Event], query: str, expected: list[str]
) -> None:
    client.force_login(viewer)
    assert _labels(client, query) == expected


def test_the_search_index_follows_inserts_updates_and_deletes(
    client: Client, viewer, events: dict[str, Event]
) -> None:
    client.force_login(viewer)
    added = _event("ORD-NEW234", "Customer moved abroad")
    assert "ORD-NEW234" in client.get("/activity/", {"q": "abroad"}).content.decode()
    Event.objects.filter(pk=added.pk).update(reason="Wrong size")
    assert "ORD-NEW234" not in client.get("/activity/", {"q": "abroad"}).content.decode()
    assert "ORD-NEW234" in client.get("/activity/", {"q": "wrong size"}).content.decode()
    Event.objects.filter(pk=added.pk).delete()
    assert "ORD-NEW234" not in client.get("/activity/", {"q": "wrong size"}).content.decode()


def test_a_search_is_served_by_an_index(client: Client, viewer, events: dict[str, Event]) -> None:
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as captured:
        client.get("/activity/", {"q": "arrived weeks"})
    (sql,) = [
        q["sql"]
        for q in captured.captured_queries
        if re.match(r'SELECT "activity_event"\."id"', q["sql"]) and "LIMIT" in q["sql"]
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = "\n".join(row[-1] for row in cursor.fetchall())
            assert "activity_event_search VIRTUAL TABLE" in plan, plan
            assert not re.search(r"\bSCAN activity_event\b", plan), plan
        else:
            # See apps/orders/tests/test_search.py: only a bitmap scan of an index
            # whose condition is the search is left to the planner.
            for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on activity_event" not in plan, plan
            assert "event_label_trgm" in plan and "event_reason_trgm" in plan, plan


def test_filter_choices_are_the_distinct_values_in_order() -> None:
    for context in ("orders", "markets", "orders", "catalog", "markets"):
        _event("x", context=context)
    assert selectors.distinct_values("context") == [
        ("catalog", "catalog"),
        ("markets", "markets"),
        ("orders", "orders"),
    ]
    assert selectors.distinct_values("name") == [("order_refunded", "order refunded")]

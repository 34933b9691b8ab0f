"""Every URL, fuzzed: hostile input is a clear 4xx and changes nothing (issue 12).

Hypothesis draws requests for every named route of the URLconf (Django's
admin aside, it is Django's own): URL parts filled from seeded objects or
hostile strings, query parameters (``per_page``, ``page``, ``sort``, ``q``
and every list filter, discovered from the FilterSets), form fields
(discovered from the forms, the transitions' inputs and the bulk
registrations) with NUL bytes, huge and negative numbers, unknown choices,
10 KB strings. POSTs go as a superuser (who may) and as a Viewer (who may
not). The invariants:

- never a 5xx;
- a GET changes nothing; a Viewer's POST changes nothing;
- a NUL byte anywhere is a 400 that changes nothing;
- a refusal (4xx, with htmx) changes nothing. A declined payment (402) is a
  recorded fact, not a refusal of input, and is left out.

"Nothing" is every row of the domain's tables (markets, catalog, orders,
activity, background work). Each example runs in a savepoint rolled back
after it, so examples start from the same seeded data. CI runs this on
PostgreSQL too, where a NUL byte used to be a 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.catalog.tests.factories import ProductFactory
from apps.core.models import Job, JobStatus
from apps.core.transitions import transition_inputs
from apps.core.web.actions import BulkActions, Transitions
from apps.core.web.filters import ConsoleFilterSet
from apps.core.web.forms import VersionedForm
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

# Keep the whole module well under a minute on SQLite (2 shared cores).
EXAMPLES_PER_ROUTE = 10
SKIPPED_PREFIXES = ("admin/", "__debug__/")
DOMAIN_APPS = ("markets", "catalog", "orders", "activity", "core")
# Query parameters every list understands (UI.md), besides its filters.
LIST_PARAMETERS = ["per_page", "page", "sort", "q", "confirm", "next"]

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 10_000,
    " ".join(["word"] * 2_000),
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999999999",
    "9" * 5_000,
    "1e309",
    "NaN",
    "-inf",
    "bogus",
    "",
    " ",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "\uff12",  # a fullwidth digit: int() reads it, a database may not
    "2026-02-30",
    "99999-12-31",
]


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # "markets/<slug:slug>/edit/"
    default_args: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.template)


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            template = prefix + str(pattern.pattern)
            if template.startswith(SKIPPED_PREFIXES) or template.startswith("^"):
                continue
            yield Route(f"{namespace}{pattern.name}", template, dict(pattern.default_args))


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda route: route.name)


def test_the_routes_cover_the_console() -> None:
    names = {route.name for route in ROUTES}
    assert {"dashboard", "palette", "markets:edit", "orders:transition", "orders:place"} <= names
    assert len(ROUTES) >= 30


def _all_subclasses(cls: Any) -> list[Any]:
    found: list[Any] = []
    subclass: Any
    for subclass in cls.__subclasses__():
        found += [subclass, *_all_subclasses(subclass)]
    return found


def _filter_names_and_choices() -> dict[str, list[str]]:
    """Every list filter's name, with its valid choices (when it has fixed ones)."""
    names: dict[str, list[str]] = {}
    for filterset in _all_subclasses(ConsoleFilterSet):
        for name, list_filter in filterset.base_filters.items():
            choices = list_filter.extra.get("choices")
            values = [str(value) for value, _ in choices] if isinstance(choices, list) else []
            names.setdefault(name, []).extend(values)
    return names


def _form_fields() -> set[str]:
    """Every field of the console's forms, with the hidden ones edits carry."""
    names = {"_validate", "version"}
    for form in _all_subclasses(VersionedForm):
        for name in form.base_fields:
            names |= {name, f"initial-{name}"}
    return names


@dataclass
class Seeded:
    """What the fuzzer fills URLs and forms with, besides hostile strings."""

    values: dict[str, list[str]]
    post_fields: list[str]
    query_fields: dict[str, list[str]]


@pytest.fixture
def seeded(db: None, role_groups: None) -> Seeded:
    markets = [MarketFactory(status=status) for status in MarketStatus.values]
    orders = [OrderFactory(status=status) for status in OrderStatus.values]
    cart = CartFactory(market=markets[1])
    CartItemFactory(cart=cart, product=ProductFactory(market=markets[1], stock=5))
    job = Job.objects.create(
        task_path="apps.orders.tasks.send_order_email",
        arguments={"order_id": orders[0].pk, "kind": "shipped"},
        context="orders",
        name="shipping_email",
        subject_type="order",
        subject_id=str(orders[0].pk),
        subject_label=orders[0].number,
        subject_url=orders[0].get_absolute_url(),
        status=JobStatus.FAILED,
        attempts=6,
        max_attempts=6,
    )
    transition_names: set[str] = set()
    post_fields = _form_fields() | {"ids", "action", "days", "username", "password", "email"}
    for route in ROUTES:
        registration = route.default_args.get("actions")
        if isinstance(registration, Transitions):
            transition_names |= set(registration.services)
            for key in [market.slug for market in markets] + [order.number for order in orders]:
                try:
                    instance = registration.lookup(key)
                except Exception:  # noqa: BLE001 - the other context's key
                    continue
                for name in registration.services:
                    post_fields |= set(transition_inputs(instance, name))
        bulk = route.default_args.get("bulk")
        if isinstance(bulk, BulkActions):
            transition_names |= set(bulk.actions)
    filters = _filter_names_and_choices()
    values = {
        "slug": [market.slug for market in markets],
        "number": [order.number for order in orders],
        "cart_id": [str(cart.pk)],
        "pk": [str(job.pk)],
        "action": ["retry", "dismiss", *sorted(transition_names)],
        "name": sorted(transition_names),
        "ids": [str(order.pk) for order in orders] + [str(market.pk) for market in markets],
        "uidb64": ["MQ"],
        "token": ["set-password"],
        "currency": ["EUR", "USD"],
    }
    query_fields: dict[str, list[str]] = {name: [] for name in LIST_PARAMETERS} | filters
    query_fields["sort"] = ["name", "-updated_at", "number", "-total", "placed_at"]
    query_fields["per_page"] = ["25", "50", "100"]
    query_fields["confirm"] = sorted(transition_names)
    return Seeded(values, sorted(post_fields), query_fields)


def _value(draw: Any, valid: list[str]) -> str:
    pools = [st.sampled_from(HOSTILE), st.text(max_size=40)]
    if valid:
        pools.append(st.sampled_from(valid))
    return draw(st.one_of(*pools))


def _path(route: Route, seeded: Seeded, hostile: dict[str, str] | None = None) -> str:
    """The route's URL with each part a seeded value, or the hostile one given."""
    path = route.template
    for parameter in route.parameters:
        value = (hostile or {}).get(parameter) or (seeded.values.get(parameter) or ["1"])[0]
        path = re.sub(rf"<(?:\w+:)?{parameter}>", quote(value, safe="") or "x", path, count=1)
    return "/" + path


@st.composite
def requests(draw: Any, route: Route, seeded: Seeded) -> dict[str, Any]:
    hostile = {
        parameter: _value(draw, seeded.values.get(parameter, []))
        for parameter in route.parameters
        if draw(st.booleans())
    }
    query = {
        name: _value(draw, valid)
        for name, valid in draw(
            st.lists(st.sampled_from(sorted(seeded.query_fields.items())), max_size=4)
        )
    }
    form = {
        name: _value(draw, seeded.values.get(name, []))
        for name in draw(st.lists(st.sampled_from(seeded.post_fields), max_size=5))
    }
    return {
        "path": _path(route, seeded, hostile),
        "query": query,
        "form": form,
        "method": draw(st.sampled_from(["get", "post"])),
        "role": draw(st.sampled_from(["superuser", "viewer"])),
        "htmx": draw(st.booleans()),
    }


# What every route gets for certain, besides the random draws.
NASTY = ["\x00", "-1", "99999999999999999999999999999999", "x" * 10_000, "bogus"]
LIST_ATTACKS = {
    "per_page": ["-1", "0", "100000000", "abc"],
    "page": ["-1", "0", "10" + "0" * 30, "abc"],
    "sort": ["bogus", "-", "x" * 10_000],
    "q": ["x" * 10_000, " ".join(["word"] * 5_000), "\x00"],
}


def _explicit_examples(route: Route, seeded: Seeded, get_answers: bool) -> list[dict[str, Any]]:
    base = {"path": _path(route, seeded), "query": {}, "form": {}, "htmx": True}
    examples = []
    if get_answers:
        for name, values in LIST_ATTACKS.items():
            examples += [
                {**base, "method": "get", "role": "viewer", "query": {name: value}}
                for value in values
            ]
        # Every list filter at once: an unknown choice, a huge number, 10 KB.
        for value in NASTY[1:]:
            everything = dict.fromkeys(seeded.query_fields, value)
            examples.append({**base, "method": "get", "role": "superuser", "query": everything})
    for value in NASTY:
        everything = dict.fromkeys(seeded.post_fields, value)
        examples.append({**base, "method": "post", "role": "superuser", "form": everything})
    examples.append(
        {**base, "method": "post", "role": "viewer", "form": dict.fromkeys(seeded.post_fields, "1")}
    )
    for parameter in route.parameters:
        for value in NASTY:
            path = _path(route, seeded, {parameter: value})
            examples += [
                {**base, "path": path, "method": "get", "role": "superuser"},
                {**base, "path": path, "method": "post", "role": "superuser"},
            ]
    return examples


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of the domain's tables (a few dozen, seeded)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for label in DOMAIN_APPS
        for model in django_apps.get_app_config(label).get_models()
    }


def _has_nul(request: dict[str, Any]) -> bool:
    texts = [request["path"], *request["query"], *request["query"].values()]
    texts += [*request["form"], *request["form"].values()]
    return any("\x00" in text or "%00" in text for text in texts)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_no_hostile_request_is_a_5xx_or_changes_anything_it_refuses(
    route: Route, seeded: Seeded, superuser, viewer
) -> None:
    users = {"superuser": superuser, "viewer": viewer}
    probe = Client()
    probe.force_login(superuser)
    get_answers = probe.get(_path(route, seeded)).status_code == 200

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=requests(route, seeded))
    def check(request: dict[str, Any]) -> None:
        client = Client(raise_request_exception=False)
        headers = {"HX-Request": "true"} if request["htmx"] else {}
        with transaction.atomic():
            client.force_login(users[request["role"]])
            before = _snapshot()
            if request["method"] == "get":
                response = client.get(request["path"], request["query"], headers=headers)
            else:
                path = request["path"]
                if request["query"]:
                    path += "?" + "&".join(
                        f"{quote(key, safe='')}={quote(value, safe='')}"
                        for key, value in request["query"].items()
                    )
                response = client.post(path, request["form"], headers=headers)
            status = response.status_code
            assert status < 500, (status, request)
            unchanged = _snapshot() == before
            if "\x00" in str(request) and _has_nul(request):
                assert status in (400, 404), (status, request)
            if request["method"] == "get" or request["role"] == "viewer":
                assert unchanged, (status, request)
            if request["htmx"] and status >= 400 and status != 402:
                assert unchanged, (status, request)
            transaction.set_rollback(True)

    for request in _explicit_examples(route, seeded, get_answers):
        check = example(request=request)(check)
    check()

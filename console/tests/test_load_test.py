"""``make load`` kept from rotting: its URLs resolve, the pages still carry what
its virtual users read off them, the locustfile loads, the report adds up.

The load run itself is not part of the suite (minutes of CPU); these are.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from apps.accounts.tests.factories import PASSWORD
from apps.orders.models import Order, OrderStatus
from apps.orders.payments import CENT_OUTCOMES, SandboxGateway
from console import demo_scale
from loadtest import mix
from loadtest.__main__ import LoadTestError, server_environment
from loadtest.report import read_stats, render_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("endpoint", mix.ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_every_endpoint_of_the_mix_resolves(endpoint: mix.Endpoint) -> None:
    resolve(urlsplit(endpoint.url(**mix.EXAMPLES)).path)  # Resolver404 otherwise


@pytest.fixture
def scale_data(manager, agent, finance, viewer) -> None:
    actors = {"manager": manager, "agent": agent, "finance": finance}
    demo_scale.seed_scale(orders=80, seed=1, actors=actors, write=lambda _: None)


def htmx(client, path: str) -> str:
    response = client.get(path, headers={"HX-Request": "true"})
    assert response.status_code == 200, path
    return response.text


@pytest.mark.django_db
def test_an_agent_finds_on_the_pages_what_the_load_test_reads(client, scale_data) -> None:
    """The agent's path: sign in, pick a market, a pending order, charge it."""
    response = client.post(mix.SIGN_IN.path, {"username": "agent", "password": PASSWORD})
    assert response.status_code == 302  # what the load test expects of a sign-in

    orders = client.get(mix.ORDERS.path).text
    assert mix.CURRENT_USER.search(orders)
    assert mix.CSRF.search(orders)
    found: set[str] = set()
    for term in mix.MARKET_QUERIES:  # what the agent types in the Market autocomplete
        choices = client.get(mix.MARKET_CHOICES.url(term=term), follow=True).text
        found.update(mix.MARKET_ID.findall(choices))
    markets = sorted(found, key=int)
    assert len(markets) == demo_scale.scale_markets(80)

    numbers = []
    for market in markets:
        numbers += mix.ORDER_LINK.findall(
            htmx(client, mix.ORDERS_FILTERED.url(status="pending", market=market))
        )
    order = next(
        order
        for order in Order.objects.filter(number__in=numbers, market__status="active")
        if mix.sandbox_accepts(str(order.total))
    )
    detail = client.get(mix.ORDER_DETAIL.url(number=order.number)).text
    confirm = mix.CHARGE_CONFIRM.search(detail)
    assert confirm is not None
    assert (Decimal(confirm.group(1)), confirm.group(2)) == (order.total, order.number)
    key = mix.IDEMPOTENCY.search(detail)
    assert key is not None

    response = client.post(
        mix.CHARGE.url(number=order.number),
        {"idempotency_key": key.group(1)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_every_page_of_the_mix_answers_a_reader(client, scale_data, viewer) -> None:
    client.force_login(viewer)
    markets_page = client.get(mix.MARKETS.path).text
    slug = mix.MARKET_LINK.findall(markets_page)[0]
    choices = client.get(mix.MARKET_CHOICES.url(term="scale market"), follow=True).text
    assert mix.MARKET_SLUG.findall(choices)
    orders_page = client.get(mix.ORDERS.path).text
    market = mix.MARKET_ID.findall(choices)[0]
    number = mix.ORDER_LINK.findall(orders_page)[0]
    values = {**mix.EXAMPLES, "slug": slug, "market": market, "number": number, "n": 2}
    for endpoint in mix.ENDPOINTS:
        if endpoint.method != "GET" or endpoint is mix.SIGN_IN_PAGE:
            continue
        headers = {"HX-Request": "true"} if endpoint.htmx else {}
        # follow: the market choices redirect once to their current version.
        response = client.get(endpoint.url(**values), headers=headers, follow=True)
        assert response.status_code == 200, endpoint.name


def test_the_orders_the_load_test_charges_are_the_ones_the_sandbox_accepts() -> None:
    gateway = SandboxGateway()
    for cents in [*CENT_OUTCOMES, 50, 54, 0]:
        total = f"12.{cents:02d}"
        result = gateway.charge(
            amount=Decimal(total), currency="EUR", token="tok_visa", idempotency_key=total
        )
        assert mix.sandbox_accepts(total) == result.succeeded, total


def test_the_locustfile_loads_and_names_its_users() -> None:
    # In a child process: importing locust patches the standard library (gevent).
    listed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", "loadtest/locustfile.py", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert {"OrderAgent", "Reader"} <= set(listed.stdout.split())


def test_the_servers_stay_on_the_loopback_and_on_postgresql() -> None:
    env = server_environment("postgres://postgres@127.0.0.1/x", "redis://localhost:6379/3")
    assert env["DJANGO_SETTINGS_MODULE"] == "console.settings.prod"
    assert env["SECURE_PROXY_SSL"] == "1"  # not SECURE_SSL_REDIRECT=0: prod as it is
    with pytest.raises(LoadTestError, match="loopback"):
        server_environment("postgres://postgres@db.example.com/x", "redis://127.0.0.1/0")
    with pytest.raises(LoadTestError, match="loopback"):
        server_environment("postgres://postgres@127.0.0.1/x", "redis://10.0.0.5/0")
    with pytest.raises(LoadTestError, match="PostgreSQL"):
        server_environment("sqlite:///tmp/x.db", "redis://127.0.0.1/0")


def test_the_report_keeps_p50_p95_p99_per_endpoint_and_every_error(tmp_path) -> None:
    header = (
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
    )
    (tmp_path / "run_stats.csv").write_text(
        header
        + "GET,orders list,120,1,80,90,10,900,5000,2.0,0.0,80,85,90,95,99,120,150,180,200,900,900\n"
        + ",Aggregated,120,1,80,90,10,900,5000,2.0,0.0,80,85,90,95,99,120,150,180,200,900,900\n"
    )
    (tmp_path / "run_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nGET,orders list,500 from http://127.0.0.1:8101,1\n"
    )

    rows, failures = read_stats(tmp_path / "run")
    table = render_table(rows, failures)

    assert "| orders list | 120 | 2.0 | 80 | 120 | 180 | 1 |" in table
    assert "| **all** | 120 | 2.0 | 80 | 120 | 180 | 1 |" in table
    assert "1 x orders list: 500 from http://127.0.0.1:8101" in table

"""The load test's virtual staff: order agents working the queues and taking
payments, and readers (viewer, market manager, finance) browsing.

Run by ``make load`` (``python -m loadtest``), which starts the servers and
sets ``LOAD_NODES``: one base URL, or several (the web tier as separate
gunicorn instances). With several, every request goes to the next node in
turn, as a round-robin load balancer would send it: a user signs in on one
node, reads a form on another and posts it to a third. A session, a CSRF
token or a cache entry kept in one process would show up as a failure here,
and the first thing each user does is check it explicitly ("cross-node").

The servers run the production settings, which expect HTTPS behind a
TLS-terminating proxy (``SECURE_PROXY_SSL=1``): each request says
``X-Forwarded-Proto: https`` as that proxy would, POSTs carry the ``Origin``
a browser would send, and the client sends the ``Secure`` cookies over the
loopback's plain HTTP (``keep_secure_cookies_on_loopback``). Nothing in the app is relaxed
for the test.

Expected answers only: a redirect to the sign-in page (a session another
node does not know), a 4xx or a 5xx is a failure. Charges pick orders whose
total the sandbox gateway accepts (cents other than .51-.53), and each agent
works markets no other agent works, so no two users race for one order.
"""

from __future__ import annotations

import html
import itertools
import os
import random
import re
import uuid
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

from loadtest import mix
from loadtest.mix import (
    CHARGE_CONFIRM,
    CSRF,
    CURRENT_USER,
    IDEMPOTENCY,
    MARKET_ID,
    MARKET_LINK,
    MARKET_QUERIES,
    MARKET_SLUG,
    ORDER_LINK,
    Endpoint,
    sandbox_accepts,
)

NODES = [node.rstrip("/") for node in os.environ.get("LOAD_NODES", "").split(",") if node]
PASSWORD = os.environ.get("DEMO_PASSWORD", "console-demo")
# A bound besides the run time: the runner stops after this many requests.
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "30000"))
# Agents share the markets out by position (agent i takes markets i, i+STRIDE, ...).
STRIDE = 50
SEARCH_TERMS = ["berg", "fischer", "costa.1", "garcía", "ito", "@customers", "ORD-2", "hansen"]


_agents = itertools.count()
_users = itertools.count()
_readers = itertools.count()
_requests = itertools.count(1)


def keep_secure_cookies_on_loopback(jar: CookieJar) -> None:
    """Let the ``Secure`` cookies go back over the loopback's plain HTTP.

    The servers believe they are behind TLS (``X-Forwarded-Proto: https``)
    and mark the session and CSRF cookies ``Secure``, as in production; a
    browser would hold them for the https:// origin of the proxy. (requests
    copies the jar into a fresh one per request, so a cookie policy would
    not reach it: the flag is cleared on the stored cookies instead.)
    """
    for cookie in jar:
        cookie.secure = False


@events.init.add_listener
def _bound_requests(environment: Environment, **kwargs: Any) -> None:
    def count(**kwargs: Any) -> None:
        if next(_requests) == MAX_REQUESTS and environment.runner is not None:
            gevent.spawn(environment.runner.quit)

    environment.events.request.add_listener(count)


class ConsoleUser(HttpUser):
    abstract = True
    host = NODES[0] if NODES else "http://127.0.0.1:8000"
    wait_time = between(0.5, 2.0)
    username = ""

    def on_start(self) -> None:
        nodes = NODES or [self.host or ""]
        # Users start on different nodes, then each request goes to the next.
        start = next(_users) % len(nodes)
        self.nodes = itertools.cycle(nodes[start:] + nodes[:start])
        self.csrf = ""
        self.markets: list[str] = []
        self.sign_in()
        if len(nodes) > 1:
            self.check_every_node_knows_me(nodes)

    # --- requests -------------------------------------------------------------

    def go(
        self,
        endpoint: Endpoint,
        *,
        data: dict[str, str] | None = None,
        page: str = "/",
        expect: int = 200,
        **values: object,
    ) -> str:
        """Request ``endpoint`` from the next node; its body, or "" when it failed."""
        node = next(self.nodes)
        origin = "https://" + urlsplit(node).netloc
        headers = {"X-Forwarded-Proto": "https"}
        if endpoint.htmx:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = origin + page
        if endpoint.method == "POST":
            headers["Origin"] = origin
            data = {"csrfmiddlewaretoken": self.csrf, **(data or {})}
        with self.client.request(
            endpoint.method,
            node + endpoint.url(**values),
            name=endpoint.name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            keep_secure_cookies_on_loopback(self.client.cookies)
            if response.status_code != expect:
                where = response.headers.get("Location", "")
                if "/accounts/login/" in where:
                    response.failure(f"signed out on {node}: its session is unknown there")
                else:
                    response.failure(f"{response.status_code} from {node} {where}".strip())
                return ""
            body = response.text
            if token := CSRF.search(body):
                self.csrf = token.group(1)
            return body

    def sign_in(self) -> None:
        self.go(mix.SIGN_IN_PAGE)
        self.go(mix.SIGN_IN, data={"username": self.username, "password": PASSWORD}, expect=302)
        # The dashboard carries the token every later POST sends (as a page would).
        self.go(mix.DASHBOARD)

    def check_every_node_knows_me(self, nodes: list[str]) -> None:
        """Signed in through one node, recognised by every node, with the same name."""
        names = set()
        for _ in nodes:
            body = self.go(mix.DASHBOARD)
            names.add(match.group(1) if (match := CURRENT_USER.search(body)) else None)
        with _Check(self, "cross-node: one session on every node") as check:
            if len(names) != 1 or None in names:
                check.failure(f"nodes disagree on who is signed in: {names}")

    def pick(self, body: str, pattern: re.Pattern[str]) -> str | None:
        found = pattern.findall(body)
        return random.choice(found) if found else None

    # --- shared tasks ---------------------------------------------------------

    @task(2)
    def palette(self) -> None:
        self.go(mix.PALETTE, term=random.choice(["ord", "pend", "scale mar", "mug", "ber"]))

    @task(2)
    def orders_search(self) -> None:
        self.go(mix.ORDERS_SEARCH, page="/orders/", term=random.choice(SEARCH_TERMS))

    @task(2)
    def order_detail(self) -> None:
        body = self.go(mix.ORDERS_PAGE, page="/orders/", n=random.randint(1, 400))
        if number := self.pick(body, ORDER_LINK):
            self.go(mix.ORDER_DETAIL_HTMX, page="/orders/", number=number)


class _Check:
    """A named pass/fail entry in the results that is not an HTTP request."""

    def __init__(self, user: ConsoleUser, name: str) -> None:
        self.user, self.name, self.failed = user, name, ""

    def __enter__(self) -> _Check:
        return self

    def failure(self, message: str) -> None:
        self.failed = message

    def __exit__(self, *exc: object) -> None:
        self.user.environment.events.request.fire(
            request_type="CHECK",
            name=self.name,
            response_time=0,
            response_length=0,
            exception=AssertionError(self.failed) if self.failed else None,
            context={},
        )


class OrderAgent(ConsoleUser):
    """Works the payment queue of its own markets, ships, looks orders up."""

    username = mix.AGENT

    def on_start(self) -> None:
        self.index = next(_agents)
        super().on_start()
        self.go(mix.ORDERS)
        found: set[str] = set()
        for term in MARKET_QUERIES:  # the Market filter's autocomplete
            found.update(MARKET_ID.findall(self.go(mix.MARKET_CHOICES, term=term)))
        options = sorted(found, key=int)
        self.markets = options[self.index % STRIDE :: STRIDE] or options

    @task(4)
    def charge(self) -> None:
        """Open a pending order of one of my markets and take its payment."""
        market = random.choice(self.markets)
        body = self.go(mix.ORDERS_FILTERED, page="/orders/", status="pending", market=market)
        number = self.pick(body, ORDER_LINK)
        if number is None:  # this market's queue is empty (or it takes no charges)
            self.markets = [m for m in self.markets if m != market] or self.markets
            return
        page = f"/orders/{number}/"
        body = self.go(mix.ORDER_DETAIL, number=number)
        confirm = CHARGE_CONFIRM.search(html.unescape(body))
        key = IDEMPOTENCY.search(body)
        if confirm is None or key is None:  # no enabled Charge: the market is not active
            return
        if not sandbox_accepts(confirm.group(1)):
            return
        self.go(mix.CHARGE, page=page, number=number, data={"idempotency_key": key.group(1)})

    @task(1)
    def ship(self) -> None:
        market = random.choice(self.markets)
        body = self.go(mix.ORDERS_FILTERED, page="/orders/", status="paid", market=market)
        if number := self.pick(body, ORDER_LINK):
            self.go(mix.ORDER_DETAIL_HTMX, page="/orders/", number=number)
            self.go(
                mix.SHIP,
                page=f"/orders/{number}/",
                number=number,
                data={"tracking_number": f"LOAD{uuid.uuid4().hex[:12].upper()}"},
            )

    @task(2)
    def orders_list(self) -> None:
        self.go(mix.ORDERS)

    @task(1)
    def orders_sorted(self) -> None:
        self.go(mix.ORDERS_SORTED, page="/orders/")


class Reader(ConsoleUser):
    """A viewer, a market manager or finance: reads everything, changes nothing."""

    def on_start(self) -> None:
        self.username = mix.READERS[next(_readers) % len(mix.READERS)]
        super().on_start()

    @task(3)
    def dashboard(self) -> None:
        self.go(mix.DASHBOARD)

    @task(1)
    def markets_list(self) -> None:
        body = self.go(mix.MARKETS)
        if slug := self.pick(body, MARKET_LINK):
            self.go(mix.MARKET_DETAIL, slug=slug)

    @task(1)
    def markets_filtered(self) -> None:
        self.go(mix.MARKETS_FILTERED, page="/markets/", term=random.choice(["scale", "0", "1"]))

    @task(1)
    def products(self) -> None:
        self.go(mix.PRODUCTS)
        body = self.go(mix.MARKET_CHOICES, term="scale market")  # the Market autocomplete
        if slug := self.pick(body, MARKET_SLUG):
            self.go(mix.PRODUCTS_FILTERED, page="/products/", slug=slug)

    @task(1)
    def activity(self) -> None:
        self.go(mix.ACTIVITY)
        self.go(mix.ACTIVITY_FILTERED, page="/activity/", term=random.choice(SEARCH_TERMS))

    @task(1)
    def orders_filtered(self) -> None:
        self.go(mix.ORDERS)
        body = self.go(mix.MARKET_CHOICES, term="scale market")  # the Market autocomplete
        if market := self.pick(body, MARKET_ID):
            status = random.choice(["pending", "paid", "shipped", "delivered"])
            self.go(mix.ORDERS_FILTERED, page="/orders/", status=status, market=market)

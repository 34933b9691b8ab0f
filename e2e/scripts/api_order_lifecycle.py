"""An order's whole life through the API only, with a token: a staff script.

Places an order from a cart, charges it, ships it, marks it delivered and
refunds it, each with ``If-Match`` (the ETag it just read) and the charge and
refund with an ``Idempotency-Key`` (safe to re-run after a network error);
then prints the order's timeline, where every step says "via API (token)"::

    python -m e2e.scripts.api_order_lifecycle --url http://127.0.0.1:8000 \\
        --token "$CONSOLE_TOKEN" --cart 12

Standard library only. Exits non-zero, printing the problem's ``detail``
(the sentence the pages show), when a step is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from typing import Any


class Refused(Exception):
    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail', problem)}")
        self.status = status
        self.problem = problem


class Api:
    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/") + "/api/v1"
        self.token = token

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, **headers: str
    ) -> tuple[dict[str, Any], str]:
        """(the JSON answer, its ETag); a refusal raises ``Refused`` with the problem."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Token {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
                **{name.replace("_", "-"): value for name, value in headers.items()},
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read()), response.headers.get("ETag", "")
        except urllib.error.HTTPError as error:
            raise Refused(error.code, json.loads(error.read() or b"{}")) from None


def run(api: Api, cart_id: int, *, say: Any = print) -> dict[str, Any]:
    """Place, charge, ship, deliver and refund; the order as it ends, with its timeline."""
    order, etag = api.call("POST", f"/carts/{cart_id}/place/")
    number = order["number"]
    say(f"placed {number}: {order['total']} {order['currency']}")
    steps: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("charge", {}, {"Idempotency_Key": f"charge-{uuid.uuid4().hex}"}),
        ("ship", {"tracking_number": f"TRK-{number}"}, {}),
        ("mark_delivered", {}, {}),
        ("refund", {"reason": "Customer returned it"}, {"Idempotency_Key": uuid.uuid4().hex}),
    ]
    for name, body, headers in steps:
        order, etag = api.call("POST", f"/orders/{number}/{name}/", body, If_Match=etag, **headers)
        say(f"{name}: {number} is now {order['status_display']}")
    events, _ = api.call("GET", f"/events/?q={number}")
    timeline = [event for event in events["results"] if event["aggregate_label"] == number]
    for event in reversed(timeline):
        say(f"  {event['occurred_at']} {event['actor']} {event['name']} via {event['via']}")
    return {"order": order, "timeline": timeline}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", default=os.environ.get("CONSOLE_TOKEN", ""))
    parser.add_argument("--cart", type=int, required=True)
    arguments = parser.parse_args(argv)
    try:
        run(Api(arguments.url, arguments.token), arguments.cart)
    except Refused as refusal:
        print(f"refused ({refusal.status}): {refusal.problem.get('detail')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

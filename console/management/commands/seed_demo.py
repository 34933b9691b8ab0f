"""Load demo data: one staff user per role, and each context's demo records.

Idempotent: safe to run on every ``make run``. ``--orders N`` adds the large
data set of ``console/demo_scale.py`` (load tests, benchmarks) on top.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from apps.accounts import roles
from apps.accounts.services import upsert_staff_user
from console import demo, demo_catalog, demo_scale

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "console-demo")

DEMO_USERS = [
    # (username, first name, role, superuser)
    ("manager", "Maya", roles.MARKET_MANAGERS, False),
    ("agent", "Omar", roles.ORDER_AGENTS, False),
    ("finance", "Fiona", roles.FINANCE, False),
    ("viewer", "Victor", roles.VIEWERS, False),
    ("admin", "Ada", None, True),
]


def sign_in_banner(url: str) -> str:
    """How to sign in to the demo at ``url``: the last lines ``make run`` prints."""
    lines = [f"Console is ready. Sign in at {url} as:"]
    for username, _, role, superuser in DEMO_USERS:
        lines.append(f"  {username:<8} / {DEMO_PASSWORD}   ({'superuser' if superuser else role})")
    return "\n".join(lines)


# The demo's orders send their confirmation, shipping and refund emails like
# any other; while seeding they are kept in memory instead of printed (dev
# prints emails), so `make run` shows a few lines, not hundreds.
SEEDING_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo data. Safe to run repeatedly."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="where the console is served"
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=0,
            help="also make sure the scale data set holds this many orders (bulk inserts)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed of the scale data set")

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(MAILERS=SEEDING_MAILERS):
            users = self.seed()
        if options["orders"] > 0:
            started = time.monotonic()
            # On a terminal, a bar redrawn in place; in a log, a line per tenth.
            draw = self._draw if self.stdout.isatty() else None
            added = demo_scale.seed_scale(
                orders=options["orders"], seed=options["seed"], actors=users,
                write=self.stdout.write, draw=draw,
            )  # fmt: skip
            self.stdout.write(
                f"Scale data set: {options['orders']:,} orders, {added:,} added "
                f"in {time.monotonic() - started:.1f} s."
            )
        self.stdout.write(self.style.SUCCESS(sign_in_banner(options["url"])))

    def _draw(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()

    def seed(self) -> dict[str, Any]:
        # The role groups come with the migrations; a database flushed since
        # (a test's, or one restored without them) has none. Idempotent.
        roles.sync_roles()
        users = {}
        for username, first_name, role, superuser in DEMO_USERS:
            users[username] = upsert_staff_user(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                first_name=first_name,
                last_name="Demo",
                is_superuser=superuser,
            )
        created = demo.seed_markets(users["manager"])
        self.stdout.write(f"Markets: {created} created.")
        created = demo_catalog.seed_catalog(users["manager"])
        self.stdout.write(f"Products: {created} created.")
        placed = demo.seed_orders(
            agent=users["agent"], finance=users["finance"], manager=users["manager"]
        )
        self.stdout.write(f"Orders: {placed} placed (with carts left open).")
        return users

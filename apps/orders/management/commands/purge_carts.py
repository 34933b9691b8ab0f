"""``manage.py purge_carts [--days N]``: delete abandoned carts in bulk."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.orders import services


class Command(BaseCommand):
    help = "Delete carts with no items or untouched for N days (one event records how many)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=services.ABANDONED_AFTER_DAYS,
            help=f"untouched for this many days (default {services.ABANDONED_AFTER_DAYS})",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        count = services.purge_abandoned_carts(actor=None, older_than_days=days)
        self.stdout.write(f"{count} abandoned cart{'s' if count != 1 else ''} deleted.")

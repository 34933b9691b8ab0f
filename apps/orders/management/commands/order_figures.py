"""``manage.py order_figures [--check]``: rebuild the dashboard's figures from
the orders, or only compare them (exit status 1 on any difference)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.orders import figures


class Command(BaseCommand):
    help = "Rebuild the dashboard's order figures from the orders, or --check them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare the figures kept with the orders; change nothing",
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        if check:
            differences = figures.drift()
            for line in differences[:50]:
                self.stderr.write(line)
            if differences:
                raise CommandError(
                    f"{len(differences)} figure(s) differ from the orders; "
                    "run `manage.py order_figures` to rebuild them."
                )
            self.stdout.write("The order figures match the orders.")
            return
        rows = figures.rebuild()
        self.stdout.write(f"Order figures rebuilt: {rows} rows.")

"""``runserver`` that ends its start-up output with how to sign in.

``make run`` uses it so the last lines on the screen are the demo accounts
and the address actually bound (``HOST``/``PORT`` of the Makefile), not
Django's banner.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from console.management.commands.seed_demo import sign_in_banner


class Command(RunserverCommand):
    help = "Serve like runserver, then print the demo sign-in for the bound address."

    def on_bind(self, server_port: Any) -> None:
        super().on_bind(server_port)
        # Set by runserver's handle(); django-stubs does not declare them.
        address: str = self.addr  # type: ignore[attr-defined]
        host = f"[{address}]" if self._raw_ipv6 else address  # type: ignore[attr-defined]
        self.stdout.write(
            sign_in_banner(f"{self.protocol}://{host}:{server_port}/"), self.style.SUCCESS
        )

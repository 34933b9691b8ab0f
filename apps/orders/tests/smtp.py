"""A real SMTP server on loopback for tests (aiosmtpd), and a port nobody listens on."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A loopback port with nothing listening: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mailers_for(port: int) -> dict[str, Any]:
    """``MAILERS`` sending by SMTP to ``127.0.0.1:port``: what prod builds from
    ``EMAIL_URL=smtp://127.0.0.1:<port>?timeout=5`` (console/tests/test_mailurl.py)."""
    options = {"host": "127.0.0.1", "port": port, "timeout": 5.0, "username": "", "password": ""}
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


class Mailbox:
    """What the server accepted; addresses in ``refuse`` get a permanent 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()

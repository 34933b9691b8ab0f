from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.orders.payments import SandboxGateway, get_gateway, reset_gateway


@pytest.fixture(autouse=True)
def sandbox() -> Iterator[SandboxGateway]:
    """A fresh sandbox gateway per test, to count its calls."""
    reset_gateway()
    gateway = get_gateway()
    assert isinstance(gateway, SandboxGateway)
    yield gateway
    reset_gateway()

"""API test helpers: a client per role, authenticated with a real token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import create_api_token
from apps.orders.payments import SandboxGateway, get_gateway, reset_gateway


@pytest.fixture
def token_client() -> Callable[..., APIClient]:
    """``token_client(user, name="script")``: an APIClient sending that user's new token."""

    def make(user: Any, name: str = "script") -> APIClient:
        _, raw = create_api_token(actor=user, name=name, days=30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make


@pytest.fixture(autouse=True)
def sandbox() -> Iterator[SandboxGateway]:
    reset_gateway()
    gateway = get_gateway()
    assert isinstance(gateway, SandboxGateway)
    yield gateway
    reset_gateway()

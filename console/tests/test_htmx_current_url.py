"""A forged HX-Current-URL (the browser's address, sent by htmx) is never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/orders/", "/markets/", "/activity/", "/products/"])
@pytest.mark.parametrize(
    "shown", ["http://[", "http://[::1/orders/?status=paid", "::::", "%", "?a=%zz"]
)
def test_an_unparsable_current_url_resends_the_sidebar(
    client: Client, manager, url: str, shown: str
) -> None:
    client.force_login(manager)
    response = client.get(
        url, {"status": "paid"}, headers={"HX-Request": "true", "HX-Current-URL": shown}
    )
    assert response.status_code == 200
    # Which link the browser marks is unknown: the sidebar comes along, out of band.
    if url in ("/orders/", "/markets/"):  # their sidebars mark ?status=
        assert "hx-swap-oob" in response.content.decode()

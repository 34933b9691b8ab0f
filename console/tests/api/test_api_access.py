"""Every API route needs a signed-in staff member: 401 without, 403 for outsiders."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import create_api_token
from console.api_urls import router

pytestmark = pytest.mark.django_db

SAMPLE = {"slug": "sample", "number": "ORD-1", "pk": "1"}


def _api_paths() -> list[tuple[str, str]]:
    paths = [("get", "/api/v1/schema/"), ("get", "/api/v1/docs/")]
    for prefix, viewset, _ in router.registry:
        paths.append(("get", f"/api/v1/{prefix}/"))
        key = SAMPLE.get(getattr(viewset, "lookup_field", "pk"), "1")
        paths.append(("get", f"/api/v1/{prefix}/{key}/"))
        for extra in viewset.get_extra_actions():
            paths.append(("post", f"/api/v1/{prefix}/{key}/{extra.url_path}/"))
    return paths


API_PATHS = _api_paths()


def test_every_transition_is_routed():
    actions = {path for _, path in API_PATHS}
    for name in ("charge", "cancel", "ship", "mark_delivered", "refund"):
        assert f"/api/v1/orders/ORD-1/{name}/" in actions
    for name in ("publish", "suspend", "reinstate", "archive"):
        assert f"/api/v1/markets/sample/{name}/" in actions


@pytest.mark.parametrize(("method", "path"), API_PATHS)
def test_anonymous_get_401_and_outsiders_403(method, path, customer):
    anonymous = getattr(APIClient(), method)(path)
    assert anonymous.status_code == 401, path
    outsider = APIClient()
    outsider.credentials(
        HTTP_AUTHORIZATION=f"Token {create_api_token(actor=customer, name='x', days=7)[1]}"
    )
    assert getattr(outsider, method)(path).status_code == 403, path

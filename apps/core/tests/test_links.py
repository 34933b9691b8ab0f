from __future__ import annotations

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from apps.core.links import page_url

CASES = [
    ("orders:detail", "ORD-4D5A94"),
    ("orders:detail", "a b é?%&"),  # quoted as reverse() quotes it
    ("orders:cart", 17),
    ("markets:detail", "berlin-vintage"),
    ("catalog:product", 123456789012),
]


@pytest.mark.parametrize(("name", "key"), CASES)
def test_a_page_url_is_what_reverse_gives(name: str, key: object) -> None:
    assert page_url(name, key) == reverse(name, args=[key])


def test_a_page_url_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/console/")
        assert page_url("orders:cart", 3) == reverse("orders:cart", args=[3]) == "/console/carts/3/"
    finally:
        clear_script_prefix()
    assert page_url("orders:cart", 3) == "/carts/3/"

from __future__ import annotations

import pytest

from apps.core.errors import InvalidInput
from apps.core.text import make_slug, require_length


def test_make_slug_fits_its_column_at_a_word_boundary() -> None:
    assert make_slug("Harbour Fish", max_length=80) == "harbour-fish"
    assert make_slug("alpha beta gamma", max_length=12) == "alpha-beta"
    assert make_slug("abcdefghij", max_length=4) == "abcd"
    assert len(make_slug("word " * 60, max_length=80)) <= 80


def test_require_length_names_the_field() -> None:
    assert require_length("ok", field="sku", label="A SKU", max_length=2) == "ok"
    with pytest.raises(InvalidInput, match=r"A SKU has at most 2 characters\.") as raised:
        require_length("toolong", field="sku", label="A SKU", max_length=2)
    assert raised.value.field == "sku"

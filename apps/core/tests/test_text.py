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


def test_a_search_is_cut_to_two_hundred_characters_and_ten_words() -> None:
    from apps.core.text import MAX_SEARCH_LENGTH, search_text, search_words

    assert MAX_SEARCH_LENGTH == 200
    assert search_text("  a  ") == "a"
    assert search_text("x" * 10_000) == "x" * 200
    assert search_words(" ".join(f"w{n}" for n in range(5_000))) == [f"w{n}" for n in range(10)]
    # The length is cut first: words past 200 characters never count.
    assert search_words("a" * 199 + " b c") == ["a" * 199]
    assert search_words("") == []


def test_every_word_in_any_is_one_condition() -> None:
    from django.db.models import Q

    from apps.core.text import every_word_in_any

    assert every_word_in_any("  ", "name__icontains") == Q()
    assert every_word_in_any("tea cup", "name__icontains", "sku__icontains") == (
        Q(name__icontains="tea") | Q(sku__icontains="tea")
    ) & (Q(name__icontains="cup") | Q(sku__icontains="cup"))
    condition = every_word_in_any(" ".join(["w"] * 5_000), "name__icontains", "sku__icontains")
    assert len(condition.children) == 10

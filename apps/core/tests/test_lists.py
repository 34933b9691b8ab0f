"""Pages without a count and sorts that end with the primary key (apps.core.web.lists)."""

from __future__ import annotations

import pytest

from apps.core.models import Job
from apps.core.web.lists import CountlessPaginator, tie_broken


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (("-attempts",), ("-attempts", "-pk")),  # the first key's direction
        (("name", "-attempts"), ("name", "-attempts", "pk")),
        (("-name", "id"), ("-name", "id")),  # already ends with the key
        (("status", "-pk"), ("status", "-pk")),
        ((), ("pk",)),
    ],
)
def test_every_ordering_ends_with_the_primary_key(
    ordering: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    queryset = Job.objects.order_by(*ordering) if ordering else Job.objects.order_by()
    assert tuple(tie_broken(queryset).query.order_by) == expected


def test_a_models_ordering_that_ends_with_the_key_is_kept() -> None:
    queryset = Job.objects.all()  # Meta.ordering: -updated_at, -pk
    assert tie_broken(queryset) is queryset


class Rows(list[int]):
    """A list that counts how often its length is asked (the COUNT(*))."""

    counted = 0

    def __len__(self) -> int:
        Rows.counted += 1
        return super().__len__()


def test_a_page_reads_one_row_more_and_never_counts() -> None:
    Rows.counted = 0
    paginator = CountlessPaginator(Rows(range(60)), 25)
    first = paginator.page(1)
    assert list(first.object_list) == list(range(25))
    assert first.has_next() and paginator.count is None
    last = paginator.page(3)
    assert list(last.object_list) == list(range(50, 60))
    assert not last.has_next() and paginator.count == 60
    assert Rows.counted == 0


def test_past_the_end_counts_once_and_shows_the_last_page() -> None:
    Rows.counted = 0
    paginator = CountlessPaginator(Rows(range(60)), 25)
    page = paginator.page(9)
    assert page.number == 3 and paginator.count == 60
    assert Rows.counted == 1
    assert CountlessPaginator(Rows(), 25).page(5).number == 1  # nothing at all: page 1


@pytest.mark.parametrize("number", [0, -3, "abc", None])
def test_below_one_or_not_a_number_is_the_first_page(number: object) -> None:
    assert CountlessPaginator(list(range(60)), 25).page(number).number == 1


def test_an_offset_no_database_takes_is_past_the_end() -> None:
    """SQLite refuses an OFFSET beyond 64 bits (OverflowError, a 500): such a
    page is taken as past the end before anything is sliced."""
    Rows.counted = 0
    paginator = CountlessPaginator(Rows(range(30)), 25)
    assert paginator.page(10**30).number == 2
    assert Rows.counted == 1

"""The bookkeeping of ``make mutate``: which survivor is a named equivalent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.mutate import EQUIVALENTS, MODULES, ROOT, Equivalent, Mutant, matches, stale_equivalents

KNOWN = Equivalent(
    "apps/x.py", "core/ReplaceComparisonOperator_Eq_Is", "if a == b:", "why", occurrence=2
)


def _mutant(
    text: str, *, operator: str = KNOWN.operator, on_line: int = 2, line: int = 7
) -> Mutant:
    return Mutant("apps/x.py", "job", line, text, operator, on_line, "survived", "")


def test_an_equivalent_is_found_by_its_line_text_wherever_the_line_moved() -> None:
    assert matches(KNOWN, _mutant("if a == b:", line=7))
    assert matches(KNOWN, _mutant("if a == b:  # a comment after it", line=300))


@pytest.mark.parametrize(
    "mutant",
    [
        _mutant("if a == c:"),  # another line
        _mutant("if a == b:", operator="core/ReplaceComparisonOperator_Eq_IsNot"),
        _mutant("if a == b:", on_line=1),  # another mutant of the same line
    ],
)
def test_anything_else_is_not_that_equivalent(mutant: Mutant) -> None:
    assert not matches(KNOWN, mutant)


def test_an_equivalent_whose_line_changed_is_stale() -> None:
    module = [Equivalent("apps/x.py", "op", "if a == b:", "why")]
    assert not stale_equivalents("apps/x.py", ["    if a == b:"], module)
    assert stale_equivalents("apps/x.py", ["    if a != b:"], module) == module


def test_every_named_equivalent_is_on_a_line_of_its_module_as_it_is_now() -> None:
    for module in {known.module for known in EQUIVALENTS}:
        assert module in MODULES
        source = (ROOT / module).read_text().splitlines()
        assert not stale_equivalents(module, source), module


def test_every_module_is_tested_by_files_that_exist() -> None:
    for module, tests in MODULES.items():
        assert (ROOT / module).is_file(), module
        missing = [path for path in tests if not Path(ROOT, path).exists()]
        assert not missing, (module, missing)


def test_the_orderings_some_equivalents_rest_on_still_hold() -> None:
    """Several equivalents are `<=`/`>=` for `==` on a choice: they hold only while
    the choices sort as their reasons say. A new choice that breaks the order
    fails here, so the entries are decided again (the stale check sees only the
    mutated line, not the enum)."""
    from apps.markets.models import MarketStatus
    from apps.orders.models import PaymentKind, PaymentStatus

    assert sorted(PaymentKind.values) == ["charge", "refund"]
    assert min(MarketStatus.values) == MarketStatus.ACTIVE
    assert max(PaymentStatus.values) == PaymentStatus.VOID

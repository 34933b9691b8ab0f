"""CSV cells a spreadsheet would run as formulas are neutralised (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from apps.core.web.spreadsheet import SafeCsvWriter, neutralise


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_starts_a_formula_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Alice", "", "a=b", " =1", "'quoted", "ORD-1", "12.00"])
def test_other_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


@pytest.mark.parametrize("number", [Decimal("-5.00"), -3, 2.5, None])
def test_numbers_the_app_writes_stay_numbers(number: object) -> None:
    assert neutralise(number) is number


def test_a_row_quotes_text_and_leaves_numbers_bare() -> None:
    line = SafeCsvWriter().row(['=HYPERLINK("http://evil.example","x")', "-1", Decimal("-5.00")])
    assert line == '"\'=HYPERLINK(""http://evil.example"",""x"")","\'-1",-5.00\r\n'
    assert next(csv.reader(io.StringIO(line))) == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'-1",
        "-5.00",
    ]

"""CSV that is safe to open in a spreadsheet: every export writes through here.

OWASP's CSV injection rule: a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return may be run as a formula by Excel, LibreOffice or
Sheets (``=HYPERLINK("http://evil.example","x")`` in a customer's name). Such
a cell gets a leading single quote, which spreadsheets show as text, and the
cell is quoted.

Only *text* cells are neutralised. Numbers the app itself writes (a
``Decimal`` total such as ``-5.00``, an ``int`` count) stay numbers: they
cannot carry a formula, and quoting them would make every sum in the
spreadsheet wrong. A value that came from a person is text by the time it
is here, so nothing typed slips through as "a number".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value``, with a leading ``'`` if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line: the writer streams through it."""

    def write(self, value: str) -> str:
        return value


class SafeCsvWriter:
    """``csv.writer`` for streamed exports: ``row(values)`` returns the line to send.

    ``QUOTE_STRINGS`` quotes every text cell (so a neutralised one stays one
    quoted cell whatever it holds) and leaves numbers bare.
    """

    def __init__(self) -> None:
        self._writer = csv.writer(_Echo(), quoting=csv.QUOTE_STRINGS)

    def row(self, values: Iterable[Any]) -> str:
        line: str = self._writer.writerow([neutralise(value) for value in values])
        return line

"""Spreadsheet cells that stay text: the one place every XLSX and CSV writer (the e-Kinerja
sheet, the MPPH, the progress report) passes its values through.

A text a person typed (an RHK, a name, a unit) that starts with = + - @, a tab or a carriage
return is read by Excel and LibreOffice as a formula ("=HYPERLINK(…)", "@SUM(…)", a DDE
"-2+3+cmd|…"): opened by an HR administrator, it would run. In a CSV such a text is written
with a leading apostrophe (the OWASP advice: the spreadsheet shows the text, not a result). In
an XLSX it is stored as a string (never as a formula, which openpyxl would do for "=…") and
marked quote-prefixed, so editing the cell does not turn it into one either; the text itself
is kept as typed. Characters a spreadsheet cannot hold (C0 controls) are dropped.

Numbers stay numbers; only text is touched."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula? (A lone "-" is a dash.)"""
    return len(text) > 1 and text.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """A value for a CSV cell: a formula-like text gets a leading apostrophe."""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        if formula_like(value):
            return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write a value into an XLSX cell; text is always stored as text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = _CONTROL.sub("", value)
        cell.value = text
        cell.data_type = "s"  # openpyxl takes "=…" for a formula; this is text
        if formula_like(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def append(ws: Worksheet, values: Sequence[Any]) -> list[Cell]:
    """ws.append() for values that may hold typed text."""
    row = ws._current_row + 1  # where ws.append() would write
    return [put(ws, row, n, v) for n, v in enumerate(values, start=1)]


def header(cells: Iterable[Cell]) -> None:
    for cell in cells:
        cell.font = Font(bold=True)
        cell.alignment = WRAP

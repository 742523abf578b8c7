"""Reading a sent file: an .xlsx (first sheet) or a .csv into rows of text cells
(`read_xlsx`, `read_csv`), or straight into SKP rows (`parse_file`); a .txt reads as a
pasted text. Spreadsheet numbers become text as an Indonesian would type them (`number_text`).
Files keep their blank rows, so a row's line is its spreadsheet row number."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import math
import re
import warnings
import zipfile
from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.paste.model import (
    HUNDRED,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_SHEET_ROWS,
    CellProblem,
    PasteTable,
)
from bot.domain.paste.table import parse_rows, parse_table
from bot.domain.policy import Policy

log = logging.getLogger(__name__)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', strict=False)
    try:
        for row in reader:
            if len(rows) >= limit:
                break
            rows.append(row)
    except csv.Error:  # a field over the csv module's limit: what was read is kept
        pass
    return rows


def _delimiter(text: str) -> str:
    best: tuple[int, int, int] | None = None
    chosen = ","
    for preference, delimiter in enumerate(("\t", ";", ",")):
        widths = [
            len(r) for r in _csv_rows(text[:20_000], delimiter, 50) if any(c.strip() for c in r)
        ]
        if not widths:
            continue
        mode, count = max(Counter(widths).items(), key=lambda kv: (kv[1], kv[0]))
        score = (count if mode >= 2 else 0, mode, -preference)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of a .csv file (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252; the
    delimiter "," ";" or tab is sniffed, or given by Excel's "sep=;" first line). Blank rows are
    kept as [] so that a row's index + 1 is its row number in a spreadsheet."""
    try:
        if not isinstance(content, bytes | bytearray):
            return []
        raw = bytes(content[:MAX_FILE_BYTES])
        if len(content) > MAX_FILE_BYTES and b"\n" in raw:
            raw = raw[: raw.rindex(b"\n")]
        text = _decode(raw)
        hint = re.match(r"sep=(.)\r?\n", text)
        if hint:
            delimiter, text = hint.group(1), text[hint.end() :]
        else:
            delimiter = _delimiter(text)
        if delimiter in ('"', "\r", "\n"):
            delimiter = ","
        out = []
        for row in _csv_rows(text, delimiter, MAX_SHEET_ROWS):
            cells = [c.strip() for c in row[:MAX_COLUMNS]]
            while cells and not cells[-1]:
                cells.pop()
            out.append(cells)
        return out
    except Exception:
        log.warning("a .csv file could not be read", exc_info=True)
        return []


_QUOTED_FORMAT = re.compile(r'"[^"]*"|\\.')


def _is_percent_format(number_format: Any) -> bool:
    if not isinstance(number_format, str):
        return False
    return "%" in _QUOTED_FORMAT.sub("", number_format)


def number_text(value: int | float | Decimal, percent: bool = False) -> str:
    """A spreadsheet number as an Indonesian would type it: 17.5 → "17,5", 1575000 →
    "1575000"; a percent-formatted 0.2 → "20%". Float noise is rounded off at six decimals."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    if not number.is_finite():
        return ""
    if percent:
        number *= HUNDRED
    if abs(number) < Decimal("1e15"):
        with contextlib.suppress(InvalidOperation):
            number = number.quantize(Decimal("0.000001"))
    text = format(number.normalize(), "f")
    if text.startswith("-") and text.strip("-0.") == "":
        text = "0"
    whole, _, fraction = text.partition(".")
    return whole + ("," + fraction if fraction else "") + ("%" if percent else "")


def _cell_text(value: Any, number_format: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return number_text(value, _is_percent_format(number_format))
    if isinstance(value, datetime):
        return (
            value.strftime("%d-%m-%Y")
            if value.time() == time()
            else value.strftime("%d-%m-%Y %H:%M")
        )
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def _read_xlsx(content: bytes) -> list[list[str]] | None:
    """None when the file cannot be opened."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not workbook.worksheets:
                return []
            sheet = workbook.worksheets[0]
            out: list[list[str]] = []
            for row in sheet.iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_COLUMNS):
                cells = [
                    _cell_text(getattr(c, "value", None), getattr(c, "number_format", None)).strip()
                    for c in row
                ]
                while cells and not cells[-1]:
                    cells.pop()
                out.append(cells)
            return out
    except Exception:
        log.warning("an .xlsx file could not be read", exc_info=True)
        return None
    finally:
        with contextlib.suppress(Exception):
            workbook.close()


def read_xlsx(content: bytes) -> list[list[str]]:
    """The first sheet of an .xlsx file as text cells (cached values of formulas; numbers as
    `number_text`, percent-formatted ones with "%"); blank rows kept as [] so that a row's
    index + 1 is its row number; at most MAX_SHEET_ROWS rows and MAX_COLUMNS columns. [] when
    the file cannot be read."""
    if not isinstance(content, bytes | bytearray):
        return []
    return _read_xlsx(bytes(content)) or []


def parse_file(filename: str, content: bytes, policy: Policy) -> PasteTable:
    """A sent file into rows: .xlsx/.xlsm (or any zip) and .csv/.tsv as spreadsheets (line =
    spreadsheet row), .txt as a pasted text (line = line of the text)."""
    name = filename.casefold() if isinstance(filename, str) else ""
    if not isinstance(content, bytes | bytearray):
        return PasteTable((), False, (), (CellProblem(0, None, "paste_file_unreadable"),))
    content = bytes(content)
    cells: list[list[str]] | None
    if name.endswith(".txt"):
        text = _decode(content[:MAX_FILE_BYTES])
        return parse_table(text, policy)
    if name.endswith((".csv", ".tsv")):
        cells = read_csv(content)
    elif name.endswith((".xlsx", ".xlsm")) or _is_zip(content):
        cells = _read_xlsx(content)
    else:
        return PasteTable((), False, (), (CellProblem(0, None, "paste_file_type"),))
    if cells is None:
        return PasteTable((), False, (), (CellProblem(0, None, "paste_file_unreadable"),))
    return parse_rows(cells, policy)


def _is_zip(content: Any) -> bool:
    try:
        return isinstance(content, bytes) and zipfile.is_zipfile(io.BytesIO(content))
    except Exception:
        return False

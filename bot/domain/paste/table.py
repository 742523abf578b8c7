"""A table into rows (`parse_table` for a pasted text, `parse_rows` for rows of cells): the
header found or the columns guessed, the rows read, the table's own problems and notes.

Which column is which: the header when there is one (`header`; a few one-cell title lines may
come before it), else the order guessed from the table's width (`columns`). Bobot written as
fractions are read for the whole table at once (see `rows`). At most `MAX_ROWS` (100) rows are
read: a longer table is a problem and nothing beyond is read."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from bot.domain.paste.cells import _split_lines
from bot.domain.paste.columns import _guess_columns
from bot.domain.paste.header import _header
from bot.domain.paste.model import (
    COLUMNS,
    HUNDRED,
    MAX_COLUMNS,
    MAX_RECORDS,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    CellProblem,
    PasteTable,
)
from bot.domain.paste.rows import _Draft, _drafts
from bot.domain.paste.values import _clean, _quote
from bot.domain.policy import Policy

log = logging.getLogger(__name__)

_HEADER_WINDOW = 6  # a header may follow up to five one-cell title rows
_CENT = Decimal("0.01")


def _clean_records(records: Iterable[tuple[int, Sequence[Any]]]) -> list[tuple[int, list[str]]]:
    """Cleaned, non-blank records, as many as a table of MAX_ROWS rows can need."""
    out: list[tuple[int, list[str]]] = []
    for count, (line, cells) in enumerate(records):
        if count >= MAX_RECORDS or len(out) > 2 * MAX_ROWS + 20:
            break
        try:
            row = [_clean(c) for c in list(cells)[:MAX_COLUMNS]]
        except Exception:  # not a sequence of cells: an empty row
            row = []
        while row and not row[-1]:
            row.pop()
        if row:
            out.append((line, row))
    return out


def _parse(records: Iterable[tuple[int, Sequence[Any]]], policy: Policy) -> PasteTable:
    rows = _clean_records(records)
    problems: list[CellProblem] = []
    notes: list[CellProblem] = []
    header_at: int | None = None
    keys: list[str | None] | None = None
    for index, (_, cells) in enumerate(rows[:_HEADER_WINDOW]):
        keys = _header(cells)
        if keys is not None:
            header_at = index
            break
        if sum(1 for c in cells if c) > 1:
            break
    if header_at is not None and keys is not None:
        header_cells = rows[header_at][1]
        seen: set[str] = set()
        mapped: list[str | None] = []
        for key, cell in zip(keys, header_cells, strict=True):
            if key in COLUMNS and key not in seen:
                seen.add(key)
                mapped.append(key)
                continue
            if key in seen:
                notes.append(CellProblem(0, key, "paste_column_duplicate"))
            elif key is None and cell:
                notes.append(CellProblem(0, None, "paste_column_ignored", {"value": _quote(cell)}))
            mapped.append(None)
        columns: tuple[str | None, ...] = tuple(mapped)
        data = rows[header_at + 1 :]
    else:
        start = 0
        if any(sum(1 for c in cells if c) > 1 for _, cells in rows):
            while start < len(rows) and sum(1 for c in rows[start][1] if c) <= 1:
                start += 1  # title lines
        data = rows[start:]
        columns = _guess_columns(data, policy)
    reading = _drafts(data, columns, policy, MAX_ROWS)
    drafts, more = reading.drafts, reading.more
    if not drafts:
        problems.append(CellProblem(0, None, "paste_no_rows"))
    for key in ("rhk", "iki"):
        if drafts and key not in columns:
            problems.append(CellProblem(0, key, "paste_column_missing"))
    if more:
        problems.append(CellProblem(0, None, "paste_too_many_rows", {"maximum": MAX_ROWS}))
    _fractions(drafts, notes)
    return PasteTable(
        rows=tuple(d.row() for d in drafts),
        header=header_at is not None,
        columns=columns,
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _fractions(drafts: Sequence[_Draft], notes: list[CellProblem]) -> None:
    """Bobot written as fractions (0,2): all of them → percent, some of them → a problem."""
    given = [d for d in drafts if d.values.get("bobot")]
    fractions = [d for d in given if d.fraction is not None]
    if not fractions:
        return
    scale = len(fractions) == len(given)
    for d in fractions:
        assert d.fraction is not None
        percent = _tidy(d.fraction * HUNDRED)
        raw = _quote(d.values["bobot"])
        if not scale:
            d.problem("bobot", "paste_bobot_fraction", value=raw, suggestion=percent)
        elif percent != percent.quantize(_CENT):
            d.problem("bobot", "paste_bobot_too_precise", value=raw)
        else:
            d.bobot = percent
    if scale:
        notes.append(CellProblem(0, "bobot", "paste_bobot_scaled"))


def _tidy(value: Decimal) -> Decimal:
    """20.00 → 20, 17.500 → 17.5 (never 2E+1)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _guarded(
    records: Callable[[], Iterable[tuple[int, Sequence[Any]]]], policy: Policy
) -> PasteTable:
    try:
        return _parse(records(), policy)
    except Exception:  # a bug must not cost the person their message
        log.exception("a pasted table could not be read")
        return PasteTable((), False, (), (CellProblem(0, None, "paste_unreadable"),))


def parse_table(text: str, policy: Policy) -> PasteTable:
    """A pasted table (text) into rows; line numbers are lines of the text."""
    table = _guarded(lambda: _split_lines(text) if isinstance(text, str) else [], policy)
    codes = {p.code for p in table.problems}
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS and "paste_too_many_rows" not in codes:
        extra = CellProblem(0, None, "paste_too_long", {"maximum": MAX_TEXT_CHARS})
        return PasteTable(
            table.rows, table.header, table.columns, (*table.problems, extra), table.notes
        )
    return table


def parse_rows(cells: Sequence[Sequence[str]], policy: Policy, first_line: int = 1) -> PasteTable:
    """Rows of cells (from `split_cells`, `read_csv` or `read_xlsx`) into SKP rows; a row's
    line is `first_line` + its index."""
    return _guarded(lambda: ((first_line + i, row) for i, row in enumerate(cells)), policy)

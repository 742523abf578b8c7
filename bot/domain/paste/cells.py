"""Splitting text into cells (`split_cells`); whether a message is a table (`looks_like_table`).

- The separator is a tab, "|" or ";": the one that splits the most of the first lines into
  two or more cells, the earlier in that order on a tie (so a stray "|" inside a ";" table does
  not win). A text without any of them is one cell per line. Excel and Google Sheets copy cells as
  tab-separated text and quote a cell that holds a line break ("…" with "" for a quote): such
  cells are read whole, line breaks and tabs included. A quote only opens a quoted cell at the
  very start of a cell and only when its closing quote ends the cell; otherwise it is an
  ordinary character.
- "| a | b |" rows (Markdown, e-Kinerja copies) lose their outer borders; rule lines such as
  "|---|---|" or "+----+" are skipped; "\\|" is a literal "|". Trailing empty cells and blank
  lines are dropped.
- Word copies a table as tab-separated rows too, but a cell with several paragraphs comes out
  as raw line breaks that cut its row in pieces. When a tab-separated row has fewer cells than
  the table's usual width and the following short pieces add up to exactly that width, they are
  joined back into one row. Not reconstructed: a copy that puts every cell on its own line (no
  separator at all): that reads as one cell per line and the caller should ask for a file.
  Neither are tables whose tabs a client turned into spaces.
- Bounds: the first MAX_TEXT_CHARS characters, 20 000 lines and 1 000 rows are looked at
  (a table of MAX_ROWS rows fits many times); a longer text is a problem of its own."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.paste.model import MAX_COLUMNS, MAX_ROWS, MAX_TEXT_CHARS

_QUOTED_MAX_CHARS = 20_000  # how far a quoted cell is looked for its closing quote

_SEPARATORS = ("\t", "|", ";")
_SNIFF_CHARS, _SNIFF_LINES = 50_000, 300  # what the separator is chosen from
_MAX_PIECES = 50  # paragraphs of one Word cell joined back at most
_MAX_LINES = 20_000  # lines of a pasted text looked at
_MAX_SPLIT_ROWS = 10 * MAX_ROWS  # rows a pasted text is split into at most
_PIPE_ESCAPE = "\ue000"
_RULE_LINE = re.compile(r"[\s|:+=\-]*")
_NEXT = {sep: re.compile(f"[{re.escape(sep)}\n]") for sep in _SEPARATORS}


def _separator(text: str) -> str | None:
    """Tab, "|" or ";": the one that splits the most lines (of the first ones) into two or more
    cells, quoted cells read as such; the earlier in that order on a tie. None: none found."""
    sample = text[:_SNIFF_CHARS]
    present = [sep for sep in _SEPARATORS if sep in sample]
    if len(present) <= 1:
        return present[0] if present else None
    best, chosen = -1, None
    for sep in present:
        records = _records(sample, sep, _SNIFF_LINES)
        split = sum(1 for _, cells in records if sum(1 for c in cells if c.strip()) >= 2)
        if split > best:
            best, chosen = split, sep
    return chosen


def _closing_quote(text: str, start: int, sep: str) -> int | None:
    """The index of the quote closing the quoted cell opened at `start`, when it ends the cell
    (followed by the separator, a line break or the end); None when this is no quoted cell."""
    limit = min(len(text), start + _QUOTED_MAX_CHARS)
    j = start + 1
    while True:
        k = text.find('"', j, limit)
        if k < 0:
            return None
        if k + 1 < len(text) and text[k + 1] == '"':
            j = k + 2  # an escaped quote
            continue
        after = text[k + 1 : k + 2]
        return k if after in ("", sep, "\n") else None


def _records(text: str, sep: str, limit: int = _MAX_LINES) -> list[tuple[int, list[str]]]:
    """Rows of raw cells with the line each starts on (at most `limit` rows)."""
    rows: list[tuple[int, list[str]]] = []
    cells: list[str] = []
    line = row_line = 1
    i, n = 0, len(text)
    nxt = _NEXT[sep]
    while True:
        if i < n and text[i] == '"':
            end = _closing_quote(text, i, sep)
            if end is not None:
                cells.append(text[i + 1 : end].replace('""', '"'))
                line += text.count("\n", i, end)
                i = end + 1
            else:
                i = _plain_cell(text, i, nxt, cells)
        else:
            i = _plain_cell(text, i, nxt, cells)
        if i >= n or len(rows) >= limit:
            rows.append((row_line, cells))
            return rows
        if text[i] == "\n":
            rows.append((row_line, cells))
            cells = []
            line += 1
            row_line = line
        i += 1


def _plain_cell(text: str, i: int, nxt: re.Pattern[str], cells: list[str]) -> int:
    found = nxt.search(text, i)
    end = found.start() if found else len(text)
    cells.append(text[i:end])
    return end


def _is_rule(cells: Sequence[str]) -> bool:
    joined = "".join(cells)
    return (
        bool(joined.strip())
        and _RULE_LINE.fullmatch(joined) is not None
        and (joined.count("-") + joined.count("=") >= 3)
    )


def _join_word_pieces(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Word cuts a row at each paragraph break inside a cell; join pieces that add up to the
    table's usual width."""
    # Excel, Sheets and Word give every row all its cells: the widest row is the table's width.
    width = max((len(cells) for _, cells in rows), default=0)
    if width < 2:
        return rows
    out: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(rows):
        line, cells = rows[i]
        if 1 <= len(cells) < width and any(c.strip() for c in cells):
            total, j = len(cells), i + 1
            while j < len(rows) and total < width and j - i <= _MAX_PIECES:
                size = len(rows[j][1])
                if not size or size >= width or total + size - 1 > width:
                    break
                total += size - 1
                j += 1
            if total == width and j > i + 1:
                joined = list(cells)
                for _, piece in rows[i + 1 : j]:
                    joined[-1] = f"{joined[-1]}\n{piece[0]}"
                    joined.extend(piece[1:])
                out.append((line, joined))
                i = j
                continue
        out.append((line, cells))
        i += 1
    return out


def _split_lines(text: str) -> list[tuple[int, list[str]]]:
    """`split_cells` with the line each row starts on."""
    if not isinstance(text, str):
        return []
    text = text[:MAX_TEXT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    sep = _separator(text)
    if sep is None:
        lines = text.split("\n", _MAX_LINES)[:_MAX_LINES]
        raw = [(n, [line]) for n, line in enumerate(lines, start=1)]
    else:
        if sep == "|":
            text = text.replace("\\|", _PIPE_ESCAPE)
        raw = _records(text, sep)
    rows: list[tuple[int, list[str]]] = []
    filled = 0
    for line, cells in raw:
        if sep == "|":
            cells = [c.replace(_PIPE_ESCAPE, "|") for c in cells]
            if len(cells) >= 2 and not cells[0].strip():
                cells = cells[1:]  # the left border
            if len(cells) >= 2 and not cells[-1].strip():
                cells = cells[:-1]  # the right border
        if _is_rule(cells):
            continue
        rows.append((line, [c.strip() for c in cells[: MAX_COLUMNS + 1]]))
        filled += any(rows[-1][1])
        if filled >= _MAX_SPLIT_ROWS:
            break
    if sep == "\t":
        rows = _join_word_pieces(rows)
    out = []
    for line, cells in rows:
        while cells and not cells[-1]:
            cells = cells[:-1]
        if cells:
            out.append((line, cells[:MAX_COLUMNS]))
    return out


def split_cells(text: str) -> list[list[str]]:
    """The rows of a pasted table as lists of cells (stripped; see the module docstring)."""
    return [cells for _, cells in _split_lines(text)]


def looks_like_table(text: str) -> bool:
    """Whether a message is a table paste: a line of at least three cells (two of them filled)
    split by tab, "|" or ";". Typed answers ("100%", "3 target 90%", "17,5") are not."""
    return any(
        len(cells) >= 3 and sum(1 for c in cells if c) >= 2 for _, cells in _split_lines(text)
    )

"""Reading an SKP table someone pastes into the chat or sends as a file: copied from Excel,
Google Sheets, Word or the e-Kinerja web form, or an .xlsx / .csv file, into rows of hasil kerja
(jenis, RHK atasan, RHK, aspek, IKI, target + satuan, bobot). Pure functions; nothing here raises
on any input, whatever its shape: what cannot be read becomes a problem with a code (the
Indonesian reason for each code lives in templates/paste.j2, see `Texts.paste_problem`).

Splitting text into cells (`split_cells`)
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
  (a table of MAX_ROWS rows fits many times); a longer text is a problem of its own.

Which column is which (`parse_rows`)
- A header row is recognised when at least two of its cells name a column, one of them the IKI
  or the RHK, and none of its cells is a number. Names are matched case-insensitively, ignoring
  punctuation and anything in brackets ("Bobot (%)", "Target (*)", "Indikator Kinerja Individu
  (IKI)"), and in any order: Jenis / Jenis IKI / Kategori → jenis; RHK atasan (yang
  diintervensi) / RHK pimpinan / Rencana Hasil Kerja Atasan → leader_rhk; RHK / Rencana Hasil
  Kerja / Rencana Kinerja → rhk; Aspek; IKI / Indikator / Indikator Kinerja (Individu) /
  Keterangan IKI → iki; Target (IKI); Satuan; Bobot (IKI …). "No", "No.", "Nomor", "#" and
  unknown headers are ignored columns (an unknown one gets a note); a second column with the
  same name is ignored; a Target per quarter or month ("Target TW I") is ignored too (the
  year's target is the one). The header may follow a few title lines that have a single cell,
  and when it comes again further down (a second piece of a long paste) it is skipped.
- Without a header, the columns are read in a documented order chosen by the table's width
  (`WIDTH_ORDERS`), after a first column holding only row numbers ("1", "2.", "3)", "1.2") is
  set aside:
      8 or more  jenis, leader_rhk, rhk, aspek, iki, target, satuan, bobot   (DEFAULT_ORDER)
      7          jenis, rhk, aspek, iki, target, satuan, bobot
      6          jenis, rhk, iki, target, satuan, bobot
      5          rhk, aspek, iki, target, bobot
      4          rhk, iki, target, bobot
      3          iki, target, bobot
      2          iki, target
      1          iki
  To be forgiving, a few other common layouts (`OTHER_ORDERS`: the e-Kinerja form's aspek,
  rhk, iki, target, satuan, jenis, bobot; the deck's jenis, iki, target, bobot; the SKP
  document's leader_rhk, rhk, aspek, iki, target; …) are tried too, on the first 30 rows: the
  one that reads them with the fewest problems wins (notes count too; a missing required column
  half; an IKI or RHK that reads as a target, a row read as nothing but labels, and cells
  beyond the order count extra), and the documented order wins a tie. So a clean table in the
  documented order is always read in that order.

Reading the cells of a row
- Whitespace (line breaks included) is collapsed to single spaces; control characters, byte
  order marks and zero-width spaces are dropped; a cell holding only "-" is empty. HTML is
  kept as text (escaping is the caller's job) and is a problem in RHK/IKI (`text_problem`).
- RHK and IKI are required (a row without one is a problem, and a table without the column
  also says so once); RHK atasan is optional. Texts are checked with `text_problem`
  (length, tags, letters). An empty RHK under a row that has one continues that RHK (merged
  cells copy so, and an RHK may carry several IKI); then an empty RHK atasan continues too. A
  row without RHK and IKI is skipped when it is a total ("Total Bobot …", "Jumlah …") or only
  labels ("Core", "Beyond", "A. UTAMA", a title); one that holds nothing but an RHK atasan
  (a group row) is skipped too, and the rows below it with an empty RHK atasan take it, until
  the next label. Otherwise a row without them is a row with problems.
- jenis: a policy code found as a word ("CL", "[TUSI]", "Core - CL"), or a synonym: "Cascading
  (Tidak) Langsung", "Tugas dan fungsi"/"Tupoksi" → TUSI, "Mandatory"/"Wajib" → MI,
  "Beyond"/"Inisiatif"/"Tambahan" → the policy's only Beyond type. "Core"/"Utama" say Core
  without saying which: jenis None, no note. Anything else: None with a note (the caller asks).
  Synonyms only apply to codes the policy has (Kemenkes' CL, TUSI, MI, BYD).
- aspek: Kuantitas/Kualitas/Waktu/Biaya in any case (also "kuantitatif", "kualitatif", "mutu",
  "anggaran"); unknown: None with a note (the caller uses `aspek_of`).
- target: `parse_target`, so the cell may carry its unit ("2 rumusan", "100%", "82 Nilai",
  "Rp 1.575.000"). The unit of the target cell and of a Satuan column are normalised the same way
  (the policy's spelling, "persen" → "%", "x" → "Kali", "Rp" → "Rupiah"); when both are given and
  differ, that is a problem; a Satuan cell must be a short word, not a number. An empty target
  is None (not a problem: it is asked later); one that cannot be read is a problem.
- bobot: `parse_weight` ("20", "20%", "17,5"); empty is None. A fraction below 1 without "%"
  ("0,2") is ambiguous: when every bobot of the table is such a fraction they are all read as
  shares of one (0,2 → 20%, with a note), otherwise each is a problem that suggests the percent.
  In .xlsx files a percent-formatted cell reads as percent text (0.2 → "20%").
- At most `MAX_ROWS` (100) rows are read: a longer table is a problem and nothing beyond is read.

Line numbers: a row's `line` is the line of the pasted text where it starts (1-based; the
header, blank lines and the lines of multi-line cells count), or, for `parse_rows`,
`first_line` + its index in `cells` (the spreadsheet row number for files, which keep blank
rows). A table-level problem has line 0.

Quick messages: `parse_weights` reads "20 5 5 20 10 10 20 10 20" (numbers separated by spaces,
";", "|" or a comma followed by a space; a comma between digits is a decimal comma, so "17,5" is
one number and "20, 5, 17,5" is three; "20,5,5" is ambiguous and refused). `parse_quick_edit`
reads "3 target 90%", "5 bobot 15", "2 iki …", "4 rhk …", "1 satuan Dokumen", "2 aspek
kualitas", "3 jenis TUSI" (also "indikator" for iki and "rencana (kinerja)" for rhk)."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import math
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.numbers import parse_number
from bot.domain.policy import Aspek, Policy
from bot.domain.skp_rules import (
    MAX_PERCENT_TARGET,
    TEXT_MAX_CHARS,
    TEXT_MIN_CHARS,
    Item,
    Target,
    aspek_of,
    parse_target,
    parse_weight,
    satuan_problem,
    text_problem,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_ORDER",
    "MAX_ROWS",
    "OTHER_ORDERS",
    "QUICK_FIELDS",
    "WIDTH_ORDERS",
    "CellProblem",
    "PasteTable",
    "PastedRow",
    "QuickEdit",
    "header_key",
    "looks_like_table",
    "normalise_satuan",
    "number_text",
    "parse_file",
    "parse_quick_edit",
    "parse_rows",
    "parse_table",
    "parse_weights",
    "read_aspek",
    "read_csv",
    "read_jenis",
    "read_xlsx",
    "split_cells",
]

log = logging.getLogger(__name__)

COLUMNS = ("jenis", "leader_rhk", "rhk", "aspek", "iki", "target", "satuan", "bobot")
# The SKP document's and the deck's order (No, RHK atasan, RHK, Aspek, IKI, Target), with the
# jenis first and the satuan and bobot after the target.
DEFAULT_ORDER: tuple[str, ...] = COLUMNS

# The documented order for a table of that many columns without a header (see the docstring).
WIDTH_ORDERS: Mapping[int, tuple[str, ...]] = {
    8: DEFAULT_ORDER,
    7: ("jenis", "rhk", "aspek", "iki", "target", "satuan", "bobot"),
    6: ("jenis", "rhk", "iki", "target", "satuan", "bobot"),
    5: ("rhk", "aspek", "iki", "target", "bobot"),
    4: ("rhk", "iki", "target", "bobot"),
    3: ("iki", "target", "bobot"),
    2: ("iki", "target"),
    1: ("iki",),
}
# Other layouts people copy, tried as well; a documented order wins a tie.
OTHER_ORDERS: tuple[tuple[str, ...], ...] = (
    ("aspek", "rhk", "iki", "target", "satuan", "jenis", "bobot"),  # the e-Kinerja form
    ("leader_rhk", "aspek", "rhk", "iki", "target", "satuan", "jenis", "bobot"),
    ("jenis", "leader_rhk", "rhk", "aspek", "iki", "target", "bobot"),
    ("jenis", "leader_rhk", "rhk", "iki", "target", "satuan", "bobot"),
    ("leader_rhk", "rhk", "aspek", "iki", "target", "satuan", "bobot"),
    ("rhk", "aspek", "iki", "target", "satuan", "bobot"),
    ("jenis", "rhk", "aspek", "iki", "target", "bobot"),
    ("leader_rhk", "rhk", "iki", "target", "satuan", "bobot"),
    ("leader_rhk", "rhk", "aspek", "iki", "target"),  # the SKP document (PermenPANRB 6/2022)
    ("jenis", "rhk", "iki", "target", "bobot"),
    ("rhk", "iki", "target", "satuan", "bobot"),
    ("leader_rhk", "rhk", "iki", "target", "bobot"),
    ("jenis", "iki", "target", "bobot"),  # the deck's final IKI list
    ("iki", "target", "satuan", "bobot"),
    ("rhk", "iki", "target", "satuan"),
    ("rhk", "iki", "target"),
)

MAX_ROWS = 100  # rows of hasil kerja in one table
MAX_COLUMNS = 30  # cells read per row
MAX_CELL_CHARS = 5000  # a cell is cut here (a text over 500 characters is a problem anyway)
MAX_TEXT_CHARS = 200_000  # characters of a pasted text read
MAX_FILE_BYTES = 5_000_000  # bytes of a .csv read
MAX_SHEET_ROWS = 1000  # spreadsheet rows read (blank ones included)
MAX_RECORDS = 100_000  # records looked at by parse_rows
_SAMPLE_ROWS = 30  # rows used to choose a column order when there is no header
_HEADER_WINDOW = 6  # a header may follow up to five one-cell title rows
_TARGET_MAX_CHARS = 100
_BOBOT_MAX_CHARS = 30
_QUOTED_MAX_CHARS = 20_000  # how far a quoted cell is looked for its closing quote
_QUOTE_CHARS = 60  # a cell quoted back in a problem is shortened to this

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellProblem:
    line: int  # 1-based line in the paste (or spreadsheet row); 0 for the whole table
    column: str | None  # canonical key; None for a whole-row or table problem
    code: str  # a key of `problems` in templates/paste.j2
    params: Mapping[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Everything `Texts.paste_problem` needs: `texts.paste_problem(p.code, **p.values())`."""
        return {**self.params, "line": self.line, "column": self.column}


@dataclass(frozen=True, slots=True)
class PastedRow:
    line: int
    jenis: str | None  # a policy jenis code, or None when absent or not recognised
    leader_rhk: str
    rhk: str
    aspek: Aspek | None  # None: the caller uses aspek_of()
    iki: str
    target: Decimal | None
    satuan: str
    bobot: Decimal | None
    problems: tuple[CellProblem, ...]  # errors that block saving this row
    notes: tuple[CellProblem, ...] = ()  # what was not understood but does not block

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_item(self, policy: Policy) -> Item:
        """The row as the SKP rules see it (aspek from the IKI when none was given)."""
        aspek = self.aspek if self.aspek is not None else aspek_of(policy, self.iki, self.satuan)
        return Item(
            self.jenis or "",
            self.rhk,
            self.iki,
            aspek.value,
            self.target,
            self.satuan,
            self.bobot,
            self.leader_rhk,
        )


@dataclass(frozen=True, slots=True)
class PasteTable:
    rows: tuple[PastedRow, ...]
    header: bool  # whether a header row was recognised
    columns: tuple[str | None, ...]  # canonical key per column (None: ignored column)
    problems: tuple[CellProblem, ...]  # table-level: no rows, too many rows, no IKI column…
    notes: tuple[CellProblem, ...] = ()  # table-level, not blocking: ignored columns…

    @property
    def ok(self) -> bool:
        return not self.problems and all(row.ok for row in self.rows)

    def all_problems(self) -> list[CellProblem]:
        """Table problems first, then each row's, in order."""
        return [*self.problems, *(p for row in self.rows for p in row.problems)]

    def all_notes(self) -> list[CellProblem]:
        return [*self.notes, *(n for row in self.rows for n in row.notes)]


@dataclass(frozen=True, slots=True)
class QuickEdit:
    position: int  # 1-based
    field: str  # one of QUICK_FIELDS' values
    value: str


# -- splitting text into cells ----------------------------------------------------------------

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


# -- recognising a header ---------------------------------------------------------------------

_NUMBER_COLUMN = "#"  # a "No" column: ignored, but not an unknown header
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

_HEADER_EXACT = {
    "no": _NUMBER_COLUMN,
    "nomor": _NUMBER_COLUMN,
    "no urut": _NUMBER_COLUMN,
    "nomor urut": _NUMBER_COLUMN,
    "jenis": "jenis",
    "jenis iki": "jenis",
    "kategori": "jenis",
    "kategori iki": "jenis",
    "core beyond": "jenis",
    "rhk atasan": "leader_rhk",
    "rhk atasan yang diintervensi": "leader_rhk",
    "rhk pimpinan": "leader_rhk",
    "rencana hasil kerja atasan": "leader_rhk",
    "rencana hasil kerja atasan yang diintervensi": "leader_rhk",
    "rencana hasil kerja pimpinan": "leader_rhk",
    "rencana kinerja atasan": "leader_rhk",
    "rhk": "rhk",
    "rencana hasil kerja": "rhk",
    "rencana kinerja": "rhk",
    "aspek": "aspek",
    "iki": "iki",
    "indikator": "iki",
    "indikator kinerja": "iki",
    "indikator kinerja individu": "iki",
    "keterangan iki": "iki",
    "target": "target",
    "satuan": "satuan",
    "bobot": "bobot",
}
_LEADER_WORDS = frozenset({"atasan", "pimpinan", "diintervensi", "intervensi"})
_PERIOD_WORDS = frozenset(
    {"tw", "triwulan", "kuartal", "q1", "q2", "q3", "q4", "bulan", "bulanan", "semester"}
)


def _words_of(text: str) -> list[str]:
    return _NON_WORD.sub(" ", text.casefold()).split()


def header_key(cell: str) -> str | None:
    """The canonical key a header cell names, "#" for a row-number column, None otherwise."""
    if not isinstance(cell, str) or len(cell) > 80:
        return None
    if cell.strip() in ("#", "No", "No."):
        return _NUMBER_COLUMN
    words = _words_of(_BRACKETED.sub(" ", cell))
    if not words or len(words) > 8:
        return None
    name = " ".join(words)
    if name in _HEADER_EXACT:
        return _HEADER_EXACT[name]
    if _LEADER_WORDS & set(words):
        leader = {"rhk", "rencana", "hasil"} & set(words)
        return "leader_rhk" if leader else None  # "Indikator Kinerja Atasan" is not ours
    first = words[0]
    if first in ("jenis", "kategori", "tipe"):
        return "jenis"
    if first == "rhk" or name.startswith(("rencana hasil kerja", "rencana kinerja")):
        return "rhk"
    if first in ("iki", "indikator") or name.startswith("keterangan iki"):
        return "iki"
    if first == "target" and _PERIOD_WORDS & set(words):
        return None  # a quarter's or a month's target: the year's is the one
    if first in ("aspek", "target", "satuan", "bobot"):
        return first
    return None


def _header(cells: Sequence[str]) -> list[str | None] | None:
    """The keys of a header row, or None when the row is not one."""
    if any(parse_number(c) is not None for c in cells if c):
        return None
    keys = [header_key(c) if c else None for c in cells]
    named = {k for k in keys if k in COLUMNS}
    if len(named) < 2 or not ({"iki", "rhk"} & named):
        return None
    return keys


# -- reading one cell -------------------------------------------------------------------------

_JENIS_PHRASES: tuple[tuple[str, str], ...] = (
    ("tidak langsung", "TUSI"),
    ("tugas dan fungsi", "TUSI"),
    ("tugas fungsi", "TUSI"),
    ("tupoksi", "TUSI"),
    ("non cascading", "TUSI"),
    ("cascading langsung", "CL"),
    ("kaskade langsung", "CL"),
    ("langsung", "CL"),
    ("mandatory", "MI"),
    ("mandatori", "MI"),
    ("wajib", "MI"),
    ("mandat", "MI"),
)
_BEYOND_WORDS = ("beyond", "inisiatif", "tambahan")
_CORE_WORDS = ("core", "utama", "inti")

_ASPEK_WORDS = {
    "kuantitas": Aspek.KUANTITAS,
    "kuantitatif": Aspek.KUANTITAS,
    "kualitas": Aspek.KUALITAS,
    "kualitatif": Aspek.KUALITAS,
    "mutu": Aspek.KUALITAS,
    "waktu": Aspek.WAKTU,
    "biaya": Aspek.BIAYA,
    "anggaran": Aspek.BIAYA,
}

_SATUAN_SYNONYMS = {
    "persen": "%",
    "prosen": "%",
    "percent": "%",
    "pct": "%",
    "x": "Kali",
    "kali": "Kali",
    "rp": "Rupiah",
    "rp.": "Rupiah",
    "rupiah": "Rupiah",
}


def read_jenis(cell: str, policy: Policy) -> tuple[str | None, bool]:
    """(the policy code, whether the cell was understood): "CL", "[TUSI]", "Beyond", "Core"
    (understood, but says no code), "" (understood: none given)."""
    if not cell:
        return None, True
    words = _words_of(cell)
    codes = {code.casefold(): code for code in policy.jenis}
    found = {codes[w] for w in words if w in codes}
    if len(found) == 1:
        return found.pop(), True
    if found:
        return None, False  # "CL/TUSI": which one?
    padded = f" {' '.join(words)} "
    for phrase, code in _JENIS_PHRASES:
        if f" {phrase} " in padded and code in policy.jenis:
            return code, True
    beyond = [code for code in policy.jenis if policy.is_beyond(code)]
    if any(f" {w} " in padded for w in _BEYOND_WORDS) and len(beyond) == 1:
        return beyond[0], True
    if any(f" {w} " in padded for w in _CORE_WORDS):
        return None, True
    return None, False


def read_aspek(cell: str) -> tuple[Aspek | None, bool]:
    if not cell:
        return None, True
    words = _words_of(cell)
    if words and words[0] in _ASPEK_WORDS and len(words) <= 3:
        return _ASPEK_WORDS[words[0]], True
    return None, False


def normalise_satuan(raw: str, policy: Policy) -> str:
    """The policy's spelling of a unit (its list, and its synonyms when it has them); failing
    that, the common spellings: "persen" → "%", "x" → "Kali", "Rp" → "Rupiah"."""
    text = " ".join(raw.split())
    known = policy.canonical_satuan(text)
    if known != text:
        return known
    synonym = _SATUAN_SYNONYMS.get(text.casefold())
    return policy.canonical_satuan(synonym) if synonym is not None else known


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1].rstrip() + "…"


_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u2060"))  # BOM, zero-width spaces


def _clean(cell: Any) -> str:
    """Whitespace collapsed, control characters dropped, "-" as empty."""
    if cell is None:
        return ""
    if not isinstance(cell, str):
        try:
            cell = str(cell)
        except Exception:  # an object whose str() fails is an empty cell, not a crash
            return ""
    cell = cell[:MAX_CELL_CHARS]
    if not cell.isprintable():
        cell = cell.translate(_INVISIBLE)
        cell = "".join(
            ch if ch.isspace() or unicodedata.category(ch) != "Cc" else " " for ch in cell
        )
    text = " ".join(cell.split())
    return "" if text in ("-", "–", "—", "--") else text


# -- reading one row --------------------------------------------------------------------------

_TARGET_CODES = {
    "empty": "paste_target_invalid",
    "not_number": "paste_target_invalid",
    "negative": "paste_target_negative",
    "too_large": "paste_target_too_large",
    "satuan_too_long": "paste_target_satuan_invalid",
    "satuan_invalid": "paste_target_satuan_invalid",
}
_WEIGHT_CODES = {
    "empty": "paste_bobot_invalid",
    "not_number": "paste_bobot_invalid",
    "not_positive": "paste_bobot_not_positive",
    "too_large": "paste_bobot_too_large",
    "too_precise": "paste_bobot_too_precise",
}
_TOTAL_WORDS = ("total", "jumlah", "subtotal")
_TAGS = re.compile(r"<[^<>]*>")
_SUBSTANCE = ("target", "satuan", "bobot")
_GROUP_WORDS = 4  # an RHK atasan of its own row is a sentence; "Hasil Kerja Utama" a label


@dataclass
class _Draft:
    line: int
    values: dict[str, str]
    jenis: str | None = None
    aspek: Aspek | None = None
    target: Decimal | None = None
    satuan: str = ""
    bobot: Decimal | None = None
    fraction: Decimal | None = None  # a bobot below 1 written without "%"
    problems: list[CellProblem] = field(default_factory=list)
    notes: list[CellProblem] = field(default_factory=list)

    def problem(self, column: str | None, code: str, **params: Any) -> None:
        self.problems.append(CellProblem(self.line, column, code, params))

    def note(self, column: str | None, code: str, **params: Any) -> None:
        self.notes.append(CellProblem(self.line, column, code, params))

    def row(self) -> PastedRow:
        v = self.values
        return PastedRow(
            line=self.line,
            jenis=self.jenis,
            leader_rhk=v.get("leader_rhk", ""),
            rhk=v.get("rhk", ""),
            aspek=self.aspek,
            iki=v.get("iki", ""),
            target=self.target,
            satuan=self.satuan,
            bobot=self.bobot,
            problems=tuple(self.problems),
            notes=tuple(self.notes),
        )


def _read_text(d: _Draft, column: str, required: bool) -> None:
    text = d.values.get(column, "")
    if not text:
        if required:
            d.problem(column, "paste_required")
        return
    problem = text_problem(text)
    if problem == "too_long":
        d.problem(column, "paste_text_too_long", length=len(text), maximum=TEXT_MAX_CHARS)
    elif problem == "too_short":
        d.problem(column, "paste_text_too_short", minimum=TEXT_MIN_CHARS)
    elif problem is not None:
        d.problem(column, f"paste_text_{problem}")


def _read_target(d: _Draft, policy: Policy) -> None:
    raw = d.values.get("target", "")
    unit = ""
    if raw:
        parsed: Target | str = (
            parse_target(raw, policy) if len(raw) <= _TARGET_MAX_CHARS else "not_number"
        )
        if isinstance(parsed, Target):
            d.target = parsed.value
            unit = normalise_satuan(parsed.satuan, policy) if parsed.satuan else ""
        else:
            d.problem(
                "target", _TARGET_CODES.get(parsed, "paste_target_invalid"), value=_quote(raw)
            )
    column = d.values.get("satuan", "")
    column_unit = ""
    if column:
        if satuan_problem(column) or not column.isprintable() or column[0].isdigit():
            d.problem("satuan", "paste_satuan_invalid", value=_quote(column))
        else:
            column_unit = normalise_satuan(column, policy)
    if unit and column_unit and unit.casefold() != column_unit.casefold():
        d.problem("satuan", "paste_satuan_conflict", target_satuan=unit, satuan=column_unit)
    d.satuan = unit or column_unit
    if d.target is not None and d.satuan == "%" and d.target > MAX_PERCENT_TARGET:
        d.target = None
        d.problem("target", "paste_target_too_large", value=_quote(raw))


def _read_bobot(d: _Draft) -> None:
    raw = d.values.get("bobot", "")
    if not raw:
        return
    if len(raw) > _BOBOT_MAX_CHARS:
        d.problem("bobot", "paste_bobot_invalid", value=_quote(raw))
        return
    number = parse_number(raw) if "%" not in raw else None
    if number is not None and 0 < number < 1:
        d.fraction = number
        return
    parsed = parse_weight(raw)
    if isinstance(parsed, Decimal):
        d.bobot = parsed
        return
    params: dict[str, Any] = {"value": _quote(raw)}
    if parsed == "too_large":
        params["maximum"] = HUNDRED
    d.problem("bobot", _WEIGHT_CODES.get(parsed, "paste_bobot_invalid"), **params)


def _read_row(values: dict[str, str], line: int, policy: Policy) -> _Draft:
    d = _Draft(line, values)
    jenis_cell = values.get("jenis", "")
    d.jenis, known = read_jenis(jenis_cell, policy)
    if not known:
        d.note(
            "jenis", "paste_jenis_unknown", value=_quote(jenis_cell), codes=", ".join(policy.jenis)
        )
    aspek_cell = values.get("aspek", "")
    d.aspek, known = read_aspek(aspek_cell)
    if not known:
        d.note("aspek", "paste_aspek_unknown", value=_quote(aspek_cell))
    _read_text(d, "leader_rhk", required=False)
    _read_text(d, "rhk", required=True)
    _read_text(d, "iki", required=True)
    _read_target(d, policy)
    _read_bobot(d)
    return d


def _skipped(values: Mapping[str, str], cells: Sequence[str]) -> str | None:
    """Why a row is no item: "total" ("Total Bobot …", "Jumlah …"), "label" ("Core", "Beyond",
    "A. UTAMA", a title: nothing but labels), "group" (only an RHK atasan: the rows below
    intervene it), "header" (the header again, from a second piece of a paste); None when it
    is one."""
    if _header(cells) is not None:
        return "header"
    if values.get("iki") or values.get("rhk"):
        return None
    for cell in cells:
        if cell:
            words = _words_of(_TAGS.sub(" ", cell))
            if words and (words[0] in _TOTAL_WORDS or words[:2] == ["sub", "total"]):
                return "total"
    if any(values.get(key) for key in _SUBSTANCE):
        return None
    leader = values.get("leader_rhk", "")
    group = text_problem(leader) is None and len(_words_of(leader)) >= _GROUP_WORDS
    return "group" if group else "label"


# -- reading the rows of a table --------------------------------------------------------------


def _values(columns: Sequence[str | None], cells: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, cell in zip(columns, cells, strict=False):
        if key is not None and key not in values:
            values[key] = cell
    return values


@dataclass
class _Reading:
    drafts: list[_Draft]
    more: bool = False  # rows beyond the limit
    labels: int = 0  # rows skipped as labels or groups


def _drafts(
    records: Iterable[tuple[int, list[str]]],
    columns: Sequence[str | None],
    policy: Policy,
    limit: int,
) -> _Reading:
    """The rows read (at most `limit`)."""
    reading = _Reading([])
    drafts = reading.drafts
    previous: dict[str, str] = {}
    group = ""  # the RHK atasan of a row of its own, for the rows below it
    for line, cells in records:
        values = _values(columns, cells)
        skipped = _skipped(values, cells)
        if skipped in ("label", "group"):
            group = values["leader_rhk"] if skipped == "group" else ""
            reading.labels += 1
        if skipped is not None:
            continue
        if len(drafts) >= limit:
            reading.more = True
            return reading
        if group and not values.get("leader_rhk"):
            values["leader_rhk"] = group
        if not values.get("rhk") and values.get("iki") and previous.get("rhk"):
            values["rhk"] = previous["rhk"]  # a merged RHK cell
            if not values.get("leader_rhk") and previous.get("leader_rhk"):
                values["leader_rhk"] = previous["leader_rhk"]
        previous = values
        drafts.append(_read_row(values, line, policy))
    return reading


_ROW_NUMBER = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,3})*[.)]?")  # 1  2.  3)  1.2
_MEASURE_PENALTY = 0.25
_LABEL_PENALTY = 2.0  # a row an order reads as nothing but labels: likely misread


def _penalty(drafts: Sequence[_Draft], columns: Sequence[str | None], policy: Policy) -> float:
    """How badly a column order reads some rows: each problem and note; half for a required
    column the order does not have (a missing column is better than a misread one); an IKI or
    RHK that reads as a target; a quarter for an IKI that does not start with a measure."""
    measure = set(policy.vocabulary.measure_words)
    score = 0.0
    for d in drafts:
        for p in d.problems:
            score += 0.5 if p.code == "paste_required" and p.column not in columns else 1
        score += len(d.notes)
        for key in ("iki", "rhk"):
            text = d.values.get(key, "")
            if text and text[0].isdigit() and isinstance(parse_target(text, policy), Target):
                score += 1
        words = _words_of(d.values.get("iki", ""))
        if words and words[0] not in measure:
            score += _MEASURE_PENALTY
    return score


def _guess_columns(
    records: Sequence[tuple[int, list[str]]], policy: Policy
) -> tuple[str | None, ...]:
    """The column order of a table without a header (see the module docstring)."""
    firsts = [cells[0] for _, cells in records if cells and cells[0]]
    offset = 1 if firsts and all(_ROW_NUMBER.fullmatch(c) for c in firsts) else 0
    width = max((len(cells) for _, cells in records), default=0) - offset
    preferred = WIDTH_ORDERS[max(1, min(width, 8))]
    candidates = [
        preferred,
        *(o for o in (*WIDTH_ORDERS.values(), *OTHER_ORDERS) if o != preferred),
    ]
    sample = list(records[:_SAMPLE_ROWS])
    best: tuple[float, int] | None = None
    chosen = preferred
    for index, order in enumerate(candidates):
        columns = (None,) * offset + order
        reading = _drafts(sample, columns, policy, _SAMPLE_ROWS)
        ignored = sum(1 for _, cells in sample for c in cells[len(columns) :] if c)
        penalty = _penalty(reading.drafts, columns, policy) + reading.labels * _LABEL_PENALTY
        score = (penalty + ignored, index)
        if best is None or score < best:
            best, chosen = score, order
    return (None,) * offset + chosen


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


# -- files ------------------------------------------------------------------------------------


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


# -- quick messages ---------------------------------------------------------------------------

_MAX_QUICK_CHARS = 2000
_WEIGHT_LABEL = re.compile(r"\s*bobot(?:nya)?\s*[:=]?\s*", re.IGNORECASE)


def parse_weights(text: str) -> list[Decimal] | None:
    """The weights of a "20 5 5 20 10 10 20 10 20" message, in order; None when the message is
    not only weights (see the module docstring for separators and decimal commas)."""
    if not isinstance(text, str) or len(text) > _MAX_QUICK_CHARS:
        return None
    body = _WEIGHT_LABEL.sub("", text, count=1) if _WEIGHT_LABEL.match(text) else text
    body = re.sub(r"[;|]", " ", body)
    body = re.sub(r",(?=\s|$)", " ", body)  # a comma before a space separates
    body = re.sub(r"\s+%", "%", body)
    tokens = body.split()
    if not tokens or len(tokens) > MAX_ROWS:
        return None
    weights = []
    for token in tokens:
        weight = parse_weight(token)
        if not isinstance(weight, Decimal):
            return None
        weights.append(weight)
    return weights


QUICK_FIELDS = {
    "target": "target",
    "bobot": "bobot",
    "iki": "iki",
    "indikator kinerja individu": "iki",
    "indikator kinerja": "iki",
    "indikator": "iki",
    "rhk": "rhk",
    "rencana hasil kerja": "rhk",
    "rencana kinerja": "rhk",
    "rencana": "rhk",
    "satuan": "satuan",
    "aspek": "aspek",
    "jenis iki": "jenis",
    "jenis": "jenis",
}
_FIELD_NAMES = "|".join(
    r"\s+".join(map(re.escape, name.split()))
    for name in sorted(QUICK_FIELDS, key=len, reverse=True)
)
_QUICK = re.compile(
    r"\s*(?:(?:no|nomor|butir)\.?\s*|#\s*)?([0-9]{1,3})\s*[.):]?\s+(" + _FIELD_NAMES + r")"
    r"(?![\w-])\s*[:=]?\s*(.+)",
    re.IGNORECASE | re.DOTALL,
)
_NOT_OURS = ("atasan", "pimpinan")  # "4 rhk atasan …" is the leader's RHK, not the item's


def parse_quick_edit(text: str) -> QuickEdit | None:
    """ "3 target 90%" → QuickEdit(3, "target", "90%"); None when the message is not one."""
    if not isinstance(text, str) or len(text) > _MAX_QUICK_CHARS:
        return None
    match = _QUICK.fullmatch(text)
    if match is None:
        return None
    number, name, value = match.groups()
    position = int(number)
    field_name = QUICK_FIELDS[" ".join(name.casefold().split())]
    value = " ".join(value.split())
    if not value or not 1 <= position <= MAX_ROWS:
        return None
    if field_name == "rhk" and value.casefold().startswith(_NOT_OURS):
        return None
    return QuickEdit(position, field_name, value)

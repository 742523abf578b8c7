"""What reading a pasted table gives (`PasteTable` of `PastedRow`s, each with its
`CellProblem`s; a `QuickEdit`), the canonical column keys and the limits of what is read.

Line numbers: a row's `line` is the line of the pasted text where it starts (1-based; the
header, blank lines and the lines of multi-line cells count), or, for `parse_rows`,
`first_line` + its index in `cells` (the spreadsheet row number for files, which keep blank
rows). A table-level problem has line 0."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.policy import Aspek, Policy
from bot.domain.skp_rules import Item, aspek_of

COLUMNS = ("jenis", "leader_rhk", "rhk", "aspek", "iki", "target", "satuan", "bobot")

MAX_ROWS = 100  # rows of hasil kerja in one table
MAX_COLUMNS = 30  # cells read per row
MAX_CELL_CHARS = 5000  # a cell is cut here (a text over 500 characters is a problem anyway)
MAX_TEXT_CHARS = 200_000  # characters of a pasted text read
MAX_FILE_BYTES = 5_000_000  # bytes of a .csv read
MAX_SHEET_ROWS = 1000  # spreadsheet rows read (blank ones included)
MAX_RECORDS = 100_000  # records looked at by parse_rows

HUNDRED = Decimal(100)


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

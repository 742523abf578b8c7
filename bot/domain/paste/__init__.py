"""Reading an SKP table someone pastes into the chat or sends as a file: copied from Excel,
Google Sheets, Word or the e-Kinerja web form, or an .xlsx / .csv file, into rows of hasil kerja
(jenis, RHK atasan, RHK, aspek, IKI, target + satuan, bobot). Pure functions; nothing here raises
on any input, whatever its shape: what cannot be read becomes a problem with a code (the
Indonesian reason for each code lives in templates/paste.j2, see `Texts.paste_problem`).

The modules, each depending only on those above it:
- `model`: the results (`PasteTable` of `PastedRow`s, `CellProblem`, `QuickEdit`), the column
  keys (`COLUMNS`) and the limits (`MAX_ROWS`, …).
- `cells`: splitting a pasted text into cells (`split_cells`, `looks_like_table`).
- `values`: reading one cell (`read_jenis`, `read_aspek`, `normalise_satuan`).
- `header`: recognising a header row (`header_key`).
- `rows`: reading the rows of a table once its columns are known.
- `columns`: the column order of a table without a header (`WIDTH_ORDERS`, `OTHER_ORDERS`).
- `table`: a table into rows (`parse_table`, `parse_rows`).
- `files`: a sent .xlsx, .csv or .txt file (`read_xlsx`, `read_csv`, `parse_file`, `number_text`).
- `quick`: the quick messages (`parse_weights`, `parse_quick_edit`)."""

from __future__ import annotations

from bot.domain.paste.cells import looks_like_table, split_cells
from bot.domain.paste.columns import DEFAULT_ORDER, OTHER_ORDERS, WIDTH_ORDERS
from bot.domain.paste.files import number_text, parse_file, read_csv, read_xlsx
from bot.domain.paste.header import header_key
from bot.domain.paste.model import (
    COLUMNS,
    MAX_ROWS,
    CellProblem,
    PastedRow,
    PasteTable,
    QuickEdit,
)
from bot.domain.paste.quick import QUICK_FIELDS, parse_quick_edit, parse_weights
from bot.domain.paste.table import parse_rows, parse_table
from bot.domain.paste.values import normalise_satuan, read_aspek, read_jenis

# `paste.text_problem` (the check an RHK or IKI text goes through), as the module had it.
from bot.domain.skp_rules import text_problem as text_problem

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

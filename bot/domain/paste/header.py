"""Recognising a header row: which column each of its cells names (`header_key`).

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
  and when it comes again further down (a second piece of a long paste) it is skipped."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.numbers import parse_number
from bot.domain.paste.model import COLUMNS
from bot.domain.paste.values import _words_of

_NUMBER_COLUMN = "#"  # a "No" column: ignored, but not an unknown header
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")

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

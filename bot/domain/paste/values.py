"""Reading one cell: its text cleaned, the jenis, the aspek, the satuan's spelling.

- Whitespace (line breaks included) is collapsed to single spaces; control characters, byte
  order marks and zero-width spaces are dropped; a cell holding only "-" is empty. HTML is
  kept as text (escaping is the caller's job) and is a problem in RHK/IKI (`text_problem`).
- jenis: a policy code found as a word ("CL", "[TUSI]", "Core - CL"), or a synonym: "Cascading
  (Tidak) Langsung", "Tugas dan fungsi"/"Tupoksi" → TUSI, "Mandatory"/"Wajib" → MI,
  "Beyond"/"Inisiatif"/"Tambahan" → the policy's only Beyond type. "Core"/"Utama" say Core
  without saying which: jenis None, no note. Anything else: None with a note (the caller asks).
  Synonyms only apply to codes the policy has (Kemenkes' CL, TUSI, MI, BYD).
- aspek: Kuantitas/Kualitas/Waktu/Biaya in any case (also "kuantitatif", "kualitatif", "mutu",
  "anggaran"); unknown: None with a note (the caller uses `aspek_of`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.domain.paste.model import MAX_CELL_CHARS
from bot.domain.policy import Aspek, Policy

_QUOTE_CHARS = 60  # a cell quoted back in a problem is shortened to this
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _words_of(text: str) -> list[str]:
    return _NON_WORD.sub(" ", text.casefold()).split()


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

"""What an SKP document shows, as plain values (numbers and dates already written the
Indonesian way), and the pure rules that shape it: rows grouped Utama/Tambahan with the
leader's RHK as one merged cell over its rows, the Lampiran's numbered lines written as the
deck writes them (the policy's default lines where nothing was negotiated), the marks of a
draft and of a superseded version. Both renderings (PDF from templates/documents/skp.html,
Word from templates/documents/skp.docx) read this one object."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date

from bot.documents import layout
from bot.texts import LOCALE

# Characters XML 1.0 (and so Word and openpyxl) cannot hold: C0 controls but tab/LF/CR.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def printable(text: str | None) -> str:
    """A stored text as it can be printed: no characters a .docx or .xlsx cannot hold, runs
    of white space (a typed newline or tab included) as one space."""
    return " ".join(_NOT_XML.sub("", text or "").split())


def long_date(value: date | datetime) -> str:
    """05 Januari 2026: how the form writes a date (the period's and the signature's)."""
    return format_date(value, format="dd MMMM y", locale=LOCALE)


def target_text(value: str, satuan: str | None) -> str:
    """ "100%", "4 Kali", "1.575.000 Orang" (`value` already in Indonesian digits)."""
    satuan = printable(satuan)
    return f"{value}%" if satuan == "%" else f"{value} {satuan}".strip()


@dataclass
class Person:
    name: str = "-"
    nip: str = "-"
    pangkat: str = "-"
    jabatan: str = "-"
    unit: str = "-"


@dataclass
class Expectation:
    """A settled Ekspektasi Khusus Pimpinan for a result (kind hasil or target)."""

    kind: str  # "hasil" | "target"
    text: str  # the leader's words
    # "Target disepakati: 100%": the target the agreement binds the item to, when it binds one
    agreed: str | None = None

    @property
    def quoted(self) -> str:
        """The leader's words in quotes; nothing when the target came without words."""
        return f"\u201c{self.text}\u201d" if self.text.strip() else ""

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.agreed, self.quoted) if line]


@dataclass
class Row:
    no: int
    link: str  # the leader's RHK this one intervenes ("-" when none)
    rhk: str
    aspek: str
    iki: str
    target: str  # "100%", "4 Kali"
    jenis: str
    bobot: str  # "20", "7,5" ("-" when the profile has none)
    perspektif: str = "-"
    expectations: list[Expectation] = field(default_factory=list)


@dataclass
class Block:
    """Rows that intervene the same leader's RHK: one merged cell in the form."""

    link: str
    rows: list[Row]


@dataclass
class Group:
    name: str  # "A. UTAMA (CORE)"
    blocks: list[Block]
    total_label: str
    total: str

    @property
    def rows(self) -> list[Row]:
        return [r for b in self.blocks for r in b.rows]


@dataclass
class Value:
    """One BerAKHLAK value with its three indicators and the settled special expectations."""

    no: int
    code: str
    name: str
    indicators: list[str]
    ekspektasi: list[str] = field(default_factory=list)


@dataclass
class SkpDocument:
    variant: str  # "ja_jf" | "jpt" (a key of layout.RESULT_COLUMNS)
    agency: str
    year: int
    period_text: str  # "01 Januari 2026 sd 31 Desember 2026"
    employee: Person
    penilai: Person
    groups: list[Group]
    total: str
    perilaku: list[Value]
    dukungan: list[str]
    skema: list[str]
    konsekuensi: list[str]
    place: str
    date_text: str  # "05 Januari 2026"
    draft: bool
    superseded: bool
    status: str
    version: int
    version_line: str  # "" for an original; "Versi 2 — Perubahan SKP: …" for a change
    mark: str  # printed on every page: "DRAF", "Versi 1 — diganti versi 2, …", or ""
    record: list[str]  # the electronic agreement record, line by line
    ekinerja: list[dict[str, str]] = field(default_factory=list)

    @property
    def is_jpt(self) -> bool:
        return self.variant == "jpt"

    @property
    def columns(self) -> tuple[layout.Column, ...]:
        return layout.RESULT_COLUMNS[self.variant]

    @property
    def rows(self) -> list[Row]:
        return [r for g in self.groups for r in g.rows]

    @property
    def perilaku_head(self) -> list[Value]:
        """The values but the last: the Word template keeps only the last row with the
        signatures that close the table."""
        return self.perilaku[:-1]

    @property
    def perilaku_last(self) -> list[Value]:
        return self.perilaku[-1:]

    @property
    def filename_stem(self) -> str:
        suffix = "-draf" if self.draft else ""
        return f"SKP-{self.year}-{self.employee.nip}-v{self.version}{suffix}"


def blocks(rows: Sequence[Row]) -> list[Block]:
    """Rows gathered under the leader's RHK they intervene, in the order each RHK first
    appears, so that each is one merged cell; rows intervening none stay where they are, each
    its own cell."""
    out: list[Block] = []
    by_link: dict[str, Block] = {}
    for row in rows:
        if row.link in ("", "-"):
            out.append(Block("-", [row]))
            continue
        block = by_link.get(row.link)
        if block is None:
            block = by_link[row.link] = Block(row.link, [])
            out.append(block)
        block.rows.append(row)
    return out


def number(groups: Sequence[Group]) -> None:
    """Rows numbered 1..n down the form, as they print (Tambahan after Utama)."""
    n = 0
    for group in groups:
        for row in group.rows:
            n += 1
            row.no = n


def first_lower(text: str) -> str:
    """ "Akses basis data" → "akses basis data" (a sentence goes on); "SBBL …" stays."""
    head = text.split(" ", 1)[0]
    if len(head) > 1 and head[0].isupper() and head[1:].islower():
        return text[0].lower() + text[1:]
    return text


def dukungan_lines(
    agreed: Sequence[tuple[str, str]],
    defaults: Sequence[tuple[str, str]],
    label: Callable[..., str],
) -> list[str]:
    """The DUKUNGAN SUMBER DAYA lines: the policy's default line of each category, unless the
    dialog agreed support of that category (then those lines, written the deck's way: "Dalam
    rangka memenuhi ekspektasi pimpinan, pegawai memerlukan dukungan … berupa …"); agreed
    support of a category without a default line follows, in the order it was agreed."""
    written: dict[str, list[str]] = {}
    for category, text in agreed:
        text = first_lower(printable(text))
        if category in _CATEGORIES:
            verb = label("res_verb_sdm" if category == "sdm" else "res_verb")
            line = label("res_line", verb=verb, what=label(f"res_{category}"), text=text)
        else:
            line = label("res_line_other", text=text)
        written.setdefault(category, []).append(line)
    lines: list[str] = []
    for category, text in defaults:
        lines.extend(written.pop(category, []) or [printable(text)])
    for rest in written.values():
        lines.extend(rest)
    return lines


_CATEGORIES = ("sdm", "anggaran", "peralatan", "sarana", "sistem_informasi", "pendampingan")

"""Reading the rows of a table once its columns are known: each row's texts, target, satuan
and bobot checked, the rows that are no item (totals, labels, groups, a repeated header)
skipped, merged RHK cells continued.

- RHK and IKI are required (a row without one is a problem, and a table without the column
  also says so once); RHK atasan is optional. Texts are checked with `text_problem`
  (length, tags, letters). An empty RHK under a row that has one continues that RHK (merged
  cells copy so, and an RHK may carry several IKI); then an empty RHK atasan continues too. A
  row without RHK and IKI is skipped when it is a total ("Total Bobot …", "Jumlah …") or only
  labels ("Core", "Beyond", "A. UTAMA", a title); one that holds nothing but an RHK atasan
  (a group row) is skipped too, and the rows below it with an empty RHK atasan take it, until
  the next label. Otherwise a row without them is a row with problems.
- target: `parse_target`, so the cell may carry its unit ("2 rumusan", "100%", "82 Nilai",
  "Rp 1.575.000"). The unit of the target cell and of a Satuan column are normalised the same way
  (the policy's spelling, "persen" → "%", "x" → "Kali", "Rp" → "Rupiah"); when both are given and
  differ, that is a problem; a Satuan cell must be a short word, not a number. An empty target
  is None (not a problem: it is asked later); one that cannot be read is a problem.
- bobot: `parse_weight` ("20", "20%", "17,5"); empty is None. A fraction below 1 without "%"
  ("0,2") is ambiguous: when every bobot of the table is such a fraction they are all read as
  shares of one (0,2 → 20%, with a note), otherwise each is a problem that suggests the percent.
  In .xlsx files a percent-formatted cell reads as percent text (0.2 → "20%")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.numbers import parse_number
from bot.domain.paste.header import _header
from bot.domain.paste.model import HUNDRED, CellProblem, PastedRow
from bot.domain.paste.values import _quote, _words_of, normalise_satuan, read_aspek, read_jenis
from bot.domain.policy import Aspek, Policy
from bot.domain.skp_rules import (
    MAX_PERCENT_TARGET,
    TEXT_MAX_CHARS,
    TEXT_MIN_CHARS,
    Target,
    parse_target,
    parse_weight,
    satuan_problem,
    text_problem,
)

# -- reading one row --------------------------------------------------------------------------

_TARGET_MAX_CHARS = 100
_BOBOT_MAX_CHARS = 30
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

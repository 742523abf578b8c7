"""Which column is which in a table without a header: the documented orders by width and
the other common layouts, the one that reads the first rows best.

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
  documented order is always read in that order."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.domain.paste.model import COLUMNS
from bot.domain.paste.rows import _Draft, _drafts
from bot.domain.paste.values import _words_of
from bot.domain.policy import Policy
from bot.domain.skp_rules import Target, parse_target

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

_SAMPLE_ROWS = 30  # rows used to choose a column order when there is no header


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

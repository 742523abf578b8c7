"""The rules of an SKP's hasil kerja as pure functions: SMART-C and quality lint for one item,
counts, weight totals and composition for the whole list, the weight the policy suggests, and
the aspek and perspective of a unit head's item generated from the PK. Reading what people type
(targets, weights, RHK/IKI text) is bot.domain.skp_input's, re-exported here.

Which rules apply depends on the SKP's owner: `policy.rules_for(unit_head)` gives the profile
(`RuleProfile`); without one, everyone's rules (ketua tim, anggota) apply.

Findings carry a code, a severity from the policy and parameters; the Indonesian explanation
and suggestion for each code live in templates/findings.j2. The lint of one item is
bot.domain.skp_lint's."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.domain.policy import Aspek, Perspective, Policy, RuleProfile, Severity
from bot.domain.skp_input import (
    HUNDRED,
    MAX_PERCENT_TARGET,
    MAX_TARGET,
    SATUAN_MAX_CHARS,
    TEXT_MAX_CHARS,
    TEXT_MIN_CHARS,
    Target,
    parse_target,
    parse_weight,
    satuan_problem,
    text_problem,
)
from bot.domain.skp_lint import (
    Finding,
    Item,
    contains_phrase,
    lint_item,
    rules_or_default,
    words_of,
)

# Reading what people type lives in bot.domain.skp_input; the flows know it by this module.
__all__ = [
    "HUNDRED",
    "MAX_PERCENT_TARGET",
    "MAX_TARGET",
    "SATUAN_MAX_CHARS",
    "TEXT_MAX_CHARS",
    "TEXT_MIN_CHARS",
    "Finding",
    "Item",
    "Target",
    "Totals",
    "aspek_of",
    "check_skp",
    "composition",
    "default_perspective",
    "errors",
    "iki_findings",
    "item_findings",
    "lint_item",
    "notes",
    "parse_target",
    "parse_weight",
    "same_iki",
    "satuan_problem",
    "suggest_weight",
    "text_problem",
    "totals",
    "warnings",
]


@dataclass(frozen=True, slots=True)
class Totals:
    count: int
    core: Decimal
    beyond: Decimal
    by_jenis: dict[str, Decimal]
    has_cascade: bool

    @property
    def grand(self) -> Decimal:
        return self.core + self.beyond


# -- the whole list ----------------------------------------------------------------------------


def totals(policy: Policy, items: Sequence[Item]) -> Totals:
    by_jenis: dict[str, Decimal] = {}
    core = beyond = Decimal(0)
    for item in items:
        weight = item.bobot or Decimal(0)
        by_jenis[item.jenis] = by_jenis.get(item.jenis, Decimal(0)) + weight
        if policy.is_core(item.jenis):
            core += weight
        elif policy.is_beyond(item.jenis):
            beyond += weight
    has_cascade = any(item.jenis == policy.cascade_jenis for item in items)
    return Totals(len(items), core, beyond, by_jenis, has_cascade)


def composition(
    policy: Policy, has_cascade: bool, profile: RuleProfile | None = None
) -> dict[str, Decimal]:
    c = rules_or_default(policy, profile).composition
    if c is None:
        return {}
    return dict(c.with_cascade if has_cascade else c.without_cascade)


# The findings of lists seen lately (an overview, a card and the submission of one SKP all
# check the same list): keyed by the list's content, so any change is a new key.
_CHECKED: OrderedDict[tuple[Any, ...], tuple[Policy, RuleProfile | None, list[Finding]]] = (
    OrderedDict()
)
_CHECKED_MAX = 2048


def check_skp(
    policy: Policy,
    items: Sequence[Item],
    profile: RuleProfile | None = None,
    count_note: str | None = None,
) -> list[Finding]:
    """Every finding for a list of hasil kerja: per item first (in order), then the whole.
    `profile` is the owner's rules (`policy.rules_for(unit_head)`); a unit head's profile may
    leave out the count, the totals, the composition and the weights. `count_note` is the
    owner's record of an adjustment of the IKI count (Kemenkes: with the eselon-1 unit): where
    the policy allows one, more IKI than the maximum is then a note, not an error."""
    unit_head = profile.unit_head if profile is not None else None
    try:
        key: tuple[Any, ...] | None = (id(policy), unit_head, tuple(items), count_note)
        hash(key)
    except TypeError:
        key = None
    if key is not None:
        hit = _CHECKED.get(key)
        # The policy and profile are kept with the result: an id reused by another policy,
        # or another profile, misses.
        if hit is not None and hit[0] is policy and hit[1] == profile:
            _CHECKED.move_to_end(key)
            return list(hit[2])
    found = _check_skp(policy, items, profile, count_note)
    if key is not None:
        _CHECKED[key] = (policy, profile, found)
        if len(_CHECKED) > _CHECKED_MAX:
            _CHECKED.popitem(last=False)
        return list(found)
    return found


def _check_skp(
    policy: Policy,
    items: Sequence[Item],
    profile: RuleProfile | None,
    count_note: str | None,
) -> list[Finding]:
    rules = rules_or_default(policy, profile)
    found: list[Finding] = []
    for position, item in enumerate(items, start=1):
        found.extend(lint_item(policy, item, position, rules))

    def add(code: str, item: int | None = None, **params: Any) -> None:
        severity = rules.severity_of(code)
        if severity is not Severity.OFF:
            found.append(Finding(code, severity, item, params))

    seen: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        key = " ".join(words_of(item.iki))
        if not key:
            continue
        if key in seen:
            add("duplicate_iki", position, other=seen[key])
        else:
            seen[key] = position

    t = totals(policy, items)
    rule = rules.iki_count
    if rule is not None and t.count < rule.min:
        add("count_low", count=t.count, minimum=rule.min)
    if rule is not None and t.count > rule.max:
        note = " ".join((count_note or "").split())
        if rule.adjustable and note:
            add("count_high_noted", count=t.count, maximum=rule.max, note=note)
        else:
            add("count_high", count=t.count, maximum=rule.max, adjustable=rule.adjustable)
    if rules.core_total is not None and t.core != rules.core_total:
        add("core_total", total=t.core, expected=rules.core_total)
    if rules.beyond_total is not None and t.beyond != rules.beyond_total:
        add("beyond_total", total=t.beyond, expected=rules.beyond_total)
    if rules.composition is not None and rules.core_total in (None, t.core):
        # Only worth saying once the totals are right; before that it is noise.
        expected = composition(policy, t.has_cascade, rules)
        for jenis, share in expected.items():
            actual = t.by_jenis.get(jenis, Decimal(0))
            if actual != share:
                add(
                    "composition",
                    jenis=jenis,
                    total=actual,
                    expected=share,
                    cascade=t.has_cascade,
                )
    present = {" ".join(words_of(item.iki)) for item in items}
    for mandatory in rules.listed:
        if " ".join(words_of(mandatory.iki)) not in present:
            add("mandatory_missing", key=mandatory.key, iki=mandatory.iki)
    return found


def suggest_weight(
    policy: Policy,
    others: Sequence[Item],
    jenis: str,
    has_cascade: bool | None = None,
    profile: RuleProfile | None = None,
) -> Decimal:
    """What is left of the type's share in the policy once the other items are counted, and
    never more than what is left of the Core (or Beyond) total: 0 when nothing is left (the
    person decides how to rebalance)."""
    rules = rules_or_default(policy, profile)
    t = totals(policy, others)
    cascade = t.has_cascade or jenis == policy.cascade_jenis if has_cascade is None else has_cascade
    if policy.is_beyond(jenis):
        total = rules.beyond_total if rules.beyond_total is not None else policy.beyond_total
        share = total - t.beyond
    else:
        share = composition(policy, cascade, rules).get(jenis, Decimal(0)) - t.by_jenis.get(
            jenis, Decimal(0)
        )
        if policy.is_core(jenis) and rules.core_total is not None:
            share = min(share, rules.core_total - t.core)
    return max(share, Decimal(0))


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


def notes(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.NOTE]


def item_findings(
    policy: Policy,
    item: Item,
    others: Sequence[tuple[int, Item]],
    profile: RuleProfile | None = None,
) -> list[Finding]:
    """What the summary card of one item shows: its lint and whether another item of the same
    SKP (given with its position) already has this IKI."""
    rules = rules_or_default(policy, profile)
    found = lint_item(policy, item, None, rules)
    key = " ".join(words_of(item.iki))
    for position, other in others:
        if key and " ".join(words_of(other.iki)) == key:
            severity = rules.severity_of("duplicate_iki")
            if severity is not Severity.OFF:
                found.append(Finding("duplicate_iki", severity, None, {"other": position}))
            break
    return found


# What the IKI step checks as soon as the IKI is typed: its wording (with the aspek chosen
# before it) and whether another item has it already; target, satuan and weight come later.
IKI_CODES = frozenset(
    {
        "iki_activity",
        "iki_counts_documents",
        "iki_counts_activities",
        "iki_no_measure",
        "iki_too_short",
        "iki_too_long",
        "vague_word",
        "percent_kuantitas",
        "duplicate_iki",
    }
)


def iki_findings(
    policy: Policy,
    item: Item,
    others: Sequence[tuple[int, Item]],
    profile: RuleProfile | None = None,
) -> list[Finding]:
    """The findings about the IKI of an item being written, right after it is typed."""
    return [
        f
        for f in item_findings(policy, item, others, profile)
        if f.code in IKI_CODES and f.params.get("field", "iki") == "iki"
    ]


# -- a unit head's items from the PK -----------------------------------------------------------


def aspek_of(policy: Policy, iki: str, satuan: str = "") -> Aspek:
    """The aspek an indicator looks at, from its wording and satuan: a Nilai/Indeks is
    Kualitas; a budget or cost Biaya; a deadline or duration Waktu; a percentage Kualitas when
    it measures a standard, otherwise Kuantitas (a coverage, a share done); a count Kuantitas."""
    words = policy.vocabulary.aspek
    vocab = policy.vocabulary
    iki_words = words_of(iki)
    first = iki_words[0] if iki_words else ""
    unit = satuan.strip().casefold()

    def unit_in(names: Iterable[str]) -> bool:
        return unit in {n.casefold() for n in names}

    if first in words.quality_first or unit_in(words.quality_satuan):
        return Aspek.KUALITAS
    if contains_phrase(iki, words.cost_words) or unit_in(words.cost_satuan):
        return Aspek.BIAYA
    if contains_phrase(iki, words.time_words) or unit_in(words.time_satuan):
        return Aspek.WAKTU
    if first in vocab.percent_words or unit == "%":
        return Aspek.KUALITAS if contains_phrase(iki, words.quality_words) else Aspek.KUANTITAS
    if first in vocab.count_words:
        return Aspek.KUANTITAS
    if contains_phrase(iki, words.quality_words):
        return Aspek.KUALITAS
    return Aspek.KUANTITAS if unit else Aspek.KUALITAS


def default_perspective(perspectives: Iterable[Perspective], *texts: str) -> str | None:
    """The first perspective one of whose keywords appears in the texts (the indicator's name,
    then its sasaran); None when none does: the unit head picks it."""
    choices = list(perspectives)
    for text in texts:
        for perspective in choices:
            if perspective.keywords and contains_phrase(text, perspective.keywords):
                return perspective.code
    return None


def same_iki(a: str, b: str) -> bool:
    """Two IKI texts that differ only in case, spacing or punctuation."""
    return " ".join(words_of(a)) == " ".join(words_of(b))

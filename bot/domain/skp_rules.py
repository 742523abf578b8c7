"""The rules of an SKP's hasil kerja as pure functions: SMART-C and quality lint for one item,
counts, weight totals and composition for the whole list, the weight the policy suggests,
parsing of what people type (targets, weights, RHK/IKI text), and the aspek and perspective of a
unit head's item generated from the PK.

Which rules apply depends on the SKP's owner: `policy.rules_for(unit_head)` gives the profile
(`RuleProfile`); without one, everyone's rules (ketua tim, anggota) apply.

Findings carry a code, a severity from the policy and parameters; the Indonesian explanation
and suggestion for each code live in templates/findings.j2."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.numbers import looks_like_date, parse_number
from bot.domain.policy import Aspek, Perspective, Policy, RuleProfile, Severity

HUNDRED = Decimal(100)
# Beyond this a target is a typing accident, not an ambition (Rp 17,3 miliar fits easily).
MAX_TARGET = Decimal("1e13")
MAX_PERCENT_TARGET = Decimal(1000)
TEXT_MIN_CHARS, TEXT_MAX_CHARS = 8, 500
SATUAN_MAX_CHARS = 40

_WORD = re.compile(r"[\w-]+", re.UNICODE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# [Rp] [sign] number [satuan]; the number's digits are ASCII only ("１２" is not a number).
_TARGET = re.compile(r"\s*(?:rp\.?\s*)?([+\-−]?)\s*([0-9][0-9.,]*)\s*(.*?)\s*$", re.IGNORECASE)
_WEIGHT = re.compile(r"([+\-−]?)\s*([0-9][0-9.,]*)\s*%?")
# Signs and separators: a satuan never starts with one ("-02-2026", ",5", ".000").
_GLUE = "+-−–—.,"


@dataclass(frozen=True, slots=True)
class Item:
    """One row of hasil kerja as the rules see it."""

    jenis: str
    rhk: str
    iki: str
    aspek: str
    target: Decimal | None
    satuan: str
    bobot: Decimal | None
    leader_rhk: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    # 1-based position of the item in the list; None for the SKP as a whole.
    item: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


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


# -- reading what people type ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    value: Decimal
    satuan: str  # "" when only a number was typed


def parse_target(raw: str, policy: Policy) -> Target | str:
    """ "17,5", "1.575.000", "1.000,00", "100%", "100 %", "4 kali", "Rp 17.300.000.000" → a
    Target; otherwise the name of the problem (empty, not_number, negative, too_large,
    satuan_too_long, satuan_invalid). ASCII digits only (see bot.domain.numbers); the satuan
    never swallows what belongs to the number: "1e309", "1 000", "31-02-2026", "8 Februari
    2026" are not_number, not 1 with satuan "e309", "000", "-02-2026" or "Februari 2026"."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return "empty"
    match = _TARGET.match(text)
    if match is None or looks_like_date(text[match.start(2) :]):
        return "not_number"
    sign, number, unit = match.groups()
    if _unit_swallows(unit):
        return "not_number"
    value = parse_number(number)
    if value is None:
        return "not_number"
    if sign in ("-", "−"):
        return "negative"  # "-0" too
    if text.lower().startswith("rp") and not unit:
        unit = "Rupiah"
    if len(unit) > SATUAN_MAX_CHARS:
        return "satuan_too_long"
    if not unit.isprintable() or _TAG.search(unit):
        return "satuan_invalid"
    satuan = policy.canonical_satuan(unit) if unit else ""
    if value > MAX_TARGET or (satuan == "%" and value > MAX_PERCENT_TARGET):
        return "too_large"
    return Target(value, satuan)


def _unit_swallows(unit: str) -> bool:
    """Whether what follows the number is more number, not a unit: a digit of any script
    ("1 000", "5²", "1２"), a sign or separator ("-02-2026", ",5"), an exponent ("e309")."""
    if not unit:
        return False
    if unit[0] in _GLUE:
        return True
    if unit[0] in "eE" and unit[1:].lstrip(" " + _GLUE)[:1].isnumeric():
        return True
    # The first letter or digit past any punctuation ("/2/2026", "_000", "(5)").
    first = next((ch for ch in unit if ch.isalnum() or ch == "%"), "")
    return first.isnumeric()


def parse_weight(raw: str) -> Decimal | str:
    """A weight in percent: "20", "20%", "20 %", "7,5". Otherwise the problem's name (empty,
    not_number, not_positive, too_large, too_precise); "-0" is not_positive."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text.removesuffix("%").strip():
        return "empty"
    match = _WEIGHT.fullmatch(text)
    if match is None:
        return "not_number"
    sign, number = match.groups()
    value = parse_number(number)
    if value is None:
        return "not_number"
    if sign in ("-", "−") or value <= 0:
        return "not_positive"
    if value > HUNDRED:
        return "too_large"
    if value != value.quantize(Decimal("0.01")):
        return "too_precise"
    return value


def text_problem(text: str) -> str | None:
    """Why an RHK or IKI text cannot be taken as it is (None: fine)."""
    if not text:
        return "empty"
    if len(text) > TEXT_MAX_CHARS:
        return "too_long"
    if _TAG.search(text):
        return "html"
    if sum(ch.isalpha() for ch in text) < 3:
        return "no_words"
    if len(text) < TEXT_MIN_CHARS:
        return "too_short"
    return None


def satuan_problem(text: str) -> bool:
    """A typed satuan must be short plain text ("%", "Dokumen", "Orang/Hari")."""
    return not text or len(text) > SATUAN_MAX_CHARS or bool(_TAG.search(text))


# -- one item --------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _contains_phrase(text: str, phrases: Iterable[str]) -> str | None:
    lowered = f" {' '.join(_words(text))} "
    for phrase in phrases:
        if f" {phrase.casefold()} " in lowered:
            return phrase
    return None


def _profile(policy: Policy, profile: RuleProfile | None) -> RuleProfile:
    return profile if profile is not None else policy.rules_for(False)


def lint_item(
    policy: Policy,
    item: Item,
    position: int | None = None,
    profile: RuleProfile | None = None,
) -> list[Finding]:
    found: list[Finding] = []
    rules = _profile(policy, profile)

    def add(code: str, **params: Any) -> None:
        severity = rules.severity_of(code)
        if severity is not Severity.OFF:
            found.append(Finding(code, severity, position, params))

    vocab = policy.vocabulary
    missing = [
        name
        for name, value in (
            ("jenis", item.jenis),
            ("rhk", item.rhk),
            ("iki", item.iki),
            ("aspek", item.aspek),
            ("satuan", item.satuan),
        )
        if not value
    ]
    if item.bobot is None and rules.weights_required:
        missing.append("bobot")
    if missing:
        add("incomplete", fields=missing)

    iki_words = _words(item.iki)
    first = iki_words[0] if iki_words else ""
    second = iki_words[1] if len(iki_words) > 1 else ""
    measured = first in vocab.measure_words or any(ch.isdigit() for ch in item.iki)
    if item.iki:
        if first in vocab.activity_verbs:
            add("iki_activity", word=_original(item.iki, first))
        elif first in vocab.count_words and second in vocab.document_nouns:
            add("iki_counts_documents", word=_original(item.iki, second))
        elif not measured:
            add("iki_no_measure", word=_original(item.iki, first))
        if len(iki_words) < policy.iki_length.min_words:
            add("iki_too_short", minimum=policy.iki_length.min_words)
        if len(item.iki) > policy.iki_length.max_chars:
            add("iki_too_long", length=len(item.iki), maximum=policy.iki_length.max_chars)
        vague = _contains_phrase(item.iki, vocab.vague_words)
        if vague and not measured:
            add("vague_word", word=vague, field="iki")

    if item.target is None:
        add("target_not_number")
    is_percent = first in vocab.percent_words
    if item.iki and is_percent and item.satuan and item.satuan != "%":
        add("percent_satuan", satuan=item.satuan)
    if item.satuan == "%" and item.target is not None and item.target > HUNDRED:
        add("percent_over_100", target=item.target)
    if first in vocab.count_words and item.satuan == "%":
        add("count_with_percent")

    if item.rhk:
        qualified = _contains_phrase(item.rhk, vocab.qualifier_markers) or any(
            ch.isdigit() for ch in item.rhk
        )
        vague_rhk = _contains_phrase(item.rhk, vocab.vague_words)
        if vague_rhk and not qualified:
            add("vague_word", word=vague_rhk, field="rhk")
        elif not qualified:
            add("rhk_no_qualifier")

    if item.jenis == policy.cascade_jenis and not item.leader_rhk:
        add("cascade_without_leader_rhk")
    return found


def _original(text: str, lowered_word: str) -> str:
    """The word as the person wrote it (for quoting it back)."""
    for word in _WORD.findall(text):
        if word.casefold() == lowered_word:
            return word
    return lowered_word


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
    c = _profile(policy, profile).composition
    if c is None:
        return {}
    return dict(c.with_cascade if has_cascade else c.without_cascade)


def check_skp(
    policy: Policy, items: Sequence[Item], profile: RuleProfile | None = None
) -> list[Finding]:
    """Every finding for a list of hasil kerja: per item first (in order), then the whole.
    `profile` is the owner's rules (`policy.rules_for(unit_head)`); a unit head's profile may
    leave out the count, the totals, the composition and the weights."""
    rules = _profile(policy, profile)
    found: list[Finding] = []
    for position, item in enumerate(items, start=1):
        found.extend(lint_item(policy, item, position, rules))

    def add(code: str, item: int | None = None, **params: Any) -> None:
        severity = rules.severity_of(code)
        if severity is not Severity.OFF:
            found.append(Finding(code, severity, item, params))

    seen: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        key = " ".join(_words(item.iki))
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
        add("count_high", count=t.count, maximum=rule.max)
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
    present = {" ".join(_words(item.iki)) for item in items}
    for mandatory in rules.listed:
        if " ".join(_words(mandatory.iki)) not in present:
            add("mandatory_missing", key=mandatory.key, iki=mandatory.iki)
    return found


def suggest_weight(
    policy: Policy, others: Sequence[Item], jenis: str, has_cascade: bool | None = None
) -> Decimal:
    """What is left of the type's share in the policy once the other items are counted
    (0 when nothing is left: the person decides how to rebalance)."""
    t = totals(policy, others)
    cascade = t.has_cascade or jenis == policy.cascade_jenis if has_cascade is None else has_cascade
    if policy.is_beyond(jenis):
        share = policy.beyond_total - t.beyond
    else:
        share = composition(policy, cascade).get(jenis, Decimal(0)) - t.by_jenis.get(
            jenis, Decimal(0)
        )
    return max(share, Decimal(0))


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.WARNING]


def item_findings(
    policy: Policy,
    item: Item,
    others: Sequence[tuple[int, Item]],
    profile: RuleProfile | None = None,
) -> list[Finding]:
    """What the summary card of one item shows: its lint and whether another item of the same
    SKP (given with its position) already has this IKI."""
    rules = _profile(policy, profile)
    found = lint_item(policy, item, None, rules)
    key = " ".join(_words(item.iki))
    for position, other in others:
        if key and " ".join(_words(other.iki)) == key:
            severity = rules.severity_of("duplicate_iki")
            if severity is not Severity.OFF:
                found.append(Finding("duplicate_iki", severity, None, {"other": position}))
            break
    return found


# -- a unit head's items from the PK -----------------------------------------------------------


def aspek_of(policy: Policy, iki: str, satuan: str = "") -> Aspek:
    """The aspek an indicator looks at, from its wording and satuan: a Nilai/Indeks is
    Kualitas; a budget or cost Biaya; a deadline or duration Waktu; a percentage Kualitas when
    it measures a standard, otherwise Kuantitas (a coverage, a share done); a count Kuantitas."""
    words = policy.vocabulary.aspek
    vocab = policy.vocabulary
    iki_words = _words(iki)
    first = iki_words[0] if iki_words else ""
    unit = satuan.strip().casefold()

    def unit_in(names: Iterable[str]) -> bool:
        return unit in {n.casefold() for n in names}

    if first in words.quality_first or unit_in(words.quality_satuan):
        return Aspek.KUALITAS
    if _contains_phrase(iki, words.cost_words) or unit_in(words.cost_satuan):
        return Aspek.BIAYA
    if _contains_phrase(iki, words.time_words) or unit_in(words.time_satuan):
        return Aspek.WAKTU
    if first in vocab.percent_words or unit == "%":
        return Aspek.KUALITAS if _contains_phrase(iki, words.quality_words) else Aspek.KUANTITAS
    if first in vocab.count_words:
        return Aspek.KUANTITAS
    if _contains_phrase(iki, words.quality_words):
        return Aspek.KUALITAS
    return Aspek.KUANTITAS if unit else Aspek.KUALITAS


def default_perspective(perspectives: Iterable[Perspective], *texts: str) -> str | None:
    """The first perspective one of whose keywords appears in the texts (the indicator's name,
    then its sasaran); None when none does: the unit head picks it."""
    choices = list(perspectives)
    for text in texts:
        for perspective in choices:
            if perspective.keywords and _contains_phrase(text, perspective.keywords):
                return perspective.code
    return None


def same_iki(a: str, b: str) -> bool:
    """Two IKI texts that differ only in case, spacing or punctuation."""
    return " ".join(_words(a)) == " ".join(_words(b))

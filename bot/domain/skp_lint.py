"""The lint of one SKP item (SMART-C and the policy's wording rules) as pure functions: an IKI
that is an activity, that counts documents or activities, that has no measure, that is too
short or too long, a vague word without a measure, a percentage questioned with aspek
Kuantitas or a foreign satuan, an RHK without its qualifier. The vocabulary is the policy's.

Findings carry a code, a severity from the owner's rules and parameters; the Indonesian
explanation and suggestion for each code live in templates/findings.j2."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.policy import Aspek, Policy, RuleProfile, Severity
from bot.domain.skp_input import HUNDRED

_WORD = re.compile(r"[\w-]+", re.UNICODE)
# A year says when, not how well: it does not make a vague word measurable.
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_FIRST_WORD = re.compile(r"^\W*[\w-]+")


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


def words_of(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def contains_phrase(text: str, phrases: Iterable[str]) -> str | None:
    lowered = f" {' '.join(words_of(text))} "
    for phrase in phrases:
        if f" {phrase.casefold()} " in lowered:
            return phrase
    return None


def rules_or_default(policy: Policy, profile: RuleProfile | None) -> RuleProfile:
    return profile if profile is not None else policy.rules_for(False)


def _states_measure(policy: Policy, text: str) -> bool:
    """Whether a text says how well or how much: a qualifier (a standard, a time limit, a
    condition) or a number other than a year."""
    vocab = policy.vocabulary
    return bool(contains_phrase(text, vocab.qualifier_markers)) or any(
        ch.isdigit() for ch in _YEAR.sub("", text)
    )


def _counted(policy: Policy, words: Sequence[str]) -> str | None:
    """The noun an IKI that starts with a count word ("Jumlah", "Banyaknya") counts: the next
    word past the policy's fillers ("Jumlah penyusunan laporan …" counts laporan)."""
    vocab = policy.vocabulary
    if not words or words[0] not in vocab.count_words:
        return None
    return next((w for w in words[1:] if w not in vocab.count_fillers), None)


def _alternative(policy: Policy, iki: str, noun: str) -> str:
    """An output-based IKI for one that counts documents, from the policy's pattern for the
    counted noun: "Jumlah NSPK SBBL yang disusun" → "Persentase NSPK SBBL tersusun tepat
    waktu"; "Jumlah laporan monitoring" → "Persentase rekomendasi laporan monitoring yang
    ditindaklanjuti"."""
    vocab = policy.vocabulary
    pattern = vocab.count_alternatives.get(noun) or vocab.count_alternatives.get("*", "")
    if "{object}" not in pattern:
        return pattern
    # What follows the count word and its fillers, as the person wrote it.
    rest = _FIRST_WORD.sub("", iki.strip(), count=1).strip()
    while rest:
        head, _, tail = rest.partition(" ")
        if head.casefold() not in vocab.count_fillers:
            break
        rest = tail.strip()
    before, after = pattern.split("{object}", 1)
    if not (after.strip() and contains_phrase(rest, [after.strip()])):
        # Without its own clause ("yang disusun"): the pattern says what counts instead.
        cut = re.split(r"\s+yang\s+", rest, maxsplit=1, flags=re.IGNORECASE)[0]
        rest = f"{cut}{after}" if cut else rest
    return f"{before}{rest}".strip()


def lint_item(
    policy: Policy,
    item: Item,
    position: int | None = None,
    profile: RuleProfile | None = None,
) -> list[Finding]:
    found: list[Finding] = []
    rules = rules_or_default(policy, profile)

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

    iki_words = words_of(item.iki)
    first = iki_words[0] if iki_words else ""
    if item.iki:
        _lint_iki(policy, item, iki_words, add)

    if item.target is None:
        add("target_not_number")
    is_percent = first in vocab.percent_words
    if item.iki and is_percent and item.satuan and item.satuan != "%":
        add("percent_satuan", satuan=item.satuan)
    if item.satuan == "%" and item.target is not None and item.target > HUNDRED:
        add("percent_over_100", target=item.target)
    if first in vocab.count_words and item.satuan == "%":
        add("count_with_percent")

    # The RHK's wording: a vague word is the sharper form of a missing qualifier, so a
    # profile that takes the RHK as given (a unit head's PK sasaran) checks neither.
    if item.rhk and rules.severity_of("rhk_no_qualifier") is not Severity.OFF:
        qualified = contains_phrase(item.rhk, vocab.qualifier_markers) or any(
            ch.isdigit() for ch in item.rhk
        )
        vague_rhk = contains_phrase(item.rhk, vocab.vague_words)
        if vague_rhk and not _states_measure(policy, item.rhk):
            add("vague_word", word=vague_rhk, field="rhk")
        elif not qualified:
            add("rhk_no_qualifier")

    if item.jenis == policy.cascade_jenis and not item.leader_rhk:
        add("cascade_without_leader_rhk")
    return found


def _lint_iki(policy: Policy, item: Item, iki_words: list[str], add: Callable[..., None]) -> None:
    """The IKI's own wording: output-based, measured, neither too short nor too long, no
    vague word without a measure, and a percentage that questions aspek Kuantitas."""
    vocab = policy.vocabulary
    first = iki_words[0]
    measured = first in vocab.measure_words or any(ch.isdigit() for ch in item.iki)
    # "Jumlah rekomendasi yang ditindaklanjuti" counts what happened, not what was written.
    followed_up = contains_phrase(item.iki, vocab.outcome_words)
    counted = None if followed_up else _counted(policy, iki_words)
    if first in vocab.activity_verbs:
        add("iki_activity", word=_original(item.iki, first))
    elif counted is not None and counted in vocab.document_nouns:
        add(
            "iki_counts_documents",
            word=_original(item.iki, counted),
            alternative=_alternative(policy, item.iki, counted),
        )
    elif counted is not None and counted in vocab.activity_nouns:
        add("iki_counts_activities", word=_original(item.iki, counted))
    elif not measured:
        add("iki_no_measure", word=_original(item.iki, first))
    if len(iki_words) < policy.iki_length.min_words:
        add("iki_too_short", minimum=policy.iki_length.min_words)
    if len(item.iki) > policy.iki_length.max_chars:
        add("iki_too_long", length=len(item.iki), maximum=policy.iki_length.max_chars)
    vague = contains_phrase(item.iki, vocab.vague_words)
    if vague and not _states_measure(policy, item.iki):
        add("vague_word", word=vague, field="iki")
    if first in vocab.percent_words and item.aspek == Aspek.KUANTITAS.value:
        add("percent_kuantitas")


def _original(text: str, lowered_word: str) -> str:
    """The word as the person wrote it (for quoting it back)."""
    for word in _WORD.findall(text):
        if word.casefold() == lowered_word:
            return word
    return lowered_word

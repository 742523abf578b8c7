"""Evaluating an SKP (PermenPANRB 6/2022; Kemenkes 2026), as pure rules over the policy's data
(bot.domain.policy_evaluation): the periods (four quarters and the year), the predikat the
matrix gives for two ratings, a suggestion for the overall perilaku rating from the ratings
per BerAKHLAK value, Kemenkes' weighted capaian (Σ bobot × capaian per IKI, each capaian
capped as the policy says, Core and Beyond apart) and the check of a unit's predikat against
the distribution guidance for the organisation's own predikat (a check, never a block)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.policy import Policy
from bot.domain.policy_evaluation import (
    DistributionRule,
    EvaluationPolicy,
    OrgPredikat,
    Predikat,
    Rating,
)

__all__ = ["OrgPredikat", "Predikat", "Rating"]

QUARTERS = ("TW1", "TW2", "TW3", "TW4")
ANNUAL = "tahunan"
PERIODS = (*QUARTERS, ANNUAL)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def is_period(value: object) -> bool:
    return isinstance(value, str) and value in PERIODS


def predikat(policy: EvaluationPolicy, hasil: Rating, perilaku: Rating) -> Predikat:
    """The predikat kinerja the regulation's matrix gives (first hasil, then perilaku)."""
    return policy.predikat(hasil, perilaku)


def suggest_perilaku(ratings: Iterable[Rating]) -> Rating | None:
    """The overall perilaku rating the values' ratings suggest: the most frequent one, a tie
    read as "sesuai" (the leader decides; this only pre-selects). None before any rating."""
    counts = Counter(ratings)
    if not counts:
        return None
    top = max(counts.values())
    leaders = [r for r in Rating if counts[r] == top]
    return leaders[0] if len(leaders) == 1 else Rating.SESUAI


@dataclass(frozen=True, slots=True)
class CapaianItem:
    """One IKI for the weighted capaian: its type, bobot and capaian in percent (None: no
    realisation yet, which counts as 0)."""

    jenis: str
    bobot: Decimal | None
    capaian: Decimal | None


@dataclass(frozen=True, slots=True)
class Weighted:
    total: Decimal
    core: Decimal
    beyond: Decimal
    # IKI without a realisation (counted as 0).
    missing: int


def weighted_capaian(policy: Policy, items: Sequence[CapaianItem]) -> Weighted:
    """Σ bobot × capaian per IKI, in percent: Core weights total 100 and Beyond up to 20, so a
    fully achieved SKP weighs 100% + its Beyond share. Each capaian counts up to the cap."""
    cap = policy.evaluation.capaian_cap
    core = beyond = Decimal(0)
    missing = 0
    for item in items:
        if item.capaian is None:
            missing += 1
        counted = max(item.capaian or Decimal(0), Decimal(0))
        if cap is not None:
            counted = min(counted, cap)
        share = (item.bobot or Decimal(0)) * counted / HUNDRED
        if policy.is_beyond(item.jenis):
            beyond += share
        else:
            core += share
    core, beyond = core.quantize(CENT), beyond.quantize(CENT)
    return Weighted(core + beyond, core, beyond, missing)


@dataclass(frozen=True, slots=True)
class DistributionFinding:
    """A guidance line the unit's predikat do not meet, with the share they have."""

    rule: DistributionRule
    count: int
    percent: Decimal


def distribution(predikats: Iterable[Predikat]) -> dict[Predikat, int]:
    counts = Counter(predikats)
    return {p: counts[p] for p in Predikat}


def distribution_findings(
    policy: EvaluationPolicy, organisation: OrgPredikat, counts: dict[Predikat, int]
) -> list[DistributionFinding]:
    """The guidance lines for the organisation's predikat that the counts do not meet (none
    when nobody is evaluated yet: there is nothing to compare)."""
    total = sum(counts.values())
    if total == 0:
        return []
    found = []
    for rule in policy.distribution.get(organisation, []):
        count = sum(counts.get(p, 0) for p in rule.predikat)
        percent = Decimal(count) * HUNDRED / Decimal(total)
        short = (
            (rule.min_percent is not None and percent < rule.min_percent)
            or (rule.max_percent is not None and percent > rule.max_percent)
            or (rule.at_least_one and count == 0)
        )
        if short:
            found.append(DistributionFinding(rule, count, percent))
    return found

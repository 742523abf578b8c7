"""The evaluation's pure rules over the policy's data: the predikat matrix of PermenPANRB
6/2022 for all 9 rating pairs, the suggested perilaku rating, Kemenkes' weighted capaian on the
deck's SBBL list, and the distribution guidance as a check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.domain import evaluation as ev
from bot.domain.evaluation import CapaianItem, OrgPredikat, Predikat, Rating
from bot.domain.policy import default_policy
from bot.domain.policy_evaluation import EvaluationPolicy, default_evaluation
from tests.skp_examples import SBBL_KATIM

A, S, B = Rating.DIATAS, Rating.SESUAI, Rating.DIBAWAH

# (hasil kerja, perilaku kerja) → predikat, as the regulation's matrix reads.
MATRIX = [
    (A, A, Predikat.SANGAT_BAIK),
    (A, S, Predikat.BAIK),
    (S, A, Predikat.BAIK),
    (S, S, Predikat.BAIK),
    (A, B, Predikat.KURANG),
    (S, B, Predikat.KURANG),
    (B, A, Predikat.BUTUH_PERBAIKAN),
    (B, S, Predikat.BUTUH_PERBAIKAN),
    (B, B, Predikat.SANGAT_KURANG),
]


@pytest.mark.parametrize(("hasil", "perilaku", "expected"), MATRIX)
def test_the_matrix_gives_the_regulations_predikat(
    hasil: Rating, perilaku: Rating, expected: Predikat
) -> None:
    policy = default_policy().evaluation
    assert ev.predikat(policy, hasil, perilaku) is expected


def test_the_table_covers_every_pair_once() -> None:
    assert len({(h, p) for h, p, _ in MATRIX}) == 9


def test_a_matrix_missing_a_pair_is_refused() -> None:
    document = default_evaluation().model_dump(mode="json")
    document["matrix"] = document["matrix"][:-1]
    with pytest.raises(ValidationError, match="9 rating pairs"):
        EvaluationPolicy.model_validate(document)
    document["matrix"] = [*document["matrix"], document["matrix"][0]]
    with pytest.raises(ValidationError, match="9 rating pairs"):
        EvaluationPolicy.model_validate(document)


def test_the_perilaku_suggestion_is_the_most_frequent_rating() -> None:
    assert ev.suggest_perilaku([]) is None
    assert ev.suggest_perilaku([A, A, S, S, S, A, A]) is A
    assert ev.suggest_perilaku([B, B, B, S, S, S, A]) is S  # a tie: "sesuai"
    assert ev.suggest_perilaku([B, B, S]) is B


def _sbbl(capaian: list[str | None]) -> list[CapaianItem]:
    return [
        CapaianItem(row[0], Decimal(row[6]), Decimal(c) if c is not None else None)
        for row, c in zip(SBBL_KATIM, capaian, strict=True)
    ]


def test_the_weighted_capaian_of_the_sbbl_list() -> None:
    policy = default_policy()
    # Core 20+5+5+20+10+10+20+10 = 100, Beyond 20: all achieved but one 20% item at 80%,
    # the Beyond programme at 42,5%.
    weighted = ev.weighted_capaian(
        policy, _sbbl(["100", "100", "100", "80", "100", "100", "100", "100", "42.5"])
    )
    assert (weighted.total, weighted.core, weighted.beyond) == (
        Decimal("104.5"),
        Decimal("96"),
        Decimal("8.5"),
    )
    assert weighted.missing == 0


def test_each_capaian_counts_up_to_the_cap_and_a_missing_one_as_zero() -> None:
    policy = default_policy()
    assert policy.evaluation.capaian_cap == Decimal(100)
    weighted = ev.weighted_capaian(
        policy, _sbbl(["150", "100", "100", "100", "100", "100", "100", None, "300"])
    )
    # 150% counts as 100%; the IPASN without a realisation counts 0; Beyond at most 20.
    assert (weighted.core, weighted.beyond, weighted.total) == (
        Decimal(90),
        Decimal(20),
        Decimal(110),
    )
    assert weighted.missing == 1


def test_without_a_cap_over_achievement_counts() -> None:
    policy = default_policy()
    uncapped = policy.model_copy(
        update={"evaluation": policy.evaluation.model_copy(update={"capaian_cap": None})}
    )
    weighted = ev.weighted_capaian(uncapped, _sbbl(["150"] + ["100"] * 7 + ["0"]))
    assert weighted.core == Decimal(110)


def test_the_distribution_is_checked_against_the_organisations_predikat() -> None:
    policy = default_policy().evaluation
    counts = ev.distribution([Predikat.BAIK] * 8 + [Predikat.SANGAT_BAIK] * 2)
    # An organisation rated "Baik": at most 70% Baik, and someone below expectation.
    found = ev.distribution_findings(policy, OrgPredikat.BAIK, counts)
    assert [(f.rule.predikat, f.count) for f in found] == [
        ([Predikat.BAIK], 8),
        ([Predikat.BUTUH_PERBAIKAN, Predikat.KURANG], 0),
    ]
    assert found[0].percent == Decimal(80)
    # "Istimewa": at most 70% Sangat Baik — met.
    assert ev.distribution_findings(policy, OrgPredikat.ISTIMEWA, counts) == []
    assert ev.distribution_findings(policy, OrgPredikat.BAIK, ev.distribution([])) == []


def test_the_distribution_figures_say_they_are_to_be_confirmed() -> None:
    policy = default_policy().evaluation
    assert policy.distribution_confirmed is False
    assert "TO BE CONFIRMED" in policy.distribution_source
    assert set(policy.distribution) == set(OrgPredikat)

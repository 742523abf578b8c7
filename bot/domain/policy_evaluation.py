"""The evaluation part of a policy (its `evaluation`): the predikat kinerja matrix of
PermenPANRB 6/2022 (rating hasil kerja × rating perilaku kerja → predikat), the cap on one
IKI's capaian in the weighted capaian, and the regulation's guidance on how employees'
predikat distribute given the organisation's own predikat. Data, like the rest of the policy
(bot.domain.policy); the rules that read it are in bot.domain.evaluation."""

from __future__ import annotations

import enum
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_EVALUATION_FILE = (
    Path(__file__).resolve().parent / "policies" / "evaluation-permenpanrb-6-2022.json"
)


class Rating(enum.StrEnum):
    """A rating of hasil kerja or perilaku kerja against the leader's expectation."""

    DIATAS = "diatas"  # Di atas ekspektasi
    SESUAI = "sesuai"  # Sesuai ekspektasi
    DIBAWAH = "dibawah"  # Di bawah ekspektasi


class Predikat(enum.StrEnum):
    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"  # Kurang/Misconduct
    SANGAT_KURANG = "sangat_kurang"


class OrgPredikat(enum.StrEnum):
    """The organisation's (unit's) own predikat kinerja, which the distribution follows."""

    ISTIMEWA = "istimewa"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MatrixCell(_Model):
    hasil: Rating
    perilaku: Rating
    predikat: Predikat


class DistributionRule(_Model):
    """One line of the guidance: the share of employees whose predikat is one of `predikat`
    should be at least `min_percent` / at most `max_percent`, or at least one person."""

    predikat: list[Predikat] = Field(min_length=1)
    min_percent: Decimal | None = None
    max_percent: Decimal | None = None
    at_least_one: bool = False


class EvaluationPolicy(_Model):
    source: str = ""
    matrix: list[MatrixCell]
    # The most one IKI's capaian counts in the weighted capaian (percent); None: no cap.
    capaian_cap: Decimal | None = None
    capaian_cap_note: str = ""
    # Whether the distribution figures were checked against the regulation itself.
    distribution_confirmed: bool = False
    distribution_source: str = ""
    distribution: dict[OrgPredikat, list[DistributionRule]] = {}

    @model_validator(mode="after")
    def _complete(self) -> EvaluationPolicy:
        pairs = [(c.hasil, c.perilaku) for c in self.matrix]
        wanted = {(h, p) for h in Rating for p in Rating}
        if len(pairs) != len(set(pairs)) or set(pairs) != wanted:
            raise ValueError("evaluation.matrix must give each of the 9 rating pairs once")
        return self

    def predikat(self, hasil: Rating, perilaku: Rating) -> Predikat:
        return next(c.predikat for c in self.matrix if c.hasil == hasil and c.perilaku == perilaku)


@lru_cache(maxsize=1)
def default_evaluation() -> EvaluationPolicy:
    """The regulation's matrix and guidance, for a policy document that gives none."""
    return EvaluationPolicy.model_validate_json(DEFAULT_EVALUATION_FILE.read_text("utf-8"))

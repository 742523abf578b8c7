"""The year-in-progress part of a policy (its `progress`): how often employees check in (the
Surat Sekjen asks for a dialog kinerja every one to two months; monthly by default), on which
day of the round the reminder goes, how far behind its trajectory an item may be before it is
pointed out, and which IKI count "lower is better". Data, like the rest of the policy
(bot.domain.policy); the rules that read it are in bot.domain.progress."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ProgressPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Months per check-in round: 1 (monthly), 2, 3 (quarterly), 4, 6 or 12.
    checkin_interval_months: int = Field(default=1, ge=1, le=12)
    # The day of a round's last month on which the check-in reminder goes (moved to the
    # previous working day); leaders get theirs `leader_lead_days` working days earlier.
    checkin_day: int = Field(default=25, ge=1, le=28)
    leader_lead_days: int = Field(default=1, ge=0, le=10)
    # Days after the reminder when each leader gets the team's digest of the round.
    digest_after_days: int = Field(default=5, ge=0, le=27)
    # An item is behind its trajectory when its capaian against what the trajectory expects
    # by now is below 100 minus this many percentage points.
    behind_tolerance: Decimal = Field(default=Decimal(10), ge=0, le=100)
    # IKI whose name holds one of these phrases are "lower is better" (a waiting time, a
    # death rate); an item of aspek biaya is too.
    lower_is_better: list[str] = [
        "waktu tunggu",
        "lama waktu",
        "rata-rata waktu",
        "angka kematian",
        "angka kesakitan",
        "jumlah kasus",
        "jumlah temuan",
        "jumlah keluhan",
        "tingkat kesalahan",
    ]

    @field_validator("checkin_interval_months")
    @classmethod
    def _divides_year(cls, value: int) -> int:
        if 12 % value:
            raise ValueError("checkin_interval_months must divide 12 (1, 2, 3, 4, 6 or 12)")
        return value


def default_progress() -> ProgressPolicy:
    return ProgressPolicy()

"""An agency's SKP policy for a year, as data: IKI types (Core/Beyond), counts, weight totals and
composition, the mandatory IKI, the severity of each finding and the vocabulary the SMART-C lint
looks for. The Kemenkes 2026 policy ships as the default; an administrator loads another one
(same JSON shape) for another agency or year without code changes."""

from __future__ import annotations

import enum
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent / "policies" / "kemenkes-2026.json"


class Severity(enum.StrEnum):
    ERROR = "error"  # blocks submission
    WARNING = "warning"  # asks for a confirmation
    OFF = "off"


class Aspek(enum.StrEnum):
    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"
    BIAYA = "biaya"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CountRule(_Model):
    min: int = Field(ge=0)
    max: int = Field(ge=1)


class Composition(_Model):
    with_cascade: dict[str, Decimal]
    without_cascade: dict[str, Decimal]


class MandatoryIki(_Model):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    rhk: str
    iki: str
    aspek: Aspek
    target: Decimal
    satuan: str
    jenis: str
    bobot: Decimal


class LampiranDefaults(_Model):
    """What a new SKP's annex starts with; the leader may change it in the dialog."""

    skema_periodik: Literal["bulanan", "triwulanan"] = "bulanan"
    konsekuensi_positif: str
    konsekuensi_negatif: str


class IkiLength(_Model):
    min_words: int = Field(ge=1)
    max_chars: int = Field(ge=20)


class Vocabulary(_Model):
    measure_words: list[str]
    percent_words: list[str]
    count_words: list[str]
    activity_verbs: list[str]
    document_nouns: list[str]
    vague_words: list[str]
    qualifier_markers: list[str]


class Policy(_Model):
    name: str
    agency: str
    # IKI type code → "core" or "beyond" (CL, TUSI, MI, BYD for Kemenkes).
    jenis: dict[str, Literal["core", "beyond"]]
    # The type that marks a direct cascade; its presence picks the composition.
    cascade_jenis: str
    iki_count: CountRule
    core_total: Decimal
    beyond_total: Decimal
    composition: Composition
    lampiran: LampiranDefaults
    mandatory: list[MandatoryIki] = []
    severity: dict[str, Severity]
    iki_length: IkiLength
    satuan: list[str]
    vocabulary: Vocabulary

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        known = set(self.jenis)
        if self.cascade_jenis not in known:
            raise ValueError(f"cascade_jenis {self.cascade_jenis!r} is not one of {sorted(known)}")
        for name, shares in (
            ("with_cascade", self.composition.with_cascade),
            ("without_cascade", self.composition.without_cascade),
        ):
            unknown = set(shares) - known
            if unknown:
                raise ValueError(f"composition.{name} names unknown types {sorted(unknown)}")
        for item in self.mandatory:
            if item.jenis not in known:
                raise ValueError(f"mandatory {item.key!r} has unknown type {item.jenis!r}")
        if self.iki_count.min > self.iki_count.max:
            raise ValueError("iki_count.min is larger than iki_count.max")
        return self

    def severity_of(self, code: str) -> Severity:
        return self.severity.get(code, Severity.WARNING)

    def is_core(self, jenis: str) -> bool:
        return self.jenis.get(jenis) == "core"

    def is_beyond(self, jenis: str) -> bool:
        return self.jenis.get(jenis) == "beyond"

    def canonical_satuan(self, raw: str) -> str:
        """ "kali" → "Kali" when the policy knows the unit; otherwise as typed."""
        wanted = raw.strip().casefold()
        for known in self.satuan:
            if known.casefold() == wanted:
                return known
        return raw.strip()


class PolicyError(ValueError):
    """A policy document that cannot be used; the message says why."""


def parse_policy(document: dict[str, Any]) -> Policy:
    try:
        return Policy.model_validate(document)
    except ValueError as exc:
        raise PolicyError(str(exc)) from exc


def read_policy_file(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    parse_policy(document)  # refuse a bad file before anyone stores it
    return dict(document)


@lru_cache(maxsize=1)
def default_policy_document() -> str:
    return DEFAULT_POLICY_FILE.read_text(encoding="utf-8")


@lru_cache(maxsize=32)
def policy_from_json(document: str) -> Policy:
    """Parsed once per distinct document: every update of a drafting dialog needs the policy."""
    return parse_policy(json.loads(document))


def default_policy() -> Policy:
    return policy_from_json(default_policy_document())

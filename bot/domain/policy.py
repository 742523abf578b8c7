"""An agency's SKP policy for a year, as data: IKI types (Core/Beyond), counts, weight totals and
composition, the mandatory IKI, the severity of each finding and the vocabulary the SMART-C lint
looks for; and the unit heads' own profile (JPT: hasil kerja from the PK, perspectives, the
directive IKI). The Kemenkes 2026 policy ships as the default; an administrator loads another one
(same JSON shape) for another agency or year without code changes.

`Policy.rules_for(unit_head)` gives the rules in force for one SKP's owner (`RuleProfile`)."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The evaluation's matrix and guidance, and the words the lint looks for, live in their own
# modules.
from bot.domain.policy_evaluation import EvaluationPolicy, default_evaluation
from bot.domain.policy_progress import ProgressPolicy
from bot.domain.policy_vocabulary import Vocabulary

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent / "policies" / "kemenkes-2026.json"


class Severity(enum.StrEnum):
    ERROR = "error"  # blocks submission
    WARNING = "warning"  # asks for a confirmation
    NOTE = "note"  # shown (to the leader too), asks nothing
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
    # More than `max` is allowed once the owner records the adjustment (Kemenkes: "dalam hal
    # lebih dari 10, perlu adjustment bersama Unit Eselon 1 terkait"); the leader sees it.
    adjustable: bool = False


class Composition(_Model):
    with_cascade: dict[str, Decimal]
    without_cascade: dict[str, Decimal]


_KEY = r"^[a-z0-9_]+$"


class MandatoryIki(_Model):
    """An IKI the policy lists, added in one tap: the mandatory IKI of every employee (IPASN)
    or a unit head's directive IKI. `bobot` may be left out only where weights are not
    required (a unit head's directives)."""

    key: str = Field(min_length=1, max_length=40, pattern=_KEY)
    rhk: str
    iki: str
    aspek: Aspek
    target: Decimal
    satuan: str
    jenis: str
    bobot: Decimal | None = None
    # The perspective a unit head's item starts with (a code of the profile's perspectives).
    perspective: str | None = None
    # Where the target comes from, for whoever maintains the policy (not shown to users).
    note: str = ""


class DukunganLine(_Model):
    category: str
    text: str


class LampiranDefaults(_Model):
    """What a new SKP's annex starts with; the leader may change it in the dialog."""

    skema_periodik: Literal["bulanan", "triwulanan"] = "bulanan"
    konsekuensi_positif: str
    konsekuensi_negatif: str
    # The DUKUNGAN SUMBER DAYA lines an SKP prints when the dialog agreed none of a category
    # (a resource category of the dialog, and the line as the agency writes it).
    dukungan: list[DukunganLine] = []


class IkiLength(_Model):
    min_words: int = Field(ge=1)
    max_chars: int = Field(ge=20)


class Perspective(_Model):
    """A perspective a unit head tags each item with (Kemenkes 2026: Penerima Layanan, Proses
    Bisnis, Penguatan Internal, Anggaran). `keywords` in an indicator's name suggest it."""

    code: str = Field(min_length=1, max_length=40, pattern=_KEY)
    label: str = Field(min_length=1, max_length=60)
    keywords: list[str] = []


DEFAULT_PERSPECTIVES = (
    Perspective(code="penerima_layanan", label="Penerima Layanan"),
    Perspective(code="proses_bisnis", label="Proses Bisnis"),
    Perspective(code="penguatan_internal", label="Penguatan Internal"),
    Perspective(code="anggaran", label="Anggaran"),
)

# Which type a PK indicator becomes when the profile does not say (and the policy knows it).
DEFAULT_PK_JENIS = {"IKK": "CL", "IKM": "MI", "IKD": "TUSI"}


class UnitHeadProfile(_Model):
    """The rules for a unit head (JPT, pimpinan unit kerja), whose hasil kerja are their PK:
    RHK = the PK's sasaran, IKI and target from the PK, plus the directive IKI; each item
    tagged with a perspective. A rule left null is not checked for unit heads. A policy file
    without this profile gets these defaults: no count, totals or composition, no weights
    required, the four Kemenkes perspectives, no directives, the mandatory IKI not applied."""

    iki_count: CountRule | None = None
    core_total: Decimal | None = None
    beyond_total: Decimal | None = None
    composition: Composition | None = None
    # False: a missing (or zero) bobot is not a finding, and items from the PK get none.
    weights_required: bool = False
    # Whether the policy's `mandatory` IKI (e.g. IPASN) apply to unit heads too.
    mandatory_applies: bool = False
    perspectives: list[Perspective] = Field(default_factory=lambda: list(DEFAULT_PERSPECTIVES))
    directives: list[MandatoryIki] = []
    # PK indicator kind (IKK/IKM/IKD) → IKI type code.
    pk_jenis: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PK_JENIS))
    # Severity overrides for unit heads (e.g. the RHK is the PK's sasaran, not their wording).
    severity: dict[str, Severity] = {}

    @field_validator("perspectives", mode="before")
    @classmethod
    def _codes_allowed(cls, value: Any) -> Any:
        """A perspective may be given as its code alone ("anggaran")."""
        if not isinstance(value, list):
            return value
        known = {p.code: p for p in DEFAULT_PERSPECTIVES}
        return [
            (known[v] if v in known else {"code": v, "label": v.replace("_", " ").title()})
            if isinstance(v, str)
            else v
            for v in value
        ]


@dataclass(frozen=True, slots=True)
class RuleProfile:
    """The rules in force for one SKP's owner: everyone's (`unit_head` False) or the unit
    heads' profile. A None rule is not checked."""

    unit_head: bool
    iki_count: CountRule | None
    core_total: Decimal | None
    beyond_total: Decimal | None
    composition: Composition | None
    weights_required: bool
    # The policy-listed IKI offered in one tap; a missing one is a finding.
    listed: tuple[MandatoryIki, ...]
    perspectives: tuple[Perspective, ...]
    severity: Mapping[str, Severity]

    def severity_of(self, code: str) -> Severity:
        return self.severity.get(code, Severity.WARNING)

    def listed_iki(self, key: str) -> MandatoryIki | None:
        return next((m for m in self.listed if m.key == key), None)

    def perspective(self, code: str) -> Perspective | None:
        return next((p for p in self.perspectives if p.code == code), None)


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
    # Other spellings of a satuan of the list ("persen" → "%", "x" → "Kali"); case is ignored.
    satuan_synonyms: dict[str, str] = {}
    vocabulary: Vocabulary
    unit_head: UnitHeadProfile = Field(default_factory=UnitHeadProfile)
    # Predikat matrix, capaian cap, distribution guidance (PermenPANRB 6/2022 by default).
    evaluation: EvaluationPolicy = Field(default_factory=default_evaluation)
    # Check-in interval and day, trajectory tolerance, lower-is-better IKI (year in progress).
    progress: ProgressPolicy = Field(default_factory=ProgressPolicy)

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
            if item.bobot is None:
                raise ValueError(f"mandatory {item.key!r} has no bobot")
        if self.iki_count.min > self.iki_count.max:
            raise ValueError("iki_count.min is larger than iki_count.max")
        unknown_units = set(self.satuan_synonyms.values()) - set(self.satuan)
        if unknown_units:
            raise ValueError(f"satuan_synonyms name units not in satuan: {sorted(unknown_units)}")
        self._consistent_unit_head(known)
        return self

    def _consistent_unit_head(self, known: set[str]) -> None:
        head = self.unit_head
        where = "unit_head"
        if head.iki_count is not None and head.iki_count.min > head.iki_count.max:
            raise ValueError(f"{where}.iki_count.min is larger than {where}.iki_count.max")
        if head.composition is not None:
            for name, shares in (
                ("with_cascade", head.composition.with_cascade),
                ("without_cascade", head.composition.without_cascade),
            ):
                unknown = set(shares) - known
                if unknown:
                    raise ValueError(
                        f"{where}.composition.{name} names unknown types {sorted(unknown)}"
                    )
        codes = [p.code for p in head.perspectives]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{where}.perspectives has a code twice")
        keys = [m.key for m in (*self.mandatory, *head.directives)]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{where}.directives reuse a key of another listed IKI")
        for item in head.directives:
            if item.jenis not in known:
                raise ValueError(f"directive {item.key!r} has unknown type {item.jenis!r}")
            if head.weights_required and item.bobot is None:
                raise ValueError(f"directive {item.key!r} has no bobot (weights are required)")
            if item.perspective is not None and item.perspective not in codes:
                raise ValueError(
                    f"directive {item.key!r} has unknown perspective {item.perspective!r}"
                )
        # Checked when a policy gives its own profile; the defaults fit Kemenkes' type codes
        # and unknown ones fall back to the cascade type (see pk_jenis).
        if "unit_head" in self.model_fields_set:
            unknown = set(head.pk_jenis.values()) - known
            if unknown:
                raise ValueError(f"{where}.pk_jenis names unknown types {sorted(unknown)}")

    def rules_for(self, unit_head: bool) -> RuleProfile:
        """The rules for an SKP whose owner is (or is not) a unit head."""
        if not unit_head:
            return RuleProfile(
                unit_head=False,
                iki_count=self.iki_count,
                core_total=self.core_total,
                beyond_total=self.beyond_total,
                composition=self.composition,
                weights_required=True,
                listed=tuple(self.mandatory),
                perspectives=(),
                severity=self.severity,
            )
        head = self.unit_head
        return RuleProfile(
            unit_head=True,
            iki_count=head.iki_count,
            core_total=head.core_total,
            beyond_total=head.beyond_total,
            composition=head.composition,
            weights_required=head.weights_required,
            listed=(*(self.mandatory if head.mandatory_applies else ()), *head.directives),
            perspectives=tuple(head.perspectives),
            severity={**self.severity, **head.severity},
        )

    def pk_jenis(self, kind: str) -> str:
        """The IKI type of a unit head's item from a PK indicator of this kind."""
        code = self.unit_head.pk_jenis.get(kind, "")
        return code if code in self.jenis else self.cascade_jenis

    def severity_of(self, code: str) -> Severity:
        return self.severity.get(code, Severity.WARNING)

    def is_core(self, jenis: str) -> bool:
        return self.jenis.get(jenis) == "core"

    def is_beyond(self, jenis: str) -> bool:
        return self.jenis.get(jenis) == "beyond"

    def canonical_satuan(self, raw: str) -> str:
        """The policy's spelling of a unit: "kali" → "Kali", "x" → "Kali", "persen" → "%";
        a unit the policy does not know stays as typed."""
        wanted = " ".join(raw.split()).casefold()
        for synonym, known in self.satuan_synonyms.items():
            if synonym.casefold() == wanted:
                return known
        for known in self.satuan:
            if known.casefold() == wanted:
                return known
        return " ".join(raw.split())


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

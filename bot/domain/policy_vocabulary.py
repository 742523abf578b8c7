"""The words an SKP policy's lint looks for (its `vocabulary`): what starts a measured IKI, what
an IKI may not count (reports and documents; activities), which words promise without a
measure, what qualifies an RHK, and what tells an indicator's aspek. Data, per agency and
year, like the rest of the policy (bot.domain.policy)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AspekWords(_Model):
    """What tells an indicator's aspek (for an item generated from the PK): its first word,
    words anywhere in it, or its satuan. A percentage is Kuantitas unless it says otherwise."""

    quality_first: list[str] = ["nilai", "indeks", "skor", "predikat", "opini", "tingkat"]
    quality_words: list[str] = [
        "sesuai standar",
        "memenuhi standar",
        "berkualitas",
        "kualitas",
        "mutu",
        "terakreditasi",
        "akreditasi",
        "maturitas",
        "kepuasan",
    ]
    time_words: list[str] = [
        "tepat waktu",
        "waktu",
        "jadwal",
        "paling lambat",
        "kecepatan",
        "durasi",
        "lama",
    ]
    cost_words: list[str] = ["anggaran", "biaya", "belanja"]
    quality_satuan: list[str] = ["Nilai", "Indeks", "Skor", "Predikat"]
    time_satuan: list[str] = ["Hari", "Jam", "Menit", "Minggu", "Bulan"]
    cost_satuan: list[str] = ["Rupiah", "Rp"]


class Vocabulary(_Model):
    measure_words: list[str]
    percent_words: list[str]
    count_words: list[str]
    activity_verbs: list[str]
    # What an IKI starting with a count word may count, past the fillers ("Jumlah penyusunan
    # laporan"): reports and documents (not a result, says the Surat Sekjen), activities
    # (a process, not an output). An outcome word ("ditindaklanjuti") makes it a result.
    document_nouns: list[str]
    activity_nouns: list[str] = []
    count_fillers: list[str] = []
    outcome_words: list[str] = []
    # The output-based IKI offered instead of a document count, per counted noun ("*": any
    # other); `{object}` is what the IKI counts, as the person wrote it.
    count_alternatives: dict[str, str] = {}
    # Words that promise a direction without a measure ("optimal", "meningkatkan"): flagged
    # in the RHK and the IKI alike unless the text names a standard, limit or number.
    vague_words: list[str]
    qualifier_markers: list[str]
    aspek: AspekWords = Field(default_factory=AspekWords)

    @field_validator(
        "measure_words",
        "percent_words",
        "count_words",
        "activity_verbs",
        "document_nouns",
        "activity_nouns",
        "count_fillers",
    )
    @classmethod
    def _folded(cls, value: list[str]) -> list[str]:
        """Single words, compared with the casefolded words of a text."""
        return [w.casefold() for w in value]

    @field_validator("count_alternatives")
    @classmethod
    def _folded_keys(cls, value: dict[str, str]) -> dict[str, str]:
        return {k.casefold(): v for k, v in value.items()}

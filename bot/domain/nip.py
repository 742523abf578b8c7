"""NIP (Nomor Induk Pegawai): 18 digits = birth date (YYYYMMDD) + appointment month (YYYYMM)
+ sex (1/2) + a 3-digit sequence."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

_DIGITS = re.compile(r"\d{18}")
_ANY_NIP = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{4})(?!\d)")


class NipProblem(StrEnum):
    LENGTH = "nip_length"
    BIRTH_DATE = "nip_birth_date"
    APPOINTMENT = "nip_appointment"
    SEX = "nip_sex"


def normalise_nip(raw: str) -> str:
    """Drop the spaces and dots people paste NIPs with ("19850101 201001 1 001")."""
    return re.sub(r"[\s.\-]", "", raw or "")


def nip_problem(nip: str) -> NipProblem | None:
    if not _DIGITS.fullmatch(nip):
        return NipProblem.LENGTH
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return NipProblem.BIRTH_DATE
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12 or appointed_year < birth.year + 15:
        return NipProblem.APPOINTMENT
    if nip[14] not in "12":
        return NipProblem.SEX
    return None


def mask_nip(nip: str) -> str:
    """19850101…1001 → 1985********** 1001: enough to recognise, not enough to reuse."""
    if len(nip) != 18:
        return "*" * len(nip)
    return f"{nip[:4]}{'*' * 10}{nip[-4:]}"


def mask_nips_in(text: str) -> str:
    """Mask every 18-digit number in free text (used on log records)."""
    return _ANY_NIP.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)

"""Reading what people type into an SKP item: targets and weights the Indonesian way, and
whether an RHK, IKI or satuan text can be taken as it is. Pure functions; the satuan is put in
the policy's spelling (its list and synonyms: "kali", "x" → "Kali"; "persen" → "%")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.numbers import looks_like_date, parse_number
from bot.domain.policy import Policy

HUNDRED = Decimal(100)
# Beyond this a target is a typing accident, not an ambition (Rp 17,3 miliar fits easily).
MAX_TARGET = Decimal("1e13")
MAX_PERCENT_TARGET = Decimal(1000)
TEXT_MIN_CHARS, TEXT_MAX_CHARS = 8, 500
SATUAN_MAX_CHARS = 40

TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# [Rp] [sign] number [satuan]; the number's digits are ASCII only ("１２" is not a number).
_TARGET = re.compile(r"\s*(?:rp\.?\s*)?([+\-−]?)\s*([0-9][0-9.,]*)\s*(.*?)\s*$", re.IGNORECASE)
_WEIGHT = re.compile(r"([+\-−]?)\s*([0-9][0-9.,]*)\s*%?")
# Signs and separators: a satuan never starts with one ("-02-2026", ",5", ".000").
_GLUE = "+-−–—.,"


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
    if not unit.isprintable() or TAG.search(unit):
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
    if sign in ("-", "−"):
        return "not_positive"
    return weight_problem(value) or value


def weight_problem(value: Decimal) -> str | None:
    """Why a number cannot be a weight (not_positive, too_large, too_precise), or None."""
    if value <= 0:
        return "not_positive"
    if value > HUNDRED:
        return "too_large"
    if value != value.quantize(Decimal("0.01")):
        return "too_precise"
    return None


def text_problem(text: str) -> str | None:
    """Why an RHK or IKI text cannot be taken as it is (None: fine)."""
    if not text:
        return "empty"
    if len(text) > TEXT_MAX_CHARS:
        return "too_long"
    if TAG.search(text):
        return "html"
    if sum(ch.isalpha() for ch in text) < 3:
        return "no_words"
    if len(text) < TEXT_MIN_CHARS:
        return "too_short"
    return None


def satuan_problem(text: str) -> bool:
    """A typed satuan must be short plain text that is not a number ("%", "Dokumen",
    "Orang/Hari"; not "-0", "1e309" or "100 %": a number belongs in the target)."""
    stripped = text.strip() if isinstance(text, str) else ""
    if not stripped or len(stripped) > SATUAN_MAX_CHARS or TAG.search(stripped):
        return True
    if not stripped.isprintable():  # one line, as in a target ("5 Dokumen")
        return True
    return stripped[0].isdigit() or stripped[0] in _GLUE

"""Numbers and dates typed the Indonesian way: decimal comma, thousands dot ("17,5",
"1.575.000", "1.000,00"); "8 Februari 2026", "08-02-2026".

Only what can be represented is read; everything else is None, for the step to ask again:
- ASCII digits only. Full-width ("１２"), Arabic-Indic, superscript ("²") and other digits are
  refused, not normalised: what is stored is exactly what was typed, and looks like it.
- finite numbers only: no NaN, no infinity, no exponent ("1e309"), no underscores ("1_000").
- a dot is a thousands separator between groups of exactly three digits; one comma is the
  decimal separator ("1.5" and "17,5,5" are refused, not guessed). "-0" reads as 0.
- dates that exist, with a four-digit year from 1900 to 2100 ("31-02-2026" is refused).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.dates import get_month_names

LOCALE = "id_ID"
MIN_YEAR, MAX_YEAR = 1900, 2100
# Longer than any amount anyone types; bounds the work done on pasted text.
MAX_NUMBER_CHARS = 60
MAX_DATE_CHARS = 40

# [sign] (digits | 1-3 digits then .ddd groups) [, decimals]
_NUMBER = re.compile(r"([+\-−]?)([0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,([0-9]+))?", re.ASCII)
_SPACES = str.maketrans("", "", " \u00a0\u202f")
_NUMERIC_DATE = (
    re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4})", re.ASCII),  # 8-2-2026
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})", re.ASCII),  # 2026-02-08 (ISO)
)
_NAMED_DATE = re.compile(r"([0-9]{1,2}) ([a-z]+)\.? ([0-9]{4})", re.ASCII)
# The shape of a date whether or not it exists: "31-02-2026", "1-1-99999", "8 Februari".
_DATE_SHAPE = re.compile(r"\s*\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d")
_DAY_WORD = re.compile(r"\s*\d{1,2}\s+([^\W\d_]+)\.?(?:\s|\d|$)")


def _finite(value: Decimal) -> Decimal | None:
    if not value.is_finite():
        return None
    return abs(value) if value.is_zero() else value  # "-0" is 0


def parse_number(raw: str | float | int | Decimal | None) -> Decimal | None:
    """Parse an Indonesian-formatted number; None when it is not one. Spreadsheet cells that
    already hold numbers are taken as they are, when finite."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return _finite(Decimal(str(raw))) if math.isfinite(raw) else None
    if isinstance(raw, Decimal):
        return _finite(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip().translate(_SPACES)
    if not text or len(text) > MAX_NUMBER_CHARS:
        return None
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, whole, decimals = match.groups()
    literal = ("-" if sign in ("-", "−") else "") + whole.replace(".", "")
    if decimals is not None:
        literal += "." + decimals
    try:
        return _finite(Decimal(literal))
    except InvalidOperation:  # cannot happen for this grammar; refuse rather than raise
        return None


@cache
def _months() -> dict[str, int]:
    months = {name.lower(): n for n, name in get_month_names("wide", locale=LOCALE).items()}
    months.update(
        {name.lower(): n for n, name in get_month_names("abbreviated", locale=LOCALE).items()}
    )
    return months


def _date(year: str, month: int | str, day: str) -> date | None:
    y, m, d = int(year), int(month), int(day)  # at most four ASCII digits each
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:  # 31-02-2026, month 13, day 0
        return None


def parse_date(raw: str) -> date | None:
    """A date typed the Indonesian way: "8 Februari 2026", "08-02-2026", "8/2/2026",
    "8.2.2026", or ISO "2026-02-08". None when it is not one, does not exist, or its year is
    outside 1900–2100."""
    if not isinstance(raw, str):
        return None
    text = " ".join(raw.strip().lower().replace(",", " ").split())
    if not text or len(text) > MAX_DATE_CHARS or not text.isascii():
        return None
    named = _NAMED_DATE.fullmatch(text)
    if named is not None:
        day, month, year = named.groups()
        number = _months().get(month)
        return _date(year, number, day) if number is not None else None
    day_first, iso = (pattern.fullmatch(text) for pattern in _NUMERIC_DATE)
    if day_first is not None:
        day, _sep, month, year = day_first.groups()
        return _date(year, month, day)
    if iso is not None:
        year, _sep, month, day = iso.groups()
        return _date(year, month, day)
    return None


def looks_like_date(raw: str) -> bool:
    """Whether the text starts like a date, existing or not ("31-02-2026", "8/2/2026",
    "8 Februari 2026", "1-1-99999"): a number must not be read out of it."""
    if not isinstance(raw, str):
        return False
    text = raw[:MAX_NUMBER_CHARS]
    if _DATE_SHAPE.match(text):
        return True
    word = _DAY_WORD.match(text)
    return word is not None and word.group(1).lower() in _months()

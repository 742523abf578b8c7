"""Numbers and dates typed the Indonesian way: decimal comma, thousands dot ("17,5",
"1.575.000"); "8 Februari 2026"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import get_month_names
from babel.numbers import NumberFormatError, parse_decimal

LOCALE = "id_ID"


def parse_number(raw: str | float | int | Decimal | None) -> Decimal | None:
    """Parse an Indonesian-formatted number; None when it is not one. Spreadsheet cells that
    already hold numbers are taken as they are."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            return None
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    try:
        # strict: "1.5" (a dot that cannot be a thousands separator) is refused, not guessed.
        return parse_decimal(text, locale=LOCALE, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        return None


def parse_date(raw: str) -> date | None:
    """A date typed the Indonesian way: "8 Februari 2026", "08-02-2026", "8/2/2026", or ISO
    "2026-02-08". None when it is not one."""
    text = " ".join(raw.strip().lower().replace(",", " ").split())
    if not text:
        return None
    months = {name.lower(): n for n, name in get_month_names("wide", locale=LOCALE).items()}
    months.update(
        {name.lower(): n for n, name in get_month_names("abbreviated", locale=LOCALE).items()}
    )
    try:
        parts = text.split(" ")
        if len(parts) == 3 and parts[1] in months:
            return date(int(parts[2]), months[parts[1]], int(parts[0]))
        for sep in ("-", "/", "."):
            pieces = text.split(sep)
            if len(pieces) == 3 and all(p.isdigit() for p in pieces):
                if len(pieces[0]) == 4:
                    return date(int(pieces[0]), int(pieces[1]), int(pieces[2]))
                return date(int(pieces[2]), int(pieces[1]), int(pieces[0]))
    except ValueError:
        return None
    return None

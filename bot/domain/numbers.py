"""Numbers typed the Indonesian way: decimal comma, thousands dot ("17,5", "1.575.000")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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

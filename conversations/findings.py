"""Turning rule findings (bot.domain.skp_rules) into what people read: an icon, the
explanation and the suggestion from templates/findings.j2, with numbers in Indonesian."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bot.domain.policy import Severity
from bot.domain.skp_rules import Finding
from bot.texts import Texts, angka

ICONS = {Severity.ERROR: "⛔", Severity.WARNING: "⚠️", Severity.NOTE: "📝"}


def _value(texts: Texts, key: str, value: Any) -> Any:
    if key == "adjustable":
        # The policy allows more IKI once the adjustment is recorded: say how.
        return texts.label("count_adjust_hint") if value else ""
    if isinstance(value, Decimal | float):
        return angka(value)
    if isinstance(value, bool):
        return texts.label("with_cascade" if value else "without_cascade")
    if key == "fields":
        return ", ".join(texts.label(f"item_field_{name}") for name in value)
    if key == "field":
        return texts.label(f"item_field_{value}")
    return value


def describe(texts: Texts, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    described = []
    # Errors first: they are what stands between the person and submitting.
    for f in sorted(findings, key=lambda f: not f.is_error):
        params = {k: _value(texts, k, v) for k, v in f.params.items()}
        text, hint = texts.finding(f.code, **params)
        described.append(
            {
                "code": f.code,
                "icon": ICONS.get(f.severity, "•"),
                "error": f.is_error,
                "note": f.severity is Severity.NOTE,
                "item": f.item,
                "text": text,
                "hint": hint,
            }
        )
    return described

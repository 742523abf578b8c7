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


def grouped(described: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same finding on several items said once ("Butir 1–9: Isian belum lengkap: Bobot."),
    in the order of its first item; `item` becomes the items' label."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    order: list[dict[str, Any]] = []
    for f in described:
        if f["item"] is None:
            order.append(f)
            continue
        key = (f["code"], f["text"], f["hint"])
        if key in groups:
            groups[key]["items"].append(f["item"])
            continue
        groups[key] = {**f, "items": [f["item"]]}
        order.append(groups[key])
    for f in order:
        if "items" in f:
            f["item"] = _label(f.pop("items"))
    return order


def _label(items: list[int]) -> str:
    """[1, 2, 3, 5] → "1–3, 5"."""
    runs: list[list[int]] = []
    for n in sorted(set(items)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)

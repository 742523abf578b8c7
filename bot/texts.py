"""All user-facing text comes from templates/: Telegram messages (HTML, autoescaped), button
labels and console texts (plain). Indonesian number and date formatting via Babel."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.domain.nip import mask_nip
from bot.html_fit import MESSAGE_LIMIT, shorten_html, visible_length

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
LOCALE = "id_ID"


# Babel formats a number or a date in 5 to 10 µs, parsing its pattern and finding the locale
# each time; a screen shows dozens. These give Babel's own output for the two patterns used
# (tests/test_texts.py compares them with Babel over generated values) in a fraction of it.
_QUANTUM = Decimal("0.0001")  # the pattern's four fraction digits at most
_MONTHS = tuple(get_month_names("wide", locale=LOCALE)[m] for m in range(1, 13))


def angka(value: Decimal | float | int | None) -> str:
    """17.5 → "17,5"; 1575000 → "1.575.000" (Babel's "#,##0.####" for id_ID)."""
    if value is None:
        return "-"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return format_decimal(number, format="#,##0.####", locale=LOCALE)
    try:
        rounded = abs(number).normalize().quantize(_QUANTUM)
    except InvalidOperation:  # beyond the context's precision: Babel decides
        return format_decimal(number, format="#,##0.####", locale=LOCALE)
    whole, _, fraction = f"{rounded:f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".")
    fraction = fraction.rstrip("0")
    if fraction:
        text = f"{text},{fraction}"
    return f"-{text}" if number.is_signed() else text


def tanggal(value: date | datetime | None) -> str:
    """8 Februari 2026."""
    if value is None:
        return "-"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def waktu(value: datetime | None, tz: Any = None) -> str:
    """8 Februari 2026 09.30 (in `tz` when given; a moment without a zone is UTC)."""
    if value is None:
        return "-"
    if tz is not None:
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tz)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year} {value:%H.%M}"


def target_text(value: Decimal | None, satuan: str | None = "") -> str:
    """A target as the SKP writes it: "100%", "14 Kali", "1.575.000 Rupiah"."""
    if value is None:
        return "-"
    satuan = (satuan or "").strip()
    if satuan == "%":
        return f"{angka(value)}%"
    return f"{angka(value)} {satuan}".strip()


def kutip(text: str | None, limit: int = 120) -> str:
    """A quoted text shortened at a word boundary: "Monev di 14 regional, …"."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(",.;:") + "…"


class Texts:
    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self.directory = directory
        self.env = Environment(
            loader=FileSystemLoader(str(directory)),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            auto_reload=False,
        )
        # Moments are stored in UTC; people read them in the organisation's time zone.
        self.tz: Any = ZoneInfo("Asia/Jakarta")
        self.env.filters.update(
            angka=angka,
            tanggal=lambda value: tanggal(self._local(value)),
            waktu=lambda value, tz=None: waktu(self._local(value, tz)),
            nip=mask_nip,
            kutip=kutip,
            target=target_text,
        )

    def warm(self) -> int:
        """Compile every template now, at start-up, so nobody's first screen waits for it.
        Returns how many there are."""
        names = self.env.list_templates(filter_func=lambda name: name.endswith((".html", ".j2")))
        for name in names:
            self.env.get_template(name)
        return len(names)

    def _local(self, value: Any, tz: Any = None) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(tz or self.tz)
        return value

    def message(self, name: str, /, **context: Any) -> str:
        """A Telegram message (HTML): templates/messages/<name>.html. Every template keeps
        its screen within Telegram's limit by construction (long lists page, long texts are
        quoted short); should one still not fit, it is cut here rather than refused by
        Telegram, so the step it shows goes on (and the log says which template)."""
        html = self.env.get_template(f"messages/{name}.html").render(**context).strip()
        if len(html) > MESSAGE_LIMIT and visible_length(html) > MESSAGE_LIMIT:
            log.warning("message %s is too long for Telegram; sent shortened", name)
            html = shorten_html(html, MESSAGE_LIMIT)
        return html

    @cached_property
    def _labels(self) -> dict[str, str]:
        return dict(self.env.get_template("labels.j2").module.labels)  # type: ignore[attr-defined]

    @cached_property
    def _console(self) -> dict[str, str]:
        return dict(self.env.get_template("console.j2").module.console)  # type: ignore[attr-defined]

    @cached_property
    def _findings(self) -> dict[str, tuple[str, str]]:
        module = self.env.get_template("findings.j2").module
        return {code: (v[0], v[1]) for code, v in module.findings.items()}  # type: ignore[attr-defined]

    def finding(self, code: str, /, **values: Any) -> tuple[str, str]:
        """The explanation and the suggestion for a rule finding (plain text)."""
        text, hint = self._findings[code]
        return text.format(**values), hint.format(**values)

    def paste_problem(self, code: str, /, **values: Any) -> str:
        """Why a pasted table cannot be taken as it is (bot.domain.paste), plain text:
        "Baris 3, kolom Target: …". `line` (0 or absent: the whole table) and `column` (a
        canonical key) say where; the other values fill the reason (templates/paste.j2).
        Call it as `texts.paste_problem(problem.code, **problem.values())`."""
        module: Any = self.env.get_template("paste.j2").module
        filled: dict[str, Any] = defaultdict(str)
        for key, value in values.items():
            filled[key] = angka(value) if isinstance(value, Decimal) else value
        column = values.get("column")
        filled["column"] = module.columns.get(column, column or "")
        line = values.get("line") or 0
        where = module.where["cell" if line and column else "row" if line else "table"]
        return str(where).format_map(filled) + str(module.problems[code]).format_map(filled)

    def paste_column(self, key: str) -> str:
        """A column of a pasted table as people call it ("Target", "RHK atasan")."""
        module: Any = self.env.get_template("paste.j2").module
        return str(module.columns.get(key, key))

    @cached_property
    def berakhlak(self) -> list[dict[str, Any]]:
        """The 7 BerAKHLAK values: code, name, three indicators, example phrasings."""
        return list(self.env.get_template("berakhlak.j2").module.values)  # type: ignore[attr-defined]

    def has_label(self, key: str) -> bool:
        return key in self._labels

    def label(self, key: str, /, **values: Any) -> str:
        """A button label or short plain phrase; `{name}` placeholders are filled in."""
        text = self._labels[key]
        return text.format(**values) if values else text

    def console(self, key: str, /, **values: Any) -> str:
        """Text for the command line (administrators)."""
        text = self._console[key]
        return text.format(**values) if values else text


_default: Texts | None = None


def get_texts() -> Texts:
    global _default
    if _default is None:
        _default = Texts()
    return _default

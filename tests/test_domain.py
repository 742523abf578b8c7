"""Pure rules: NIP, numbers, cycles, callback data, text rendering, log redaction."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest

from bot.domain.nip import NipProblem, mask_nip, mask_nips_in, nip_problem, normalise_nip
from bot.domain.numbers import parse_number
from bot.domain.org import find_cycle
from bot.engine.callback import Callback, CallbackTooLong
from bot.engine.types import Event, EventKind
from bot.logs import RedactingFilter
from bot.texts import angka, get_texts, tanggal


@pytest.mark.parametrize(
    ("nip", "problem"),
    [
        ("199002142015032001", None),
        ("19900214201503200", NipProblem.LENGTH),
        ("1990021420150320011", NipProblem.LENGTH),
        ("19900214201503200a", NipProblem.LENGTH),
        ("199002302015032001", NipProblem.BIRTH_DATE),
        ("199002142015132001", NipProblem.APPOINTMENT),
        ("199002141995032001", NipProblem.APPOINTMENT),  # appointed at 5 years old
        ("199002142015033001", NipProblem.SEX),
    ],
)
def test_nip_rules(nip: str, problem: NipProblem | None) -> None:
    assert nip_problem(nip) == problem


def test_nip_formatting() -> None:
    assert normalise_nip("19900214 201503 2 001") == "199002142015032001"
    assert mask_nip("199002142015032001") == "1990**********2001"
    assert mask_nips_in("user 199002142015032001 said") == "user 1990**********2001 said"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("17,5", Decimal("17.5")),
        ("1.575.000", Decimal("1575000")),
        ("82,23", Decimal("82.23")),
        ("96", Decimal("96")),
        (380.0, Decimal("380.0")),
        ("1.5", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_indonesian_numbers(raw: object, value: Decimal | None) -> None:
    assert parse_number(raw) == value  # type: ignore[arg-type]


def test_indonesian_formatting() -> None:
    assert angka(Decimal("17.5000")) == "17,5"
    assert angka(1575000) == "1.575.000"
    assert tanggal(date(2026, 2, 8)) == "8 Februari 2026"


def test_find_cycle() -> None:
    assert find_cycle({"a": "b", "b": None, "c": "a"}) is None
    cycle = find_cycle({"a": "b", "b": "c", "c": "a", "d": "a"})
    assert cycle is not None and set(cycle) == {"a", "b", "c"}


def test_callback_codec() -> None:
    data = Callback("skp", "approve", "123", 4).encode()
    assert data == "skp:approve:123:4"
    assert Callback.decode(data) == Callback("skp", "approve", "123", 4)
    for forged in ("", "a:b:c", "a:b:c:d", "a:b:c:-1", "a:b c:1:1", "x" * 65, "a:b:c:1:2"):
        assert Callback.decode(forged) is None
    with pytest.raises(CallbackTooLong):
        Callback("s", "a" * 30, "b" * 30, 1).encode()
    with pytest.raises(ValueError):
        Callback("s", "a:b", "", 1).encode()


def test_events_from_text() -> None:
    assert Event.from_text("/start@dialog_bot abc") == Event(EventKind.COMMAND, "start", "abc")
    assert Event.from_text("/MENU") == Event(EventKind.COMMAND, "menu", "")
    assert Event.from_text("17,5") == Event(EventKind.TEXT, "17,5")
    assert Event.from_text("/") == Event(EventKind.TEXT, "/")


def test_user_text_is_escaped_in_messages() -> None:
    html = get_texts().message("unknown_command", command="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_every_template_compiles() -> None:
    texts = get_texts()
    # Text templates only: the Word template (.docx) is filled by docxtpl, not Jinja2 here.
    names = texts.env.list_templates(extensions=("html", "j2", "txt", "xml", "css"))
    assert len(names) > 30
    for name in names:
        texts.env.get_template(name)  # raises on a syntax error


def test_log_redaction() -> None:
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "call https://api/bot%s/sendMessage for %s",
        ("123:SECRET", "199002142015032001"),
        None,
    )
    RedactingFilter(["123:SECRET"]).filter(record)
    assert (
        record.getMessage() == "call https://api/bot[REDACTED]/sendMessage for 1990**********2001"
    )

"""Hostile input: the callback codec and every parser of typed values refuse what they cannot
represent (None or a problem name the step turns into its usual re-ask) and never raise —
properties over arbitrary text, a corpus of known troublemakers, and forged buttons and odd
values sent through the real Application."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.db.models import DialogState
from bot.domain.numbers import MAX_YEAR, MIN_YEAR, looks_like_date, parse_date, parse_number
from bot.domain.policy import default_policy
from bot.domain.skp_rules import (
    MAX_TARGET,
    SATUAN_MAX_CHARS,
    Target,
    parse_target,
    parse_weight,
    text_problem,
)
from bot.engine.callback import MAX_BYTES, MAX_ID, MAX_VERSION, Callback, CallbackTooLong
from bot.engine.runtime import _clean_text
from bot.services.demo import KATIM_SBBL
from bot.texts import Texts, tanggal
from tests.conftest import Harness

POLICY = default_policy()
ADMIN = "199104172015022001"  # the demo's HR administrator
TARGET_PROBLEMS = {
    "empty",
    "not_number",
    "negative",
    "too_large",
    "satuan_too_long",
    "satuan_invalid",
}
WEIGHT_PROBLEMS = {"empty", "not_number", "not_positive", "too_large", "too_precise"}
TEXT_PROBLEMS = {None, "empty", "too_long", "html", "no_words", "too_short"}

HOSTILE = [
    "",
    " ",
    "\t\n  \u00a0",
    "7" * 5000,
    "x" * 5000,
    "<b>12</b>",
    "12 <script>alert(1)</script>",
    "🎯",
    "12 🎯",
    "\u200f12\u200f",  # RTL marks
    "\u202e21",  # right-to-left override
    "1\u200b2",  # zero-width space
    "12\u200b",
    "\x00",
    "12\x00",
    "1e309",
    "1E5",
    "-1e309",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "-0",
    "−0",
    "+-5",
    "１２",
    "١٢",
    "²",
    "5²",
    "1_000",
    "17,5,5",
    "1.000,00",
    "100 %",
    "31-02-2026",
    "1-1-99999999999999999999",
    "99999999999999999999-1-1",
    "8 Februari 99999999999999999999",
    "0-0-0",
    "1 000",
    ",5",
    "5,",
    "Rp",
    "Rp -",
    "%",
]

# -- the callback codec ---------------------------------------------------------------------------

FIELD = st.from_regex(r"[A-Za-z0-9_.\-]{0,20}", fullmatch=True)


@given(FIELD, FIELD, FIELD, st.integers(0, MAX_VERSION))
def test_callback_round_trip(ns: str, action: str, obj: str, version: int) -> None:
    callback = Callback(ns, action, obj, version)
    try:
        data = callback.encode()
    except CallbackTooLong:
        assume(False)
        return
    assert len(data.encode()) <= MAX_BYTES
    assert Callback.decode(data) == callback


def _valid(callback: Callback) -> None:
    for part in (callback.ns, callback.action, callback.obj):
        assert part.isascii() and ":" not in part
    assert 0 <= callback.version <= MAX_VERSION
    assert Callback.decode(callback.encode()) == callback


NEAR_CALLBACK = st.lists(
    st.text(alphabet="09azAZ_.-²１٣ 𝟗\x00é", max_size=12), min_size=3, max_size=5
).map(":".join)


@given(st.one_of(st.text(), st.none(), NEAR_CALLBACK))
@example("s:go:skp:²")
@example("s:go:skp:１")
@example("skp:open:99999999999999999999:0")
@example("s:go:skp:" + "9" * 10)
@example("s:é:skp:1")
def test_callback_decode_never_raises(data: str | None) -> None:
    callback = Callback.decode(data)
    if callback is not None:
        _valid(callback)


def test_callback_decode_refuses_what_it_could_not_have_encoded() -> None:
    for forged in (
        "s:go:skp:²",
        "s:go:skp:１",
        "s:go:skp:٣",
        "s:go:skp:",
        "s:go:skp:-1",
        "s:go:skp:+1",
        "s:go:skp: 1",
        "s:go:skp:1234567890",
        "s:gó:skp:1",
        "s:go:sk\u200bp:1",
        "s:go:skp:1\x00",
    ):
        assert Callback.decode(forged) is None, forged
    assert Callback.decode("s:go:skp:123456789") == Callback("s", "go", "skp", 123456789)
    for version in (-1, MAX_VERSION + 1):
        with pytest.raises(ValueError):
            Callback("s", "go", "", version).encode()


@given(st.one_of(st.text(), st.from_regex(r"[0-9]{1,25}", fullmatch=True)))
@example("99999999999999999999")
@example(str(2**31))
@example("²")
def test_object_id_is_in_range_or_none(obj: str) -> None:
    value = Callback.object_id(obj)
    assert value is None or (type(value) is int and 1 <= value <= MAX_ID)


@given(st.integers(1, MAX_ID))
def test_object_id_reads_every_id_back(value: int) -> None:
    assert Callback.object_id(str(value)) == value


def test_object_id_refusals() -> None:
    for obj in ("", "0", "-1", "+1", " 1", "1 ", "1.0", "²", "１２", "٣", str(2**31), "9" * 20):
        assert Callback.object_id(obj) is None, obj
    assert Callback.object_id(None) is None
    assert Callback.object_id(str(MAX_ID)) == MAX_ID
    assert Callback.object_id("007") == 7


# -- numbers --------------------------------------------------------------------------------------

NUMBERISH = st.text(alphabet="0123456789.,-+−eE %₀²１٣ _\u00a0Rp", max_size=24)


def _check_number(value: Decimal | None) -> None:
    assert value is None or (isinstance(value, Decimal) and value.is_finite())
    if value is not None and value.is_zero():
        assert not value.is_signed()


@given(
    st.one_of(
        st.text(),
        NUMBERISH,
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.none(),
        st.booleans(),
    )
)
def test_parse_number_never_raises_and_is_finite(raw: object) -> None:
    _check_number(parse_number(raw))  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", HOSTILE)
def test_parse_number_corpus(raw: str) -> None:
    value = parse_number(raw)
    _check_number(value)
    if raw == "1.000,00":
        assert value == 1000
    elif raw in ("-0", "−0"):
        assert value == 0
    elif raw not in ("1 000",):  # spaces between groups are dropped: 1000
        assert value is None, raw


@pytest.mark.parametrize(
    "raw", ["1e309", "NaN", "inf", "1E5", "１２", "١٢", "17,5,5", "1_000", "1.5", ",5", "5,"]
)
def test_parse_number_refuses(raw: str) -> None:
    assert parse_number(raw) is None


def test_parse_number_non_finite_cells() -> None:
    for cell in (float("nan"), float("inf"), -float("inf"), Decimal("NaN"), Decimal("-Inf")):
        assert parse_number(cell) is None
    zero = parse_number(Decimal("-0"))
    assert zero == 0 and zero is not None and not zero.is_signed()


def _indonesian(value: Decimal) -> str:
    whole, _, decimals = f"{value:f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + (f",{decimals}" if decimals else "")


@given(st.decimals(min_value=0, max_value=10**15, places=2, allow_nan=False))
def test_parse_number_reads_indonesian_numbers_back(value: Decimal) -> None:
    assert parse_number(_indonesian(value)) == value


# -- weights --------------------------------------------------------------------------------------


def _check_weight(result: Decimal | str) -> None:
    if isinstance(result, str):
        assert result in WEIGHT_PROBLEMS
    else:
        assert result.is_finite() and 0 < result <= 100
        assert result == result.quantize(Decimal("0.01"))


@given(st.one_of(st.text(), NUMBERISH))
def test_parse_weight_never_raises_and_is_in_range(raw: str) -> None:
    _check_weight(parse_weight(raw))


@pytest.mark.parametrize("raw", HOSTILE)
def test_parse_weight_corpus(raw: str) -> None:
    _check_weight(parse_weight(raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("-0", "not_positive"),
        ("−0", "not_positive"),
        ("NaN", "not_number"),
        ("1e309", "not_number"),
        ("inf", "not_number"),
        ("１２", "not_number"),
        ("17,5,5", "not_number"),
        ("+-5", "not_number"),
        ("100 %", Decimal(100)),
        ("+7,5 %", Decimal("7.5")),
        ("1.000,00", "too_large"),
        ("%", "empty"),
    ],
)
def test_parse_weight_cases(raw: str, expected: object) -> None:
    assert parse_weight(raw) == expected


# -- targets --------------------------------------------------------------------------------------


def _check_target(result: Target | str) -> None:
    if isinstance(result, str):
        assert result in TARGET_PROBLEMS
        return
    assert result.value.is_finite() and 0 <= result.value <= MAX_TARGET
    assert not result.value.is_signed()
    satuan = result.satuan
    assert len(satuan) <= SATUAN_MAX_CHARS and satuan.isprintable()
    if satuan:
        assert not satuan[0].isnumeric() and satuan[0] not in "+-−.,"
        assert not (satuan[0] in "eE" and satuan[1:].lstrip(" +-−")[:1].isnumeric())


@given(st.one_of(st.text(), NUMBERISH))
def test_parse_target_never_raises_and_is_in_range(raw: str) -> None:
    _check_target(parse_target(raw, POLICY))


@pytest.mark.parametrize("raw", HOSTILE)
def test_parse_target_corpus(raw: str) -> None:
    _check_target(parse_target(raw, POLICY))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1e309", "not_number"),
        ("1E+5", "not_number"),
        ("NaN", "not_number"),
        ("Infinity", "not_number"),
        ("-0", "negative"),
        ("−5", "negative"),
        ("１２", "not_number"),
        ("1２", "not_number"),
        ("5²", "not_number"),
        ("17,5,5", "not_number"),
        ("1 000", "not_number"),
        ("1_000", "not_number"),
        ("31-02-2026", "not_number"),
        ("8/2/2026", "not_number"),
        ("2026-02-08", "not_number"),
        ("8 Februari 2026", "not_number"),
        ("1-1-99999999999999999999", "not_number"),
        ("1.000,00", Target(Decimal(1000), "")),
        ("100 %", Target(Decimal(100), "%")),
        ("5 /bulan", Target(Decimal(5), "/bulan")),
        ("3 eksemplar", Target(Decimal(3), "eksemplar")),
        ("5 <b>Dokumen</b>", "satuan_invalid"),
        ("12\u200b", "satuan_invalid"),
        ("Rp 1.000", Target(Decimal(1000), "Rupiah")),
    ],
)
def test_parse_target_cases(raw: str, expected: object) -> None:
    assert parse_target(raw, POLICY) == expected


def test_every_target_problem_has_its_own_message() -> None:
    texts = Texts()
    rendered = {
        problem: texts.message("skp_target_problem", problem=problem, typed="5 x")
        for problem in TARGET_PROBLEMS
    }
    assert len(set(rendered.values())) == len(TARGET_PROBLEMS) - 1  # empty = not_number
    assert "terlalu panjang" not in rendered["satuan_invalid"]
    weights = {
        problem: texts.message("skp_weight_problem", problem=problem, typed="x")
        for problem in WEIGHT_PROBLEMS
    }
    assert len(set(weights.values())) == len(WEIGHT_PROBLEMS) - 1  # empty = not_number


@given(st.text())
def test_text_problem_never_raises(raw: str) -> None:
    assert text_problem(raw) in TEXT_PROBLEMS


# -- dates ----------------------------------------------------------------------------------------


@given(st.one_of(st.text(), st.text(alphabet="0123456789-/. februaiFB", max_size=30)))
@example("1-1-99999999999999999999")
@example("99999999999999999999-1-1")
def test_parse_date_never_raises_and_is_in_range(raw: str) -> None:
    day = parse_date(raw)
    assert day is None or (isinstance(day, date) and MIN_YEAR <= day.year <= MAX_YEAR)
    looks_like_date(raw)


@pytest.mark.parametrize("raw", HOSTILE)
def test_parse_date_corpus(raw: str) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["31-02-2026", "29-02-2025", "1-13-2026", "0-1-2026", "1-1-1899", "1-1-2101", "8-2-26",
     "８-２-２０２６", "8 Februar 2026", "8-2/2026", "1-1-99999999999999999999"],
)  # fmt: skip
def test_parse_date_refuses(raw: str) -> None:
    assert parse_date(raw) is None


@given(st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31)))
def test_parse_date_reads_every_written_form_back(day: date) -> None:
    for written in (
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}.{day.month}.{day.year}",
        day.isoformat(),
        tanggal(day),
    ):
        assert parse_date(written) == day, written
        assert looks_like_date(written)


# -- through the Application ----------------------------------------------------------------------

FORGED = [
    "s:go:skp:²",
    "s:go:skp:１",
    "s:item:99999999999999999999:1",
    "skp:open:99999999999999999999:0",
    "skp:ok:2147483648:1",
    "skp:sign:²:1",
    "exp:ok:99999999999999999999:0",
    "res:ok:2147483648:0",
    "rep:done:99999999999999999999:0",
    "cas:apply:99999999999999999999:0",
    "cas:apply:2147483648:0",
    "cas:keep:²:0",
    "s:é:x:1",
    "x" * 5000,
    "",
]


def _no_error(caplog: pytest.LogCaptureFixture, texts: list[str]) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert not [t for t in texts if "terjadi kendala" in t]


async def test_forged_buttons_are_refused_without_an_error(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    katim = await bot.onboard(KATIM_SBBL, 3101)
    await katim.command("skp")
    mark = katim.mark()
    for data in FORGED:
        await katim.click_data(data)
        answer = katim.answers()[-1].get("text", "")
        assert "terjadi kendala" not in answer, (data, answer)
    _no_error(caplog, katim.texts_since(mark))


async def test_odd_targets_and_weights_are_asked_again(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    katim = await bot.onboard(KATIM_SBBL, 3102)
    await katim.command("skp")
    await katim.click("Tambah hasil kerja")
    await katim.click("TUSI")
    await katim.send("Layanan kepegawaian diselesaikan sesuai standar waktu")
    await katim.click("Kualitas")
    await katim.send("Persentase layanan kepegawaian yang selesai tepat waktu")
    for typed in [t for t in HOSTILE if t.strip()] + ["31-02-2026 dokumen", "-0 %"]:
        if isinstance(parse_target(_clean_text(typed), POLICY), Target):
            continue  # "\u200f12\u200f" arrives as "12"
        await katim.send(typed)
        [state] = await bot.rows(DialogState)
        assert state.step == "target" and "target" not in state.data["draft"]["item"], typed
    await katim.send("96%")  # the type came with step 1: the weight is next
    for typed in [t for t in HOSTILE if t.strip()]:
        if not isinstance(parse_weight(_clean_text(typed)), str):
            continue
        await katim.send(typed)
        [state] = await bot.rows(DialogState)
        assert state.step == "bobot" and "bobot" not in state.data["draft"]["item"], typed
    _no_error(caplog, [m.text for m in katim.received])


async def test_odd_deadlines_are_asked_again(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await bot.onboard(ADMIN, 3103)
    await admin.click("Status aktivasi")
    await admin.click("Tenggat periode")
    await admin.click("Batas penyusunan")
    for typed in [t for t in HOSTILE if t.strip()]:
        reply = await admin.send(typed)
        assert "bukan tanggal" in reply.text, typed
    _no_error(caplog, [m.text for m in admin.received])

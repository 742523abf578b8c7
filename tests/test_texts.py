"""The number and date formatting every screen uses gives exactly what Babel gives for the
same pattern and locale (it exists only to be faster), over generated values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from bot.texts import LOCALE, angka, tanggal, target_text, waktu

ZONES = [ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura"), UTC]


def babel_angka(value: Decimal | float | int) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
    return format_decimal(value, format="#,##0.####", locale=LOCALE)


@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15)
    | st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-1000, max_value=1000)
)
def test_decimals_as_babel_writes_them(value: Decimal) -> None:
    assert angka(value) == babel_angka(value)


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_integers_as_babel_writes_them(value: int) -> None:
    assert angka(value) == babel_angka(value)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_floats_as_babel_writes_them(value: float) -> None:
    assert angka(value) == babel_angka(value)


def test_what_screens_show() -> None:
    assert angka(Decimal("17.50")) == "17,5"
    assert angka(1575000) == "1.575.000"
    assert angka(Decimal("0.00005")) == "0"  # rounded half to even at four digits, as Babel
    assert angka(None) == "-"
    assert target_text(Decimal("100"), "%") == "100%"
    assert target_text(Decimal("1575000"), " Rupiah ") == "1.575.000 Rupiah"


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_as_babel_writes_them(value: date) -> None:
    assert tanggal(value) == format_date(value, format="d MMMM y", locale=LOCALE)


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(ZONES),
    st.sampled_from([*ZONES, None]),
)
def test_moments_as_babel_writes_them(naive: datetime, zone: ZoneInfo, shown_in: object) -> None:
    moment = naive.replace(tzinfo=zone)
    expected = format_datetime(moment, format="d MMMM y HH.mm", tzinfo=shown_in, locale=LOCALE)
    assert waktu(moment, shown_in) == expected
    assert tanggal(moment) == format_date(moment, format="d MMMM y", locale=LOCALE)
    # a moment without a zone is read as UTC, as Babel does
    assert waktu(naive, ZoneInfo("Asia/Jakarta")) == format_datetime(
        naive, format="d MMMM y HH.mm", tzinfo=ZoneInfo("Asia/Jakarta"), locale=LOCALE
    )

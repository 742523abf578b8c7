"""Time for reminders, as pure functions: the time zones of Indonesia's units, working days,
the moments a reminder is due before a deadline, and which of them is the one to send now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONES = {
    "WIB": ZoneInfo("Asia/Jakarta"),
    "WITA": ZoneInfo("Asia/Makassar"),
    "WIT": ZoneInfo("Asia/Jayapura"),
}


def zone(code: str) -> ZoneInfo:
    return ZONES.get(code, ZONES["WIB"])


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def previous_working_day(day: date, holidays: Iterable[date] = ()) -> date:
    off = set(holidays)
    while not is_working_day(day, off):
        day -= timedelta(days=1)
    return day


def working_days_between(start: date, end: date, holidays: Iterable[date] = ()) -> int:
    """Working days after `start` up to and including `end`."""
    off = set(holidays)
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, off):
            days += 1
    return days


def slots(
    deadline: date,
    days_before: Sequence[int],
    hour: int,
    tz: ZoneInfo,
    holidays: Iterable[date] = (),
) -> list[tuple[int, datetime]]:
    """(days before, when in UTC) for each reminder: at `hour` local time, moved back to the
    previous working day when it falls on a weekend or holiday; in time order."""
    off = set(holidays)
    found: dict[date, int] = {}
    for days in sorted(set(days_before), reverse=True):
        day = previous_working_day(deadline - timedelta(days=days), off)
        found.setdefault(day, days)  # two reminders moved onto one day: send it once
    return sorted(
        (
            (days, datetime.combine(day, time(hour), tz).astimezone(UTC))
            for day, days in found.items()
        ),
        key=lambda slot: slot[1],
    )


def due_now(
    planned: Sequence[tuple[int, datetime]], now: datetime, max_age: timedelta
) -> tuple[int, datetime] | None:
    """The reminder to send now: the latest one already due, if it is not too old to be
    useful. An earlier one missed while the bot was down is overtaken by a later one."""
    due = [(days, at) for days, at in planned if at <= now]
    if not due:
        return None
    days, at = due[-1]
    return (days, at) if now - at <= max_age else None

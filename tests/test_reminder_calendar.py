"""Reminder timing as pure functions: slots before a deadline in each time zone, weekends,
overtaken and stale reminders, working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.reminders.calendar import due_now, slots, working_days_between, zone

DEADLINE = date(2026, 2, 8)  # a Sunday: Kemenkes 2026's drafting deadline


def test_slots_fall_on_working_days_at_the_local_hour() -> None:
    planned = slots(DEADLINE, [14, 7, 3, 1, 0], 9, zone("WIB"))
    local = [(d, at.astimezone(zone("WIB"))) for d, at in planned]
    assert [(d, at.date(), at.hour) for d, at in local] == [
        (14, date(2026, 1, 23), 9),  # 25 Jan is a Sunday: Friday before
        (7, date(2026, 1, 30), 9),  # 1 Feb is a Sunday
        (3, date(2026, 2, 5), 9),
        (1, date(2026, 2, 6), 9),  # 7 Feb is a Saturday; "on the day" falls there too
    ]
    assert all(at.weekday() < 5 for _, at in local)


def test_time_zones_shift_the_same_local_hour() -> None:
    wib = slots(DEADLINE, [3], 9, zone("WIB"))[0][1]
    wita = slots(DEADLINE, [3], 9, zone("WITA"))[0][1]
    wit = slots(DEADLINE, [3], 9, zone("WIT"))[0][1]
    assert wib - wita == timedelta(hours=1) and wita - wit == timedelta(hours=1)
    assert wib == datetime(2026, 2, 5, 2, tzinfo=UTC)


def test_the_latest_due_reminder_wins_and_stale_ones_are_dropped() -> None:
    planned = slots(DEADLINE, [14, 7, 3], 9, zone("WIB"))
    before = datetime(2026, 1, 20, tzinfo=UTC)
    assert due_now(planned, before, timedelta(days=1)) is None
    # the bot was down over the 14-day and the 7-day reminder: only the 7-day one is sent
    later = datetime(2026, 1, 30, 5, tzinfo=UTC)
    assert due_now(planned, later, timedelta(days=1)) == planned[1]
    # two days late is not useful any more
    assert due_now(planned, datetime(2026, 2, 1, 5, tzinfo=UTC), timedelta(days=1)) is None


def test_working_days_between() -> None:
    friday, tuesday = date(2026, 1, 9), date(2026, 1, 13)
    assert working_days_between(friday, tuesday) == 2
    assert working_days_between(friday, tuesday, holidays=[date(2026, 1, 12)]) == 1

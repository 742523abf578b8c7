"""The periods and their policy are kept in each process's memory (bot.services.catalog) and
stay right: a change made through another process is seen at the next update, because the
stamp is read with every update's link and state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.container import Services, build_services
from tests.conftest import Clock, Harness, make_settings
from tests.telegram_fake import ChatClient, FakeTelegram

ADMIN = "199104172015022001"


@contextmanager
def period_reads(services: Services) -> Iterator[list[str]]:
    """The statements that read the periods table, while the block runs."""
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM periods" in statement:
            seen.append(statement)

    event.listen(services.db.sync_engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(services.db.sync_engine, "before_cursor_execute", watch)


async def open_deadlines(admin: ChatClient) -> str:
    await admin.command("menu")
    await admin.click("Status aktivasi")
    return (await admin.click("Tenggat periode")).text


async def test_the_period_is_read_once_and_a_change_elsewhere_is_seen_at_once(
    bot: Harness, database_url: str, clock: Clock
) -> None:
    admin = await bot.onboard(ADMIN, 1601)
    assert "Batas penyusunan SKP: 8 Februari 2026" not in await open_deadlines(admin)
    with period_reads(bot.services) as reads:
        await open_deadlines(admin)
    assert reads == []  # the process's copy served it

    # A second process (its own engine, application and copy) changes the deadline.
    other: Services = build_services(make_settings(database_url), clock=clock)
    try:
        async with Harness(other, FakeTelegram()) as second:
            same_admin = second.client(1601)
            await open_deadlines(same_admin)
            await same_admin.click("Batas penyusunan")
            await same_admin.send("8 Februari 2026")
    finally:
        await other.close()

    with period_reads(bot.services) as reads:
        shown = await open_deadlines(admin)
    assert "Batas penyusunan SKP: 8 Februari 2026" in shown
    assert len(reads) == 1  # read again once, because the stamp changed
    with period_reads(bot.services) as reads:
        await open_deadlines(admin)
    assert reads == []


async def test_a_change_rolled_back_is_never_kept_as_the_period(demo: Services) -> None:
    """A transaction that changed a period reads it as changed, but what it read is not kept:
    rolled back, the next reader gets the period as it is."""
    from datetime import date

    from sqlalchemy import select

    from bot.db.models import CacheStamp, Period
    from bot.services.catalog import Catalog

    catalog = Catalog()
    today = demo.clock().date()
    async with demo.sessionmaker() as session:
        stamp = await session.scalar(select(CacheStamp.version))
    async with demo.sessionmaker() as session:
        before = (await session.execute(select(Period))).scalars().first()
        assert before is not None and before.draft_deadline != date(2026, 2, 20)
    # the process's first read of the periods happens inside a transaction that changed one
    async with demo.sessionmaker() as session, session.begin():
        period = (await session.execute(select(Period))).scalars().first()
        assert period is not None
        period.draft_deadline = date(2026, 2, 20)
        await session.flush()  # the stamp is bumped in this transaction only
        seen = await catalog.period(session, today, stamp)
        assert seen is not None and seen.draft_deadline == date(2026, 2, 20)
        await session.rollback()
    async with demo.sessionmaker() as session, session.begin():
        after = await catalog.period(session, today, stamp)
        assert after is not None and after.draft_deadline == before.draft_deadline

"""The outbox sender against Telegram's answers: success, 429 with retry_after, 403 (blocked),
5xx; a row leased by one sender is not sent by another."""

from __future__ import annotations

from datetime import timedelta

from bot.db.models import LinkStatus, Outbox, OutboxStatus, TelegramLink
from bot.services.outbox import OutboxSender
from tests.conftest import Clock, Harness

ADMIN = "199104172015022001"


async def queue(bot: Harness, recipient_nip: str, n: int = 1) -> list[int]:
    from sqlalchemy import select

    from bot.db.models import Employee

    ids = []
    async with bot.services.sessionmaker() as session, session.begin():
        emp = (
            await session.execute(select(Employee).where(Employee.nip == recipient_nip))
        ).scalar_one()
        for i in range(n):
            row = Outbox(
                recipient_id=emp.id,
                kind="test",
                payload={"html": f"Pesan <b>{i}</b>", "buttons": []},
                created_at=bot.services.clock(),
                send_after=bot.services.clock(),
            )
            session.add(row)
            await session.flush()
            ids.append(row.id)
    return ids


def sender(bot: Harness) -> OutboxSender:
    return bot.app.bot_data["sender"]  # type: ignore[no-any-return]


async def test_sends_once_even_when_drained_twice(bot: Harness) -> None:
    admin = await bot.onboard(ADMIN, 3001)
    before = admin.mark()
    await queue(bot, ADMIN, 3)
    assert await sender(bot).drain() == 3
    assert await sender(bot).drain() == 0
    assert admin.texts_since(before) == ["Pesan <b>0</b>", "Pesan <b>1</b>", "Pesan <b>2</b>"]


async def test_leased_rows_are_not_taken_by_a_second_sender(bot: Harness, clock: Clock) -> None:
    await bot.onboard(ADMIN, 3101)
    [row_id] = await queue(bot, ADMIN)
    first = sender(bot)
    claimed = await first._claim(None, 10)  # a sender that claimed and then died
    assert [c.id for c in claimed] == [row_id]
    second = OutboxSender(bot.services.sessionmaker, bot.app.bot, clock)
    assert await second.drain() == 0
    clock.advance(minutes=3)  # the lease expired
    assert await second.drain() == 1


async def test_retry_after_and_server_errors(bot: Harness, transport, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    await bot.onboard(ADMIN, 3201)
    [row_id] = await queue(bot, ADMIN)
    transport.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    assert await sender(bot).drain() == 0
    [row] = await bot.rows(Outbox, Outbox.id == row_id)
    assert row.status is OutboxStatus.PENDING and row.send_after >= clock.now + timedelta(seconds=7)
    clock.advance(seconds=8)
    transport.fail_next("sendMessage", 502, "Bad Gateway")
    assert await sender(bot).drain() == 0
    clock.advance(minutes=1)
    assert await sender(bot).drain() == 1
    [row] = await bot.rows(Outbox, Outbox.id == row_id)
    assert row.status is OutboxStatus.SENT and row.attempts == 3


async def test_blocked_user_is_marked_unreachable(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    await bot.onboard(ADMIN, 3301)
    await queue(bot, ADMIN)
    transport.blocked_chats.add(3301)
    assert await sender(bot).drain() == 0
    [row] = await bot.rows(Outbox)
    assert row.status is OutboxStatus.FAILED and row.last_error.startswith("403")
    [link] = await bot.rows(TelegramLink, TelegramLink.status == LinkStatus.ACTIVE)
    assert link.unreachable_since is not None


async def test_recipient_without_telegram_fails_cleanly(bot: Harness) -> None:
    await queue(bot, ADMIN)
    assert await sender(bot).drain() == 0
    [row] = await bot.rows(Outbox)
    assert row.status is OutboxStatus.FAILED and row.last_error == "no active Telegram link"

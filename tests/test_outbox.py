"""The outbox sender against Telegram's answers: success, 429 with retry_after, 403 (blocked),
5xx, a text too long or unparsable; a row leased by one sender is not sent by another; a row
that cannot be sent does not hold up the others and fails after the cap."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

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
    [row] = await bot.rows(Outbox, Outbox.kind != "reply")
    assert row.status is OutboxStatus.FAILED and row.last_error.startswith("403")
    [link] = await bot.rows(TelegramLink, TelegramLink.status == LinkStatus.ACTIVE)
    assert link.unreachable_since is not None


async def test_writing_again_makes_a_blocked_person_reachable(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    admin = await bot.onboard(ADMIN, 3302)
    await queue(bot, ADMIN)
    transport.blocked_chats.add(3302)
    await sender(bot).drain()
    [link] = await bot.rows(TelegramLink, TelegramLink.status == LinkStatus.ACTIVE)
    assert link.unreachable_since is not None
    transport.blocked_chats.discard(3302)  # unblocked, and they write
    await admin.send("/menu")
    [link] = await bot.rows(TelegramLink, TelegramLink.status == LinkStatus.ACTIVE)
    assert link.unreachable_since is None


async def test_recipient_without_telegram_fails_cleanly(bot: Harness) -> None:
    await queue(bot, ADMIN)
    assert await sender(bot).drain() == 0
    [row] = await bot.rows(Outbox)
    assert row.status is OutboxStatus.FAILED and row.last_error == "no active Telegram link"


async def queue_payloads(
    bot: Harness, recipient_nip: str, payloads: list[dict[str, Any]]
) -> list[int]:
    from sqlalchemy import select

    from bot.db.models import Employee

    ids = []
    async with bot.services.sessionmaker() as session, session.begin():
        emp = (
            await session.execute(select(Employee).where(Employee.nip == recipient_nip))
        ).scalar_one()
        for payload in payloads:
            row = Outbox(
                recipient_id=emp.id,
                kind="test",
                payload=payload,
                created_at=bot.services.clock(),
                send_after=bot.services.clock(),
            )
            session.add(row)
            await session.flush()
            ids.append(row.id)
    return ids


async def test_poisoned_rows_do_not_hold_up_the_others(bot: Harness, clock: Clock) -> None:
    admin = await bot.onboard(ADMIN, 3401)
    before = admin.mark()
    # first in line: a document of an SKP that does not exist, and a chart that cannot be drawn
    missing_skp, bad_chart = await queue_payloads(
        bot,
        ADMIN,
        [
            {"html": "SKP Anda", "document": {"skp_id": 999_999, "format": "pdf"}},
            {"html": "Progres", "chart": {"title": "x", "rows": [[1]]}},
        ],
    )
    good = await queue(bot, ADMIN, 20)
    out = sender(bot)
    assert out.max_attempts == bot.services.settings.outbox_max_attempts == 8

    assert await out.drain() == 20  # the same drain sends every good row
    assert admin.texts_since(before) == [f"Pesan <b>{i}</b>" for i in range(20)]
    assert all(r.status is OutboxStatus.SENT for r in await bot.rows(Outbox, Outbox.id.in_(good)))
    poisoned = await bot.rows(Outbox, Outbox.id.in_([missing_skp, bad_chart]))
    assert all(r.status is OutboxStatus.PENDING and r.attempts == 1 for r in poisoned)
    # backed off: not taken again right away
    [row] = await bot.rows(Outbox, Outbox.id == missing_skp)
    assert row.send_after >= clock.now + timedelta(seconds=10)
    assert row.last_error.startswith("NoResultFound")
    assert await out.drain() == 0
    assert (await bot.rows(Outbox, Outbox.id == missing_skp))[0].attempts == 1

    later = await queue(bot, ADMIN, 1)  # written while the bad rows wait for their next try
    rounds = 0
    while any(r.status is OutboxStatus.PENDING for r in await bot.rows(Outbox)):
        clock.advance(hours=1)
        await out.drain()
        rounds += 1
        assert rounds < 20
    assert rounds == 7  # 8 attempts in all
    [sent_later] = await bot.rows(Outbox, Outbox.id.in_(later))
    assert sent_later.status is OutboxStatus.SENT
    for row_id, error in ((missing_skp, "NoResultFound"), (bad_chart, "IndexError")):
        [row] = await bot.rows(Outbox, Outbox.id == row_id)
        assert row.status is OutboxStatus.FAILED and row.attempts == 8
        assert row.last_error.startswith(f"gave up after 8 attempts: {error}")
    assert admin.texts_since(before)[-1] == "Pesan <b>0</b>"  # nothing else was sent


async def test_the_cap_is_a_setting(bot: Harness, clock: Clock) -> None:
    await bot.onboard(ADMIN, 3451)
    [row_id] = await queue_payloads(bot, ADMIN, [{"buttons": []}])  # no text at all
    out = OutboxSender(bot.services.sessionmaker, bot.app.bot, clock, max_attempts=2)
    assert await out.drain() == 0
    clock.advance(hours=1)
    assert await out.drain() == 0
    [row] = await bot.rows(Outbox, Outbox.id == row_id)
    assert row.status is OutboxStatus.FAILED and row.attempts == 2
    assert row.last_error == "gave up after 2 attempts: KeyError: 'html'"


async def test_a_message_too_long_goes_out_shortened_with_its_buttons(
    bot: Harness,
    transport,  # type: ignore[no-untyped-def]
) -> None:
    from bot.services.outbox import MESSAGE_LIMIT

    admin = await bot.onboard(ADMIN, 3501)
    before = admin.mark()
    body = "".join(
        f"<b>Butir {i}</b>: <i>ulasan &amp; catatan panjang</i> 🙂\n" for i in range(200)
    )
    buttons = [[{"label": "Tinjau", "data": "rev:open:1:0"}]]
    [row_id] = await queue_payloads(bot, ADMIN, [{"html": body, "buttons": buttons}])
    transport.fail_next("sendMessage", 400, "Bad Request: message is too long")
    assert await sender(bot).drain() == 1
    [message] = admin.received[before:]
    assert message.labels() == ["Tinjau"]
    assert message.text.startswith("<b>Butir 0</b>: <i>ulasan &amp; catatan panjang</i> 🙂\n")
    assert message.text.endswith("(pesan dipotong karena terlalu panjang)</i>")
    assert message.text.count("<b>") == message.text.count("</b>")
    assert message.text.count("<i>") == message.text.count("</i>")
    visible = html.unescape(re.sub(r"<[^>]*>", "", message.text))
    assert len(visible.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT
    [row] = await bot.rows(Outbox, Outbox.id == row_id)
    assert row.status is OutboxStatus.SENT and row.attempts == 1
    assert row.last_error == "400 Message is too long; sent shortened"


async def test_markup_telegram_cannot_parse_goes_out_plain(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    admin = await bot.onboard(ADMIN, 3601)
    before = admin.mark()
    buttons = [[{"label": "Buka", "data": "x:1"}]]
    await queue_payloads(bot, ADMIN, [{"html": "Rapat <b>besok & lusa", "buttons": buttons}])
    transport.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unclosed tag")
    assert await sender(bot).drain() == 1
    [message] = admin.received[before:]
    assert message.text == "Rapat besok &amp; lusa" and message.labels() == ["Buka"]
    [row] = await bot.rows(Outbox, Outbox.kind != "reply")
    assert row.status is OutboxStatus.SENT
    assert row.last_error.endswith("; sent without markup")
    # any other 400 still fails the row (it would fail again)
    [row_id] = await queue(bot, ADMIN)
    transport.fail_next("sendMessage", 400, "Bad Request: chat not found")
    assert await sender(bot).drain() == 0
    [row] = await bot.rows(Outbox, Outbox.id == row_id)
    assert row.status is OutboxStatus.FAILED and row.last_error == "400 Chat not found"


def test_shorten_html_cuts_at_a_boundary_and_closes_tags() -> None:
    from bot.services.outbox import shorten_html

    assert shorten_html("<b>pendek</b>", 100) == "<b>pendek</b>"
    short = shorten_html("<b>satu dua <i>tiga empat</i> lima</b> enam", 14, note="…")
    assert short == "<b>satu dua <i>tiga</i></b>…"
    # never inside an entity or a tag; an element opened right at the cut is dropped
    assert shorten_html("ab &amp; <a href='x'>cd</a>", 3, note="") == "ab"
    assert shorten_html("a < b" * 10, 5, note="") == "a &lt; b"


# -- "sent" records: written by a later round or a step, never left behind --------------------


async def held_rows(bot: Harness, n: int) -> list[int]:
    """Rows this sender has sent and holds (as a step's replies are written)."""
    from sqlalchemy import update

    ids = await queue(bot, ADMIN, n)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(
            update(Outbox).where(Outbox.id.in_(ids)).values(claimed_by=sender(bot).holder)
        )
    return ids


async def statuses(bot: Harness, ids: list[int]) -> list[OutboxStatus]:
    return [
        r.status for r in sorted(await bot.rows(Outbox, Outbox.id.in_(ids)), key=lambda r: r.id)
    ]


async def test_a_record_noted_while_a_round_writes_is_written_by_the_next_round(
    bot: Harness, monkeypatch: Any
) -> None:
    import asyncio

    from bot.services.outbox import RECORD_DELAY

    first, second = await held_rows(bot, 2)
    the_sender = sender(bot)
    original = the_sender.write_records
    rounds: list[int] = []

    async def write(connection: Any, records: Any) -> None:
        rounds.append(len(records.sent))
        await original(connection, records)
        if len(rounds) == 1:
            # another reply goes out while this round is writing
            await the_sender._record_sent([(second, None)])

    monkeypatch.setattr(the_sender, "write_records", write)
    await the_sender._record_sent([(first, None)])
    for _ in range(40):
        await asyncio.sleep(RECORD_DELAY)
        if len(rounds) == 2:
            break
    assert rounds == [1, 1]
    assert await statuses(bot, [first, second]) == [OutboxStatus.SENT, OutboxStatus.SENT]


async def test_a_record_that_could_not_be_written_is_tried_again(
    bot: Harness, monkeypatch: Any
) -> None:
    import asyncio

    [row] = await held_rows(bot, 1)
    the_sender = sender(bot)
    original = the_sender.write_records
    tries: list[int] = []

    async def write(connection: Any, records: Any) -> None:
        tries.append(1)
        if len(tries) == 1:
            raise OSError("the database went away for a moment")
        await original(connection, records)

    monkeypatch.setattr(the_sender, "write_records", write)
    await the_sender._record_sent([(row, None)])
    for _ in range(40):
        await asyncio.sleep(0.05)
        if len(tries) == 2:
            break
    await asyncio.sleep(0.05)
    assert len(tries) == 2
    assert await statuses(bot, [row]) == [OutboxStatus.SENT]


async def test_a_row_another_sender_took_over_is_not_marked_by_the_first(bot: Harness) -> None:
    from sqlalchemy import update

    [row] = await held_rows(bot, 1)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row).values(claimed_by="other"))
    await sender(bot)._record_sent([(row, None)])
    await sender(bot).flush_records()
    assert await statuses(bot, [row]) == [OutboxStatus.PENDING]

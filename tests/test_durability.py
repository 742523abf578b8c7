"""Durable from receipt, robust under Telegram's limits, fair, one poller per token.

- A crash between a step's commit and its replies (simulated: the handler dies right after
  the engine returns) loses nothing and duplicates nothing after a restart; a redelivered
  update sends what its step stored and did not send, answers its button, runs nothing again.
- A reply Telegram refuses for a while (502, 429) is sent later, in order, and the person is
  never told "something went wrong" for a step that was saved.
- Updates stored on receipt (getUpdates through the inbox) are processed after a restart;
  storing that fails leaves them unconfirmed.
- A cancelled or failing step does not hold SQLite's write lock.
- One person's queue of 60 does not hold up anyone else; per-person order stays; a person
  above the rate limit is asked politely to slow down.
- The polling lock: a live holder refuses a second one; a dead or expired one is replaced.

Both databases (TEST_DATABASE_URL for PostgreSQL), like every test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select, text, update
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.models import (
    DialogState,
    Employee,
    InboxOutcome,
    InboxUpdate,
    Outbox,
    OutboxStatus,
    RunLock,
)
from bot.services.outbox import OutboxSender
from bot.services.runlock import RunLockHolder, polling_lock_name
from bot.telegram.app import build_application
from bot.telegram.inbox import MAX_TAKE_UPS, InboxRequest, InboxStore
from bot.telegram.polling import PollingErrors, recover
from bot.telegram.processor import PerUserUpdateProcessor, RateLimiter, Verdict
from tests.conftest import Clock, Harness, make_settings
from tests.telegram_fake import TOKEN, FakeTelegram

ADMIN = "199104172015022001"  # Yuliana Putri, the demo's HR administrator
STAFF = "199002142015032001"  # Fitri Handayani
LEASES = polling_lock_name(TOKEN) + "/"

App = Application[Any, Any, Any, Any, Any, Any]


class Killed(BaseException):
    """The process dies here (PTB catches Exception, not this)."""


def sender_of(app: App) -> OutboxSender:
    return app.bot_data["sender"]  # type: ignore[no-any-return]


@contextlib.asynccontextmanager
async def process(
    services: Services, transport: FakeTelegram, name: str, **options: Any
) -> AsyncIterator[App]:
    """One bot process's Application on the shared database, its leases named `name`."""
    app = build_application(
        services,
        request=transport,
        rate_limit=False,
        job_queue=False,
        holder=LEASES + name,
        **options,
    )
    await app.initialize()
    try:
        yield app
    finally:
        await app.shutdown()


def die_after_commit(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next step commits, and the process dies before anything is sent."""
    original = services.dialog.handle_telegram

    async def commit_then_die(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(services.dialog, "handle_telegram", original)
        await original(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(services.dialog, "handle_telegram", commit_then_die)


def again(update: Update, app: App) -> Update:
    """The same update as Telegram sends it again, read by another process."""
    return Update.de_json(update.to_dict(), app.bot)


async def rows_of(services: Services, update_id: int) -> list[Outbox]:
    async with services.sessionmaker() as session:
        found = await session.execute(
            select(Outbox).where(Outbox.update_id == update_id).order_by(Outbox.id)
        )
        return list(found.scalars())


async def state_version(services: Services, nip: str) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(
            select(DialogState.version)
            .join(Employee, Employee.id == DialogState.employee_id)
            .where(Employee.nip == nip)
        )
        assert found is not None
        return found


# -- (a) a crash between the commit and the replies -----------------------------------------


async def test_a_reply_lost_to_a_crash_after_the_commit_is_sent_once_after_a_restart(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender_of(bot.app).holder = LEASES + "first"  # the process holding the polling lock
    admin = await bot.onboard(ADMIN, 5101)
    mark = admin.mark()
    update = admin.message_update("/bantuan")
    die_after_commit(bot.services, monkeypatch)
    with pytest.raises(Killed):
        await admin.process(update)
    assert admin.texts_since(mark) == []
    [reply] = await rows_of(bot.services, update.update_id)
    assert reply.kind == "reply" and reply.status is OutboxStatus.PENDING

    async with process(bot.services, bot.transport, "second") as second:
        assert await recover(second, LEASES) == []  # processed: nothing to take up again
        # its chat had a reply waiting: sent as the process starts, not at the next drain
        assert len(admin.texts_since(mark)) == 1
        assert sender_of(second).behind == set()
        assert await sender_of(second).drain() == 0
        assert "Bantuan Dialog Kinerja" in admin.last.text
        # Telegram sends the update again (its offset was not confirmed): not run twice,
        # nothing sent twice
        await second.process_update(again(update, second))
        assert len(admin.texts_since(mark)) == 1
        # and the next step answers after it, as usual
        await second.process_update(again(admin.message_update("/menu"), second))
        assert "Menu utama" in admin.last.text and len(admin.texts_since(mark)) == 2


async def test_a_reply_leased_by_a_process_that_died_goes_at_once_after_the_restart(
    demo: Services, transport: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Harness(demo, transport) as harness:
        client = await harness.onboard(ADMIN, 5201)
    async with process(demo, transport, "first") as first:
        client.app = first
        mark = client.mark()
        sender = sender_of(first)

        async def lease_then_die(*_args: Any, **_kwargs: Any) -> Any:
            raise Killed  # claimed (leased), then the process died while sending

        monkeypatch.setattr(sender, "_deliver", lease_then_die)
        with pytest.raises(Killed):
            await client.send("/bantuan")
        [reply] = await rows_of(demo, client.last_update_id)
        assert reply.claimed_by == LEASES + "first" and reply.claimed_until is not None

    async with process(demo, transport, "second") as second:
        assert await sender_of(second).drain() == 0  # still leased by the dead process
        # it held the polling lock: its leases are given back and the reply goes at once
        await recover(second, LEASES)
        assert len(client.texts_since(mark)) == 1
        assert await sender_of(second).drain() == 0


# -- (b) a redelivered update -----------------------------------------------------------------


async def test_a_redelivered_button_press_is_answered_and_its_unsent_reply_sent_not_rerun(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender_of(bot.app).holder = LEASES + "first"
    admin = await bot.onboard(ADMIN, 5301)
    menu = await admin.send("/menu")
    _message, data = admin.find_button("Bantuan", menu)
    press = admin.callback_update(data, menu)
    query_id = press.callback_query.id if press.callback_query else ""
    mark, calls = admin.mark(), len(bot.transport.calls)
    die_after_commit(bot.services, monkeypatch)
    with pytest.raises(Killed):
        await admin.process(press)
    assert admin.texts_since(mark) == [] and len(bot.transport.calls) == calls
    version = await state_version(bot.services, ADMIN)
    [reply] = await rows_of(bot.services, press.update_id)  # the answer, then the screen
    assert reply.kind == "reply" and reply.status is OutboxStatus.PENDING
    assert reply.payload["answer"]["callback_query_id"] == query_id
    assert "Bantuan Dialog Kinerja" in reply.payload["messages"][0]["html"]

    async with process(bot.services, bot.transport, "second") as second:
        await recover(second, LEASES)
        await second.process_update(again(press, second))
        # the press is answered, the stored screen sent; the step did not run again
        answered = [p for p in admin.answers() if p["callback_query_id"] == query_id]
        assert answered
        assert len(admin.texts_since(mark)) == 1
        assert "Bantuan Dialog Kinerja" in admin.last.text
        assert await state_version(bot.services, ADMIN) == version
        # a third delivery: answered again (Telegram would refuse it), nothing else
        await second.process_update(again(press, second))
        assert len(admin.texts_since(mark)) == 1
    async with bot.services.sessionmaker() as session:
        row = await session.get(InboxUpdate, press.update_id)
        assert row is not None and row.outcome == InboxOutcome.DONE and row.payload is None


# -- replies Telegram refuses for a while ---------------------------------------------------


async def test_a_502_on_the_reply_is_retried_in_order_and_shows_no_error(
    bot: Harness, clock: Clock
) -> None:
    admin = await bot.onboard(ADMIN, 5401)
    mark = admin.mark()
    bot.transport.fail_next("sendMessage", 502, "Bad Gateway")
    await admin.send("/bantuan")
    assert admin.texts_since(mark) == []  # no "Maaf, terjadi kendala": the step was saved
    sender = sender_of(bot.app)
    assert 5401 in sender.behind
    # the next step's reply waits behind the first, not overtaking it
    await admin.send("/menu")
    assert admin.texts_since(mark) == []
    clock.advance(seconds=11)
    assert await sender.drain() == 2
    texts = admin.texts_since(mark)
    assert "Bantuan Dialog Kinerja" in texts[0] and "Menu utama" in texts[1]
    # caught up: the next reply goes at once
    await admin.send("/bantuan")
    assert len(admin.texts_since(mark)) == 3 and 5401 not in sender.behind


async def test_a_429_on_the_reply_waits_retry_after_and_a_failed_answer_is_no_error(
    bot: Harness, clock: Clock
) -> None:
    admin = await bot.onboard(ADMIN, 5501)
    menu = await admin.send("/menu")
    mark = admin.mark()
    bot.transport.fail_next("answerCallbackQuery", 502, "Bad Gateway")
    # the press is answered by writing the help over the menu it sits on
    bot.transport.fail_next(
        "editMessageText", 429, "Too Many Requests: retry after 3", retry_after=3
    )
    await admin.click("Bantuan", menu)
    assert admin.texts_since(mark) == []
    clock.advance(seconds=2)
    assert await sender_of(bot.app).drain() == 0  # retry_after not over yet
    clock.advance(seconds=2)
    assert await sender_of(bot.app).drain() == 1
    [shown] = admin.texts_since(mark)
    assert "Bantuan Dialog Kinerja" in shown
    assert not any("kendala" in t for t in admin.texts_since(0))


# -- durable from receipt ---------------------------------------------------------------------


class Answers(BaseRequest):
    """A transport whose getUpdates answers are given by the test."""

    def __init__(self, updates: list[dict[str, Any]]) -> None:
        self.updates = updates

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        return 200, json.dumps({"ok": True, "result": self.updates}).encode()


async def test_updates_are_stored_before_they_are_confirmed_and_taken_up_after_a_crash(
    bot: Harness,
) -> None:
    admin = await bot.onboard(ADMIN, 5601)
    first, second = admin.message_update("/menu"), admin.message_update("/bantuan")
    raw = [first.to_dict(), second.to_dict()]
    inbox: InboxStore = bot.app.bot_data["inbox"]
    transport = InboxRequest(Answers(raw), inbox.receive)
    code, _payload = await transport.do_request(f"{TOKEN}/getUpdates", "POST")
    assert code == 200
    # committed before PTB even reads the answer (and so before the next offset)
    stored = await bot.rows(InboxUpdate, InboxUpdate.processed_at.is_(None))
    assert [(r.update_id, r.tg_user_id) for r in stored] == [
        (first.update_id, 5601),
        (second.update_id, 5601),
    ]
    # the process dies before processing them; the next one takes them up, in order
    mark = admin.mark()
    async with process(bot.services, bot.transport, "second") as later:
        pending = await recover(later, LEASES)
        assert [u.update_id for u in pending] == [first.update_id, second.update_id]
        for update in pending:
            await later.process_update(update)
    texts = admin.texts_since(mark)
    assert "Menu utama" in texts[0] and "Bantuan Dialog Kinerja" in texts[1]
    done = await bot.rows(InboxUpdate, InboxUpdate.update_id.in_([u["update_id"] for u in raw]))
    assert all(r.processed_at is not None and r.payload is None for r in done)


async def test_updates_that_cannot_be_stored_are_not_confirmed(bot: Harness) -> None:
    admin = await bot.onboard(ADMIN, 5701)

    async def broken(_updates: list[dict[str, Any]]) -> None:
        raise OSError("disk full")

    transport = InboxRequest(Answers([admin.message_update("/menu").to_dict()]), broken)
    # PTB's Updater retries getUpdates on a NetworkError without moving its offset
    with pytest.raises(NetworkError):
        await transport.post(f"https://api.telegram.invalid/bot{TOKEN}/getUpdates")


async def test_an_update_that_keeps_killing_the_process_is_given_up(bot: Harness) -> None:
    admin = await bot.onboard(ADMIN, 5801)
    update = admin.message_update("/menu")
    inbox: InboxStore = bot.app.bot_data["inbox"]
    await inbox.receive([update.to_dict()])
    for _ in range(MAX_TAKE_UPS):
        assert [u["update_id"] for u in await inbox.pending()] == [update.update_id]
    assert await inbox.pending() == []
    [row] = await bot.rows(InboxUpdate, InboxUpdate.update_id == update.update_id)
    assert row.outcome == InboxOutcome.GAVE_UP and row.payload is None


async def test_a_failing_step_is_closed_and_the_next_one_runs(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await bot.onboard(ADMIN, 5901)
    update = admin.message_update("/menu")
    inbox: InboxStore = bot.app.bot_data["inbox"]
    await inbox.receive([update.to_dict()])
    original = bot.services.dialog._dispatch

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        monkeypatch.setattr(bot.services.dialog, "_dispatch", original)
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot.services.dialog, "_dispatch", broken)
    await admin.process(update)
    assert "terjadi kendala" in admin.last.text
    [row] = await bot.rows(InboxUpdate, InboxUpdate.update_id == update.update_id)
    assert row.outcome == InboxOutcome.FAILED  # not taken up again at the next start
    assert await inbox.pending() == []
    reply = await asyncio.wait_for(admin.send("/bantuan"), timeout=10)
    assert "Bantuan Dialog Kinerja" in reply.text


# -- (c) a cancelled step ---------------------------------------------------------------------


async def test_a_cancelled_step_does_not_hold_the_write_lock(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await bot.onboard(ADMIN, 6101)
    postgres = bot.services.db.dialect.name == "postgresql"
    slow = (
        "SELECT pg_sleep(3)"
        if postgres
        else "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000)"
        " SELECT count(*) FROM c"
    )
    inside = asyncio.Event()
    original = bot.services.dialog._dispatch

    async def stuck(session: Any, *args: Any, **kwargs: Any) -> Any:
        inside.set()
        await session.execute(text(slow))  # the write lock is held (BEGIN IMMEDIATE)
        return await original(session, *args, **kwargs)

    monkeypatch.setattr(bot.services.dialog, "_dispatch", stuck)
    step = asyncio.create_task(admin.send("/menu"))
    await inside.wait()
    await asyncio.sleep(0.1)  # in the middle of the statement
    step.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await step
    monkeypatch.setattr(bot.services.dialog, "_dispatch", original)
    # the next update does not wait for SQLite's 30 s busy timeout (and fail)
    reply = await asyncio.wait_for(admin.send("/bantuan"), timeout=10)
    assert "Bantuan Dialog Kinerja" in reply.text


# -- (e) fairness -----------------------------------------------------------------------------


async def test_another_persons_update_is_not_held_up_by_a_queue_of_60(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = await bot.onboard(ADMIN, 6201)
    other = await bot.onboard(STAFF, 6202)
    processor = bot.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    gate, inside = asyncio.Event(), asyncio.Event()
    started: list[int] = []
    original = bot.services.dialog.handle_telegram

    async def held(ident: Any, event: Any, update_id: Any, *args: Any) -> Any:
        if ident.user_id == 6201:
            started.append(update_id)
            inside.set()
            await gate.wait()
        return await original(ident, event, update_id, *args)

    monkeypatch.setattr(bot.services.dialog, "handle_telegram", held)
    burst = [busy.message_update("/bantuan") for _ in range(60)]
    mark = busy.mark()
    tasks = [
        asyncio.create_task(processor.process_update(u, bot.app.process_update(u))) for u in burst
    ]
    await asyncio.wait_for(inside.wait(), 10)
    # 60 queued for one person, the first of them stuck in its step: someone else's /menu
    # is processed (with the old order of locks all slots were taken by the queue)
    menu = other.message_update("/menu")
    await asyncio.wait_for(processor.process_update(menu, bot.app.process_update(menu)), 10)
    assert "Menu utama" in other.last.text
    assert len(started) == 1 and processor.queued == 60
    gate.set()
    await asyncio.gather(*tasks)
    # the person's own updates ran one at a time, in the order they came
    assert started == [u.update_id for u in burst]
    assert len(busy.texts_since(mark)) == 60


async def test_a_step_gives_its_slot_back_before_talking_to_telegram(
    database_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(make_settings(database_url, update_concurrency=1), clock=clock)
    await migrations.upgrade(services.db)
    transport = FakeTelegram()
    try:
        from bot.services import org_import
        from bot.services.demo import demo_data

        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), clock(), "test")
        async with Harness(services, transport) as harness:
            slow = await harness.onboard(ADMIN, 6301)
            quick = await harness.onboard(STAFF, 6302)
            processor = harness.app.update_processor
            assert isinstance(processor, PerUserUpdateProcessor) and processor.slots == 1
            sending = asyncio.Event()
            release = asyncio.Event()
            original = transport.do_request

            async def slow_network(url: str, *args: Any, **kwargs: Any) -> Any:
                data = args[1] if len(args) > 1 else kwargs.get("request_data")
                if url.endswith("sendMessage") and data and data.parameters["chat_id"] == 6301:
                    sending.set()
                    await release.wait()
                return await original(url, *args, **kwargs)

            monkeypatch.setattr(transport, "do_request", slow_network)
            first = slow.message_update("/bantuan")
            stuck = asyncio.create_task(
                processor.process_update(first, harness.app.process_update(first))
            )
            await sending.wait()
            # the only slot is free again: the committed step waits on Telegram, not on it
            menu = quick.message_update("/menu")
            await asyncio.wait_for(
                processor.process_update(menu, harness.app.process_update(menu)), 10
            )
            assert "Menu utama" in quick.last.text
            release.set()
            await stuck
            assert "Bantuan Dialog Kinerja" in slow.last.text
    finally:
        await services.close()


def burst_update(app: App, user_id: int, text_: str, update_id: int, date: int) -> Update:
    message = {
        "message_id": update_id,
        "date": date,
        "chat": {"id": user_id, "type": "private", "first_name": "U"},
        "from": {"id": user_id, "is_bot": False, "first_name": "U"},
        "text": text_,
    }
    if text_.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text_)}]
    return Update.de_json({"update_id": update_id, "message": message}, app.bot)


async def test_a_person_above_the_rate_is_asked_to_slow_down_and_others_are_not(
    demo: Services, transport: FakeTelegram
) -> None:
    async with Harness(demo, transport) as harness:
        busy = await harness.onboard(ADMIN, 6401)
        other = await harness.onboard(STAFF, 6402)
    async with process(demo, transport, "limited", person_limit=True) as app:
        processor = app.update_processor
        assert isinstance(processor, PerUserUpdateProcessor) and processor.limiter is not None
        # written "later" than the button pressed below arrives: no refill for it
        now = int(time.time()) + 5
        mark, other_mark = busy.mark(), other.mark()
        burst = [burst_update(app, 6401, "/bantuan", 900_000 + i, now) for i in range(60)]
        mine = burst_update(app, 6402, "/menu", 900_100, now)
        await asyncio.gather(
            *(processor.process_update(u, app.process_update(u)) for u in [*burst, mine])
        )
        texts = busy.texts_since(mark)
        helps = [t for t in texts if "Bantuan Dialog Kinerja" in t]
        slow_down = [t for t in texts if "terlalu cepat" in t]
        assert len(helps) == 5 and len(slow_down) == 1  # once per burst, not 55 times
        assert "Menu utama" in other.texts_since(other_mark)[0]
        limited = await harness.count(InboxUpdate, InboxUpdate.outcome == InboxOutcome.LIMITED)
        assert limited == 55  # answered and closed: not taken up after a restart
        # a button pressed in the same burst is answered with a short note
        menu, data = busy.find_button("Bantuan")
        busy.app = app
        press = busy.callback_update(data, menu)
        await processor.process_update(press, app.process_update(press))
        query_id = press.callback_query.id if press.callback_query else ""
        [answer] = [p for p in busy.answers() if p["callback_query_id"] == query_id]
        assert "Terlalu cepat" in answer["text"]


def test_the_rate_limiter_counts_by_when_messages_were_written() -> None:
    limiter = RateLimiter(5)
    verdicts = [limiter.check(1, 1000.0) for _ in range(7)]
    assert verdicts == [Verdict.ADMIT] * 5 + [Verdict.WARN, Verdict.QUIET]
    # written a second later (a backlog after a stop arrives at once, but was written slowly)
    assert limiter.check(1, 1001.0) is Verdict.ADMIT
    assert limiter.check(2, 1000.0) is Verdict.ADMIT  # someone else is not affected
    assert limiter.check(1, 1012.0) is Verdict.ADMIT


# -- (d) one poller per token -----------------------------------------------------------------


async def test_a_live_holder_of_the_polling_lock_refuses_a_second_one(
    services: Services, clock: Clock
) -> None:
    name = polling_lock_name(TOKEN)
    assert name == "polling:7000000001"  # the bot's id, never the secret part
    first = RunLockHolder(services.sessionmaker, name, clock)
    assert (await first.acquire()).ok
    second = RunLockHolder(services.sessionmaker, name, clock)
    # a holder on another host whose lease runs: refused, and told who holds it
    async with services.sessionmaker() as session, session.begin():
        await session.execute(update(RunLock).values(host="another-host"))
    refused = await second.acquire()
    assert not refused.ok and refused.other is not None
    assert refused.other.host == "another-host" and refused.other.holder == first.holder
    # it stops renewing (the process hangs or the host is gone): the lease runs out
    clock.advance(seconds=46)
    taken = await second.acquire()
    assert taken.ok and taken.other is not None and taken.other.holder == first.holder
    assert not await first.renew()  # the first one learns it lost the lock (and stops)
    assert await second.renew()
    await second.release()
    assert (await first.acquire()).ok  # given up cleanly: no waiting


async def test_on_the_same_host_a_dead_holder_is_replaced_at_once_a_live_one_is_not(
    services: Services, clock: Clock
) -> None:
    name = polling_lock_name(TOKEN)
    other = RunLockHolder(services.sessionmaker, name, clock)
    assert (await other.acquire()).ok
    live = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(30)")
    try:
        async with services.sessionmaker() as session, session.begin():
            await session.execute(update(RunLock).values(pid=live.pid))
        assert not (await RunLockHolder(services.sessionmaker, name, clock).acquire()).ok
    finally:
        live.kill()
        await live.wait()
    # that process is gone (killed): its lock is taken over before its lease ends
    assert (await RunLockHolder(services.sessionmaker, name, clock).acquire()).ok


def test_a_409_conflict_is_one_line_now_and_then(caplog: pytest.LogCaptureFixture) -> None:
    from telegram.error import Conflict

    errors = PollingErrors()
    for _ in range(5):
        errors(Conflict("Conflict: terminated by other getUpdates request"))
    lines = [r for r in caplog.records if "409 Conflict" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None


# -- the migration --------------------------------------------------------------------------


async def test_update_ids_already_handled_survive_the_migration(database_url: str) -> None:
    from bot.db.engine import create_engine

    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine, "0006")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO processed_updates (update_id, processed_at)"
                    " VALUES (41, CURRENT_TIMESTAMP)"
                )
            )
        await migrations.upgrade(engine)
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT outcome, processed_at FROM inbox"))).one()
        assert row[0] == "done" and row[1] is not None
        await migrations.downgrade(engine, "0006")
        async with engine.connect() as conn:
            ids = (await conn.execute(text("SELECT update_id FROM processed_updates"))).all()
        assert [i[0] for i in ids] == [41]
    finally:
        await engine.dispose()


async def test_a_group_update_is_closed_and_sent_replies_are_pruned_after_a_day(
    bot: Harness, clock: Clock
) -> None:
    group = bot.client(6501, chat_id=-6500)
    update = group.message_update("/menu")
    inbox: InboxStore = bot.app.bot_data["inbox"]
    await inbox.receive([update.to_dict()])
    await group.process(update)
    assert "hanya melayani percakapan pribadi" in group.last.text
    assert await inbox.pending() == []  # answered and closed: not taken up again
    admin = await bot.onboard(ADMIN, 6502)
    await admin.send("/menu")
    replies = await bot.count(Outbox, Outbox.kind == "reply")
    assert replies > 0
    assert await inbox.prune_replies(clock()) == 0
    clock.advance(days=1, seconds=1)
    assert await inbox.prune_replies(clock()) == replies


async def test_a_reply_of_two_messages_that_fails_halfway_sends_only_the_rest_later(
    bot: Harness, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await bot.onboard(ADMIN, 6601)
    mark = admin.mark()
    original = bot.transport.do_request
    calls = {"sendMessage": 0}

    async def second_fails(url: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("sendMessage"):
            calls["sendMessage"] += 1
            if calls["sendMessage"] == 2:
                return 502, b'{"ok": false, "error_code": 502, "description": "Bad Gateway"}'
        return await original(url, *args, **kwargs)

    monkeypatch.setattr(bot.transport, "do_request", second_fails)
    # A reply of two messages (a note too long to go on top of its screen, then the screen),
    # as a step writes it.
    note = "Catatan. " * 300
    async with bot.services.sessionmaker() as session, session.begin():
        row = Outbox(
            kind="reply",
            payload={
                "messages": [
                    {"html": note, "buttons": []},
                    {"html": "<b>Menu utama</b>", "buttons": [], "screen": True},
                ]
            },
            created_at=clock(),
            send_after=clock(),
            chat_id=6601,
        )
        session.add(row)
        await session.flush()
        row_id = row.id
    await sender_of(bot.app).deliver_replies(6601, [row_id])
    [first] = admin.texts_since(mark)
    assert "Menu utama" not in first
    clock.advance(seconds=11)
    assert await sender_of(bot.app).drain() == 1
    texts = admin.texts_since(mark)
    assert len(texts) == 2 and texts[0] == first and "Menu utama" in texts[1]


async def test_a_step_postgresql_chose_to_break_a_deadlock_runs_again(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL aborts one of two deadlocked transactions (SQLSTATE 40P01): nothing of it was
    kept, so the step runs again, and what it carried (earlier replies' records) is carried
    again by the new attempt."""
    from sqlalchemy.exc import DBAPIError

    class Deadlock(Exception):
        sqlstate = "40P01"

    admin = await bot.onboard(ADMIN, 5901)
    admin.flush_records = False  # the next step carries the record of this one's reply
    menu_update = admin.message_update("/menu")
    await admin.process(menu_update)
    engine = bot.services.dialog
    original = engine._dispatch
    attempts: list[int] = []

    async def deadlocked_once(*args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise DBAPIError("UPDATE …", {}, Deadlock("deadlock detected"))
        return await original(*args, **kwargs)

    monkeypatch.setattr(engine, "_dispatch", deadlocked_once)
    answer = await admin.send("/bantuan")
    assert len(attempts) == 2 and "Bantuan" in answer.text
    [reply] = await rows_of(bot.services, menu_update.update_id)
    # its record: given back by the first attempt, carried by the second
    assert reply.status is OutboxStatus.SENT

"""Webhook mode in one process, through its ASGI app (bot.web.server.Worker) and the fake
Telegram transport, on both databases:

- a request without Telegram's secret header, or with a wrong one, is refused (403) and
  stores nothing; an update is committed to the inbox before the 200; a redelivered update
  runs nothing again;
- one person's burst is processed in order; an update a dead worker left is taken up by the
  sweep, one that keeps killing workers is given up;
- /healthz (200; 503 when an update waits too long or the schema is behind) and /metrics;
- setWebhook with the secret and allowed_updates, said once; reminders planned once a slot;
- on PostgreSQL: the shared send budget spaces two workers' messages, a 429 pauses both,
  paid broadcast only above the free budget;
- JSON log lines, redacted.
The several-process test behind nginx is tests/test_webhook_workers.py."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.models import InboxOutcome, InboxUpdate, Outbox
from bot.logs import JsonFormatter, RedactingFilter
from bot.services import org_import
from bot.services.demo import demo_data
from bot.web import metrics as metrics_module
from bot.web.budget import SharedBudget, burst_of
from bot.web.server import SECRET_HEADER, Refused, Worker
from tests.conftest import PG_URL, Clock, make_settings
from tests.telegram_fake import TOKEN, ChatClient, FakeTelegram
from tests.test_crash_kill import link_people

SECRET = "rahasia_Webhook-123"
HOOK_URL = "https://bot.example.invalid/telegram/hook"
PATH = "/telegram/hook"


async def webhook_services(database_url: str, clock: Clock, **overrides: Any) -> Services:
    settings = make_settings(
        database_url,
        webhook_url=HOOK_URL,
        webhook_secret=SECRET,
        telegram_max_rate=1000,
        telegram_chat_rate=30,
        user_max_rate=0,
        **overrides,
    )
    services = build_services(settings, clock=clock)
    await migrations.upgrade(services.db)
    return services


@pytest.fixture
async def world(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    services = await webhook_services(database_url, clock)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), clock(), "test")
    try:
        yield services
    finally:
        await services.close()


class Running:
    def __init__(self, worker: Worker, transport: FakeTelegram) -> None:
        self.worker = worker
        self.transport = transport
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=worker.asgi), base_url="http://worker"
        )

    async def post(self, payload: Any, secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await self.http.post(PATH, json=payload, headers=headers)
        return response.status_code

    def person(self, user_id: int) -> ChatClient:
        assert self.worker.app is not None
        return ChatClient(self.worker.app, self.transport, user_id)

    async def idle(self) -> None:
        assert self.worker.drain is not None
        await self.worker.drain.idle()


@pytest.fixture
async def running(world: Services) -> AsyncIterator[Running]:
    transport = FakeTelegram()
    worker = Worker(world, request=transport, job_queue=False)
    await worker.start()
    try:
        yield Running(worker, transport)
    finally:
        await worker.stop()


async def inbox_rows(services: Services) -> list[InboxUpdate]:
    async with services.sessionmaker() as session:
        rows = await session.execute(select(InboxUpdate).order_by(InboxUpdate.update_id))
        return list(rows.scalars())


async def test_the_secret_is_checked_and_updates_are_stored_before_the_200(
    running: Running, world: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    [user] = await link_people(world, 1)
    person = running.person(user)
    raw = person.message_update("/menu").to_dict()

    assert await running.post(raw, secret=None) == 403
    assert await running.post(raw, secret="salah") == 403
    assert await running.post(raw, secret=SECRET + "x") == 403
    assert await inbox_rows(world) == []
    assert await running.post({"no": "update"}) == 400

    # Stored (committed) when the 200 is given, processed afterwards.
    kicked: list[int | None] = []
    drain = running.worker.drain
    assert drain is not None
    monkeypatch.setattr(drain, "kick", kicked.append)
    assert await running.post(raw) == 200
    [row] = await inbox_rows(world)
    assert row.update_id == raw["update_id"] and row.processed_at is None
    assert row.payload == raw and kicked == [user]
    assert running.transport.sent_to(user) == []
    monkeypatch.undo()

    await drain.run(user)
    [row] = await inbox_rows(world)
    assert row.processed_at is not None and row.outcome == InboxOutcome.DONE.value
    assert "Menu utama" in person.last.text
    sent = len(person.received)

    # Telegram sends it again (it did not see the 200): nothing runs twice.
    assert await running.post(raw) == 200
    await running.idle()
    assert len(person.received) == sent
    async with world.sessionmaker() as session:
        replies = await session.scalars(select(Outbox.id).where(Outbox.update_id == row.update_id))
        assert len(list(replies)) == 1


async def test_one_persons_burst_is_processed_once_and_in_order(
    running: Running, world: Services
) -> None:
    users = await link_people(world, 3)
    people = [running.person(user) for user in users]
    raws = {
        p.user_id: [p.message_update(t).to_dict() for t in ["/menu", "/bantuan"] * 4]
        for p in people
    }

    async def talk(user: int) -> list[int]:
        # as Telegram delivers one chat's updates: the next once the previous got its 200
        return [await running.post(raw) for raw in raws[user]]

    codes = await asyncio.gather(*(talk(user) for user in users))
    assert {code for each in codes for code in each} == {200}
    await running.idle()
    for person in people:
        kinds = ["menu" if "Menu utama" in m.text else "help" for m in person.received]
        assert kinds == ["menu", "help"] * 4
    rows = await inbox_rows(world)
    assert len(rows) == 3 * 8 and all(r.outcome == InboxOutcome.DONE.value for r in rows)
    async with world.sessionmaker() as session:
        replies = (
            await session.execute(select(Outbox.update_id, Outbox.chat_id).order_by(Outbox.id))
        ).all()
    for user in users:
        mine = [u for u, chat in replies if chat == user]
        assert mine == sorted(mine) and len(mine) == 8


async def test_updates_a_dead_worker_left_are_taken_up_and_a_poison_one_given_up(
    running: Running, world: Services, clock: Clock
) -> None:
    first, second = await link_people(world, 2)
    left = running.person(first).message_update("/menu").to_dict()
    poison = running.person(second).message_update("/menu").to_dict()
    store = running.worker.app.bot_data["inbox"]  # type: ignore[union-attr]
    await store.receive([left, poison])  # stored by a worker that died before processing
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id == poison["update_id"])
            .values(attempts=3)
        )
    clock.advance(seconds=5)
    drain = running.worker.drain
    assert drain is not None
    assert await drain.sweep() == 2
    await running.idle()
    rows = {r.update_id: r for r in await inbox_rows(world)}
    assert rows[left["update_id"]].outcome == InboxOutcome.DONE.value
    assert rows[left["update_id"]].attempts == 1
    assert rows[poison["update_id"]].outcome == InboxOutcome.GAVE_UP.value
    assert "Menu utama" in running.person(first).last.text
    assert running.transport.sent_to(second) == []


async def test_healthz_and_metrics(
    running: Running, world: Services, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    [user] = await link_people(world, 1)
    health = await running.http.get("/healthz")
    assert health.status_code == 200, health.text
    report = health.json()
    assert report["database"] == "ok" and report["problems"] == []
    assert report["migrations"]["current"] == report["migrations"]["expected"]
    assert report["inbox_backlog"] == 0 and report["worker"] == running.worker.metrics.worker

    assert await running.post(running.person(user).message_update("/menu").to_dict()) == 200
    await running.idle()
    assert await running.post({"update_id": 1}, secret="salah") == 403
    page = await running.http.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    worker = running.worker.metrics.worker
    assert f'dialog_kinerja_updates_total{{worker="{worker}"}} 1.0' in text
    assert (
        f'dialog_kinerja_webhook_requests_total{{result="refused",worker="{worker}"}} 1.0' in text
    )
    assert f'dialog_kinerja_step_seconds_count{{worker="{worker}"}} 1.0' in text
    assert 'method="sendMessage",result="ok"' in text
    for name in (
        "inbox_backlog",
        "inbox_oldest_seconds",
        "outbox_backlog",
        "outbox_oldest_seconds",
    ):
        assert f"dialog_kinerja_{name}{{" in text
    assert "dialog_kinerja_telegram_429_total" in text and "dialog_kinerja_errors" in text

    # an update nobody processes for longer than HEALTH_MAX_INBOX_AGE
    drain = running.worker.drain
    assert drain is not None
    monkeypatch.setattr(drain, "kick", lambda *_a, **_k: None)
    assert await running.post(running.person(user).message_update("/menu").to_dict()) == 200
    clock.advance(seconds=world.settings.health_max_inbox_age + 1)
    late = await running.http.get("/healthz")
    assert late.status_code == 503 and late.json()["inbox_backlog"] == 1
    assert "waits longer" in late.json()["problems"][0]
    monkeypatch.undo()
    await drain.sweep()
    await running.idle()
    assert (await running.http.get("/healthz")).status_code == 200

    # a schema behind the code
    monkeypatch.setattr(metrics_module, "expected_revision", lambda: "9999")
    behind = await running.http.get("/healthz")
    assert behind.status_code == 503 and behind.json()["problems"] == ["migrations not current"]


async def test_set_webhook_is_said_once_and_reminders_are_planned_once_a_slot(
    running: Running,
    world: Services,
    database_url: str,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = [params for api, params in running.transport.calls if api == "setWebhook"]
    assert len(calls) == 1
    [params] = calls
    assert params["url"] == HOOK_URL and params["secret_token"] == SECRET
    allowed = params["allowed_updates"]
    allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
    assert allowed == ["message", "callback_query"]

    gate = running.worker.app.bot_data["planning_gate"]  # type: ignore[union-attr]
    assert await gate() is True
    assert await gate() is True  # the same worker keeps its turn

    other = await webhook_services(database_url, clock)
    transport = FakeTelegram()
    second = Worker(other, request=transport, job_queue=False)
    # Another process: a run lock held by this very process id counts as left by a process
    # that died (a restarted container gets the same pid).
    other_pid = os.getppid()  # alive, and not this one
    monkeypatch.setattr(os, "getpid", lambda: other_pid)
    try:
        if not PG_URL:
            with pytest.raises(Refused) as refused:
                await second.start()
            assert refused.value.key == "webhook_sqlite_one"  # SQLite: one process
            return
        await second.start()
        assert transport.count("setWebhook") == 0  # said by the first worker already
        other_gate = second._planning_gate()
        assert await other_gate() is False
        clock.advance(minutes=world.settings.planning_interval_minutes)
        assert await other_gate() is True
        assert await gate() is False
    finally:
        monkeypatch.undo()
        await second.stop()
        await other.close()


@pytest.mark.skipif(not PG_URL, reason="the shared budget is PostgreSQL's (TEST_DATABASE_URL)")
async def test_two_workers_share_one_send_budget_and_a_429_pauses_both(world: Services) -> None:
    from telegram.error import RetryAfter

    rate = 20.0
    engines = [world.db, build_services(world.settings).db]
    budgets = [SharedBudget(engine, "42", rate, chat_rate=50, chat_burst=5) for engine in engines]
    times: list[float] = []

    async def send(*_args: Any, **_kwargs: Any) -> bool:
        times.append(time.monotonic())
        return True

    async def one(budget: SharedBudget, chat: int) -> None:
        await budget.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)

    # The moments the shared schedule gives out (when each message may go), as each worker
    # sees them: what the budget decides, apart from how late a busy process wakes up.
    moments: list[float] = []
    for budget in budgets:
        reserve = budget._reserve

        async def reserving(*args: Any, _reserve: Any = reserve) -> Any:
            g_wait, c_wait, paused = await _reserve(*args)
            if g_wait is not None:
                moments.append(time.monotonic() + max(g_wait, c_wait or 0.0))
            return g_wait, c_wait, paused

        budget._reserve = reserving  # type: ignore[method-assign]

    started = time.monotonic()
    await asyncio.gather(*(one(budgets[i % 2], 1000 + i) for i in range(40)))
    elapsed = time.monotonic() - started
    burst = burst_of(rate)
    assert elapsed >= (40 - burst) / rate * 0.95, elapsed  # the budget held them back
    moments.sort()
    window = max(sum(1 for t in moments if s <= t < s + 1.0) for s in moments)
    assert window <= rate + burst, window

    # a 429 seen by one worker holds the other back too
    answers: list[Any] = [RetryAfter(1)]

    async def refused_once(*_args: Any, **_kwargs: Any) -> bool:
        if answers:
            raise answers.pop()
        times.append(time.monotonic())
        return True

    await asyncio.sleep(1.0)  # the budget is rested
    times.clear()
    hit = time.monotonic()
    await budgets[0].process_request(refused_once, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert time.monotonic() - hit >= 0.9
    later = time.monotonic()
    await one(budgets[1], 2)
    assert times[-1] - hit >= 0.9 and times[-1] >= later

    # an answer to a button press is not a message: it does not wait for a turn at all
    async def no_turn(*_args: Any) -> bool:
        raise AssertionError("a button's answer waited for the send budget")

    budgets[1]._wait_turn = no_turn  # type: ignore[method-assign]
    assert await budgets[1].process_request(send, (), {}, "answerCallbackQuery", {}, None)
    await engines[1].dispose()


@pytest.mark.skipif(not PG_URL, reason="the shared budget is PostgreSQL's (TEST_DATABASE_URL)")
async def test_paid_broadcast_only_above_the_free_budget(world: Services) -> None:
    budget = SharedBudget(world.db, "43", 4.0, chat_rate=50, chat_burst=5, paid_rate=200.0)
    sent: list[dict[str, Any]] = []

    async def send(_endpoint: str, data: dict[str, Any]) -> bool:
        sent.append(dict(data))
        return True

    async def one(chat: int) -> None:
        data = {"chat_id": chat}
        await budget.process_request(send, ("sendMessage", data), {}, "sendMessage", data, None)

    # a peak: 12 at once against 4 a second free (which alone would take 3 s)
    await asyncio.gather(*(one(500 + i) for i in range(12)))
    assert len(sent) == 12
    paid = [d for d in sent if d.get("allow_paid_broadcast")]
    free = [d for d in sent if not d.get("allow_paid_broadcast")]
    # those that can go within half a second go free (a burst of one, then 4/s)
    assert 2 <= len(free) <= 4 and len(paid) == 12 - len(free)


def test_json_log_lines_are_redacted() -> None:
    formatter = JsonFormatter("w1")
    record = logging.LogRecord(
        "bot.test", logging.ERROR, __file__, 1, "token %s failed", (TOKEN,), None
    )
    RedactingFilter([TOKEN]).filter(record)
    line = json.loads(formatter.format(record))
    assert line["level"] == "ERROR" and line["logger"] == "bot.test" and line["worker"] == "w1"
    assert TOKEN not in line["message"] and "[REDACTED]" in line["message"]
    assert line["time"].endswith("+00:00")


async def test_the_webhook_settings_are_checked() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make_settings("sqlite+aiosqlite:///x.db", webhook_secret="spasi tidak boleh")
    ok = make_settings("sqlite+aiosqlite:///x.db", webhook_secret="a" * 256)
    assert ok.webhook_secret is not None
    assert timedelta(seconds=ok.health_max_inbox_age) == timedelta(minutes=5)

"""The real `dialog-kinerja run` process, long polling a Bot API server over HTTP
(tests/http_telegram.py), killed with SIGKILL at random moments and started again while
people keep talking to it: no answer is lost, every button press is answered, and the
answers come in order. A second `run` on the same database refuses to start.

Each person acts in a closed loop (the next action once the previous one was answered), so
every action has exactly one expected answer. A kill in the instant between Telegram
accepting a message and the sender recording it can make that one message arrive twice
(at-least-once is the only choice there: Telegram has no idempotency key); the test allows at
most one such duplicate per kill and reports how many it saw. On PostgreSQL when
TEST_DATABASE_URL is set, like every test.

`KILL_COUNT` sets how many kills (5 by default, as in CI), `KILL_ACTIONS` how many actions each
person takes (12), `KILL_SEED` the random moments. `bench/bench_crash_kill.py` runs the same
scenario with more kills and prints what it counts instead of asserting."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.container import Services
from bot.db.models import Employee, InboxUpdate, LinkStatus, Outbox, OutboxStatus, TelegramLink
from tests.http_telegram import TOKEN, BotApi, BotMessage

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 4
ACTIONS = int(os.environ.get("KILL_ACTIONS", "12"))  # per person: /menu, its Bantuan button, ...
KILLS = int(os.environ.get("KILL_COUNT", "5"))
ANSWER_TIMEOUT = 60.0


class BotProcess:
    """`python -m bot.cli run` in a scratch directory, its output collected."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []
        self.starts = 0
        self._mark = 0

    def start(self) -> subprocess.Popen[str]:
        self.starts += 1
        self._mark = len(self.output)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.proc = proc
        threading.Thread(target=self._collect, args=(proc,), daemon=True).start()
        return proc

    def _collect(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                self.output.append(line.rstrip())

    def wait_running(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("Bot berjalan" in line for line in self.output[self._mark :]):
                return
            assert self.proc is not None and self.proc.poll() is None, self.tail()
            time.sleep(0.05)
        raise AssertionError("the bot did not start:\n" + self.tail())

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output[-lines:])


async def link_people(services: Services, count: int) -> list[int]:
    """Telegram accounts 6001, 6002, ... linked to the first demo employees."""
    async with services.sessionmaker() as session, session.begin():
        employees = (
            (await session.execute(select(Employee).order_by(Employee.id).limit(count)))
            .scalars()
            .all()
        )
        users = []
        for i, employee in enumerate(employees):
            user = 6001 + i
            session.add(
                TelegramLink(
                    employee_id=employee.id,
                    tg_user_id=user,
                    chat_id=user,
                    status=LinkStatus.ACTIVE,
                    created_at=datetime.now(UTC),
                )
            )
            users.append(user)
    return users


async def diagnose(services: Services, api: BotApi) -> str:
    """What the database and Telegram hold, for a failure's message."""
    async with services.sessionmaker() as session:
        inbox = (
            await session.execute(
                select(InboxUpdate).order_by(InboxUpdate.update_id.desc()).limit(30)
            )
        ).scalars()
        outbox = (
            await session.execute(select(Outbox).order_by(Outbox.id.desc()).limit(30))
        ).scalars()
        lines = [
            f"inbox {u.update_id} user={u.tg_user_id} processed={u.processed_at} "
            f"outcome={u.outcome} attempts={u.attempts} payload={bool(u.payload)}"
            for u in inbox
        ]
        lines += [
            f"outbox {o.id} {o.kind} chat={o.chat_id} update={o.update_id} {o.status} "
            f"attempts={o.attempts} lease={o.claimed_until} by={o.claimed_by} "
            f"after={o.send_after} err={o.last_error}"
            for o in outbox
        ]
    lines.append(f"telegram: pending={[u['update_id'] for u in api.updates]}")
    lines.append(f"confirmed={api.confirmed} calls={api.calls[-20:]}")
    return "\n".join(lines)


def kind_of(message: BotMessage) -> str:
    if "Menu utama" in message.text:
        return "menu"
    if "Bantuan Dialog Kinerja" in message.text:
        return "help"
    return "other: " + message.text[:60]


def act(
    api: BotApi, user: int, errors: list[str], queries: list[str], actions: int = ACTIONS
) -> None:
    """One person's closed loop: /menu, then the menu's Bantuan button, and again."""
    try:
        for k in range(actions):
            before = len(api.sent_to(user))
            if k % 2 == 0:
                api.push_text(user, "/menu")
            else:
                last = api.sent_to(user)[-1]
                [data] = [
                    b["callback_data"]
                    for row in last.buttons
                    for b in row
                    if "Bantuan" in b["text"]
                ]
                queries.append(api.push_press(user, last, data))
            answered = lambda n=before: len(api.by_chat.get(user, [])) > n  # noqa: E731
            if not api.wait_for(answered, ANSWER_TIMEOUT):
                errors.append(f"user {user}: no answer to action {k} within {ANSWER_TIMEOUT}s")
                return
    except Exception as exc:  # reported by the test
        errors.append(f"user {user}: {exc!r}")


def bot_env(api: BotApi, database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "USER_MAX"))
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_BOT_USERNAME": "dialog_kinerja_http_bot",
            "USER_MAX_RATE": "0",  # the people here act as fast as answers come
            "LOG_LEVEL": os.environ.get("KILL_LOG_LEVEL", "WARNING"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


@dataclass
class KillRun:
    """What one run of the scenario saw (the test asserts on it, the benchmark prints it)."""

    kills: int
    starts: int
    expected: int  # answers expected: one per action
    lost: int  # actions never answered (or answered out of order)
    unexpected: int  # answers beyond those in order (out of order, or of another kind)
    duplicates: int  # messages that arrived twice (a kill between sending and recording)
    presses: int  # button presses made
    unanswered_presses: int
    duplicate_rows: int  # reply rows beyond one per update (a step run twice)
    unprocessed: int  # updates stored and never processed
    unsent: list[tuple[object, ...]]  # outbox rows still pending at the end
    exit_code: int | None  # of the last process, stopped with SIGTERM
    seconds: float
    errors: list[str] = field(default_factory=list)
    kinds: dict[int, list[str]] = field(default_factory=dict)  # per person, for a failure


async def kill_run(
    services: Services,
    database_url: str,
    workdir: Path,
    kills: int = KILLS,
    actions: int = ACTIONS,
    seed: int | None = None,
) -> KillRun:
    """The scenario: PEOPLE people act in closed loops against `dialog-kinerja run` while it
    is killed `kills` times at random moments and started again; then everything is counted."""
    users = await link_people(services, PEOPLE)
    api = BotApi().start()
    bot = BotProcess(bot_env(api, database_url), workdir)
    rng = random.Random(seed)
    errors: list[str] = []
    queries: list[str] = []
    code: int | None = None
    began = time.monotonic()
    try:
        bot.start()
        await asyncio.to_thread(bot.wait_running)
        people = [
            threading.Thread(target=act, args=(api, user, errors, queries, actions))
            for user in users
        ]
        for person in people:
            person.start()
        for _ in range(kills):
            # any moment: during start-up and recovery, mid-step, mid-send
            await asyncio.sleep(rng.uniform(0.2, 2.5))
            await asyncio.to_thread(bot.kill)
            bot.start()
        await asyncio.to_thread(bot.wait_running)
        for person in people:
            await asyncio.to_thread(person.join, ANSWER_TIMEOUT * 2)
        if errors:
            errors += [await diagnose(services, api), bot.tail(80)]
        # settled: every update confirmed to Telegram and processed
        settled = await asyncio.to_thread(
            api.wait_for, lambda: not api.updates and api.confirmed > 0, 30
        )
        if not settled:
            errors.append("not settled: updates left unconfirmed")
        code = await asyncio.to_thread(bot.stop)
        if code != 0:
            errors.append(bot.tail())
    finally:
        if bot.proc is not None and bot.proc.poll() is None:
            bot.proc.kill()
            bot.proc.wait()
        api.stop()
    seconds = time.monotonic() - began

    expected = ["menu", "help"] * (actions // 2) + ["menu"] * (actions % 2)
    duplicates = lost = unexpected = 0
    kinds: dict[int, list[str]] = {}
    for user in users:
        kinds[user] = [kind_of(m) for m in api.sent_to(user)]
        collapsed = [k for i, k in enumerate(kinds[user]) if i == 0 or k != kinds[user][i - 1]]
        duplicates += len(kinds[user]) - len(collapsed)
        # exactly one answer per action, in the order of the actions
        in_order = next(
            (
                i
                for i, (got, want) in enumerate(zip(collapsed, expected, strict=False))
                if got != want
            ),
            min(len(collapsed), len(expected)),
        )
        lost += len(expected) - in_order
        unexpected += len(collapsed) - in_order
    async with services.sessionmaker() as session:
        unprocessed = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.processed_at.is_(None))
        )
        unsent = [
            (row.id, row.kind, row.chat_id, row.attempts, row.claimed_by, row.last_error)
            for row in (
                await session.execute(select(Outbox).where(Outbox.status == OutboxStatus.PENDING))
            ).scalars()
        ]
        per_update = (
            select(func.count().label("n"))
            .where(Outbox.kind == "reply", Outbox.update_id.is_not(None))
            .group_by(Outbox.update_id)
            .subquery()
        )
        duplicate_rows = await session.scalar(
            select(func.coalesce(func.sum(per_update.c.n - 1), 0))
        )
    return KillRun(
        kills=kills,
        starts=bot.starts,
        expected=len(expected) * len(users),
        lost=lost,
        unexpected=unexpected,
        duplicates=duplicates,
        presses=len(queries),
        unanswered_presses=sum(1 for q in queries if not api.answers.get(q)),
        duplicate_rows=int(duplicate_rows or 0),
        unprocessed=int(unprocessed or 0),
        unsent=unsent,
        exit_code=code,
        seconds=seconds,
        errors=errors,
        kinds=kinds,
    )


async def test_kill_9_at_random_moments_loses_no_answer(
    demo: Services, database_url: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("KILL_SEED", "0")) or None
    run = await kill_run(demo, database_url, tmp_path, KILLS, ACTIONS, seed)
    assert not run.errors, "\n".join(run.errors)
    assert run.exit_code == 0
    assert run.lost == 0 and run.unexpected == 0, run.kinds
    assert run.duplicates <= KILLS, f"{run.duplicates} messages sent twice"
    print(f"\n{KILLS} kills, {run.starts} starts, {run.duplicates} duplicate messages")
    # every button press answered (a redelivered one too; a second answer Telegram refuses)
    assert run.presses == PEOPLE * (ACTIONS // 2)
    assert run.unanswered_presses == 0
    assert run.duplicate_rows == 0
    assert run.unprocessed == 0
    assert run.unsent == []


async def test_a_second_run_on_the_same_database_refuses_and_a_killed_one_is_replaced(
    demo: Services, database_url: str, tmp_path: Path
) -> None:
    [user] = await link_people(demo, 1)
    api = BotApi().start()
    env = bot_env(api, database_url)
    first = BotProcess(env, tmp_path)
    try:
        first.start()
        await asyncio.to_thread(first.wait_running)
        second = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 3
        assert "sudah berjalan di proses lain" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout
        # the first one still serves
        api.push_text(user, "/menu")
        assert await asyncio.to_thread(api.wait_for, lambda: len(api.by_chat.get(user, [])), 30)
        # killed, it is replaced at once (same host, no such process): no waiting for expiry
        await asyncio.to_thread(first.kill)
        first.start()
        await asyncio.to_thread(first.wait_running, 30)
        assert any("mengambil alih" in line for line in first.output), first.tail()
        assert await asyncio.to_thread(first.stop) == 0
    finally:
        if first.proc is not None and first.proc.poll() is None:
            first.proc.kill()
            first.proc.wait()
        api.stop()

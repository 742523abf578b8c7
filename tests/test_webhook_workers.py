"""Two webhook workers (`dialog-kinerja run --webhook`, real processes) behind nginx on
loopback, on one PostgreSQL database, with a fake Telegram over HTTP that delivers updates
through nginx (tests/webhook_telegram.py):

- requests without the secret header, or with a wrong one, are refused (403) and store
  nothing; setWebhook is said once, with the secret and allowed_updates;
- people talking at once, each update delivered to whichever worker nginx picks: every step
  runs once and each person's in order; both workers process updates;
- the messages of both workers together stay within one budget (TELEGRAM_MAX_RATE in any
  second, and the chat's), and a 429 seen by one pauses both for its retry_after;
- `kill -9` of one worker in the middle: nginx sends on to the other, which takes up what the
  dead one had stored and gives back its leases; nothing is lost, no step runs twice.

PostgreSQL only (TEST_DATABASE_URL): several processes on one SQLite file is not supported.
nginx comes from the distribution (.ci/run installs it)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.container import Services
from bot.db.models import InboxOutcome, InboxUpdate, Outbox, OutboxStatus
from bot.web.budget import burst_of
from tests.conftest import PG_URL
from tests.test_crash_kill import ROOT, BotProcess, bot_env, link_people
from tests.webhook_telegram import WebhookApi

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="several workers need PostgreSQL (TEST_DATABASE_URL)"
)

SECRET = "rahasia-uji_0123456789"
PEOPLE = 6
RATE = 10  # messages a second for the whole bot (both workers)
CHAT_RATE = 4
ANSWER_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise AssertionError("nginx is not installed (Debian: apt-get install nginx; .ci/run does)")
    return found


class Nginx:
    """nginx in the foreground on 127.0.0.1:`port`, in front of the workers' ports, with the
    deployment's own locations (deploy/nginx/locations.conf)."""

    def __init__(self, directory: Path, port: int, upstreams: list[int]) -> None:
        self.directory = directory
        self.port = port
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o755)
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstreams
        )
        temp = "\n".join(
            f"    {kind}_temp_path {directory}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root root;\n" if os.geteuid() == 0 else ""
        self.config = directory / "nginx.conf"
        self.config.write_text(
            f"""{user}worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
{temp}
    upstream dialog_kinerja_workers {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        set $dialog_kinerja_upstream http://dialog_kinerja_workers;
        include {ROOT}/deploy/nginx/locations.conf;
    }}
}}
"""
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = nginx_binary()
        check = subprocess.run(
            [binary, "-t", "-c", str(self.config), "-p", str(self.directory)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen(
            [binary, "-c", str(self.config), "-p", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("nginx did not start: " + self.errors())

    def errors(self) -> str:
        log = self.directory / "error.log"
        return log.read_text()[-3000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class WorkerProcess(BotProcess):
    """`python -m bot.cli run --webhook` with its own port."""

    def start(self) -> subprocess.Popen[str]:
        self.starts += 1
        self._mark = len(self.output)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--webhook"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.proc = proc
        threading.Thread(target=self._collect, args=(proc,), daemon=True).start()
        return proc


def metrics_of(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as page:
        return str(page.read().decode())


def counter(text: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    )


def kind_of(text: str) -> str:
    if "Menu utama" in text:
        return "menu"
    if "Bantuan Dialog Kinerja" in text:
        return "help"
    return "other: " + text[:60]


def talk(api: WebhookApi, user: int, actions: int, errors: list[str]) -> None:
    """One person typing quickly: /menu, /bantuan, ... each delivered (by the fake Telegram,
    as Telegram does) once the previous one was taken, without waiting for the answers."""
    try:
        for k in range(actions):
            api.push_text(user, "/menu" if k % 2 == 0 else "/bantuan")
    except Exception as exc:
        errors.append(f"user {user}: {exc!r}")


def people_talk(api: WebhookApi, users: list[int], actions: int) -> list[str]:
    errors: list[str] = []
    threads = [threading.Thread(target=talk, args=(api, u, actions, errors)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(ANSWER_TIMEOUT)
    return errors


def wait_answers(api: WebhookApi, users: list[int], expected: dict[int, int]) -> bool:
    return api.wait_for(
        lambda: all(len(api.by_chat.get(u, [])) >= expected[u] for u in users), ANSWER_TIMEOUT
    )


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for t in times if s <= t < s + 1.0) for s in times), default=0)


async def settled(services: Services) -> tuple[int, list[Any], list[tuple[int, int]]]:
    """(updates not processed, outbox rows still pending, (chat, update) of every reply row
    in the order written)."""
    async with services.sessionmaker() as session:
        open_updates = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.processed_at.is_(None))
        )
        pending = list(
            (
                await session.execute(
                    select(Outbox.id, Outbox.kind, Outbox.claimed_by).where(
                        Outbox.status == OutboxStatus.PENDING
                    )
                )
            ).all()
        )
        replies = [
            (int(chat), int(update))
            for chat, update in (
                await session.execute(
                    select(Outbox.chat_id, Outbox.update_id)
                    .where(Outbox.kind == "reply")
                    .order_by(Outbox.id)
                )
            ).all()
        ]
    return int(open_updates or 0), pending, replies


async def test_two_workers_behind_nginx_share_the_work_the_budget_and_survive_a_kill(
    demo: Services, database_url: str, tmp_path: Path
) -> None:
    users = await link_people(demo, PEOPLE)
    api = WebhookApi().start()
    proxy_port = free_port()
    ports = [free_port(), free_port()]
    nginx = Nginx(tmp_path / "nginx", proxy_port, ports)
    workers = []
    for n, port in enumerate(ports, start=1):
        env = bot_env(api, database_url)
        env.update(
            {
                "WEBHOOK_URL": f"http://127.0.0.1:{proxy_port}/telegram",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "WORKER_NAME": f"w{n}",
                "TELEGRAM_MAX_RATE": str(RATE),
                "TELEGRAM_CHAT_RATE": str(CHAT_RATE),
                "LOG_FORMAT": "json",
            }
        )
        workers.append(WorkerProcess(env, tmp_path))
    try:
        nginx.start()
        for worker in workers:
            worker.start()
        for worker in workers:
            await asyncio.to_thread(worker.wait_running)

        # -- the secret, setWebhook once ---------------------------------------------------
        assert len(api.webhook_calls) == 1, api.webhook_calls
        [hook] = api.webhook_calls
        assert hook["url"] == f"http://127.0.0.1:{proxy_port}/telegram"
        assert hook["secret_token"] == SECRET
        assert hook["allowed_updates"] == ["message", "callback_query"]
        probe = {"update_id": 999_999, "message": {"message_id": 1, "date": 0, "text": "/menu",
                 "chat": {"id": users[0], "type": "private"},
                 "from": {"id": users[0], "is_bot": False, "first_name": "X"}}}  # fmt: skip
        for secret in (None, "", "salah", SECRET + "0"):
            assert await asyncio.to_thread(api.post, probe, secret) == 403
        assert await demo_count(demo) == 0

        # -- people talking at once --------------------------------------------------------
        actions = 8
        api.throttle.append((12, 2))  # the 13th message gets a 429 with retry_after=2
        errors = await asyncio.to_thread(people_talk, api, users, actions)
        assert errors == []
        expected = {u: actions for u in users}
        answered = await asyncio.to_thread(wait_answers, api, users, expected)
        if not answered:
            raise AssertionError(await diagnose(demo, api, workers, nginx))
        for user in users:
            kinds = [kind_of(m.text) for m in api.sent_to(user)]
            assert kinds == ["menu", "help"] * (actions // 2), (user, kinds)
        open_updates, pending, replies = await wait_settled(demo)
        assert open_updates == 0 and pending == []
        for user in users:
            mine = [update for chat, update in replies if chat == user]
            assert len(mine) == actions and mine == sorted(mine), (user, mine)
        done = [await asyncio.to_thread(metrics_of, port) for port in ports]
        per_worker = [counter(text, "dialog_kinerja_updates_total") for text in done]
        assert all(n > 0 for n in per_worker), per_worker
        assert sum(per_worker) == PEOPLE * actions

        # one budget for both: any second within RATE (+ the short burst allowed)
        times = [t for t, _m, _c in api.metered]
        burst = burst_of(RATE)
        hit = api.throttled[0][0] if api.throttled else 0.0
        # (+1: requests sent at their moment may reach Telegram a little apart on a busy machine)
        assert busiest_second(times) <= RATE + burst + 1, [round(t - hit, 2) for t in sorted(times)]
        span = max(times) - min(times)
        assert (len(times) - burst) / span <= RATE * 1.05, (len(times), span)
        for user in users:
            chat_times = [t for t, _m, c in api.metered if c == user]
            assert busiest_second(chat_times) <= CHAT_RATE + 3 + 1
        # the 429: nothing went from either worker during its retry_after
        [(hit, retry_after)] = api.throttled
        during = [t for t in times if hit + 0.5 < t < hit + retry_after - 0.1]
        assert during == [], [round(t - hit, 2) for t in during]
        assert sum(counter(text, "dialog_kinerja_telegram_429_total") for text in done) == 1

        # -- kill -9 of one worker in the middle -------------------------------------------
        before = {u: len(api.sent_to(u)) for u in users}
        more = 6
        talking = asyncio.create_task(asyncio.to_thread(people_talk, api, users, more))
        await asyncio.sleep(1.0)
        await asyncio.to_thread(workers[0].kill)
        errors = await talking
        assert errors == []
        expected = {u: before[u] + more for u in users}
        answered = await asyncio.to_thread(wait_answers, api, users, expected)
        if not answered:
            raise AssertionError(await diagnose(demo, api, workers, nginx))
        open_updates, pending, replies = await wait_settled(demo)
        assert open_updates == 0 and pending == [], (open_updates, pending)
        duplicates = 0
        for user in users:
            kinds = [kind_of(m.text) for m in api.sent_to(user)[before[user] :]]
            collapsed = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
            duplicates += len(kinds) - len(collapsed)
            assert collapsed == ["menu", "help"] * (more // 2), (user, kinds)
            mine = [update for chat, update in replies if chat == user]
            # every step ran once (one reply row per update), in order
            assert len(mine) == actions + more and mine == sorted(mine), (user, mine)
        # the message in flight at the kill may go twice (Telegram has no idempotency key)
        assert duplicates <= 1, duplicates
        async with demo.sessionmaker() as session:
            outcomes = set(
                (await session.execute(select(InboxUpdate.outcome).distinct())).scalars()
            )
        assert outcomes == {InboxOutcome.DONE.value}
        print(
            f"\nbusiest second {busiest_second(times)} of {RATE}/s; kill: {duplicates} duplicates"
        )
        assert await asyncio.to_thread(workers[1].stop) == 0, workers[1].tail()
    finally:
        for worker in workers:
            if worker.proc is not None and worker.proc.poll() is None:
                worker.proc.kill()
                worker.proc.wait()
        nginx.stop()
        api.stop()


async def demo_count(services: Services) -> int:
    async with services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def wait_settled(services: Services) -> tuple[int, list[Any], list[tuple[int, int]]]:
    """The state once the last steps' replies are recorded (a few seconds at most)."""
    deadline = time.monotonic() + 30
    while True:
        result = await settled(services)
        if (result[0] == 0 and not result[1]) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.2)


async def diagnose(
    services: Services, api: WebhookApi, workers: list[WorkerProcess], nginx: Nginx
) -> str:
    open_updates, pending, _replies = await settled(services)
    lines = [f"open updates {open_updates}, pending outbox {pending}"]
    lines += [f"user {u}: {[kind_of(m.text) for m in api.sent_to(u)]}" for u in sorted(api.by_chat)]
    for worker in workers:
        lines.append(worker.tail(60))
    lines.append(nginx.errors())
    return "\n".join(lines)

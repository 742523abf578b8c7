"""Benchmark: the webhook path on PostgreSQL.

1. In one process, the drafting mix of bench_drafting.py (employees each drafting and
   submitting an SKP, ~70 updates each) through a webhook worker's HTTP app: each update is
   POSTed with the secret, stored in the inbox, answered 200, then processed from the inbox
   under the person's turn (an advisory lock) with the shared send budget, next to the
   in-memory ConversationHandler reference: updates/s, p50/p99, SQL statements per update
   (everything the webhook path adds included), the ratio.
2. Real processes: 1 and then 2 workers (`dialog-kinerja run --webhook`) behind nginx (when
   installed; otherwise the fake Telegram posts to the workers in turn), a fake Telegram over
   HTTP delivering updates as Telegram does, people typing the drafting entry commands
   (/skp, /menu, /bantuan) in a closed loop: updates/s and p50/p99 from delivery to answer
   with an unlimited budget; then the same with the default budget (TELEGRAM_MAX_RATE 25/s
   for all workers together) to show the send rate across workers against it.

Prints, asserts nothing.

    .venv/bin/python bench/bench_webhook.py
    .venv/bin/python bench/bench_webhook.py --users 50 --people 40 --seconds 15
    .venv/bin/python bench/bench_webhook.py --smoke
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench_drafting import prepare, run_reference, script
from common import StatementCounter, drive, percentile, start_postgres
from telegram import Update

from bot.container import build_services
from bot.db import migrate as migrations
from bot.telegram.app import tune_gc
from bot.web.server import SECRET_HEADER, Worker
from tests.conftest import make_settings, reset_postgres
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_crash_kill import bot_env, link_people
from tests.test_webhook_workers import Nginx, WorkerProcess, busiest_second, free_port, nginx_binary
from tests.webhook_telegram import WebhookApi

SECRET = "bench-secret_0123456789"
ROOT = Path(__file__).resolve().parents[1]


class ThroughTheWebhook:
    """What bench/common.drive needs from an Application, through the webhook instead: the
    update POSTed to the worker's app (stored, 200), then processed from the inbox."""

    def __init__(self, worker: Worker, http: httpx.AsyncClient, path: str) -> None:
        self.worker = worker
        self.http = http
        self.path = path
        self.update_processor = self

    def process_update(self, update: Update, coroutine: Any = None) -> Coroutine[Any, Any, None]:
        if coroutine is not None:
            return coroutine  # type: ignore[no-any-return]
        return self._through(update)

    async def _through(self, update: Update) -> None:
        response = await self.http.post(
            self.path, json=update.to_dict(), headers={SECRET_HEADER: SECRET}
        )
        assert response.status_code == 200, response.status_code
        assert self.worker.drain is not None and update.effective_user is not None
        await self.worker.drain.run(update.effective_user.id)


async def in_process(url: str, users: int, employees: int) -> dict[str, float]:
    await reset_postgres(url)
    settings = make_settings(
        url,
        webhook_url="https://bench.invalid/telegram",
        webhook_secret=SECRET,
        telegram_max_rate=1000,
        telegram_chat_rate=1000,
        user_max_rate=0,
    )
    services = build_services(settings, clock=lambda: datetime(2026, 1, 12, 2, tzinfo=UTC))
    await migrations.upgrade(services.db)
    tg_ids = await prepare(services, 2 * users, employees)
    transport = FakeTelegram()
    worker = Worker(services, request=transport, job_queue=False)
    await worker.start(set_hook=False)
    assert worker.drain is not None and worker.app is not None
    worker.drain.kick = lambda *_a, **_k: None  # type: ignore[method-assign]
    tune_gc()
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=worker.asgi), base_url="http://worker"
    )
    # The same steps straight into the Application (as long polling hands them over), on
    # the same database and worker: what the webhook path adds.
    counter = StatementCounter(services.db)
    direct_people = [script(ChatClient(worker.app, transport, tg)) for tg in tg_ids[users:]]
    direct = await drive(worker.app, direct_people)
    direct_statements = counter.count / len(direct.latencies)
    counter.count = 0
    shim = ThroughTheWebhook(worker, http, "/telegram")
    people = [script(ChatClient(worker.app, transport, tg)) for tg in tg_ids[:users]]
    run = await drive(shim, people)
    statements = counter.count / len(run.latencies)
    await http.aclose()
    await worker.stop()
    await services.close()
    return {
        "updates": len(run.latencies),
        "updates_per_s": run.updates_per_s,
        "p50_ms": run.p50_ms,
        "p99_ms": run.p99_ms,
        "sql_per_update": statements,
        "direct_per_s": direct.updates_per_s,
        "direct_p50_ms": direct.p50_ms,
        "direct_p99_ms": direct.p99_ms,
        "direct_sql": direct_statements,
    }


def person_loop(
    api: WebhookApi, user: int, until: float, latencies: list[float], errors: list[str]
) -> None:
    """Typing the drafting entry commands, each once the previous one was answered."""
    commands = ["/skp", "/menu", "/bantuan"]
    k = 0
    while time.monotonic() < until:
        before = api.shown.get(user, 0)
        started = time.monotonic()
        api.push_text(user, commands[k % len(commands)])
        if not api.wait_for(lambda b=before: api.shown.get(user, 0) > b, 60):
            errors.append(f"user {user}: no answer")
            return
        latencies.append(time.monotonic() - started)
        k += 1


async def processes(
    url: str, workers: int, people: int, seconds: float, rate: float | None
) -> dict[str, float]:
    """`workers` worker processes behind nginx; people typing for `seconds`."""
    await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    from bot.services import org_import
    from bot.services.demo import demo_data

    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), services.clock(), "bench")
    users = await link_people(services, people)
    api = WebhookApi().start()
    ports = [free_port() for _ in range(workers)]
    folder = Path(tempfile.mkdtemp(prefix="dk-bench-web-"))
    try:
        nginx_binary()
        proxy_port = free_port()
        nginx: Nginx | None = Nginx(folder / "nginx", proxy_port, ports)
        hook = f"http://127.0.0.1:{proxy_port}/telegram"
    except AssertionError:
        nginx, hook = None, f"http://127.0.0.1:{ports[0]}/telegram"
    procs = []
    for n, port in enumerate(ports, start=1):
        env = bot_env(api, url)
        env.update(
            WEBHOOK_URL=hook,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(port),
            WORKER_NAME=f"w{n}",
            TELEGRAM_MAX_RATE=str(rate or 1000),
            TELEGRAM_CHAT_RATE="30" if rate else "1000",
            LOG_LEVEL="ERROR",
        )
        procs.append(WorkerProcess(env, folder))
    try:
        if nginx is not None:
            nginx.start()
        for proc in procs:
            proc.start()
        for proc in procs:
            await asyncio.to_thread(proc.wait_running)
        if nginx is None and workers > 1:
            print("  (nginx not installed: every update goes to the first worker)")
        latencies: list[float] = []
        errors: list[str] = []
        until = time.monotonic() + seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=person_loop, args=(api, u, until, latencies, errors))
            for u in users
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            await asyncio.to_thread(thread.join)
        elapsed = time.monotonic() - started
        sends = [t for t, _m, _c in api.metered if t >= started]
        span = (max(sends) - min(sends)) if len(sends) > 1 else 1.0
        for proc in procs:
            await asyncio.to_thread(proc.stop)
    finally:
        for proc in procs:
            if proc.proc is not None and proc.proc.poll() is None:
                proc.proc.kill()
        if nginx is not None:
            nginx.stop()
        api.stop()
        await services.close()
    if errors:
        print("  errors:", errors[:3])
    return {
        "updates_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else 0.0,
        "send_rate": len(sends) / span,
        "busiest_second": float(busiest_second(sends)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=30, help="employees drafting (in-process)")
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=30, help="people typing (processes)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--smoke", action="store_true", help="tiny CI run")
    args = parser.parse_args()
    if args.smoke:
        args.users, args.employees, args.people, args.seconds = 3, 1_000, 6, 3.0
    sys.setrecursionlimit(10_000)
    reference = await run_reference(args.users)
    print(f"reference (ConversationHandler, in memory): {reference:,.0f} updates/s")
    url, stop = start_postgres()
    try:
        r = await in_process(url, args.users, args.employees)
        print(
            f"webhook path, 1 worker in-process, PostgreSQL: {args.users} employees drafting, "
            f"{r['updates']:,.0f} updates | {r['updates_per_s']:,.0f} updates/s (ratio to "
            f"reference {r['updates_per_s'] / reference:.2f}) | p50 {r['p50_ms']:.1f} ms "
            f"p99 {r['p99_ms']:.1f} ms | {r['sql_per_update']:.1f} SQL statements/update "
            f"(+2 on the lock connection)"
        )
        print(
            f"  the same steps handed to the Application directly (the polling path): "
            f"{r['direct_per_s']:,.0f} updates/s | p50 {r['direct_p50_ms']:.1f} ms "
            f"p99 {r['direct_p99_ms']:.1f} ms | {r['direct_sql']:.1f} SQL statements/update"
        )
        for workers in (1, 2):
            r = await processes(url, workers, args.people, args.seconds, None)
            print(
                f"{workers} worker process(es) over HTTP, {args.people} people typing, budget "
                f"unlimited: {r['updates_per_s']:,.0f} updates/s | delivery to answer p50 "
                f"{r['p50_ms']:.1f} ms p99 {r['p99_ms']:.1f} ms | {r['send_rate']:.0f} msg/s"
            )
        budget = 25.0
        r = await processes(url, 2, args.people, args.seconds, budget)
        print(
            f"2 worker processes, budget {budget:.0f} msg/s for both: sent {r['send_rate']:.1f} "
            f"msg/s on average, busiest second {r['busiest_second']:.0f} "
            f"({r['updates_per_s']:,.1f} updates/s, p99 {r['p99_ms']:.0f} ms)"
        )
    finally:
        stop()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    asyncio.run(main())

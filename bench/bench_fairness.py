"""Benchmark: fairness. One person's burst of 60 updates arrives at once (as one getUpdates
answer delivers them: all handed to the update processor together); right after it, another
person opens /menu. Prints that other person's /menu latency during the burst next to its
latency when the bot is idle (the goal: within 2x), for

- ours: each person's turn first, then one of UPDATE_CONCURRENCY slots, the slot given back
  once the step has committed, and the per-person rate limit (USER_MAX_RATE) on;
- ours without the rate limit: all 60 steps run (one at a time), fairness alone;
- the old order: the person's lock taken inside PTB's global semaphore (the burst holds every
  slot while it waits for its own turn).

It asserts nothing. `--latency-ms` adds a delay to every Bot API call (Telegram is not local).

    .venv/bin/python bench/bench_fairness.py                     # SQLite
    .venv/bin/python bench/bench_fairness.py --db postgres       # starts a throw-away server
    .venv/bin/python bench/bench_fairness.py --smoke             # CI: a couple of rounds
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable
from typing import Any

from common import database
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import demo_data
from bot.telegram.app import build_application, tune_gc
from tests.conftest import Harness, make_settings, reset_postgres
from tests.telegram_fake import ChatClient, FakeTelegram

BURST = 60
ADMIN = "199104172015022001"  # the one who sends the burst
STAFF = "199002142015032001"  # the other person
BUSY_USER, OTHER_USER = 80_001, 80_002


class OldOrder(BaseUpdateProcessor):
    """The processor before: PTB's semaphore first, the person's lock inside it."""

    def __init__(self, slots: int) -> None:
        super().__init__(slots)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        key = user.id if user is not None else 0
        async with self._locks.setdefault(key, asyncio.Lock()):
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class SlowTelegram(FakeTelegram):
    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.latency:
            await asyncio.sleep(self.latency)
        return await super().do_request(*args, **kwargs)


async def one(app: Any, update: Update) -> float:
    began = time.perf_counter()
    await app.update_processor.process_update(update, app.process_update(update))
    return time.perf_counter() - began


async def measure(services: Any, variant: str, rounds: int, latency: float) -> dict[str, float]:
    transport = SlowTelegram(latency)
    app = build_application(
        services,
        request=transport,
        rate_limit=False,
        job_queue=False,
        person_limit=variant == "ours",
    )
    if variant == "old order":
        app._update_processor = OldOrder(services.settings.update_concurrency)
    await app.initialize()
    busy_client = ChatClient(app, transport, BUSY_USER)
    other_client = ChatClient(app, transport, OTHER_USER)
    await one(app, other_client.message_update("/menu"))  # warm-up
    idle = []
    for _ in range(rounds * 3):
        await asyncio.sleep(0.25)  # at a person's pace (within the rate limit)
        idle.append(await one(app, other_client.message_update("/menu")))
    during: list[float] = []
    for _ in range(rounds):
        burst = [busy_client.message_update("/menu") for _ in range(BURST)]
        tasks = [asyncio.create_task(one(app, u)) for u in burst]
        await asyncio.sleep(0)  # the burst is queued first, as getUpdates hands it over
        during.append(await one(app, other_client.message_update("/menu")))
        await asyncio.gather(*tasks)
        await asyncio.sleep(1.1)  # the rate limiter's bucket fills up again
    await app.shutdown()
    return {
        "idle_ms": statistics.median(idle) * 1000,
        "during_ms": statistics.median(during) * 1000,
        "worst_ms": max(during) * 1000,
    }


async def run(url: str, rounds: int, latency: float) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), services.clock(), "bench")
    async with Harness(services, FakeTelegram()) as harness:
        await harness.onboard(ADMIN, BUSY_USER)
        await harness.onboard(STAFF, OTHER_USER)
    tune_gc()
    kind = "postgres" if url.startswith("postgresql") else "sqlite"
    try:
        for variant in ("ours", "ours without the rate limit", "old order"):
            r = await measure(services, variant, rounds, latency)
            print(
                f"{kind} | {variant:<28} | another person's /menu: idle {r['idle_ms']:6.1f} ms, "
                f"during a burst of {BURST} {r['during_ms']:7.1f} ms "
                f"({r['during_ms'] / r['idle_ms']:.1f}x idle; worst {r['worst_ms']:.1f} ms)"
            )
    finally:
        await services.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--smoke", action="store_true", help="CI: SQLite, two rounds")
    args = parser.parse_args()
    if args.smoke:
        args.db, args.rounds = "sqlite", 2
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        with database(kind) as url:
            await run(url, args.rounds, args.latency_ms / 1000)


if __name__ == "__main__":
    asyncio.run(main())

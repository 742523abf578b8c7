"""Benchmark: reminders. Plans the 14-day reminder for --employees linked employees on
PostgreSQL (time for the first run, which writes a row per person, and for a second run, which
must write nothing), then drains --messages of them with --processes sender processes, each
with PTB's AIORateLimiter at its share of --rate, against the fake Telegram: the achieved rate
as a share of the configured one, and duplicates. It asserts nothing about time.

    .venv/bin/python bench/bench_reminders.py                       # 100 000, 2 processes
    .venv/bin/python bench/bench_reminders.py --employees 2000 --messages 100 --db sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import time
from datetime import UTC, date, datetime
from typing import Any

from common import database, fill_employees, peak_rss_mb
from sqlalchemy import insert, select, update

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import Employee, LinkStatus, Outbox, OutboxStatus, Period, TelegramLink
from bot.reminders.planner import Planner, ReminderConfig
from bot.services import org_import
from bot.services.demo import DIREKTUR, demo_data
from tests.conftest import make_settings, reset_postgres

STAFF_SLOT = datetime(2026, 1, 23, 2, 30, tzinfo=UTC)  # 14 days before 8 February, 09:30 WIB


async def prepare(url: str, employees: int) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), STAFF_SLOT, "bench")
        await session.execute(update(Period).values(draft_deadline=date(2026, 2, 8)))
    await fill_employees(services, employees, penilai_nip=DIREKTUR)
    async with services.sessionmaker() as session, session.begin():
        ids = list((await session.execute(select(Employee.id))).scalars())
        for start in range(0, len(ids), 5000):
            await session.execute(
                insert(TelegramLink),
                [
                    {
                        "employee_id": i,
                        "tg_user_id": 50_000_000 + i,
                        "chat_id": 50_000_000 + i,
                        "status": LinkStatus.ACTIVE,
                        "created_at": STAFF_SLOT,
                        "confirmed_at": STAFF_SLOT,
                    }
                    for i in ids[start : start + 5000]
                ],
            )
    await services.close()


async def plan(url: str) -> tuple[float, int, float, int]:
    services = build_services(make_settings(url))
    planner = Planner(services.sessionmaker, services.texts, ReminderConfig())
    started = time.perf_counter()
    first = await planner.run(STAFF_SLOT)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = await planner.run(STAFF_SLOT)
    second_s = time.perf_counter() - started
    await services.close()
    return first_s, sum(first.values()), second_s, sum(second.values())


async def keep(url: str, messages: int) -> None:
    """Leave `messages` rows pending (the rest marked sent) so the send run has a fixed size."""
    services = build_services(make_settings(url))
    async with services.sessionmaker() as session, session.begin():
        cutoff = await session.scalar(
            select(Outbox.id).order_by(Outbox.id).offset(messages).limit(1)
        )
        if cutoff is not None:
            await session.execute(
                update(Outbox).where(Outbox.id >= cutoff).values(status=OutboxStatus.SENT)
            )
    await services.close()


def sender_process(url: str, rate: float, out: Any) -> None:
    asyncio.run(_send(url, rate, out))


async def _send(url: str, rate: float, out: Any) -> None:
    from telegram.ext import AIORateLimiter, ExtBot

    from bot.services.outbox import OutboxSender
    from tests.telegram_fake import BASE_URL, TOKEN, FakeTelegram

    services = build_services(make_settings(url), clock=lambda: STAFF_SLOT)
    transport = FakeTelegram()
    limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3)
    bot = ExtBot(TOKEN, base_url=BASE_URL, request=transport, rate_limiter=limiter)
    await bot.initialize()
    sender = OutboxSender(services.sessionmaker, bot, services.clock)
    while await sender.drain(batch=20, max_batches=1):
        pass
    await bot.shutdown()
    await services.close()
    sends = [(chat, t) for chat, t in transport.send_times]
    out.put(json.dumps(sends))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1000, help="how many to send")
    parser.add_argument("--rate", type=float, default=25.0, help="configured messages/s, total")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    args = parser.parse_args()
    with database(args.db) as url:
        await prepare(url, args.employees)
        first_s, first_n, second_s, second_n = await plan(url)
        print(
            f"planning on {args.db}: {first_n:,} reminders for {args.employees:,} employees in "
            f"{first_s:.2f} s; second run {second_s:.2f} s, {second_n} new"
        )
        await keep(url, args.messages)
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        share = args.rate / args.processes
        procs = [
            ctx.Process(target=sender_process, args=(url, share, queue))
            for _ in range(args.processes)
        ]
        for p in procs:
            p.start()
        sends = [s for _ in procs for s in json.loads(queue.get())]
        for p in procs:
            p.join()
    chats = [chat for chat, _ in sends]
    times = sorted(t for _, t in sends)

    def rate_over(ts: list[float]) -> float:
        return (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 and ts[-1] > ts[0] else 0.0

    achieved = rate_over(times)
    # The limiter lets up to a second's worth go at once at the start; after that it paces.
    steady = rate_over(times[int(args.rate) :])
    print(
        f"sending with {args.processes} processes at {args.rate:.0f} messages/s configured: "
        f"{len(sends)} sent, {len(chats) - len(set(chats))} duplicates, achieved "
        f"{achieved:.1f} messages/s overall ({100 * achieved / args.rate:.0f}% of configured), "
        f"{steady:.1f}/s after the first second's burst ({100 * steady / args.rate:.0f}%)"
    )
    print(f"peak RSS (planning process): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

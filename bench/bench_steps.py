"""Benchmark: what each step costs. One person drafts the deck's SBBL list (by paste, then
three items through the wizard), submits, and the leader approves; the employee signs and the
leader sets the SKP, through the real Application and the fake Telegram. For every kind of
step it prints how often it ran, the SQL statements it executed and its Python CPU time (median
and worst), on SQLite and on PostgreSQL. It asserts nothing.

    .venv/bin/python bench/bench_steps.py                 # both databases
    .venv/bin/python bench/bench_steps.py --db sqlite
    .venv/bin/python bench/bench_steps.py --smoke         # SQLite, one run
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import defaultdict
from typing import Any

from common import StatementCounter, database

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import KATIM_SBBL, demo_data
from tests.conftest import Clock, Harness, make_settings, reset_postgres
from tests.skp_examples import SBBL_KATIM
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_skp_flow import add_sbbl_items, leader_with_one_rhk
from tests.test_skp_paste import HEADER, as_tabs, sbbl_rows


class Meter:
    """Wraps a person's client: each update is measured and filed under a step name."""

    def __init__(self, counter: StatementCounter) -> None:
        self.counter = counter
        self.costs: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def watch(self, client: ChatClient, role: str) -> None:
        original = client.process

        async def process(update: Any) -> None:
            name = _step_name(role, update)
            statements, cpu = self.counter.count, time.process_time()
            await original(update)
            self.costs[name].append((self.counter.count - statements, time.process_time() - cpu))

        client.process = process  # type: ignore[method-assign]


def _step_name(role: str, update: Any) -> str:
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        parts = data.split(":")
        return f"{role}: press {parts[0]}:{parts[1] if len(parts) > 1 else ''}"
    text = update.message.text or "(file)"
    if text.startswith("/"):
        return f"{role}: {text.split()[0]}"
    if "\t" in text:
        return f"{role}: paste table"
    return f"{role}: typed text"


async def scenario(db: str) -> Meter:
    with database(db) as url:
        if db == "postgres":
            await reset_postgres(url)
        services = build_services(make_settings(url), clock=Clock())
        await migrations.upgrade(services.db)
        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), services.clock(), "bench")
        meter = Meter(StatementCounter(services.db))
        async with Harness(services, FakeTelegram()) as bot:
            director = await leader_with_one_rhk(bot)
            katim = await bot.onboard(KATIM_SBBL, 9902)
            meter.watch(katim, "employee")
            meter.watch(director, "leader")
            await katim.command("skp")
            rows = sbbl_rows()
            await katim.send(as_tabs([HEADER, *rows[:6]]))
            await katim.click("Simpan semua")
            await add_sbbl_items(katim, list(SBBL_KATIM[6:]))
            await katim.send("3 target 2 rumusan")
            await katim.command("skp")
            await katim.click("Ajukan ke atasan")
            await katim.click("Ya, ajukan")
            await director.command("persetujuan")
            await director.click("1.")
            await director.click("Setujui")
            for label in ("Ya, setujui",):
                if any(label in b for b in director.last.labels()):
                    await director.click(label)
            await katim.command("skp")
            await katim.click("Tandatangani")
            await katim.click("Ya, tandatangani")
            await director.command("persetujuan")
        await services.close()
    return meter


def report(db: str, meter: Meter) -> None:
    print(f"\n== {db}: per step (runs · statements median/max · CPU ms median/max)")
    total_n, total_statements, total_cpu = 0, 0, 0.0
    for name, costs in sorted(meter.costs.items()):
        statements = [s for s, _ in costs]
        cpu = [c * 1000 for _, c in costs]
        total_n += len(costs)
        total_statements += sum(statements)
        total_cpu += sum(cpu)
        print(
            f"{name:42} {len(costs):3} · {statistics.median(statements):5.1f} / "
            f"{max(statements):3} · {statistics.median(cpu):6.2f} / {max(cpu):6.2f}"
        )
    print(
        f"{'all updates':42} {total_n:3} · {total_statements / total_n:5.1f} avg   · "
        f"{total_cpu / total_n:6.2f} avg"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    both = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    kinds = ["sqlite"] if args.smoke else both
    for db in kinds:
        report(db, await scenario(db))


if __name__ == "__main__":
    asyncio.run(main())

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
import cProfile
import pstats
import statistics
import time
from collections import defaultdict
from typing import Any

from common import StatementCounter, database, fill_employees, filler_people

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import DIREKTUR, demo_data
from tests.conftest import Clock, Harness, make_settings, reset_postgres
from tests.skp_examples import SBBL_KATIM
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_skp_flow import add_sbbl_items, leader_with_one_rhk
from tests.test_skp_paste import HEADER, as_tabs, sbbl_rows


class Meter:
    """Wraps a person's client: each update is measured and filed under a step name. Steps
    whose name contains `inspect` have their statements printed and their Python profile kept
    (`profile`), to see where a step's time goes."""

    inspect: str | None = None
    profile = cProfile.Profile()

    def __init__(self, counter: StatementCounter) -> None:
        self.counter = counter
        self.costs: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def watch(self, client: ChatClient, role: str) -> None:
        # as in production: a step's "sent" records ride on the next step's transaction
        client.flush_records = False
        original = client.process

        async def process(update: Any) -> None:
            name = _step_name(role, update, client)
            inspected = bool(Meter.inspect) and Meter.inspect in name
            if inspected:
                print(f"\n-- {name}")
                self.counter.shown = True
                Meter.profile.enable()
            statements, cpu = self.counter.count, time.process_time()
            await original(update)
            if inspected:
                Meter.profile.disable()
                self.counter.shown = False
            self.costs[name].append((self.counter.count - statements, time.process_time() - cpu))

        client.process = process  # type: ignore[method-assign]


def _step_name(role: str, update: Any, client: ChatClient) -> str:
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return f"{role}: press {_label(client, data) or data.split(':')[1]}"
    text = update.message.text or "(file)"
    if text.startswith("/"):
        return f"{role}: {text.split()[0]}"
    if "\t" in text:
        return f"{role}: paste table"
    return f"{role}: typed text"


def _label(client: ChatClient, data: str) -> str | None:
    """The pressed button's text, without its emoji ("Ya, tetapkan")."""
    for message in reversed(client.received):
        for row in message.buttons:
            for button in row:
                if button.get("callback_data") == data:
                    text = " ".join("".join(c for c in button["text"] if c.isascii()).split())
                    # "1. <name>": an entry of a list, whoever it names
                    return "(an entry of the list)" if text[:1].isdigit() else text[:28]
    return None


async def one_round(bot: Harness, director: ChatClient, drafter: ChatClient) -> None:
    """One person's SKP from the first /skp to the leader setting it."""
    await drafter.command("skp")
    rows = sbbl_rows()
    await drafter.send(as_tabs([HEADER, *rows[:6]]))
    await drafter.click("Simpan semua")
    await add_sbbl_items(drafter, list(SBBL_KATIM[6:]))
    await drafter.send("3 target 2 rumusan")
    await drafter.command("skp")
    await drafter.click("Ajukan ke atasan")
    await drafter.click("Ya, ajukan")
    await director.command("persetujuan")
    await director.click("1.")
    await director.click("Setujui")
    await director.click("Ya, setujui")
    await drafter.command("skp")
    await drafter.click("Tandatangani")
    await drafter.click("Ya, tandatangani")
    await director.command("persetujuan")
    await director.click("1.")
    await director.click("Tetapkan SKP")
    await director.click("Ya, tetapkan")


async def scenario(db: str, rounds: int, warmup: int) -> list[Meter]:
    """`warmup` people go through the script unmeasured first (templates compiled, statements
    cached: the steady state of a running bot), then `rounds` people, one Meter each."""
    meters: list[Meter] = []
    with database(db) as url:
        if db == "postgres":
            await reset_postgres(url)
        services = build_services(make_settings(url), clock=Clock())
        await migrations.upgrade(services.db)
        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), services.clock(), "bench")
        await fill_employees(services, 200 + warmup + rounds, penilai_nip=DIREKTUR)
        people = await filler_people(services, warmup + rounds)
        counter = StatementCounter(services.db)
        async with Harness(services, FakeTelegram()) as bot:
            director = await leader_with_one_rhk(bot)
            for index, person in enumerate(people):
                drafter = await bot.onboard(person.nip, 9000 + index)
                meter = Meter(counter)
                if index >= warmup:
                    meter.watch(drafter, "employee")
                    meter.watch(director, "leader")
                    meters.append(meter)
                await one_round(bot, director, drafter)
                _unwatch(director)
        await services.close()
    return meters


def _unwatch(client: ChatClient) -> None:
    client.__dict__.pop("process", None)


def report(db: str, meters: list[Meter]) -> None:
    """Per step: how often it ran in one round, then over the rounds the minimum and the
    median of the round's median statements and Python CPU."""
    print(f"\n== {db}: per step, {len(meters)} measured rounds after warm-up")
    print(f"{'step':42} runs · statements min/med · CPU ms min/med")
    names = sorted({name for meter in meters for name in meter.costs})
    per_round_totals: list[tuple[int, int, float]] = []
    for meter in meters:
        costs = [c for runs in meter.costs.values() for c in runs]
        per_round_totals.append(
            (len(costs), sum(s for s, _ in costs), sum(c for _, c in costs) * 1000)
        )
    for name in names:
        rounds = [meter.costs[name] for meter in meters if name in meter.costs]
        statements = [statistics.median(s for s, _ in runs) for runs in rounds]
        cpu = [statistics.median(c * 1000 for _, c in runs) for runs in rounds]
        print(
            f"{name:42} {len(rounds[0]):4} · {min(statements):5.1f} / "
            f"{statistics.median(statements):5.1f} · {min(cpu):6.2f} / "
            f"{statistics.median(cpu):6.2f}"
        )
    n = per_round_totals[0][0]
    avg_statements = [t[1] / t[0] for t in per_round_totals]
    avg_cpu = [t[2] / t[0] for t in per_round_totals]
    print(
        f"{'all updates (average per update)':42} {n:4} · {min(avg_statements):5.1f} / "
        f"{statistics.median(avg_statements):5.1f} · {min(avg_cpu):6.2f} / "
        f"{statistics.median(avg_cpu):6.2f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3, help="measured people")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured people first")
    parser.add_argument("--smoke", action="store_true", help="SQLite, one round, no warm-up")
    parser.add_argument(
        "--inspect", metavar="STEP", help="print the SQL and the profile of steps named so"
    )
    args = parser.parse_args()
    Meter.inspect = args.inspect
    both = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    kinds = ["sqlite"] if args.smoke else both
    rounds, warmup = (1, 0) if args.smoke else (args.rounds, args.warmup)
    for db in kinds:
        report(db, await scenario(db, rounds, warmup))
    if args.inspect:
        print(f"\n== profile of the steps named {args.inspect!r}, by own time")
        stats = pstats.Stats(Meter.profile)
        stats.sort_stats("tottime").print_stats(35)
        print("\n== the project's own functions in those steps, by cumulative time")
        stats.sort_stats("cumulative").print_stats(r"/(bot|conversations)/", 60)


if __name__ == "__main__":
    asyncio.run(main())

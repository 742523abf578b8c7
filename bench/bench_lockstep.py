"""Benchmark: 100 people press the same heavy button in the same second (a reminder at 09:00
whose button opens the SKP overview; the deadline's afternoon when everyone submits).

Each person has drafted the deck's SBBL list (9 IKI, pasted through the real flows). Then, in
one process, through the real Application and the fake Telegram:

- overview: everyone opens /skp within one second (due at 100 a second, in lockstep);
- submit: everyone, already on the confirmation, presses "Ya, ajukan" within one second.

For each, p50/p99 latency from the moment the press was due to the moment its answer was sent,
over 3 runs (fresh people each run), as min/median; SQLite and PostgreSQL. Prints, asserts
nothing.

    .venv/bin/python bench/bench_lockstep.py                  # both databases, 100 people
    .venv/bin/python bench/bench_lockstep.py --db sqlite --people 50 --runs 1
    .venv/bin/python bench/bench_lockstep.py --smoke
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from common import StepFn, database, drive, fill_employees, filler_people

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import DIREKTUR, demo_data
from bot.telegram.app import tune_gc
from tests.conftest import Clock, Harness, make_settings, reset_postgres
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_skp_flow import leader_with_one_rhk
from tests.test_skp_paste import HEADER, as_tabs, sbbl_rows


async def drafted(bot: Harness, nip: str, user_id: int) -> ChatClient:
    """A person whose SKP holds the deck's list, ready to submit."""
    person = await bot.onboard(nip, user_id)
    await person.command("skp")
    await person.send(as_tabs([HEADER, *sbbl_rows()]))
    await person.click("Simpan semua")
    return person


async def one_run(db: str, people: int, rate: float, warm: int) -> dict[str, tuple[float, float]]:
    with database(db) as url:
        if db == "postgres":
            await reset_postgres(url)
        services = build_services(make_settings(url), clock=Clock())
        await migrations.upgrade(services.db)
        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), services.clock(), "bench")
        await fill_employees(services, 200 + warm + people, penilai_nip=DIREKTUR)
        staff = await filler_people(services, warm + people)
        results: dict[str, tuple[float, float]] = {}
        async with Harness(services, FakeTelegram()) as bot:
            await leader_with_one_rhk(bot)
            everyone = [await drafted(bot, p.nip, 20_000 + i) for i, p in enumerate(staff)]
            tune_gc()  # the collector as the running bot sets it after start-up

            def open_overview(c: ChatClient) -> StepFn:
                return lambda: c.message_update("/skp")

            def confirm(c: ChatClient) -> StepFn:
                return lambda: c.callback_update(c.find_button("Ya, ajukan")[1])

            # `warm` people first, unmeasured, in lockstep too: a running bot has every
            # statement prepared on each pooled connection already (the first presses after
            # a start pay for that, once per connection).
            for group, measured in ((everyone[:warm], False), (everyone[warm:], True)):
                run = await drive(bot.app, [[open_overview(c)] for c in group], rate, stagger=False)
                if measured:
                    results["overview (/skp)"] = (run.p50_ms, run.p99_ms)
                for c in group:
                    await c.click("Ajukan ke atasan")
                run = await drive(bot.app, [[confirm(c)] for c in group], rate, stagger=False)
                if measured:
                    results['submit ("Ya, ajukan")'] = (run.p50_ms, run.p99_ms)
        await services.close()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--rate", type=float, default=100.0, help="presses a second")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--warm", type=int, default=20, help="people pressing first, unmeasured (0: a cold start)"
    )
    parser.add_argument("--smoke", action="store_true", help="SQLite, 10 people, one run")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    people, runs = args.people, args.runs
    warm = args.warm
    if args.smoke:
        kinds, people, runs, warm = ["sqlite"], 10, 1, 2
    for db in kinds:
        collected: dict[str, list[tuple[float, float]]] = {}
        for _ in range(runs):
            for name, value in (await one_run(db, people, args.rate, warm)).items():
                collected.setdefault(name, []).append(value)
        print(
            f"\n== {db}: {people} people pressing in lockstep at {args.rate:g}/s, {runs} runs"
            f" (after {warm} unmeasured)"
        )
        for name, values in collected.items():
            p50 = [v[0] for v in values]
            p99 = [v[1] for v in values]
            print(
                f"{name:24} p50 min/median {min(p50):7.1f} / {statistics.median(p50):7.1f} ms"
                f" · p99 min/median {min(p99):7.1f} / {statistics.median(p99):7.1f} ms"
            )


if __name__ == "__main__":
    asyncio.run(main())

"""Benchmark: crash safety under many kills. Runs the scenario of tests/test_crash_kill.py (the
real `dialog-kinerja run` process long polling a Bot API server over HTTP, 4 people acting in
closed loops, the process killed with SIGKILL at random moments and started again) with more
kills than CI affords, and prints what it counts instead of asserting:

- lost answers: actions never answered (or answered out of order), out of those expected;
- unexpected answers: answers beyond those, in the wrong order or of another kind;
- duplicate messages: a message that reached the person twice (the one window left: a kill
  between Telegram accepting a message and the bot recording it);
- duplicate reply rows: an update whose step wrote its reply more than once (run twice);
- unanswered button presses, updates stored and never processed, messages left unsent.

People take 12 actions for every 5 kills (so they are still acting when the last kill comes).

    .venv/bin/python bench/bench_crash_kill.py                    # 20 kills, SQLite
    .venv/bin/python bench/bench_crash_kill.py --db postgres      # starts a throw-away server
    .venv/bin/python bench/bench_crash_kill.py --kills 50 --rounds 3 --seed 7
    .venv/bin/python bench/bench_crash_kill.py --smoke            # CI: 2 kills, SQLite

The test itself takes its figures from the environment: `KILL_COUNT=20 KILL_ACTIONS=48
.venv/bin/pytest -q -s tests/test_crash_kill.py` asserts the same with 20 kills.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
from pathlib import Path

from common import database

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import demo_data
from tests.conftest import make_settings, reset_postgres
from tests.test_crash_kill import KillRun, kill_run

COLUMNS = (
    "round",
    "kills",
    "starts",
    "answers expected",
    "lost",
    "unexpected",
    "duplicate msgs",
    "duplicate rows",
    "unanswered presses",
    "unprocessed",
    "unsent",
    "seconds",
)


async def one_round(url: str, kills: int, actions: int, seed: int | None) -> KillRun:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    try:
        await migrations.upgrade(services.db)
        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), services.clock(), "bench")
        with tempfile.TemporaryDirectory(prefix="dk-kill-") as folder:
            return await kill_run(services, url, Path(folder), kills, actions, seed)
    finally:
        await services.close()


def row(values: tuple[object, ...]) -> str:
    return " | ".join(f"{v!s:>{len(c)}}" for v, c in zip(values, COLUMNS, strict=True))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="the scenario, this many times")
    parser.add_argument("--actions", type=int, default=None, help="per person (default: scaled)")
    parser.add_argument("--seed", type=int, default=None, help="random moments (round adds 1)")
    parser.add_argument("--smoke", action="store_true", help="CI: SQLite, 2 kills")
    args = parser.parse_args()
    if args.smoke:
        args.db, args.kills, args.rounds = "sqlite", 2, 1
    actions = args.actions or 12 * max(1, math.ceil(args.kills / 5))
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        print(f"\n{kind}: {args.kills} kills per round, {actions} actions per person")
        print(row(COLUMNS))
        totals = [0] * 9
        with database(kind) as url:
            for n in range(1, args.rounds + 1):
                seed = None if args.seed is None else args.seed + n - 1
                run = await one_round(url, args.kills, actions, seed)
                figures = (
                    run.kills,
                    run.starts,
                    run.expected,
                    run.lost,
                    run.unexpected,
                    run.duplicates,
                    run.duplicate_rows,
                    run.unanswered_presses,
                    run.unprocessed,
                )
                totals = [t + f for t, f in zip(totals, figures, strict=True)]
                print(row((n, *figures, len(run.unsent), f"{run.seconds:.0f}")))
                for error in run.errors:
                    print("  " + error.replace("\n", "\n  ")[:4000])
        if args.rounds > 1:
            print(row(("all", *totals, "", "")))


if __name__ == "__main__":
    asyncio.run(main())

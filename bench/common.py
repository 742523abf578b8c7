"""What the benchmarks share: a large organisation to run against, a throw-away PostgreSQL
server, a statement counter, and a driver that feeds updates to an Application the way
Telegram traffic arrives (many people at once, each person's updates in order) through the
application's own update processor."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402
from telegram import Update  # noqa: E402

from bot.db.models import Employee, Unit  # noqa: E402

# One step of one person: builds the next update (after the previous one was answered, so it
# can press a button the bot just sent).
StepFn = Callable[[], Update]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fill_employees(services: Any, total: int, penilai_nip: str | None = None) -> None:
    """Bulk-add filler employees so lookups run against a realistically large table."""
    async with services.sessionmaker() as session, session.begin():
        unit_id = (await session.execute(select(Unit.id).where(Unit.code == "ROOSDM"))).scalar_one()
        penilai_id = (
            await session.scalar(select(Employee.id).where(Employee.nip == penilai_nip))
            if penilai_nip
            else None
        )
        existing = len((await session.execute(select(Employee.id))).all())
        now = services.clock()
        chunk: list[dict[str, Any]] = []
        for i in range(existing, total):
            chunk.append(
                {
                    "nip": f"{900000000000000000 + i}",
                    "name": f"Pegawai Uji {i}",
                    "pangkat_golongan": "III/a",
                    "jabatan": "Analis SDM Aparatur Ahli Pertama",
                    "jenis_jabatan": "JF",
                    "jenjang": "Ahli Pertama",
                    "unit_id": unit_id,
                    "penilai_id": penilai_id,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(chunk) == 5000:
                await session.execute(insert(Employee), chunk)
                chunk = []
        if chunk:
            await session.execute(insert(Employee), chunk)


async def filler_people(services: Any, count: int) -> list[Employee]:
    async with services.sessionmaker() as session:
        return list(
            (
                await session.execute(
                    select(Employee)
                    .where(Employee.nip.like("9%"))
                    .order_by(Employee.id)
                    .limit(count)
                )
            ).scalars()
        )


def start_postgres() -> tuple[str, Callable[[], None]]:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url, lambda: None
    folder = tempfile.mkdtemp(prefix="dk-bench-pg-")
    url = subprocess.check_output(
        [str(ROOT / "scripts/pg-test-server"), "start", folder, "54339"], text=True
    ).strip()
    return url, lambda: subprocess.run(
        [str(ROOT / "scripts/pg-test-server"), "stop", folder], check=False
    )


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.shown = False  # print each statement's first line while set
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1
        if self.shown:
            print("   ", " ".join(statement.split())[:160])


@dataclass
class Run:
    latencies: list[float]
    elapsed: float

    @property
    def updates_per_s(self) -> float:
        return len(self.latencies) / self.elapsed

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000


async def drive(
    app: Any, people: list[list[StepFn]], rate: float | None = None, stagger: bool = True
) -> Run:
    """Everyone at once, each person's steps in order, through app.update_processor (so the
    application's own concurrency and per-person ordering apply).

    Closed loop (rate None): each person sends the next update as soon as the previous one was
    answered. Paced: updates are due on a fixed schedule and a latency includes any wait behind
    earlier updates. Each person takes a step every `people / rate` seconds; with `stagger`
    people start spread over the script's length (at any moment they are at different steps,
    as real users are, and the peak offered load is `rate`), without it they move in lockstep
    (everyone presses the same button within the same moment: a worst case)."""
    latencies: list[float] = []
    users = len(people)
    length = max((len(steps) for steps in people), default=1)
    start = time.perf_counter()

    async def person(index: int, steps: list[StepFn]) -> None:
        offset = index * length if stagger else index
        for k, make in enumerate(steps):
            due = None
            if rate:
                due = start + (k * users + offset) / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            update = make()
            began = due if due is not None else time.perf_counter()
            await app.update_processor.process_update(update, app.process_update(update))
            latencies.append(time.perf_counter() - began)

    await asyncio.gather(*(person(i, steps) for i, steps in enumerate(people)))
    return Run(latencies, time.perf_counter() - start)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh database URL of the given kind, removed afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="dk-bench-")
        yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    url, stop = start_postgres()
    try:
        yield url
    finally:
        stop()

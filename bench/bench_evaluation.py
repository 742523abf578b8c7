"""Benchmark: the evaluation. --employees employees with a set SKP of 10 IKI under one
pejabat penilai, each with --months monthly check-ins (a realisation per IKI); then, for a
sample, a whole evaluation in one transaction each (start with the weighted capaian over the
year's realisations, rate hasil and perilaku, finalise with the notice), and the unit head's
distribution of predikat over everyone. Prints time, SQL statements and peak RSS for two
history lengths: the statements of an evaluation must not grow with the months reported. It
asserts nothing about time.

    .venv/bin/python bench/bench_evaluation.py                 # 10 000 employees, PostgreSQL
    .venv/bin/python bench/bench_evaluation.py --smoke         # 300 employees, SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from common import StatementCounter, database, fill_employees, peak_rss_mb, percentile
from sqlalchemy import insert, select, update

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import (
    CheckIn,
    CheckInStatus,
    Employee,
    Evaluation,
    EvaluationState,
    Period,
    Realisation,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.domain.evaluation import Rating
from bot.domain.policy import Aspek
from bot.services import org_import
from bot.services.demo import KATIM_PENKIN, demo_data
from bot.usecases import evaluation as uc
from bot.usecases.base import Tx
from bot.usecases.evaluation_data import predikat_counts
from tests.conftest import make_settings, reset_postgres

SET_AT = datetime(2026, 1, 20, 2, 0, tzinfo=UTC)
EVALUATED_AT = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
ITEMS = 10
SAMPLE = 100


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


async def prepare(url: str, employees: int, months: int) -> tuple[int, list[int], int, int]:
    """The leader's id, the filler employees' ids, the period's id and their unit's id."""
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), SET_AT, "bench")
    await fill_employees(services, employees, penilai_nip=KATIM_PENKIN)
    async with services.sessionmaker() as session, session.begin():
        leader = await session.scalar(select(Employee.id).where(Employee.nip == KATIM_PENKIN))
        assert leader is not None
        ids = list(
            (
                await session.execute(
                    select(Employee.id).where(Employee.nip.like("9%")).order_by(Employee.id)
                )
            ).scalars()
        )
        await session.execute(
            update(Employee).where(Employee.id.in_(ids)).values(penilai_id=leader)
        )
        unit_id = await session.scalar(select(Employee.unit_id).where(Employee.id == ids[0]))
        period_id = (await session.execute(select(Period.id))).scalar_one()
        for chunk in _chunks(
            [
                {
                    "employee_id": i,
                    "period_id": period_id,
                    "number": 1,
                    "status": SkpStatus.SET,
                    "revision": 5,
                    "penilai_id": leader,
                    "created_at": SET_AT,
                    "updated_at": SET_AT,
                    "set_at": SET_AT,
                }
                for i in ids
            ]
        ):
            await session.execute(insert(Skp), chunk)
        skps = dict((await session.execute(select(Skp.id, Skp.employee_id))).all())
        for chunk in _chunks(
            [
                {
                    "skp_id": skp_id,
                    "position": p,
                    "jenis": "BYD" if p == ITEMS else "TUSI",
                    "rhk": f"Hasil kerja {p} tersusun sesuai ketentuan",
                    "aspek": Aspek.KUANTITAS,
                    "iki": f"Jumlah kegiatan {p} yang terlaksana",
                    "target_value": Decimal(12),
                    "satuan": "Kali",
                    "bobot": Decimal(20) if p == ITEMS else Decimal(100) / (ITEMS - 1),
                    "created_at": SET_AT,
                    "updated_at": SET_AT,
                }
                for skp_id in skps
                for p in range(1, ITEMS + 1)
            ]
        ):
            await session.execute(insert(SkpItem), chunk)
        sampled = list(skps)[:SAMPLE]
        for chunk in _chunks(
            [
                {
                    "skp_id": skp_id,
                    "employee_id": skps[skp_id],
                    "period_key": f"2026-{m:02d}",
                    "note": "",
                    "status": CheckInStatus.SUBMITTED,
                    "created_at": SET_AT,
                    "updated_at": SET_AT,
                    "submitted_at": SET_AT,
                }
                for skp_id in sampled
                for m in range(1, months + 1)
            ]
        ):
            await session.execute(insert(CheckIn), chunk)
        check_ins = (await session.execute(select(CheckIn.id, CheckIn.skp_id))).all()
        items = (await session.execute(select(SkpItem.id, SkpItem.skp_id))).all()
        by_skp: dict[int, list[int]] = {}
        for item_id, skp_id in items:
            by_skp.setdefault(skp_id, []).append(item_id)
        for chunk in _chunks(
            [
                {
                    "check_in_id": check_in,
                    "item_id": item_id,
                    "value": Decimal(n + 1),
                    "typed": f"{n + 1} kali",
                    "note": "",
                    "updated_at": SET_AT,
                }
                for check_in, skp_id in check_ins
                for n, item_id in enumerate(by_skp[skp_id])
            ]
        ):
            await session.execute(insert(Realisation), chunk)
        # everyone else already evaluated for the year: the distribution counts them all
        for chunk in _chunks(
            [
                {
                    "skp_id": skp_id,
                    "employee_id": skps[skp_id],
                    "period": "tahunan",
                    "state": EvaluationState.FINAL,
                    "hasil_rating": "sesuai",
                    "perilaku_rating": "sesuai",
                    "predikat": ("baik", "sangat_baik", "butuh_perbaikan")[n % 3],
                    "value_ratings": {},
                    "value_notes": {},
                    "capaian_items": [],
                    "hasil_note": "",
                    "training_needs": "",
                    "recognition": "",
                    "follow_up": "",
                    "evaluator_id": leader,
                    "revision": 1,
                    "created_at": SET_AT,
                    "updated_at": SET_AT,
                    "finalised_at": SET_AT,
                }
                for n, skp_id in enumerate(list(skps)[SAMPLE:])
            ]
        ):
            await session.execute(insert(Evaluation), chunk)
    await services.close()
    assert unit_id is not None
    return leader, [skps[s] for s in sampled], period_id, unit_id


async def run(
    url: str, leader: int, sample: list[int], period_id: int, unit_id: int
) -> dict[str, Any]:
    services = build_services(make_settings(url))
    counter = StatementCounter(services.db)
    seconds: list[float] = []
    statements: list[int] = []
    for employee_id in sample:
        counter.count = 0
        started = time.perf_counter()
        async with services.sessionmaker() as session, session.begin():
            tx = Tx(session, EVALUATED_AT, leader, "bench", services.texts)
            row = await uc.start(tx, employee_id, "tahunan")
            await uc.rate_hasil(tx, row.id, Rating.SESUAI, None)
            await uc.rate_perilaku(tx, row.id, Rating.DIATAS, None)
            await uc.finalise(tx, row.id, None)
        seconds.append(time.perf_counter() - started)
        statements.append(counter.count)
    counter.count = 0
    started = time.perf_counter()
    async with services.sessionmaker() as session:
        counts = await predikat_counts(session, unit_id, period_id, "tahunan")
    distribution = time.perf_counter() - started
    await services.close()
    return {
        "evaluation_ms": (statistics.median(seconds) * 1000, percentile(seconds, 0.95) * 1000),
        "statements": (min(statements), max(statements)),
        "distribution_s": distribution,
        "distribution_statements": counter.count,
        "evaluated": sum(counts.values()),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--months", default="3,12", help="history lengths to compare")
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--smoke", action="store_true", help="CI: 300 employees on SQLite")
    args = parser.parse_args()
    if args.smoke:
        args.employees, args.db = 300, "sqlite"
    for months in (int(m) for m in args.months.split(",")):
        with database(args.db) as url:
            prepared = await prepare(url, args.employees, months)
            f = await run(url, *prepared)
        p50, p95 = f["evaluation_ms"]
        print(f"{args.db}, {args.employees} employees, {months} check-ins each:")
        print(
            f"  one evaluation (start, 2 ratings, final)  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
            f"  {f['statements'][0]}–{f['statements'][1]} statements"
        )
        print(
            f"  unit distribution over {f['evaluated']} final evaluations"
            f"  {f['distribution_s'] * 1000:6.1f} ms  {f['distribution_statements']} statement(s)"
        )
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

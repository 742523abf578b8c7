"""Benchmark: a check-in round. --employees linked employees with a set SKP (6 IKI, a
trajectory on two of them) in teams of --team under their own leader; half of them have
checked in. Times the planner's round (check-in reminders, leaders first) and the run that
builds one team digest per leader, counting SQL statements and peak RSS, for two team sizes:
the statements must not grow with the team size. It asserts nothing about time.

    .venv/bin/python bench/bench_checkins.py                 # 10 000 employees, PostgreSQL
    .venv/bin/python bench/bench_checkins.py --smoke         # 300 employees, SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from common import StatementCounter, database, fill_employees, peak_rss_mb
from sqlalchemy import insert, select, update

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import (
    CheckIn,
    CheckInStatus,
    Employee,
    ItemTrajectory,
    LinkStatus,
    Period,
    Realisation,
    Skp,
    SkpItem,
    SkpStatus,
    TelegramLink,
)
from bot.domain.policy import Aspek
from bot.reminders.planner import Planner, ReminderConfig
from bot.services import org_import
from bot.services.demo import demo_data
from tests.conftest import make_settings, reset_postgres

SET_AT = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)
LEADERS_DAY = datetime(2026, 3, 24, 2, 30, tzinfo=UTC)  # a working day before the staff
STAFF_DAY = datetime(2026, 3, 25, 2, 30, tzinfo=UTC)
DIGEST_DAY = datetime(2026, 3, 30, 2, 30, tzinfo=UTC)
ITEMS = 6


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


async def prepare(url: str, employees: int, team: int) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), SET_AT, "bench")
    await fill_employees(services, employees)
    async with services.sessionmaker() as session, session.begin():
        ids = list(
            (
                await session.execute(
                    select(Employee.id).where(Employee.nip.like("9%")).order_by(Employee.id)
                )
            ).scalars()
        )
        period_id = (await session.execute(select(Period.id))).scalar_one()
        # every (team + 1)-th filler leads the next `team` ones
        for n, leader in enumerate(ids[:: team + 1]):
            members = ids[n * (team + 1) + 1 : (n + 1) * (team + 1)]
            if members:
                await session.execute(
                    update(Employee).where(Employee.id.in_(members)).values(penilai_id=leader)
                )
        for chunk in _chunks(
            [
                {
                    "employee_id": i,
                    "tg_user_id": 60_000_000 + i,
                    "chat_id": 60_000_000 + i,
                    "status": LinkStatus.ACTIVE,
                    "created_at": SET_AT,
                    "confirmed_at": SET_AT,
                }
                for i in ids
            ]
        ):
            await session.execute(insert(TelegramLink), chunk)
        for chunk in _chunks(
            [
                {
                    "employee_id": i,
                    "period_id": period_id,
                    "number": 1,
                    "status": SkpStatus.SET,
                    "revision": 5,
                    "created_at": SET_AT,
                    "updated_at": SET_AT,
                    "set_at": SET_AT,
                }
                for i in ids
            ]
        ):
            await session.execute(insert(Skp), chunk)
        skps = dict((await session.execute(select(Skp.id, Skp.employee_id))).all())
        item_rows = [
            {
                "skp_id": skp_id,
                "position": p,
                "jenis": "TUSI",
                "rhk": f"Hasil kerja {p} tersusun sesuai ketentuan",
                "aspek": Aspek.KUANTITAS,
                "iki": f"Jumlah kegiatan {p} yang terlaksana",
                "target_value": Decimal(4),
                "satuan": "Kali",
                "bobot": Decimal(15),
                "created_at": SET_AT,
                "updated_at": SET_AT,
            }
            for skp_id in skps
            for p in range(1, ITEMS + 1)
        ]
        for chunk in _chunks(item_rows):
            await session.execute(insert(SkpItem), chunk)
        items = (await session.execute(select(SkpItem.id, SkpItem.skp_id, SkpItem.position))).all()
        for chunk in _chunks(
            [
                {"item_id": item_id, "quarter": q, "value": Decimal(q)}
                for item_id, _skp, position in items
                if position <= 2
                for q in range(1, 5)
            ]
        ):
            await session.execute(insert(ItemTrajectory), chunk)
        checked = [skp_id for n, skp_id in enumerate(skps) if n % 2 == 0]
        for chunk in _chunks(
            [
                {
                    "skp_id": skp_id,
                    "employee_id": skps[skp_id],
                    "period_key": "2026-03",
                    "note": "",
                    "status": CheckInStatus.SUBMITTED,
                    "created_at": STAFF_DAY,
                    "updated_at": STAFF_DAY,
                    "submitted_at": STAFF_DAY,
                }
                for skp_id in checked
            ]
        ):
            await session.execute(insert(CheckIn), chunk)
        check_ins = dict((await session.execute(select(CheckIn.skp_id, CheckIn.id))).all())
        by_skp: dict[int, list[int]] = {}
        for item_id, skp_id, _position in items:
            by_skp.setdefault(skp_id, []).append(item_id)
        for chunk in _chunks(
            [
                {
                    "check_in_id": check_in,
                    "item_id": item_id,
                    "value": Decimal(n % 3),
                    "typed": f"{n % 3} kali",
                    "note": "",
                    "updated_at": STAFF_DAY,
                }
                for skp_id, check_in in check_ins.items()
                for n, item_id in enumerate(by_skp[skp_id])
            ]
        ):
            await session.execute(insert(Realisation), chunk)
    await services.close()


async def run_round(url: str) -> dict[str, Any]:
    services = build_services(make_settings(url))
    counter = StatementCounter(services.db)
    planner = Planner(services.sessionmaker, services.texts, ReminderConfig())
    figures: dict[str, Any] = {}
    for name, at in (("leaders", LEADERS_DAY), ("staff", STAFF_DAY), ("digests", DIGEST_DAY)):
        counter.count = 0
        started = time.perf_counter()
        written = await planner.run(at)
        figures[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "statements": counter.count,
            "rows": dict(written),
        }
    await services.close()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--teams", default="10,50", help="team sizes to compare")
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--smoke", action="store_true", help="CI: 300 employees on SQLite")
    args = parser.parse_args()
    if args.smoke:
        args.employees, args.db = 300, "sqlite"
    for team in (int(t) for t in args.teams.split(",")):
        with database(args.db) as url:
            await prepare(url, args.employees, team)
            figures = await run_round(url)
        print(f"{args.db}, {args.employees} employees, teams of {team}:")
        for name, f in figures.items():
            print(f"  {name:8} {f['seconds']:7.3f} s  {f['statements']:4d} statements  {f['rows']}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

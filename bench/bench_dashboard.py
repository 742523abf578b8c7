"""Benchmark: the web dashboard's unit overview (GET /dasbor as an administrator, through the
real ASGI app) for a large organisation: 100 000 employees in 250 units by default, most with
an SKP in some state (a few items each), Telegram links (some unreachable), open reports.
Prints the server time per request (median and worst of several) and the SQL statements one
request makes, on SQLite and PostgreSQL. The goal is under 300 ms on PostgreSQL; nothing is
asserted.

    .venv/bin/python bench/bench_dashboard.py                   # both databases, 100 000
    .venv/bin/python bench/bench_dashboard.py --db postgres --employees 200000
    .venv/bin/python bench/bench_dashboard.py --smoke           # 5 000, a quick CI run
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from common import StatementCounter, database
from sqlalchemy import insert, select

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import (
    DataReport,
    Employee,
    LinkStatus,
    Period,
    RoleGrant,
    RoleName,
    Skp,
    SkpItem,
    SkpStatus,
    TelegramLink,
    Unit,
    WebLogin,
)
from bot.services import org_import
from bot.services.demo import demo_data
from bot.webapp import auth
from bot.webapp.server import build_web_app
from tests.conftest import make_settings, reset_postgres

SECRET = "bench-session-secret-" + "x" * 24
NOW = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
# How the SKPs of a season three weeks in are spread over the states (None: no SKP yet).
STATES: list[tuple[SkpStatus | None, int]] = [
    (None, 25),
    (SkpStatus.DRAFT, 25),
    (SkpStatus.SUBMITTED, 15),
    (SkpStatus.REVISION, 5),
    (SkpStatus.AGREED, 10),
    (SkpStatus.SIGNED, 5),
    (SkpStatus.SET, 15),
]
CHUNK = 5000


async def _bulk(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[i : i + CHUNK])


async def populate(services: Any, employees: int, units: int, seed: int = 7) -> None:
    """The demo organisation plus `units` units and `employees` people, by bulk inserts."""
    rng = random.Random(seed)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), NOW, "bench")
    async with services.sessionmaker() as session, session.begin():
        root = await session.scalar(select(Unit.id).where(Unit.code == "KEMENKES"))
        period = (await session.execute(select(Period))).scalar_one()
        zones = ["WIB", "WIB", "WIB", "WITA", "WIT"]
        await _bulk(
            session,
            Unit,
            [
                {
                    "code": f"BENCH{u:04d}",
                    "name": f"Satuan Kerja Uji {u:04d}",
                    "parent_id": root,
                    "timezone": zones[u % len(zones)],
                    "kota": "",
                }
                for u in range(units)
            ],
        )
        unit_ids = list(
            (await session.execute(select(Unit.id).where(Unit.code.like("BENCH%")))).scalars()
        )
        people = [
            {
                "nip": f"{800000000000000000 + i}",
                "name": f"Pegawai Uji {i}",
                "pangkat_golongan": "III/a",
                "jabatan": "Analis SDM Aparatur Ahli Pertama",
                "jenis_jabatan": "JF",
                "jenjang": "Ahli Pertama",
                "unit_id": unit_ids[i % len(unit_ids)],
                "penilai_id": None,
                "active": True,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(employees)
        ]
        await _bulk(session, Employee, people)
        rows = (
            await session.execute(
                select(Employee.id, Employee.unit_id).where(Employee.nip.like("8%"))
            )
        ).all()
        # The first person of each unit heads it and is everyone's penilai there.
        heads: dict[int, int] = {}
        for emp_id, unit_id in rows:
            heads.setdefault(unit_id, emp_id)
        for unit_id, head in heads.items():
            await session.execute(
                Unit.__table__.update().where(Unit.id == unit_id).values(head_id=head)
            )
        await session.execute(
            Employee.__table__.update()
            .where(Employee.nip.like("8%"))
            .values(
                penilai_id=select(Unit.head_id).where(Unit.id == Employee.unit_id).scalar_subquery()
            )
        )
        weights = [w for _s, w in STATES]
        skps, links, reports = [], [], []
        for emp_id, _unit in rows:
            state = rng.choices([s for s, _w in STATES], weights)[0]
            if state is not None:
                submitted = state not in (SkpStatus.DRAFT,)
                skps.append(
                    {
                        "employee_id": emp_id,
                        "period_id": period.id,
                        "number": 1,
                        "status": state.value,
                        "revision": 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                        "submitted_at": NOW - timedelta(days=rng.randint(0, 12))
                        if submitted
                        else None,
                        "skema_periodik": "bulanan",
                        "skema_insidental": True,
                        "konsekuensi_positif": "",
                        "konsekuensi_negatif": "",
                    }
                )
            if rng.random() < 0.8:
                links.append(
                    {
                        "employee_id": emp_id,
                        "tg_user_id": 10_000_000 + emp_id,
                        "chat_id": 10_000_000 + emp_id,
                        "status": LinkStatus.ACTIVE.value,
                        "unreachable_since": NOW if rng.random() < 0.01 else None,
                        "created_at": NOW,
                    }
                )
            if rng.random() < 0.005:
                reports.append(
                    {
                        "employee_id": emp_id,
                        "field": "atasan",
                        "note": "Atasan saya sudah pindah.",
                        "status": "open",
                        "created_at": NOW,
                    }
                )
        await _bulk(session, Skp, skps)
        await _bulk(session, TelegramLink, links)
        await _bulk(session, DataReport, reports)
        skp_rows = (await session.execute(select(Skp.id, Skp.status))).all()
        items = []
        for skp_id, status in skp_rows:
            if status is SkpStatus.DRAFT and rng.random() < 0.5:
                continue  # a draft without items: not started
            for position in range(1, 4):
                items.append(
                    {
                        "skp_id": skp_id,
                        "position": position,
                        "jenis": "TUSI",
                        "rhk": "Terlaksananya layanan administrasi kepegawaian",
                        "aspek": "kuantitas",
                        "iki": "Jumlah dokumen layanan kepegawaian yang diselesaikan",
                        "target_value": 12,
                        "satuan": "Dokumen",
                        "bobot": 30,
                        "leader_rhk": "",
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
        await _bulk(session, SkpItem, items)


async def run(kind: str, employees: int, units: int, repeats: int) -> None:
    import httpx

    with database(kind) as url:
        if kind == "postgres":
            await reset_postgres(url)
        settings = make_settings(
            url, web_base_url="https://dasbor.example", web_session_secret=SECRET
        )
        services = build_services(settings, clock=lambda: NOW)
        try:
            await migrations.upgrade(services.db)
            began = time.perf_counter()
            await populate(services, employees, units)
            filled = time.perf_counter() - began
            async with services.sessionmaker() as session, session.begin():
                admin = await session.scalar(select(Employee.id).where(Employee.nip.like("8%")))
                assert admin is not None
                session.add(RoleGrant(employee_id=admin, role=RoleName.ADMIN))
            if kind == "postgres":
                async with services.db.begin() as conn:
                    from sqlalchemy import text

                    await conn.execute(text("ANALYZE"))
            app = build_web_app(services)
            # a session stands on its login row (logging out ends it)
            async with services.sessionmaker() as session, session.begin():
                login = WebLogin(
                    employee_id=admin,
                    token_hash="0" * 64,
                    created_at=NOW,
                    expires_at=NOW + timedelta(hours=1),
                    used_at=NOW,
                )
                session.add(login)
                await session.flush()
                sid = login.id
            expires = NOW + timedelta(hours=1)
            cookie = auth.sign_session(SECRET.encode(), auth.DASH, admin, expires, sid)
            counter = StatementCounter(services.db)
            times: list[float] = []
            statements: list[int] = []
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="https://dasbor.example"
            ) as client:
                client.cookies.set(auth.COOKIE, cookie)
                for _ in range(repeats + 1):  # the first warms the caches
                    before = counter.count
                    start = time.perf_counter()
                    answer = await client.get("/dasbor")
                    times.append(time.perf_counter() - start)
                    statements.append(counter.count - before)
                    assert answer.status_code == 200, answer.status_code
                units_shown = answer.text.count("<tr data-unit=")
            warm = times[1:]
            print(
                f"{kind:9} {employees:>7} employees, {units_shown} units (filled in "
                f"{filled:.1f} s): GET /dasbor median {statistics.median(warm) * 1000:.0f} ms, "
                f"worst {max(warm) * 1000:.0f} ms, first {times[0] * 1000:.0f} ms; "
                f"{statements[-1]} SQL statements per request"
            )
        finally:
            await services.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny CI run (SQLite, 5 000)")
    args = parser.parse_args()
    if args.smoke:
        args.db, args.employees, args.units, args.repeats = "sqlite", 5000, 40, 2
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        asyncio.run(run(kind, args.employees, args.units, args.repeats))


if __name__ == "__main__":
    main()

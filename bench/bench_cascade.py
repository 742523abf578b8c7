"""Benchmark: the cascade for a unit of --people people with --indicators indicators. The
director's SKP has one item per indicator, each cascaded (one strategy, one activity) to its
share of the staff; then the proposals are sent (a draft item in every assignee's SKP) and the
MPPH is built, as the chat does. Prints time and SQL statements for each; asserts nothing.

    .venv/bin/python bench/bench_cascade.py                  # PostgreSQL, 300 people, 40
    .venv/bin/python bench/bench_cascade.py --db sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from decimal import Decimal

from common import StatementCounter, database, fill_employees, filler_people
from sqlalchemy import select

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import CascadeAssignment, CascadeMethod, Employee
from bot.domain.policy import Aspek, default_policy
from bot.services import cascade as cas
from bot.services import org_import
from bot.services import skp as store
from bot.services.cascade_send import send
from bot.services.demo import DIREKTUR, demo_data
from tests.conftest import make_settings, reset_postgres

NOW = datetime(2026, 1, 12, 2, tzinfo=UTC)


async def run(url: str, people: int, indicators: int) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), NOW, "bench")
    await fill_employees(services, people + 30, penilai_nip=DIREKTUR)
    staff = await filler_people(services, people)
    policy = default_policy()
    async with services.sessionmaker() as session, session.begin():
        director = await session.scalar(select(Employee).where(Employee.nip == DIREKTUR))
        assert director is not None
        period = await store.current_period(session, NOW.date())
        assert period is not None
        skp = await store.open_skp(session, director.id, period, NOW, policy)
        cascades = []
        for n in range(indicators):
            fields = store.ItemFields(
                jenis="CL",
                rhk=f"Sasaran kegiatan {n + 1} tercapai sesuai target",
                aspek=Aspek.KUANTITAS,
                iki=f"Persentase capaian indikator {n + 1}",
                target=Decimal(100),
                satuan="%",
                bobot=Decimal("2.5"),
            )
            item = await store.add_item(session, skp, fields, NOW)
            cascade = await cas.open_cascade(session, director.id, period, item, NOW)
            strategy = await cas.add_strategy(session, cascade, f"Strategi {n + 1}")
            activity = await cas.add_activity(session, strategy, f"Kegiatan strategis {n + 1}")
            for person in staff[n::indicators]:
                session.add(
                    CascadeAssignment(
                        activity_id=activity.id,
                        assignee_id=person.id,
                        method=CascadeMethod.WILAYAH,
                        rhk=f"Capaian indikator {n + 1} di wilayah binaan sesuai target",
                        iki=f"Persentase capaian indikator {n + 1} di wilayah binaan",
                        target_value=Decimal(100),
                        satuan="%",
                    )
                )
            cascades.append(cascade)
    counter = StatementCounter(services.db)
    started = time.perf_counter()
    created = 0
    async with services.sessionmaker() as session, session.begin():
        for cascade in cascades:
            merged = await session.merge(cascade)
            nodes = await cas.tree(session, merged.id)
            sent = await send(session, merged, nodes, period, policy, NOW)
            created += len(sent.created)
    send_s, send_sql = time.perf_counter() - started, counter.count
    counter.count = 0
    started = time.perf_counter()
    async with services.sessionmaker() as session:
        director = await session.scalar(select(Employee).where(Employee.nip == DIREKTUR))
        matrix = await cas.mpph(session, director, period)
    mpph_s, mpph_sql = time.perf_counter() - started, counter.count
    counter.count = 0
    started = time.perf_counter()
    made = await services.documents.mpph(director.id, period.id)
    xlsx_s, xlsx_sql = time.perf_counter() - started, counter.count
    print(
        f"{url.split(':')[0]}: {people} people, {indicators} indicators | sending proposals: "
        f"{created} draft items in {send_s:.2f} s, {send_sql} SQL statements | MPPH "
        f"{len(matrix.rows)}x{len(matrix.columns)} in {mpph_s * 1000:.0f} ms, {mpph_sql} SQL | "
        f"MPPH XLSX ({len(made.content) / 1024:.0f} KB) in {xlsx_s:.2f} s, {xlsx_sql} SQL | "
        f"total {send_s + mpph_s + xlsx_s:.2f} s"
    )
    await services.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    args = parser.parse_args()
    with database(args.db) as url:
        await run(url, args.people, args.indicators)


if __name__ == "__main__":
    asyncio.run(main())

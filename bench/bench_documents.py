"""Benchmark: SKP documents. One SKP (the deck's SBBL list) as DOCX + PDF, warm (median of
several renders), then a batch of --batch SKPs the way `dialog-kinerja dokumen --semua` builds
them: time per SKP (wall clock and CPU), total time, RSS after every 100 and the peak. CPU time
is printed beside the wall clock because a shared machine's load moves the latter. It asserts
nothing about time.

    .venv/bin/python bench/bench_documents.py               # 1 000 SKPs, SQLite
    .venv/bin/python bench/bench_documents.py --batch 20    # CI smoke
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal

from common import database, fill_employees, filler_people, peak_rss_mb
from sqlalchemy import insert

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import SkpItem, SkpStatus
from bot.domain.numbers import parse_number
from bot.domain.policy import default_policy
from bot.services import org_import
from bot.services import skp as store
from bot.services.demo import DIREKTUR, demo_data
from tests.conftest import make_settings, reset_postgres
from tests.skp_examples import LEADER_RHK, SBBL_KATIM


async def seed(services: object, count: int) -> list[int]:
    """`count` employees, each with the SBBL list as their SKP (bulk inserts)."""
    now = datetime(2026, 1, 12, 2, tzinfo=UTC)
    async with services.sessionmaker() as session, session.begin():  # type: ignore[attr-defined]
        await org_import.apply(session, demo_data(), now, "bench")
    await fill_employees(services, count + 100, penilai_nip=DIREKTUR)
    people = await filler_people(services, count)
    policy = default_policy()
    async with services.sessionmaker() as session, session.begin():  # type: ignore[attr-defined]
        period = await store.current_period(session, now.date())
        assert period is not None
        ids = []
        for person in people:
            skp = store.new_skp(
                person.id, period.id, now, policy, status=SkpStatus.SUBMITTED, submitted_at=now
            )
            session.add(skp)
            await session.flush()
            ids.append(skp.id)
        rows = [
            {
                "skp_id": skp_id,
                "position": n,
                "leader_rhk": LEADER_RHK if jenis == "CL" else "",
                "jenis": jenis,
                "rhk": rhk,
                "aspek": aspek,
                "iki": iki,
                "target_value": parse_number(target.split()[0].rstrip("%")),
                "satuan": satuan,
                "bobot": Decimal(bobot),
                "created_at": now,
                "updated_at": now,
            }
            for skp_id in ids
            for n, (jenis, rhk, aspek, iki, target, satuan, bobot) in enumerate(SBBL_KATIM, 1)
        ]
        await session.execute(insert(SkpItem), rows)
    return ids


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


async def run(url: str, batch: int) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    ids = await seed(services, batch)
    maker = services.documents
    doc = await maker.load(ids[0])
    maker.render(doc, "pdf")  # warm-up: fonts and templates load once per process
    maker.render(doc, "docx")
    timings: dict[str, list[tuple[float, float]]] = {"pdf": [], "docx": []}
    sizes: dict[str, int] = {}
    for _ in range(7):
        for fmt in ("pdf", "docx"):
            wall, cpu = time.perf_counter(), time.process_time()
            sizes[fmt] = len(maker.render(doc, fmt).content)
            timings[fmt].append((time.perf_counter() - wall, time.process_time() - cpu))
    wall_ms = {f: 1000 * statistics.median(w for w, _ in t) for f, t in timings.items()}
    cpu_ms = {f: 1000 * statistics.median(c for _, c in t) for f, t in timings.items()}
    print(
        f"one SKP, warm (median of 7): PDF {wall_ms['pdf']:.0f} ms ({cpu_ms['pdf']:.0f} ms CPU, "
        f"{sizes['pdf'] / 1024:.0f} KB), DOCX {wall_ms['docx']:.0f} ms "
        f"({cpu_ms['docx']:.0f} ms CPU, {sizes['docx'] / 1024:.0f} KB), both "
        f"{wall_ms['pdf'] + wall_ms['docx']:.0f} ms ({cpu_ms['pdf'] + cpu_ms['docx']:.0f} ms CPU)"
    )
    per_doc, per_cpu = [], []
    started = time.perf_counter()
    for n, skp_id in enumerate(ids, 1):
        wall, cpu = time.perf_counter(), time.process_time()
        doc = await maker.load(skp_id)
        maker.render(doc, "pdf")
        maker.render(doc, "docx")
        per_doc.append(time.perf_counter() - wall)
        per_cpu.append(time.process_time() - cpu)
        if n % 100 == 0:
            print(f"  after {n}: RSS {rss_mb():.0f} MB")
    total = time.perf_counter() - started
    print(
        f"batch of {batch}: {total:.1f} s, {batch / total:.1f} SKPs/s, per SKP (load + DOCX + "
        f"PDF) median {statistics.median(per_doc) * 1000:.0f} ms "
        f"({statistics.median(per_cpu) * 1000:.0f} ms CPU), max {max(per_doc) * 1000:.0f} ms"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    await services.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with database(args.db) as url:
        await run(url, args.batch)


if __name__ == "__main__":
    asyncio.run(main())

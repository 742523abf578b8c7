"""Benchmark: SKP documents. One SKP (the deck's SBBL list) as DOCX + PDF, then a batch of
--batch SKPs the way `dialog-kinerja dokumen --semua` builds them: time per document, total
time and peak RSS. It asserts nothing about time.

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


async def run(url: str, batch: int) -> None:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    ids = await seed(services, batch)
    maker = services.documents
    doc = await maker.load(ids[0])
    maker.render(doc, "pdf")  # warm-up: fonts and templates load once per process
    started = time.perf_counter()
    pdf = maker.render(doc, "pdf")
    pdf_s = time.perf_counter() - started
    started = time.perf_counter()
    word = maker.render(doc, "docx")
    docx_s = time.perf_counter() - started
    print(
        f"one SKP: PDF {pdf_s * 1000:.0f} ms ({len(pdf.content) / 1024:.0f} KB), "
        f"DOCX {docx_s * 1000:.0f} ms ({len(word.content) / 1024:.0f} KB), "
        f"both {1000 * (pdf_s + docx_s):.0f} ms"
    )
    per_doc = []
    started = time.perf_counter()
    for skp_id in ids:
        t = time.perf_counter()
        doc = await maker.load(skp_id)
        maker.render(doc, "pdf")
        maker.render(doc, "docx")
        per_doc.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    print(
        f"batch of {batch}: {total:.1f} s, {batch / total:.1f} SKPs/s, per SKP (DOCX + PDF) "
        f"median {statistics.median(per_doc) * 1000:.0f} ms, max {max(per_doc) * 1000:.0f} ms"
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

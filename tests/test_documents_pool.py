"""SKP files are laid out in a worker process (a PDF's quarter of a second of pure Python
would otherwise hold up everyone's steps), and a file just built for one recipient goes to the
second as it is, unless the SKP changed meanwhile."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest

from bot.container import Services
from bot.db.models import Skp, SkpItem, SkpStatus
from bot.documents import pool
from bot.services.demo import KATIM_SBBL
from tests.document_seeds import seed_skp


async def test_a_pdf_is_laid_out_in_a_worker_process(demo: Services) -> None:
    skp_id, _ = await seed_skp(demo, KATIM_SBBL)
    assert demo.documents.processes == 1  # the default
    made = await demo.documents.build(skp_id, "pdf")
    assert made.content.startswith(b"%PDF") and made.name.endswith(".pdf")
    assert pool._executor is not None
    workers = [p.pid for p in pool._executor._processes.values()]  # type: ignore[union-attr]
    assert workers and os.getpid() not in workers


async def test_a_file_just_built_goes_to_a_second_recipient_unless_the_skp_changed(
    demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    skp_id, item_ids = await seed_skp(demo, KATIM_SBBL)
    laid_out: list[str] = []
    original = pool.render

    async def counting(doc: Any, fmt: str, workers: int) -> Any:
        laid_out.append(fmt)
        return await original(doc, fmt, workers)

    monkeypatch.setattr(pool, "render", counting)
    first = await demo.documents.build(skp_id, "pdf")
    again = await demo.documents.build(skp_id, "pdf")
    assert again is first and laid_out == ["pdf"]
    await demo.documents.build(skp_id, "docx")
    assert laid_out == ["pdf", "docx"]
    async with demo.sessionmaker() as session, session.begin():
        skp = await session.get(Skp, skp_id)
        assert skp is not None
        skp.revision += 1  # a new revision that prints the same: the same file
    assert await demo.documents.build(skp_id, "pdf") is first and laid_out == ["pdf", "docx"]
    async with demo.sessionmaker() as session, session.begin():
        item = await session.get(SkpItem, item_ids[0])
        assert item is not None
        item.target_value = Decimal(90)  # what the file shows changed: laid out anew
    await demo.documents.build(skp_id, "pdf")
    assert laid_out == ["pdf", "docx", "pdf"]
    # a later version supersedes this one: its file says so, so it is laid out anew
    await seed_skp(demo, KATIM_SBBL, number=2)
    async with demo.sessionmaker() as session, session.begin():
        skp = await session.get(Skp, skp_id)
        assert skp is not None
        skp.status = SkpStatus.SUPERSEDED
    superseded = await demo.documents.build(skp_id, "pdf")
    assert laid_out == ["pdf", "docx", "pdf", "pdf"] and superseded.content.startswith(b"%PDF")

"""Building an SKP's documents on demand (for the outbox sender and the command line): the
rows are read in a short read-only session; a PDF or DOCX is laid out in a worker process
(bot.documents.pool), other files in a thread, so a file never holds up the dialogs of other
people. A file just built is sent as it is to a second recipient."""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Period, Unit
from bot.documents import gcpause, pool, render
from bot.documents.progress import progress_rows, progress_xlsx
from bot.documents.skp_data import SkpDocument, load_document
from bot.texts import TEMPLATES_DIR, Texts

FORMATS = ("pdf", "docx", "xlsx", "csv")
# Files kept a short while for a second recipient (an SKP just set goes to its owner and its
# leader): the very same document, laid out moments ago.
RECENT_FILES = 16
REUSE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class File:
    name: str
    content: bytes


def render_file(doc: SkpDocument, fmt: str, texts: Texts) -> File:
    """One SKP file (in this thread, with the collector paused)."""
    with gcpause.paused():
        stem = doc.filename_stem
        if fmt == "pdf":
            return File(f"{stem}.pdf", render.render_pdf(doc, texts))
        if fmt == "docx":
            return File(f"{stem}.docx", render.render_docx(doc, texts))
        if fmt == "xlsx":
            return File(f"{stem}-ekinerja.xlsx", render.ekinerja_xlsx(doc, texts))
        if fmt == "csv":
            return File(f"{stem}-ekinerja.csv", render.ekinerja_csv(doc))
        raise ValueError(fmt)


class DocumentMaker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        texts: Texts,
        place: str,
        tz: ZoneInfo,
        processes: int = 0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.texts = texts
        self.place = place
        self.tz = tz
        # Worker processes for PDF/DOCX (DOCUMENT_PROCESSES); 0: a thread of this process.
        # Only with the standard templates, which the worker loads itself.
        self.processes = processes if texts.directory == TEMPLATES_DIR else 0
        # (format, the document's digest) -> when laid out and the file, the last few
        self._recent: dict[tuple[str, bytes], tuple[float, File]] = {}

    async def load(self, skp_id: int) -> SkpDocument:
        async with self.sessionmaker() as session:
            return await load_document(session, skp_id, self.texts, self.place, self.tz)

    def render(self, doc: SkpDocument, fmt: str) -> File:
        return render_file(doc, fmt, self.texts)

    async def build(self, skp_id: int, fmt: str) -> File:
        """The file of the SKP as it is now. The same file just laid out for another
        recipient (an SKP just set goes to its owner and its leader) is reused: the
        document is read anew each time and compared whole, so any change lays it out again."""
        doc = await self.load(skp_id)
        key = (fmt, hashlib.sha256(pickle.dumps(doc)).digest())
        now = time.monotonic()
        kept = self._recent.get(key)
        if kept is not None and now - kept[0] < REUSE_SECONDS:
            return kept[1]
        try:
            if not (self.processes and fmt in ("pdf", "docx")):
                raise pool.Unavailable
            made = await pool.render(doc, fmt, self.processes)
        except pool.Unavailable:
            made = await asyncio.to_thread(self.render, doc, fmt)
        self._recent[key] = (now, made)
        while len(self._recent) > RECENT_FILES:
            self._recent.pop(next(iter(self._recent)))
        return made

    async def progress(self, period_id: int, unit_id: int | None) -> File:
        async with self.sessionmaker() as session:
            period = await session.get(Period, period_id)
            assert period is not None
            unit = await session.get(Unit, unit_id) if unit_id is not None else None
            rows = await progress_rows(session, period, unit_id, self.texts, self.tz)
        title = self.texts.label("progress_title", year=period.year)
        content = await asyncio.to_thread(progress_xlsx, rows, self.texts, title)
        scope = unit.code if unit is not None else "semua"
        return File(f"progres-skp-{period.year}-{scope}.xlsx", content)

    async def mpph(self, leader_id: int, period_id: int) -> File:
        """The leader's MPPH, with the ketua tim who cascaded further stacked below (2-level)."""
        from bot.db.models import Employee
        from bot.documents.mpph import mpph_matrix, mpph_xlsx

        async with self.sessionmaker() as session:
            period = await session.get(Period, period_id)
            leader = await session.get(Employee, leader_id)
            assert period is not None and leader is not None
            matrix = await mpph_matrix(session, leader, period)
        content = await asyncio.to_thread(mpph_xlsx, matrix, self.texts)
        return File(f"MPPH-{period.year}-{leader.nip}.xlsx", content)

    async def realisation(self, skp_id: int, fmt: str, key: str | None = None) -> File:
        """The realisation sheet of an SKP's check-ins so far (XLSX or CSV, for e-Kinerja)."""
        from datetime import UTC, datetime

        from sqlalchemy.orm import joinedload

        from bot.db.models import Skp
        from bot.documents.realisation import realisation_sheet, sheet_csv, sheet_xlsx
        from bot.domain.progress import period_key
        from bot.services.skp import policy_for

        async with self.sessionmaker() as session:
            skp = await session.get(Skp, skp_id, options=[joinedload(Skp.employee)])
            assert skp is not None
            period = await session.get(Period, skp.period_id)
            assert period is not None
            policy = await policy_for(session, period)
            today = datetime.now(UTC).astimezone(self.tz).date()
            key = key or period_key(
                min(max(today, period.starts_on), period.ends_on),
                policy.progress.checkin_interval_months,
            )
            sheet = await realisation_sheet(session, skp, period, policy, self.texts, key)
        writer = sheet_xlsx if fmt == "xlsx" else sheet_csv
        content = await asyncio.to_thread(writer, sheet)
        return File(f"realisasi-{period.year}-{skp.employee.nip}.{fmt}", content)

    async def privacy(self, employee_id: int) -> File:
        """ "Data saya": everything stored about one person, read when the file is built."""
        from datetime import UTC, datetime

        from bot.documents.privacy_export import personal_data, to_json

        now = datetime.now(UTC)
        async with self.sessionmaker() as session:
            data = await personal_data(session, employee_id, self.texts, now)
        content = await asyncio.to_thread(to_json, data)
        return File(f"data-saya-{now.astimezone(self.tz):%Y%m%d-%H%M}.json", content)

    async def evaluation(self, evaluation_id: int, fmt: str) -> File:
        """An evaluation in the official layout, as PDF or DOCX."""
        from bot.documents import evaluation_doc as ed

        async with self.sessionmaker() as session:
            doc = await ed.load_evaluation_document(session, evaluation_id, self.texts, self.place)
        if fmt == "pdf":
            content = await asyncio.to_thread(ed.render_evaluation_pdf, doc, self.texts)
        elif fmt == "docx":
            content = await asyncio.to_thread(ed.render_evaluation_docx, doc, self.texts)
        else:
            raise ValueError(fmt)
        return File(f"{doc.filename_stem}.{fmt}", content)

    async def build_spec(self, spec: dict[str, Any]) -> File:
        """What an outbox row asks for: an SKP in a format, an MPPH, a progress report or a
        person's own data."""
        if spec.get("report") == "privacy":
            return await self.privacy(int(spec["employee_id"]))
        if spec.get("report") == "mpph":
            return await self.mpph(int(spec["leader_id"]), int(spec["period_id"]))
        if spec.get("report") == "realisation":
            return await self.realisation(int(spec["skp_id"]), str(spec["format"]), spec.get("key"))
        if spec.get("report") == "evaluation":
            return await self.evaluation(int(spec["evaluation_id"]), str(spec["format"]))
        if spec.get("report") == "progress":
            unit_id = spec.get("unit_id")
            return await self.progress(int(spec["period_id"]), int(unit_id) if unit_id else None)
        return await self.build(int(spec["skp_id"]), str(spec["format"]))

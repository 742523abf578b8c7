"""The evaluation in the official layout (PermenPANRB 6/2022, "Evaluasi Kinerja Pegawai"),
asked for in chat: PDF and DOCX through the documents' one layout, with the people, the hasil
kerja with realisation and capaian, the ratings, the perilaku per value, the predikat and the
notes; typed text stays text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx

from bot.domain.evaluation import Rating
from bot.services.demo import KATIM_SBBL
from bot.usecases import evaluation as uc
from bot.usecases.base import Tx
from tests.conftest import Clock, Harness
from tests.evaluation_seeds import KOLABORATIF, seed_set_skp_with_progress
from tests.telegram_fake import FakeTelegram
from tests.test_dialog_flow import employee_id
from tests.test_documents import pdf_text, texts_of

PUTRI = "199003032015032002"


async def test_the_evaluation_arrives_as_pdf_and_docx(
    bot: Harness, transport: FakeTelegram, clock: Clock
) -> None:
    clock.now = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    katim = await bot.onboard(KATIM_SBBL, 5401)
    await seed_set_skp_with_progress(bot.services, PUTRI)
    katim_id = await employee_id(bot, KATIM_SBBL)
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, clock.now, katim_id, "test", bot.services.texts)
        row = await uc.start(tx, await employee_id(bot, PUTRI), "TW1")
        await uc.rate_hasil(tx, row.id, Rating.SESUAI, None)
        await uc.rate_value(tx, row.id, "kolaboratif", Rating.DIATAS, None)
        await uc.set_value_note(tx, row.id, "kolaboratif", "Koordinasi <lintas> tim & daerah", None)
        await uc.rate_perilaku(tx, row.id, Rating.DIATAS, None)
        await uc.set_note(tx, row.id, "training_needs", "Pelatihan analisis data 👍✅", None)
        await uc.finalise(tx, row.id, None)

    listing = await katim.command("evaluasi")
    summary = await katim.click("Putri Lestiani", listing)
    await katim.click("PDF", summary)
    await katim.click("DOCX", summary)
    files = {d.filename.rsplit(".", 1)[-1]: d for d in transport.documents_to(5401)}
    assert set(files) == {"pdf", "docx"}
    assert files["pdf"].filename == "Evaluasi-TW1-2026-199003032015032002.pdf"

    text = pdf_text(files["pdf"].content or b"")
    for expected in (
        "EVALUASI KINERJA PEGAWAI",
        "TRIWULAN I 2026",
        "01 Januari 2026 s.d. 31 Maret 2026",
        "Putri Lestiani",
        "Intan Purnamasari",
        "REALISASI",
        "CAPAIAN TERTIMBANG 96,0% (Core 96,0% + Beyond 0,0%)",
        "RATING HASIL KERJA Sesuai ekspektasi",
        "PREDIKAT KINERJA PEGAWAI Baik",
        "Koordinasi <lintas> tim & daerah",
        "Pelatihan analisis data",
        KOLABORATIF,
    ):
        assert expected in text, expected
    assert "DRAF" not in text
    # emoji typed in a note have no glyph in the form's fonts: left out, not printed as boxes
    assert "👍" not in text and "✅" not in text

    document = docx.Document(io.BytesIO(files["docx"].content or b""))
    body = [p.text for p in document.paragraphs if p.text]
    assert body[:2] == ["EVALUASI KINERJA PEGAWAI", "TRIWULAN I 2026"]
    tables = [texts_of(t) for t in document.tables]
    cells = [" | ".join(row) for t in tables for row in t]
    assert any("PREDIKAT KINERJA PEGAWAI | Baik" in c for c in cells)
    assert any(c.startswith("4 | ") and "80" in c for c in cells)  # item 4's realisation
    assert any("Koordinasi <lintas> tim & daerah" in c for c in cells)
    assert any("Kolaboratif" in c and "Di atas ekspektasi" in c for c in cells)

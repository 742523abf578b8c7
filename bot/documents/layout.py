"""The SKP form's geometry, in one place for both renderings: the PDF's HTML template reads it
when it renders, scripts/make-docx-template reads it when it builds the Word template. A4
landscape (the hasil kerja table has 9 or 10 columns), widths in millimetres.

The columns are the form's (PermenPANRB 6/2022): NO, RHK pimpinan yang diintervensi, RHK,
aspek, IKI, target; the JPT / pimpinan unit kerja form adds the perspektif; Kemenkes 2026 adds
the IKI type and weight; the last column holds the leader's settled expectations for the row
(what the dialog agreed is part of the contract)."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH_MM = 297.0
PAGE_HEIGHT_MM = 210.0
MARGIN_X_MM = 15.0
MARGIN_TOP_MM = 14.0
MARGIN_BOTTOM_MM = 14.0
BODY_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_X_MM  # 267
FONT_PT = 8.5
HEADER_FILL = "D9D9D9"  # the heading rows
GROUP_FILL = "F2F2F2"  # the Utama/Tambahan and total rows


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # a field of Row, and the label "col_<key>"
    width_mm: float
    numeric: bool = False  # right-aligned


def _columns(*spec: tuple[str, float] | tuple[str, float, bool]) -> tuple[Column, ...]:
    columns = tuple(Column(*s) for s in spec)
    assert abs(sum(c.width_mm for c in columns) - BODY_WIDTH_MM) < 0.01, spec
    return columns


RESULT_COLUMNS = {
    "ja_jf": _columns(
        ("no", 9, True),
        ("link", 42),
        ("rhk", 46),
        ("aspek", 17),
        ("iki", 50),
        ("target", 20, True),
        ("jenis", 14),
        ("bobot", 16, True),
        ("ekspektasi", 53),
    ),
    "jpt": _columns(
        ("no", 9, True),
        ("link", 37),
        ("rhk", 40),
        ("aspek", 17),
        ("iki", 44),
        ("target", 20, True),
        ("perspektif", 25),
        ("jenis", 14),
        ("bobot", 16, True),
        ("ekspektasi", 45),
    ),
}

# NO | label | value, twice (the person assessed, the assessor)
PEOPLE_WIDTHS_MM = (9.0, 38.0, 86.5, 9.0, 38.0, 86.5)
# NO | perilaku kerja (value and its indicators) | ekspektasi khusus pimpinan
PERILAKU_WIDTHS_MM = (9.0, 170.0, 88.0)
# NO | line
LAMPIRAN_WIDTHS_MM = (12.0, 255.0)
# the person assessed | the assessor
SIGNATURE_WIDTHS_MM = (133.5, 133.5)
# The people rows: (label key, Person field)
PEOPLE_ROWS = (
    ("name", "name"),
    ("nip", "nip"),
    ("pangkat", "pangkat"),
    ("jabatan", "jabatan"),
    ("unit", "unit"),
)

# The evaluation form ("Evaluasi Kinerja Pegawai"): hasil kerja with the realisation and
# capaian of the evaluated period, perilaku kerja with the rating per value, the ratings, the
# predikat and the notes (label | value).
EVAL_RESULT_COLUMNS = _columns(
    ("no", 9, True),
    ("rhk", 55),
    ("aspek", 17),
    ("iki", 60),
    ("target", 22, True),
    ("realisasi", 26, True),
    ("capaian", 18, True),
    ("bobot", 16, True),
    ("bukti", 44),
)
# NO | perilaku kerja | ekspektasi khusus pimpinan | rating and the leader's note
EVAL_PERILAKU_WIDTHS_MM = (9.0, 120.0, 70.0, 68.0)
EVAL_RATING_WIDTHS_MM = (80.0, 187.0)

for _widths in (
    PEOPLE_WIDTHS_MM,
    PERILAKU_WIDTHS_MM,
    LAMPIRAN_WIDTHS_MM,
    SIGNATURE_WIDTHS_MM,
    EVAL_PERILAKU_WIDTHS_MM,
    EVAL_RATING_WIDTHS_MM,
):
    assert abs(sum(_widths) - BODY_WIDTH_MM) < 0.01, _widths

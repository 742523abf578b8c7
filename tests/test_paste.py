"""Tables people paste or send (bot.domain.paste): the deck's SBBL list as Excel, Google Sheets,
Word and e-Kinerja copy it, headers in any order, the documented orders without a header,
limits, hostile cells, real .xlsx and .csv files, the quick messages (weights, "3 target 90%"),
the Indonesian reasons; and properties: nothing raises, and random valid tables read back."""

from __future__ import annotations

import codecs
import io
import random
import re
import string
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.domain import paste
from bot.domain.paste import (
    COLUMNS,
    DEFAULT_ORDER,
    MAX_ROWS,
    WIDTH_ORDERS,
    PasteTable,
    QuickEdit,
    header_key,
    looks_like_table,
    normalise_satuan,
    number_text,
    parse_file,
    parse_quick_edit,
    parse_rows,
    parse_table,
    parse_weights,
    read_csv,
    read_jenis,
    read_xlsx,
    split_cells,
)
from bot.domain.policy import Aspek, default_policy
from bot.domain.skp_rules import check_skp, errors
from bot.texts import Texts, angka
from tests.skp_examples import LEADER_RHK, SBBL_KATIM

POLICY = default_policy()
TEXTS = Texts()
D = Decimal

# -- the deck's SBBL list ---------------------------------------------------------------------

Expected = tuple[str | None, str, str, Aspek | None, str, Decimal | None, str, Decimal | None]


def _target(typed: str) -> Decimal:
    return D(typed.split()[0].rstrip("%"))


# (jenis, leader_rhk, rhk, aspek, iki, target, satuan, bobot) as the parser should read them
SBBL: list[Expected] = [
    (
        jenis,
        LEADER_RHK if jenis == "CL" else "",
        rhk,
        Aspek(aspek),
        iki,
        _target(target),
        satuan,
        D(bobot),
    )
    for jenis, rhk, aspek, iki, target, satuan, bobot in SBBL_KATIM
]


def _cells(expected: Expected, order: tuple[str, ...], target_with_unit: bool = True) -> list[str]:
    jenis, leader, rhk, aspek, iki, target, satuan, bobot = expected
    assert target is not None and bobot is not None and aspek is not None
    number = angka(target)
    typed = (
        (f"{number}%" if satuan == "%" else f"{number} {satuan}") if target_with_unit else number
    )
    values = {
        "no": "",
        "jenis": jenis or "",
        "leader_rhk": leader,
        "rhk": rhk,
        "aspek": aspek.value.title(),
        "iki": iki,
        "target": typed,
        "satuan": satuan,
        "bobot": angka(bobot),
    }
    return [values[key] for key in order]


def _read(table: PasteTable) -> list[Expected]:
    return [
        (r.jenis, r.leader_rhk, r.rhk, r.aspek, r.iki, r.target, r.satuan, r.bobot)
        for r in table.rows
    ]


HEADER = {
    "no": "No",
    "jenis": "Jenis IKI",
    "leader_rhk": "RHK Atasan yang Diintervensi",
    "rhk": "Rencana Hasil Kerja",
    "aspek": "Aspek",
    "iki": "Indikator Kinerja Individu",
    "target": "Target",
    "satuan": "Satuan",
    "bobot": "Bobot (%)",
}
FULL = ("no", *DEFAULT_ORDER)


def _excel_quote(cell: str) -> str:
    """How Excel and Google Sheets put a cell on the clipboard."""
    if any(ch in cell for ch in '\n\t"'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _numbered(rows: list[list[str]]) -> list[list[str]]:
    return [[str(i), *row[1:]] if row and row[0] == "" else row for i, row in enumerate(rows)]


def test_sbbl_as_excel_copies_it_with_multi_line_cells() -> None:
    rows = [[HEADER[k] for k in FULL]]
    for expected in SBBL:
        cells = _cells(expected, FULL)
        cells[3] = cells[3].replace(" ", "\n", 2)  # Alt+Enter inside the RHK cell
        cells[5] = cells[5].replace(" (", '\n"(', 1).replace(")", ')"', 1)  # quotes in the IKI
        rows.append(cells)
    rows = _numbered(rows)
    text = "".join("\t".join(map(_excel_quote, row)) + "\r\n" for row in rows)
    lines, line = [], 2
    for row in rows[1:]:
        lines.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    table = parse_table(text, POLICY)
    assert table.header and table.ok, table.all_problems()
    assert table.columns == (None, *DEFAULT_ORDER)
    got = _read(table)
    assert [g[4].replace('"', "") for g in got] == [e[4] for e in SBBL]
    assert [g[:4] + g[5:] for g in got] == [e[:4] + e[5:] for e in SBBL]
    # Each row starts on its own line of the paste; multi-line cells count their lines.
    assert [r.line for r in table.rows] == lines
    assert lines[:2] == [2, 6]
    lint = errors(check_skp(POLICY, [r.as_item(POLICY) for r in table.rows]))
    complete = {"incomplete", "target_not_number", "core_total", "beyond_total", "count_low"}
    assert [f.code for f in lint if f.code in complete] == []


def test_sbbl_as_google_sheets_copies_it() -> None:
    order = ("jenis", "rhk", "aspek", "iki", "target", "satuan", "bobot")
    rows = [[HEADER[k] for k in order]]
    for expected in SBBL:
        cells = _cells(expected, order, target_with_unit=False)
        cells[3] = cells[3].replace(" ", "\n", 1)
        rows.append(cells)
    text = "\n".join("\t".join(map(_excel_quote, row)) for row in rows)  # no final line break
    table = parse_table(text, POLICY)
    assert table.header and table.ok
    assert _read(table) == [(e[0], "", *e[2:]) for e in SBBL]


def test_sbbl_as_word_copies_it_with_paragraphs_inside_cells() -> None:
    rows = [[HEADER[k] for k in FULL]]
    for i, expected in enumerate(SBBL):
        cells = _cells(expected, FULL)
        cells[0] = str(i + 1)
        column = (3, 5, 8)[i % 3]  # a paragraph break in the RHK, the IKI or the last cell
        if column == 8:
            cells[8] = cells[8] + "\n"  # an empty paragraph after the bobot
        else:
            cells[column] = cells[column].replace(" ", "\n", 1)
        rows.append(cells)
    text = "\r\n".join("\t".join(row) for row in rows)  # Word never quotes
    table = parse_table(text, POLICY)
    assert table.header and table.ok, table.all_problems()
    assert _read(table) == SBBL


def test_word_with_every_cell_on_its_own_line_is_not_a_table() -> None:
    """A documented limit: without any separator, the caller asks for a file instead."""
    text = "\n".join(_cells(SBBL[0], DEFAULT_ORDER))
    assert not looks_like_table(text)
    assert not parse_table(text, POLICY).ok


def test_sbbl_as_ekinerja_markdown_rows() -> None:
    order = ("no", "aspek", "rhk", "iki", "target", "satuan", "jenis", "bobot")
    names = ["No", "Aspek", "Rencana Kinerja", "Indikator", "Target", "Satuan", "Jenis IKI"]
    lines = ["| " + " | ".join([*names, "Bobot"]) + " |", "|" + "---|" * len(order)]
    for i, expected in enumerate(SBBL, start=1):
        cells = _cells(expected, order, target_with_unit=False)
        cells[0] = str(i)
        lines.append("| " + " | ".join(cells) + " |")
    table = parse_table("\n".join(lines), POLICY)
    assert table.header and table.ok
    assert _read(table) == [(e[0], "", *e[2:]) for e in SBBL]
    assert [r.line for r in table.rows] == list(range(3, 3 + len(SBBL)))


def test_the_decks_own_slide_table_with_total_rows_and_merged_core() -> None:
    """The deck's "Jenis IKI / Keterangan IKI / Target IKI / Bobot IKI Katim" table: "Core" in
    the first row only (a merged cell), total rows in bold, no RHK column."""
    lines = ["Jenis IKI\tKeterangan IKI\tTarget IKI\tBobot IKI Katim"]
    for i, (jenis, _rhk, _aspek, iki, target, _satuan, bobot) in enumerate(SBBL_KATIM):
        label = "Core" if i == 0 else ("Beyond" if jenis == "BYD" else "")
        if jenis == "BYD":
            lines.append("<b>Total Bobot IKI Core</b>\t\t\t<b>100%</b>")
        lines.append(f"{label}\t{iki}.\t{target}\t{bobot}%")
    lines.append("<b>Total Bobot IKI Core &amp; Beyond</b>\t\t\t<b>120%</b>")
    table = parse_table("\n".join(lines), POLICY)
    assert table.header and len(table.rows) == len(SBBL_KATIM)
    assert [r.jenis for r in table.rows] == [None] * 8 + ["BYD"]
    assert [r.bobot for r in table.rows] == [D(b) for *_, b in SBBL_KATIM]
    assert [(r.target, r.satuan) for r in table.rows] == [(e[5], e[6]) for e in SBBL]
    assert [p.code for p in table.problems] == ["paste_column_missing"]
    assert {p.code for r in table.rows for p in r.problems} == {"paste_required"}
    assert {p.column for r in table.rows for p in r.problems} == {"rhk"}
    # The same table without its header: the deck's order is recognised by its content.
    headless = parse_table("\n".join(lines[1:]), POLICY)
    assert not headless.header
    assert headless.columns == ("jenis", "iki", "target", "bobot")
    assert [r.iki for r in headless.rows] == [r.iki for r in table.rows]


# -- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("Jenis", "jenis"),
        ("Jenis IKI (*)", "jenis"),
        ("KATEGORI", "jenis"),
        ("RHK atasan", "leader_rhk"),
        ("RHK Atasan yang diintervensi", "leader_rhk"),
        ("RHK pimpinan", "leader_rhk"),
        ("Rencana Hasil Kerja Atasan", "leader_rhk"),
        ("Rencana hasil kerja pimpinan yang diintervensi", "leader_rhk"),
        ("RHK", "rhk"),
        ("Rencana Hasil Kerja", "rhk"),
        ("Rencana Kinerja (*)", "rhk"),
        ("rencana kinerja:", "rhk"),
        ("Aspek", "aspek"),
        ("IKI", "iki"),
        ("Indikator", "iki"),
        ("Indikator Kinerja Individu (IKI)", "iki"),
        ("indikator kinerja", "iki"),
        ("Keterangan IKI", "iki"),
        ("Target", "target"),
        ("Target IKI", "target"),
        ("Satuan", "satuan"),
        ("Bobot", "bobot"),
        ("Bobot (%)", "bobot"),
        ("  bobot  IKI Katim* ", "bobot"),
        ("No", "#"),
        ("No.", "#"),
        ("Nomor", "#"),
        ("#", "#"),
        ("Indikator Kinerja Atasan", None),
        ("Keterangan", None),
        ("Persentase NSPK tersusun tepat waktu", None),
        ("", None),
    ],
)
def test_header_names(cell: str, key: str | None) -> None:
    assert header_key(cell) == key


@pytest.mark.parametrize("seed", range(12))
def test_header_in_any_order_with_extra_columns(seed: int) -> None:
    rng = random.Random(seed)
    order = [*DEFAULT_ORDER, "extra"]
    rng.shuffle(order)
    names = {**HEADER, "extra": "Keterangan"}
    lines = ["\t".join(names[k] for k in order)]
    for expected in SBBL:
        cells = dict(zip(DEFAULT_ORDER, _cells(expected, DEFAULT_ORDER), strict=True))
        lines.append("\t".join(cells.get(k, "catatan") for k in order))
    table = parse_table("\n".join(lines), POLICY)
    assert table.header and table.ok
    assert _read(table) == SBBL
    assert [n.code for n in table.notes] == ["paste_column_ignored"]


def test_header_after_title_lines_and_a_duplicate_column() -> None:
    text = (
        "SKP Tahun 2026\n\nIKI\tTarget\tTarget\tRHK\n"
        "Persentase rekomendasi yang ditindaklanjuti\t80%\t90%\t"
        "Rekomendasi ditindaklanjuti sesuai ketentuan\n"
    )
    table = parse_table(text, POLICY)
    assert table.header
    assert table.columns == ("iki", "target", None, "rhk")
    assert [n.code for n in table.notes] == ["paste_column_duplicate"]
    (row,) = table.rows
    assert (row.line, row.target, row.satuan) == (4, D(80), "%")


def test_a_data_row_is_not_taken_for_a_header() -> None:
    text = "Rencana kinerja tersusun sesuai jadwal\tIndikator kinerja tercapai\t100%\t20"
    table = parse_table(text, POLICY)
    assert not table.header
    assert table.rows[0].rhk.startswith("Rencana kinerja")


def test_missing_columns() -> None:
    no_iki = parse_table("No\tRHK\tTarget\n1\tLayanan disusun sesuai ketentuan\t4 kali", POLICY)
    assert no_iki.header
    assert [(p.code, p.column) for p in no_iki.problems] == [("paste_column_missing", "iki")]
    assert [(p.code, p.column) for p in no_iki.rows[0].problems] == [("paste_required", "iki")]
    only_iki = parse_table(
        "IKI\tCatatan\tLainnya\nPersentase usulan yang ditindaklanjuti\t100%\t20", POLICY
    )
    assert not only_iki.header  # one name (the IKI) is not a header: it reads as a row
    assert only_iki.rows[0].iki == "IKI"
    with_header = parse_table("IKI\tBobot\tRHK\n", POLICY)
    assert with_header.header and with_header.rows == ()
    assert [p.code for p in with_header.problems] == ["paste_no_rows"]


def test_quarterly_targets_and_a_repeated_header() -> None:
    header = "RHK\tIKI\tTarget TW I\tTarget TW II\tTarget Tahunan"
    row = f"{RHK}\t{IKI}\t1 kali\t2 kali\t4 kali"
    table = parse_table("\n".join([header, row, header, row]), POLICY)
    assert table.columns == ("rhk", "iki", None, None, "target")
    assert [(r.line, r.target) for r in table.rows] == [(2, D(4)), (4, D(4))]
    assert [n.code for n in table.notes] == ["paste_column_ignored"] * 2


def test_separator_found_on_most_lines_wins() -> None:
    text = "RHK;IKI;Target\nLayanan A | B sesuai standar;Persentase layanan A;100%\n"
    assert split_cells(text)[1] == ["Layanan A | B sesuai standar", "Persentase layanan A", "100%"]
    table = parse_table(text, POLICY)
    assert table.header and table.ok


def test_invisible_characters_and_sub_numbering() -> None:
    text = f"\ufeff1.1\t{RHK}\u200b\t{IKI}\t4 kali\t5\n1.2\t{RHK}\t{IKI} 2\t4 kali\t5"
    table = parse_table(text, POLICY)
    assert table.columns == (None, *WIDTH_ORDERS[4])
    assert [r.rhk for r in table.rows] == [RHK, RHK]


def test_word_pieces_are_joined_only_when_they_fit() -> None:
    text = "a\tb\tc\n" + "x\n" * 3000  # pieces that never add up to a row: none joined
    assert len(split_cells(text)) == 10 * MAX_ROWS
    text = "a\tb\tc\nd\tx\ny\tz\n"
    assert split_cells(text) == [["a", "b", "c"], ["d", "x\ny", "z"]]


# -- without a header -------------------------------------------------------------------------


def test_default_order_without_header() -> None:
    text = "\n".join("\t".join(_cells(e, DEFAULT_ORDER)) for e in SBBL)
    table = parse_table(text, POLICY)
    assert not table.header and table.ok
    assert table.columns == DEFAULT_ORDER
    assert _read(table) == SBBL


@pytest.mark.parametrize("width", sorted(WIDTH_ORDERS))
def test_documented_orders_by_width(width: int) -> None:
    order = WIDTH_ORDERS[width]
    text = "\n".join(
        ";".join(_cells(e, order, target_with_unit="satuan" not in order)) for e in SBBL
    )
    table = parse_table(text, POLICY)
    assert table.columns == order
    assert len(table.rows) == len(SBBL)
    for row, expected in zip(table.rows, SBBL, strict=True):
        for key, value in zip(COLUMNS, expected, strict=True):
            if key in order:
                assert getattr(row, key) == value, key


def test_a_first_column_of_row_numbers_is_ignored() -> None:
    order = WIDTH_ORDERS[4]
    text = "\n".join(f"{i}.\t" + "\t".join(_cells(e, order)) for i, e in enumerate(SBBL, 1))
    table = parse_table(text, POLICY)
    assert table.columns == (None, *order)
    assert [r.iki for r in table.rows] == [e[4] for e in SBBL]


def test_the_ekinerja_form_order_is_recognised_without_header() -> None:
    order = ("aspek", "rhk", "iki", "target", "satuan", "jenis", "bobot")
    text = "\n".join("\t".join(_cells(e, order, False)) for e in SBBL)
    table = parse_table(text, POLICY)
    assert table.columns == order
    assert _read(table) == [(e[0], "", *e[2:]) for e in SBBL]


def test_single_row_paste() -> None:
    text = "CL | Layanan advokasi terlaksana sesuai rencana | Jumlah advokasi LP/LS | 4 kali | 5"
    assert looks_like_table(text)
    table = parse_table(text, POLICY)
    (row,) = table.rows
    assert table.columns == ("jenis", "rhk", "iki", "target", "bobot")
    assert (row.jenis, row.target, row.satuan, row.bobot, row.line) == ("CL", 4, "Kali", 5, 1)


def test_merged_rhk_cells_continue_the_rhk_above() -> None:
    rhk = "Rekomendasi monitoring dan evaluasi diselesaikan sesuai target waktu"
    text = (
        "RHK atasan\tRHK\tIKI\tTarget\n"
        f"{LEADER_RHK}\t{rhk}\tPersentase rekomendasi yang diselesaikan\t80%\n"
        "\t\tWaktu penyelesaian rekomendasi dalam hari\t30 Hari\n"
        "\tLayanan webinar terselenggara sesuai standar\tPersentase peserta webinar\t100%\n"
    )
    rows = parse_table(text, POLICY).rows
    assert [(r.leader_rhk, r.rhk) for r in rows] == [
        (LEADER_RHK, rhk),
        (LEADER_RHK, rhk),
        ("", "Layanan webinar terselenggara sesuai standar"),
    ]


def test_the_skp_document_layout_with_sections_and_group_rows() -> None:
    """The SKP document (PermenPANRB 6/2022): section rows "A. UTAMA" / "B. TAMBAHAN", an RHK
    with two IKI (merged cells), "-" for no RHK atasan; and an RHK atasan on a row of its own."""
    nspk = "NSPK SBBL tersusun sesuai ketentuan dan tepat waktu"
    reward = "Program reward labkesda terselenggara sesuai rencana"
    text = "\n".join(
        [
            "NO\tRENCANA HASIL KERJA PIMPINAN YANG DIINTERVENSI\tRENCANA HASIL KERJA\tASPEK\t"
            "INDIKATOR KINERJA INDIVIDU\tTARGET",
            "A.\tUTAMA",
            f"1\t{LEADER_RHK}\t{nspk}\tKuantitas\tPersentase NSPK SBBL tersusun tepat waktu\t100 %",
            "\t\t\tKualitas\tNilai kualitas NSPK SBBL hasil reviu\t85 Nilai",
            "B.\tTAMBAHAN",
            f"2\t-\t{reward}\tKuantitas\tJumlah inisiatif program reward\t1 Program",
            f"\t{LEADER_RHK}",
            f"3\t\t{RHK}\tKuantitas\t{IKI}\t4 kali",
        ]
    )
    table = parse_table(text, POLICY)
    assert table.header and table.ok
    assert [(r.line, r.leader_rhk, r.rhk, r.aspek, r.target) for r in table.rows] == [
        (3, LEADER_RHK, nspk, Aspek.KUANTITAS, D(100)),
        (4, LEADER_RHK, nspk, Aspek.KUALITAS, D(85)),
        (6, "", reward, Aspek.KUANTITAS, D(1)),
        (8, LEADER_RHK, RHK, Aspek.KUANTITAS, D(4)),
    ]


# -- cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code", "known"),
    [
        ("CL", "CL", True),
        ("tusi", "TUSI", True),
        ("[MI]", "MI", True),
        ("Core - CL", "CL", True),
        ("Cascading Langsung RENSTRA [CL]", "CL", True),
        ("Cascading langsung", "CL", True),
        ("Cascading Tidak Langsung", "TUSI", True),
        ("Tugas dan fungsi", "TUSI", True),
        ("Mandatory IKI (misal Pengembangan Kompetensi)", "MI", True),
        ("IKI wajib", "MI", True),
        ("Beyond", "BYD", True),
        ("Inisiatif", "BYD", True),
        ("Core", None, True),
        ("Utama", None, True),
        ("", None, True),
        ("CL/TUSI", None, False),
        ("Lainnya", None, False),
    ],
)
def test_jenis_cells(cell: str, code: str | None, known: bool) -> None:
    assert read_jenis(cell, POLICY) == (code, known)


def _one(text: str, header: str = "RHK\tIKI\tTarget\tSatuan\tBobot\tAspek\tJenis") -> Any:
    table = parse_table(f"{header}\n{text}", POLICY)
    assert table.header
    (row,) = table.rows
    return row


RHK = "Layanan advokasi terlaksana sesuai rencana"
IKI = "Jumlah advokasi LP/LS skrining bayi baru lahir"


@pytest.mark.parametrize(
    ("target", "satuan", "value", "unit"),
    [
        ("2 rumusan", "", D(2), "Rumusan"),
        ("2 rumusan", "Rumusan", D(2), "Rumusan"),
        ("100%", "persen", D(100), "%"),
        ("100 persen", "%", D(100), "%"),
        ("4 x", "kali", D(4), "Kali"),
        ("82", "nilai", D(82), "Nilai"),
        ("82,23 Nilai", "", D("82.23"), "Nilai"),
        ("1.575.000 Rupiah", "Rp", D(1575000), "Rupiah"),
        ("Rp 17.300.000.000", "", D(17300000000), "Rupiah"),
        ("", "Dokumen", None, "Dokumen"),
        ("", "", None, ""),
    ],
)
def test_target_and_satuan(target: str, satuan: str, value: Decimal | None, unit: str) -> None:
    row = _one(f"{RHK}\t{IKI}\t{target}\t{satuan}\t5\tKuantitas\tCL")
    assert (row.target, row.satuan, row.problems) == (value, unit, ())


@pytest.mark.parametrize(
    ("target", "satuan", "code", "column"),
    [
        ("dua", "", "paste_target_invalid", "target"),
        ("31-02-2026", "", "paste_target_invalid", "target"),
        ("8 Februari 2026", "", "paste_target_invalid", "target"),
        ("-4 kali", "", "paste_target_negative", "target"),
        ("1e309", "", "paste_target_invalid", "target"),
        ("99999999999999", "", "paste_target_too_large", "target"),
        ("1500", "%", "paste_target_too_large", "target"),
        ("2 " + "x" * 60, "", "paste_target_satuan_invalid", "target"),
        ("2 rumusan", "Dokumen", "paste_satuan_conflict", "satuan"),
        ("100%", "Kali", "paste_satuan_conflict", "satuan"),
        ("4", "<b>kali</b>", "paste_satuan_invalid", "satuan"),
        ("4", "k" * 41, "paste_satuan_invalid", "satuan"),
    ],
)
def test_target_problems(target: str, satuan: str, code: str, column: str) -> None:
    row = _one(f"{RHK}\t{IKI}\t{target}\t{satuan}\t5\tKuantitas\tCL")
    assert [(p.code, p.column, p.line) for p in row.problems] == [(code, column, 2)]


@pytest.mark.parametrize(
    ("bobot", "value", "code"),
    [
        ("20", D(20), None),
        ("20%", D(20), None),
        ("20 %", D(20), None),
        ("17,5", D("17.5"), None),
        ("12,25", D("12.25"), None),
        ("100", D(100), None),
        ("0", None, "paste_bobot_not_positive"),
        ("-5", None, "paste_bobot_not_positive"),
        ("101", None, "paste_bobot_too_large"),
        ("12,125", None, "paste_bobot_too_precise"),
        ("dua puluh", None, "paste_bobot_invalid"),
        ("17.5", None, "paste_bobot_invalid"),
        ("20,5,5", None, "paste_bobot_invalid"),
    ],
)
def test_bobot_cells(bobot: str, value: Decimal | None, code: str | None) -> None:
    row = _one(f"{RHK}\t{IKI}\t4 kali\t\t{bobot}\tKuantitas\tCL")
    assert row.bobot == value
    assert [p.code for p in row.problems] == ([code] if code else [])


def test_bobot_fractions() -> None:
    header = "IKI\tRHK\tBobot"
    rows = [f"{IKI} {i}\t{RHK}\t{b}" for i, b in enumerate(("0,2", "0,05", "0,175"))]
    table = parse_table("\n".join([header, *rows]), POLICY)
    assert table.ok
    assert [r.bobot for r in table.rows] == [D(20), D(5), D("17.5")]
    assert [n.code for n in table.notes] == ["paste_bobot_scaled"]
    mixed = parse_table("\n".join([header, *rows[:2], f"{IKI}\t{RHK}\t20"]), POLICY)
    assert [[(p.code, dict(p.params)) for p in r.problems] for r in mixed.rows] == [
        [("paste_bobot_fraction", {"value": "0,2", "suggestion": D(20)})],
        [("paste_bobot_fraction", {"value": "0,05", "suggestion": D(5)})],
        [],
    ]
    fraction = mixed.rows[0].problems[0]
    assert TEXTS.paste_problem(fraction.code, **fraction.values()) == (
        "Baris 2, kolom Bobot: Bobot “0,2” terlalu kecil. Bila maksudnya 20%, tuliskan 20."
    )


def test_aspek_and_unknown_jenis_are_notes_not_problems() -> None:
    row = _one(f"{RHK}\t{IKI}\t4 kali\t\t5\tkualitas\tCL")
    assert row.aspek is Aspek.KUALITAS
    row = _one(f"{RHK}\t{IKI}\t4 kali\t\t5\tjumlahnya\tLainnya")
    assert (row.aspek, row.jenis, row.problems) == (None, None, ())
    assert [(n.code, n.column) for n in row.notes] == [
        ("paste_jenis_unknown", "jenis"),
        ("paste_aspek_unknown", "aspek"),
    ]
    assert row.as_item(POLICY).aspek == "kuantitas"  # aspek_of(): a count


def test_required_texts_and_text_problems() -> None:
    table = parse_table(f"RHK atasan\tIKI\tTarget\tA\n\t{IKI}\t4 kali\tx", POLICY)
    assert [(p.code, p.column) for p in table.problems] == [("paste_column_missing", "rhk")]
    assert [(p.code, p.column) for p in table.rows[0].problems] == [("paste_required", "rhk")]
    assert [(n.code, dict(n.params)) for n in table.notes] == [
        ("paste_column_ignored", {"value": "A"})
    ]
    table = parse_table(f"RHK\tIKI\tTarget\n{RHK}\t\t4 kali\n\tab\t4 kali", POLICY)
    assert [[(p.code, p.column) for p in r.problems] for r in table.rows] == [
        [("paste_required", "iki")],
        [("paste_text_no_words", "iki")],
    ]
    assert table.rows[1].rhk == RHK  # the empty RHK continues the one above


def test_html_in_cells_is_kept_as_text_and_named() -> None:
    iki = "<b>Persentase</b> usulan <script>alert(1)</script> ditindaklanjuti"
    row = _one(f"{RHK}\t{iki}\t<i>4</i> kali\t\t5\t\t")
    assert row.iki == iki
    assert [(p.code, p.column) for p in row.problems] == [
        ("paste_text_html", "iki"),
        ("paste_target_invalid", "target"),
    ]


def test_very_long_cells() -> None:
    long = "Persentase " + "sangat panjang " * 266  # about 4 000 characters
    assert len(long) > 3990
    row = _one(f"{long}\t{long}\t{long}\t{long}\t{long}\t{long}\t{long}")
    codes = {(p.column, p.code) for p in row.problems}
    assert codes == {
        ("rhk", "paste_text_too_long"),
        ("iki", "paste_text_too_long"),
        ("target", "paste_target_invalid"),
        ("satuan", "paste_satuan_invalid"),
        ("bobot", "paste_bobot_invalid"),
    }
    assert {n.code for n in row.notes} == {"paste_jenis_unknown", "paste_aspek_unknown"}
    too_long = next(p for p in row.problems if p.code == "paste_text_too_long")
    assert too_long.params["length"] == len(long.strip())
    assert all(len(str(p.params.get("value", ""))) <= 60 for p in row.problems)


def test_hundred_rows_and_hundred_and_one() -> None:
    def table(n: int) -> PasteTable:
        rows = [f"{i}\t{RHK}\t{IKI} {i}\t{i} kali\t1" for i in range(1, n + 1)]
        return parse_table("No\tRHK\tIKI\tTarget\tBobot\n" + "\n".join(rows), POLICY)

    full = table(MAX_ROWS)
    assert full.ok and len(full.rows) == MAX_ROWS
    assert full.rows[-1].line == MAX_ROWS + 1
    over = table(MAX_ROWS + 1)
    assert len(over.rows) == MAX_ROWS and not over.ok
    assert [(p.code, dict(p.params)) for p in over.problems] == [
        ("paste_too_many_rows", {"maximum": MAX_ROWS})
    ]
    for n in (1500, 5000):  # the second one is also longer than MAX_TEXT_CHARS
        huge = table(n)
        assert len(huge.rows) == MAX_ROWS
        assert [p.code for p in huge.problems] == ["paste_too_many_rows"]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\n\t\t\n",
        "|||||\n;;;;\n\t\t\t",
        '"\t"\t"',
        '"""""""\t\n"',
        "\x00\x01\x02\t\x03\t\x04",
        "🎯\t🎯\t🎯",
        "\u202e\t\u200b\t\ufeff",
        "-\t-\t-\n--\t—\t–",
        "|---|---|---|",
        "a\tb\tc\n" * 3,
        "1\t2\t3\n4\t5\t6",
        "<html><body><table><tr><td>x</td></tr></table></body></html>",
        "\t" * 10_000,
        "x" * 100_000,
        "\n" * 10_000,
    ],
)
def test_garbage(garbage: str) -> None:
    table = parse_table(garbage, POLICY)
    assert not table.ok
    assert "paste_unreadable" not in {p.code for p in table.problems}


# -- splitting ----------------------------------------------------------------------------------


def test_split_cells() -> None:
    assert split_cells('a\t"b\tc\nd ""e"""\tf\t\t\r\n\r\n\ng\th\n') == [
        ["a", 'b\tc\nd "e"', "f"],
        ["g", "h"],
    ]
    assert split_cells('"Smart" goal\tx\n"unclosed\ty') == [
        ['"Smart" goal', "x"],
        ['"unclosed', "y"],
    ]
    assert split_cells("| No | IKI |\n|:---|---:|\n| 1 | a \\| b |\n+----+----+") == [
        ["No", "IKI"],
        ["1", "a | b"],
    ]
    assert split_cells("a;b;17,5\nc;;") == [["a", "b", "17,5"], ["c"]]
    assert split_cells("satu baris\ndua baris") == [["satu baris"], ["dua baris"]]
    assert split_cells("") == []


@pytest.mark.parametrize(
    "typed",
    [
        "Persentase NSPK tersusun tepat waktu",
        "100%",
        "3 target 90%",
        "20 5 5 20",
        "20, 5, 17,5",
        "1.000,00",
        "17,5",
        "Layanan LP/LS terlaksana sesuai rencana",
        "a | b",
        "RHK; IKI",
        "",
        ";;;",
    ],
)
def test_typed_answers_are_not_tables(typed: str) -> None:
    assert not looks_like_table(typed)


@pytest.mark.parametrize(
    "pasted",
    [
        "a\tb\tc",
        "CL\tLayanan advokasi\tJumlah advokasi\t4 kali\t5",
        "| a | b | c |",
        "CL; Layanan advokasi; Jumlah advokasi",
        'a\t"b\nc"\td',
    ],
)
def test_pasted_tables_are_tables(pasted: str) -> None:
    assert looks_like_table(pasted)


# -- files ------------------------------------------------------------------------------------


def _workbook(rows: list[list[Any]], percent: frozenset[int] = frozenset()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if c in percent and isinstance(value, float):
                cell.number_format = "0%" if r % 2 else "0.00%"
    book.create_sheet("Lain").append(["ignored"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_percent_formatted_bobot_and_blank_rows() -> None:
    rows: list[list[Any]] = [
        ["SKP 2026"],
        ["No", "Jenis", "RHK", "Aspek", "IKI", "Target", "Satuan", "Bobot"],
    ]
    for i, (jenis, _leader, rhk, aspek, iki, target, satuan, bobot) in enumerate(SBBL, 1):
        assert target is not None and bobot is not None and aspek is not None
        value: Any = float(target) / 100 if satuan == "%" else int(target)
        rows.append([i, jenis, rhk, aspek.value.title(), iki, value, satuan, float(bobot) / 100])
        if i == 4:
            rows.append([])  # a blank row keeps the row numbers right
    content = _workbook(rows, percent=frozenset({6, 8}))  # the target and the bobot
    cells = read_xlsx(content)
    assert cells[2][5:] == ["100%", "%", "20%"]
    assert cells[3][5:] == ["2", "Rumusan", "5%"]
    table = parse_rows(cells, POLICY)
    assert table.header and table.ok
    assert _read(table) == [(e[0], "", *e[2:]) for e in SBBL]
    assert [r.line for r in table.rows] == [3, 4, 5, 6, *range(8, 13)]
    assert parse_file("SKP.XLSX", content, POLICY) == table


def test_xlsx_numbers_formulas_and_dates() -> None:
    from datetime import datetime

    content = _workbook(
        [
            ["IKI", "RHK", "Target", "Bobot"],
            [IKI, RHK, 17.5, 0.1 + 0.2],
            [IKI, RHK, "=1+1", 1575000],
            [IKI, RHK, datetime(2026, 2, 8), True],
        ]
    )
    cells = read_xlsx(content)
    assert cells[1][2:] == ["17,5", "0,3"]
    assert cells[2][2:] == ["", "1575000"]  # a formula has no cached value in this file
    assert cells[3][2:] == ["08-02-2026", "TRUE"]
    table = parse_rows(cells, POLICY)
    assert [p.code for p in table.rows[2].problems] == [
        "paste_target_invalid",
        "paste_bobot_invalid",
    ]


@pytest.mark.parametrize(
    ("value", "percent", "text"),
    [
        (0.2, True, "20%"),
        (0.175, True, "17,5%"),
        (1, True, "100%"),
        (17.5, False, "17,5"),
        (1575000, False, "1575000"),
        (1e20, False, "100000000000000000000"),
        (-0.0, False, "0"),
        (float("nan"), False, ""),
        (D("82.23"), False, "82,23"),
    ],
)
def test_number_text(value: Any, percent: bool, text: str) -> None:
    assert number_text(value, percent) == text


def _csv(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    import csv

    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_files(delimiter: str) -> None:
    order = ("jenis", "leader_rhk", "rhk", "aspek", "iki", "target", "satuan", "bobot")
    rows = [[HEADER[k] for k in order]]
    rows += [_cells(e, order) for e in SBBL]
    rows[1][2] = rows[1][2].replace(" ", "\n", 1)  # a line break inside a quoted field
    rows[2][2] = rows[2][2] + ", dengan koma; dan titik koma"
    content = _csv(rows, delimiter).encode("utf-8-sig")
    cells = read_csv(content)
    table = parse_rows(cells, POLICY)
    assert table.header and table.ok
    got = _read(table)
    assert got[0] == SBBL[0]
    assert got[2:] == SBBL[2:]
    assert got[1][2] == SBBL[1][2] + ", dengan koma; dan titik koma"
    assert parse_file("skp.csv", content, POLICY) == table


def test_csv_encodings_and_excel_sep_hint() -> None:
    text = "sep=;\nIKI;RHK;Bobot\nPersentase layanan café;Layanan café sesuai standar;17,5\n"
    for content in (
        text.encode("cp1252"),
        text.encode("utf-8"),
        codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    ):
        table = parse_rows(read_csv(content), POLICY)
        assert table.ok
        (row,) = table.rows
        assert (row.iki, row.bobot, row.line) == ("Persentase layanan café", D("17.5"), 2)


def test_a_text_file_reads_as_a_paste() -> None:
    text = "| No | RHK | IKI | Target |\n|---|---|---|---|\n" + f"| 1 | {RHK} | {IKI} | 4 kali |\n"
    table = parse_file("tabel.TXT", text.encode("utf-8"), POLICY)
    assert table.header and table.ok
    (row,) = table.rows
    assert (row.line, row.rhk, row.target, row.satuan) == (3, RHK, D(4), "Kali")


def test_files_that_are_not_tables() -> None:
    assert read_xlsx(b"PK\x03\x04 not really") == []
    assert read_xlsx(b"") == []
    assert read_csv(b"") == []
    assert [p.code for p in parse_file("skp.xlsx", b"junk", POLICY).problems] == [
        "paste_file_unreadable"
    ]
    assert [p.code for p in parse_file("skp.pdf", b"%PDF", POLICY).problems] == ["paste_file_type"]
    assert [p.code for p in parse_file("skp.csv", b"\r\n\r\n", POLICY).problems] == [
        "paste_no_rows"
    ]


# -- quick messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weights"),
    [
        ("20 5 5 20 10 10 20 10 20", [20, 5, 5, 20, 10, 10, 20, 10, 20]),
        ("20, 5, 17,5", [20, 5, D("17.5")]),
        ("20,5", [D("20.5")]),
        ("20;5;5", [20, 5, 5]),
        ("20% 5% 5 %", [20, 5, 5]),
        ("Bobot: 20 5", [20, 5]),
        ("bobotnya 20 5", [20, 5]),
        ("17,5", [D("17.5")]),
        ("100%", [100]),
        ("20\n5\n5", [20, 5, 5]),
        ("20 , 5,", [20, 5]),
    ],
)
def test_parse_weights(text: str, weights: list[Any]) -> None:
    assert parse_weights(text) == [D(w) for w in weights]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ", ,",
        "3 target 90%",
        "20,5,5",
        "-5 10",
        "0 10",
        "101",
        "1.000,00",
        "17.5",
        "20 5 x",
        "1e3",
        "Persentase NSPK tersusun tepat waktu",
        "bobot",
        "20 " * 101,
        "12,125",
    ],
)
def test_parse_weights_refuses(text: str) -> None:
    assert parse_weights(text) is None


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("3 target 90%", (3, "target", "90%")),
        ("5 bobot 15", (5, "bobot", "15")),
        (
            "2 iki Persentase usulan yang ditindaklanjuti",
            (2, "iki", "Persentase usulan yang ditindaklanjuti"),
        ),
        ("4 rhk Layanan advokasi terlaksana", (4, "rhk", "Layanan advokasi terlaksana")),
        ("1 satuan Dokumen", (1, "satuan", "Dokumen")),
        ("2 aspek kualitas", (2, "aspek", "kualitas")),
        ("3 jenis TUSI", (3, "jenis", "TUSI")),
        ("3 Jenis IKI BYD", (3, "jenis", "BYD")),
        ("2 IKI: Persentase x", (2, "iki", "Persentase x")),
        ("2 indikator Persentase x", (2, "iki", "Persentase x")),
        ("2 Indikator Kinerja Persentase x", (2, "iki", "Persentase x")),
        ("4 rencana Layanan x", (4, "rhk", "Layanan x")),
        ("4 Rencana Kinerja Layanan x", (4, "rhk", "Layanan x")),
        ("3. target 90%", (3, "target", "90%")),
        ("no 3 TARGET = 90%", (3, "target", "90%")),
        ("#3 bobot 10", (3, "bobot", "10")),
        ("  7   iki   Persentase\n   layanan  ", (7, "iki", "Persentase layanan")),
    ],
)
def test_parse_quick_edit(text: str, edit: tuple[int, str, str]) -> None:
    assert parse_quick_edit(text) == QuickEdit(*edit)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3 target",
        "3 target   ",
        "target 90%",
        "3 berat 5",
        "0 bobot 5",
        "-1 bobot 5",
        "101 bobot 5",
        "1.000 bobot 5",
        "3targets 90",
        "3 targetnya 90",
        "20 5 5 20",
        "100%",
        "Persentase NSPK tersusun tepat waktu",
        "4 rhk atasan Terwujudnya pelaksanaan skrining",
        "4 RHK Pimpinan Terwujudnya pelaksanaan skrining",
        "tiga target 90%",
    ],
)
def test_parse_quick_edit_refuses(text: str) -> None:
    assert parse_quick_edit(text) is None


# -- the reasons --------------------------------------------------------------------------------


def _codes_in_module() -> set[str]:
    modules = sorted(Path(paste.__file__).parent.glob("*.py"))  # the package's modules
    source = "".join(path.read_text(encoding="utf-8") for path in modules)
    codes = set(re.findall(r'"(paste_[a-z_]+)"', source))
    codes |= {f"paste_text_{p}" for p in ("empty", "too_long", "html", "no_words", "too_short")}
    codes.discard("paste_text_")
    return codes


def test_every_problem_code_has_a_reason() -> None:
    module: Any = TEXTS.env.get_template("paste.j2").module
    assert _codes_in_module() == set(module.problems)
    for code in module.problems:
        for line, column in ((0, None), (3, None), (3, "target"), (0, "iki")):
            text = TEXTS.paste_problem(code, line=line, column=column, value="x", maximum=100)
            assert "{" not in text and "}" not in text, (code, text)
    assert set(module.columns) == set(COLUMNS)


def test_reasons_name_the_line_and_the_column() -> None:
    row = _one(f"{RHK}\t{IKI}\tdua\t\t5\t\t")
    (problem,) = row.problems
    assert TEXTS.paste_problem(problem.code, **problem.values()) == (
        "Baris 2, kolom Target: “dua” belum terbaca sebagai angka. "
        "Tuliskan misalnya 100%, 4 kali, atau 17,5."
    )
    assert TEXTS.paste_problem("paste_column_missing", line=0, column="rhk").startswith(
        "Kolom RHK tidak ditemukan."
    )
    assert TEXTS.paste_problem(
        "paste_text_too_long", line=7, column="leader_rhk", length=4000, maximum=500
    ) == (
        "Baris 7, kolom RHK atasan: Teks terlalu panjang (4000 karakter; paling banyak 500). "
        "Ringkas kalimatnya."
    )


# -- properties ---------------------------------------------------------------------------------

HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from('\t|;"\n\r -—,.%0123456789<>\\'),
        st.characters(codec="utf-8"),
    ),
    max_size=400,
)


@settings(max_examples=300, deadline=None)
@given(HOSTILE_TEXT)
@example('"\t"')
@example('|"|"|')
@example("1\t\n2\t\n3\t")
@example('a\t"b""\tc')
def test_nothing_raises_on_text(text: str) -> None:
    table = parse_table(text, POLICY)
    assert isinstance(table, PasteTable)
    assert "paste_unreadable" not in {p.code for p in table.problems}
    assert len(table.rows) <= MAX_ROWS
    assert all(r.line >= 1 for r in table.rows)
    assert isinstance(looks_like_table(text), bool)
    assert all(all(isinstance(c, str) for c in row) for row in split_cells(text))
    weights = parse_weights(text)
    assert weights is None or all(D(0) < w <= D(100) for w in weights)
    edit = parse_quick_edit(text)
    assert edit is None or (edit.value and 1 <= edit.position <= MAX_ROWS)
    for code in {p.code for p in table.all_problems() + table.all_notes()}:
        assert TEXTS.paste_problem(code, line=1, column="iki")


CELL = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(), st.decimals())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, max_size=10), max_size=20), st.integers(-5, 5))
def test_nothing_raises_on_cells(cells: list[list[Any]], first_line: int) -> None:
    table = parse_rows(cells, POLICY, first_line)
    assert "paste_unreadable" not in {p.code for p in table.problems}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
@example(b"PK\x03\x04")
@example(codecs.BOM_UTF16_BE + b"\x00a")
@example(b"sep=\n")
@example(b'"' * 50)
def test_nothing_raises_on_files(content: bytes) -> None:
    assert isinstance(read_csv(content), list)
    assert read_xlsx(content) == [] or content.startswith(b"PK")
    for name in ("a.csv", "a.xlsx", "a.bin"):
        assert isinstance(parse_file(name, content, POLICY), PasteTable)


# A random valid row: texts that pass text_problem, made of letters, digits and punctuation that
# is not a separator; a real measure word in front (a cell never starts with a quote).
WORD = st.text(alphabet=string.ascii_letters + "éÖ0123456789()/&-.,'\"", min_size=1, max_size=10)


def _text(first: list[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, rest: " ".join([a, *rest]),
        st.sampled_from(first),
        st.lists(WORD, min_size=1, max_size=8),
    ).filter(lambda t: paste.text_problem(t) is None)


ROW = st.tuples(
    st.sampled_from(sorted(POLICY.jenis)),
    st.one_of(st.just(""), _text(["Terwujudnya", "Meningkatnya"])),
    _text(["Layanan", "Dokumen", "Kalibrasi", "Data"]),
    st.sampled_from(list(Aspek)),
    _text(["Persentase", "Jumlah", "Nilai", "Indeks"]),
    st.one_of(
        st.integers(0, 10**9).map(D),
        st.decimals(min_value=0, max_value=1000, places=2).map(lambda d: d.normalize()),
    ),
    st.sampled_from(POLICY.satuan),
    st.decimals(min_value=1, max_value=100, places=2),
)


def _render_target(target: Decimal, satuan: str) -> str:
    number = angka(target)
    return f"{number}%" if satuan == "%" else f"{number} {satuan}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(ROW, min_size=1, max_size=12),
    st.sampled_from(["\t", "|", ";"]),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_round_trip(rows: list[Any], sep: str, header: bool, rng: random.Random) -> None:
    rows = [r for r in rows if not (r[6] == "%" and r[5] > 1000)]
    if not rows:
        return
    order = list(DEFAULT_ORDER)
    if header:
        rng.shuffle(order)
    unit_in_target = rng.random() < 0.5
    names = {
        "jenis": ["Jenis", "Jenis IKI", "Kategori"],
        "leader_rhk": ["RHK atasan", "RHK Atasan yang diintervensi", "Rencana Hasil Kerja Atasan"],
        "rhk": ["RHK", "Rencana Hasil Kerja", "Rencana Kinerja"],
        "aspek": ["Aspek", "ASPEK"],
        "iki": ["IKI", "Indikator", "Indikator Kinerja Individu"],
        "target": ["Target", "Target (*)"],
        "satuan": ["Satuan"],
        "bobot": ["Bobot", "Bobot (%)"],
    }
    lines: list[list[str]] = []
    if header:
        lines.append([rng.choice(names[k]) for k in order])
    for jenis, leader, rhk, aspek, iki, target, satuan, bobot in rows:
        multi = sep == "\t" and rng.random() < 0.3
        values = {
            "jenis": rng.choice([jenis, jenis.lower()]),
            "leader_rhk": leader,
            "rhk": rhk.replace(" ", "\n", 1) if multi else rhk,
            "aspek": rng.choice([aspek.value, aspek.value.upper(), aspek.value.title()]),
            "iki": iki,
            "target": _render_target(target, satuan) if unit_in_target else angka(target),
            "satuan": satuan if not unit_in_target or rng.random() < 0.5 else "",
            "bobot": angka(bobot) + rng.choice(["", "%"]),
        }
        lines.append([values[k] for k in order])
    if sep == "\t":
        text = "\r\n".join("\t".join(_excel_quote(c) for c in line) for line in lines)
    elif sep == "|":
        text = "\n".join("| " + " | ".join(line) + " |" for line in lines)
        if header:
            text = text.replace("\n", "\n|" + "---|" * len(order) + "\n", 1)
    else:
        text = "\n".join(";".join(line) for line in lines)
    table = parse_table(text, POLICY)
    assert table.header is header
    assert table.ok, table.all_problems()
    expected = [
        (j, leader, rhk, aspek, iki, target, satuan, bobot)
        for j, leader, rhk, aspek, iki, target, satuan, bobot in rows
    ]
    assert _read(table) == expected
    # the same rows from cells (as a file gives them) read the same
    assert _read(parse_rows(split_cells(text), POLICY)) == expected


def test_normalise_satuan() -> None:
    assert [
        normalise_satuan(s, POLICY) for s in ("persen", "X", "kali", "dokumen", "Rp", "Butir")
    ] == [
        "%",
        "Kali",
        "Kali",
        "Dokumen",
        "Rupiah",
        "Butir",
    ]

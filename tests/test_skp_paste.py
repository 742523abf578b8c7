"""Drafting by message: a pasted table (text, a split paste, an .xlsx file) previewed and stored
on "Simpan semua", all weights in one message, quick edits of one field; bad input changes
nothing. Through the real Application and the strict fake Telegram."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import select

from bot.db.models import Employee, Skp, SkpItem
from bot.services.demo import KATIM_SBBL
from tests.conftest import Harness
from tests.skp_examples import LEADER_RHK, SBBL_KATIM
from tests.telegram_fake import ChatClient
from tests.test_skp_flow import leader_with_one_rhk

HEADER = ["Jenis", "RHK atasan", "RHK", "Aspek", "IKI", "Target", "Bobot (%)"]


def sbbl_rows() -> list[list[str]]:
    rows = []
    for jenis, rhk, aspek, iki, target, satuan, bobot in SBBL_KATIM:
        if not any(ch.isalpha() or ch == "%" for ch in target):
            target = f"{target} {satuan}"
        leader = LEADER_RHK if jenis == "CL" else ""
        rows.append([jenis, leader, rhk, aspek.capitalize(), iki, target, bobot])
    return rows


def as_tabs(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in rows)


async def items(bot: Harness) -> list[SkpItem]:
    """The Katim's items (her leader has an SKP too)."""
    mine = select(Skp.id).join(Employee, Employee.id == Skp.employee_id)
    rows = await bot.rows(SkpItem, SkpItem.skp_id.in_(mine.where(Employee.nip == KATIM_SBBL)))
    return sorted(rows, key=lambda r: r.position)


async def katim_on_overview(bot: Harness) -> ChatClient:
    await leader_with_one_rhk(bot)
    katim = await bot.onboard(KATIM_SBBL, 8802)
    await katim.click("Susun SKP")
    return katim


async def test_a_pasted_table_is_previewed_then_saved_in_one_press(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    inputs_before = len(bot.transport.calls)
    preview = await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    assert "Pratinjau tabel" in preview.text and "9 baris terbaca" in preview.text
    assert preview.labels()[0] == "💾 Simpan semua (9)"
    assert await items(bot) == []  # nothing stored before "Simpan semua"
    overview = await katim.click("Simpan semua")
    assert overview.message_id == preview.message_id  # the preview became the overview
    assert "Jumlah IKI: <b>9</b>" in overview.text
    assert "Core: <b>100%</b>" in overview.text and "Beyond: <b>20%</b>" in overview.text
    stored = await items(bot)
    assert [r.iki for r in stored] == [row[3] for row in SBBL_KATIM]
    assert [r.jenis for r in stored] == [row[0] for row in SBBL_KATIM]
    assert [r.bobot for r in stored] == [Decimal(row[6]) for row in SBBL_KATIM]
    assert stored[1].target_value == 2 and stored[1].satuan == "Rumusan"
    assert stored[0].satuan == "%" and stored[0].target_value == 100
    # the CL rows are linked to the leader's RHK they quote
    assert all(r.leader_item_id is not None for r in stored if r.jenis == "CL")
    assert stored[7].mandatory_key == "ipasn"  # the mandatory IKI is recognised
    assert not bot.transport.refused
    assert len(bot.transport.calls) > inputs_before


async def test_a_bad_row_is_named_fixed_by_typing_it_again_then_saved(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    rows = sbbl_rows()
    rows[2][5] = "empat kali"  # not a number
    preview = await katim.send(as_tabs([HEADER, *rows]))
    assert "Baris 4, kolom Target" in preview.text  # the header is line 1
    assert not any("Simpan semua" in label for label in preview.labels())
    fix = await katim.click("Perbaiki baris 4")
    assert "Perbaiki baris 4" in fix.text and "empat kali" in fix.text
    fixed = [*rows[2][:5], "4 kali", rows[2][6]]
    preview = await katim.send(" | ".join(fixed))
    rows_part = preview.text.split("Setelah disimpan")[0]
    assert "Pratinjau tabel" in preview.text and "⛔" not in rows_part
    await katim.click("Simpan semua")
    stored = await items(bot)
    assert len(stored) == 9 and stored[2].target_value == 4 and stored[2].satuan == "Kali"


async def test_a_paste_split_by_telegram_arrives_joined(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    rows = sbbl_rows()
    await katim.send(as_tabs([HEADER, *rows[:4]]))
    preview = await katim.send(as_tabs(rows[4:]))
    assert "9 baris terbaca" in preview.text and "digabungkan" in preview.text
    await katim.click("Simpan semua")
    assert len(await items(bot)) == 9


async def test_cancel_stores_nothing(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    overview = await katim.click("Batal")
    assert "Belum ada hasil kerja" in overview.text
    assert await items(bot) == []
    assert katim.answers()[-1]["text"] == "Tabel tidak disimpan."


async def test_an_xlsx_file_is_read_like_a_paste(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in sbbl_rows():
        sheet.append([*row[:6], int(row[6]) / 100])
        sheet.cell(sheet.max_row, 7).number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    preview = await katim.send_file("skp-2026.xlsx", buffer.getvalue())
    assert "9 baris terbaca" in preview.text
    await katim.click("Simpan semua")
    stored = await items(bot)
    assert [r.bobot for r in stored] == [Decimal(row[6]) for row in SBBL_KATIM]


async def test_weights_in_one_message_and_quick_edits(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    await katim.click("Simpan semua")

    wrong = await katim.send("20 5 5")
    assert "3 bobot" in wrong.text and "9 butir" in wrong.text
    assert [r.bobot for r in await items(bot)] == [Decimal(r[6]) for r in SBBL_KATIM]
    overview = await katim.send("10 10 10 20 10 10 20 10 20")
    assert "Bobot 9 butir diperbarui" in overview.text and "Core: <b>100%</b>" in overview.text
    assert [r.bobot for r in await items(bot)][:3] == [10, 10, 10]

    card = await katim.send("3 target 6 kali")
    assert "Target butir 3 diperbarui" in card.text
    assert (await items(bot))[2].target_value == 6
    await katim.command("skp")
    await katim.send("5 bobot 15")
    assert (await items(bot))[4].bobot == 15
    await katim.command("skp")
    new_iki = "Persentase peserta peningkatan kapasitas SBBL yang lulus evaluasi"
    await katim.send(f"5 iki {new_iki}")
    assert (await items(bot))[4].iki == new_iki

    await katim.command("skp")
    before = [(r.iki, r.target_value, r.bobot) for r in await items(bot)]
    for bad in ("3 target abc", "12 bobot 10", "2 aspek entah", "4 bobot 0", "halo"):
        answer = await katim.send(bad)
        assert answer.buttons  # the overview's buttons stay with the explanation
    assert [(r.iki, r.target_value, r.bobot) for r in await items(bot)] == before
    assert not bot.transport.refused


async def test_add_offers_the_paste_first(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    first = await katim.click("Tambah hasil kerja")
    assert first.labels()[0] == "📋 Tempel tabel dari Excel/Word"
    wait = await katim.click("Tempel tabel")
    assert "Menempel tabel SKP" in wait.text
    not_table = await katim.send("Persentase NSPK tersusun tepat waktu")
    assert "belum terbaca sebagai tabel" in not_table.text
    preview = await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    assert "9 baris terbaca" in preview.text


async def test_quick_edits_follow_each_other_from_the_item_shown(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    await katim.click("Simpan semua")
    card = await katim.send("3 target 6 kali")
    assert "Butir 3" in card.text
    again = await katim.send("5 bobot 15")  # typed on the item shown: taken as well
    assert "Bobot butir 5 diperbarui" in again.text
    weights = await katim.send("20 5 5 20 10 10 20 10 20")
    assert "Bobot 9 butir diperbarui" in weights.text
    assert [r.bobot for r in await items(bot)][4] == 10
    await katim.command("skp")
    await katim.send("4 bobot 15")  # Core 95%: a finding
    await katim.command("skp")
    await katim.click("Lihat temuan")
    from_findings = await katim.send("4 bobot 20")
    assert "Bobot butir 4 diperbarui" in from_findings.text
    assert [r.bobot for r in await items(bot)][3] == 20


async def test_the_same_table_pasted_again_saves_only_what_is_new(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    rows = sbbl_rows()
    await katim.send(as_tabs([HEADER, *rows[:6]]))
    await katim.click("Simpan semua")
    again = await katim.send(as_tabs([HEADER, *rows]))
    assert "6 baris sudah ada di SKP Anda dan dilewati" in again.text
    assert again.labels()[0] == "💾 Simpan yang belum ada (3)"
    assert "Setelah disimpan: IKI <b>9</b>" in again.text
    await katim.click("Simpan yang belum ada")
    assert len(await items(bot)) == 9
    repeat = await katim.send(as_tabs([HEADER, *rows]))
    assert "Semua baris ini sudah ada" in repeat.text
    assert not any("Simpan" in label for label in repeat.labels())


async def test_a_finding_on_every_pasted_row_is_said_once(bot: Harness) -> None:
    katim = await katim_on_overview(bot)
    no_weights = [row[:6] for row in sbbl_rows()]
    await katim.send(as_tabs([HEADER[:6], *no_weights]))
    await katim.click("Simpan semua")
    findings = await katim.click("Lihat temuan")
    assert findings.text.count("Bobot belum") + findings.text.count("belum lengkap: Bobot") == 1
    assert "<b>Butir 1–9</b>" in findings.text


async def test_typing_on_an_skp_that_is_not_a_draft_says_why_not_how_to_edit(
    bot: Harness,
) -> None:
    katim = await katim_on_overview(bot)
    await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    await katim.click("Simpan semua")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ya, ajukan")
    await katim.command("skp")
    said = await katim.send("halo")
    assert "berstatus “Diajukan, menunggu atasan”" in said.text
    assert "tidak dapat diubah lewat pesan" in said.text
    assert "semua bobot" not in said.text  # no edits offered that would be refused
    assert len(await items(bot)) == 9  # and nothing changed

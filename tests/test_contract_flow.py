"""What the dialog agrees is what the SKP says, through the real Application: an agreed target
expectation sets the item's target; a counter keeps its unit; the leader may insist; a counter
and a resource need travel in one answer; an old button does nothing once the SKP went back for
revision; an edited agreed target returns to the leader; a withdrawal before the leader acts;
the leader's menu counts what waits; version 2 keeps version 1's agreements."""

from __future__ import annotations

import io
from decimal import Decimal

from docx import Document

from bot.db.models import (
    AuditLog,
    ExpectationStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
)
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Harness
from tests.telegram_fake import ChatClient
from tests.test_dialog_flow import approve, seed_sbbl_skp, set_skp, sign, skp_row, submit


async def item(bot: Harness, skp_id: int, position: int) -> SkpItem:
    [row] = await bot.rows(SkpItem, SkpItem.skp_id == skp_id, SkpItem.position == position)
    return row


async def expect_target(director: ChatClient, position: int, target: str, text: str | None) -> None:
    """The leader opens the SKP from /persetujuan and sets a target expectation."""
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Ekspektasi hasil / target")
    await director.click(str(position))
    await director.click("Target dan standar")
    await director.send(target)
    if text is None:
        await director.click("Kirim tanpa keterangan")
    else:
        await director.send(text)


async def approve_sign_set(director: ChatClient, katim: ChatClient) -> None:
    await director.command("persetujuan")
    review = await director.click("1. Intan")
    assert "Tidak ada hal yang terbuka" in review.text, review.text
    await approve(director, review)
    await sign(katim, katim.last)
    await set_skp(director, director.last)


async def test_an_agreed_target_becomes_the_items_target_and_is_printed(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 4101)
    katim = await bot.onboard(KATIM_SBBL, 4102)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    assert (await item(bot, skp_id, 7)).target_value == 80
    await submit(katim)
    menu = await director.command("menu")
    assert "✅ Persetujuan SKP tim (1)" in menu.labels()

    await expect_target(director, 7, "100%", "Semua rekomendasi selesai tepat waktu.")
    asked = katim.last
    assert "Target yang diharapkan: <b>100%</b>" in asked.text and "#" not in asked.text
    # the overview says what is open and offers to answer it
    overview = await katim.command("skp")
    assert "Atasan menunggu tanggapan Anda atas 1 ekspektasi" in overview.text
    assert "💬 Tanggapi: butir 7" in overview.labels()
    await katim.click("Setuju", asked)
    row = await item(bot, skp_id, 7)
    assert (row.target_value, row.satuan) == (100, "%")
    assert "menyetujui ekspektasi Anda" in director.last.text
    assert "Target butir ini menjadi <b>100%</b>" in director.last.text

    await approve_sign_set(director, katim)
    final = await skp_row(bot, skp_id)
    assert final.status is SkpStatus.SET
    assert (await item(bot, skp_id, 7)).target_value == 100
    # the agreed expectation is printed beside its item in the Word file
    [docx] = [d for d in bot.transport.documents_to(4102) if d.filename.endswith(".docx")]
    assert docx.content is not None
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(docx.content)).tables
        for row_ in table.rows
        for cell in row_.cells
    )
    assert "Target disepakati: 100%" in text and "Semua rekomendasi selesai tepat waktu" in text


async def test_a_counter_and_a_need_in_one_answer_and_the_leader_insists(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 4201)
    katim = await bot.onboard(KATIM_SBBL, 4202)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await expect_target(director, 2, "4", None)  # item 2 counts "Rumusan": the unit is kept

    await katim.command("skp")
    await katim.click("Tanggapi: butir 2")
    await katim.click("Usulkan target lain")
    await katim.send("3")
    await katim.send("Data kebutuhan daerah baru lengkap untuk tiga rumusan.")
    await katim.click("Sampaikan kebutuhan dukungan")
    await katim.click("SDM")
    drafted = await katim.send("Satu analis data selama tiga bulan.")
    assert "Usulan target: <b>3 Rumusan</b>" in drafted.text and "SDM: Satu analis" in drafted.text
    await katim.click("Kirim tanggapan")

    answer = director.last
    assert "Usulan target: <b>3 Rumusan</b> (Anda mengharapkan 4 Rumusan)" in answer.text
    assert "Satu analis data" in answer.text
    assert answer.labels() == [
        "✅ Terima usulan",
        "📌 Tetap pada ekspektasi",
        "✅ Setujui dukungan",
        "❌ Tolak",
    ]
    review = await director.click("Tetap pada ekspektasi", answer)
    row = await item(bot, skp_id, 2)
    assert (row.target_value, row.satuan) == (4, "Rumusan")  # the leader's value
    # the review of the SKP below the notice, the decision on top; the need still to decide
    assert review.text.startswith(
        "📌 Ekspektasi Anda dipertahankan; target butir 2 tetap <b>4 Rumusan</b>."
    )
    assert "✅ Setujui dukungan 1" in review.labels()
    assert "✅ Setujui dukungan" in director.now(answer).labels()  # the notice keeps its need
    assert katim.last.text.endswith(
        "tetap pada ekspektasinya untuk butir 2. Target butir ini <b>4 Rumusan</b>."
    )
    [exp] = await bot.rows(SkpExpectation)
    assert exp.status is ExpectationStatus.NEGOTIATING  # the need is still open
    overview = await katim.command("skp")
    assert "ditetapkan pimpinan → target <b>4 Rumusan</b>; dukungan menunggu keputusan" in (
        overview.text
    )
    review = await director.click("Setujui dukungan", answer)
    assert review.text.startswith("✅ Dukungan SDM disetujui: <i>Satu analis data")
    assert "✅ Setujui" in review.labels()  # nothing open: approving is one tap away
    [exp] = await bot.rows(SkpExpectation)
    [resource] = await bot.rows(SkpResource)
    assert exp.status is ExpectationStatus.SETTLED and exp.agreed_value == 4
    assert resource.status.value == "disepakati"
    overview = await katim.command("skp")
    assert "ditetapkan pimpinan → target <b>4 Rumusan</b>" in overview.text
    await approve_sign_set(director, katim)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SET


async def test_a_counter_keeps_its_unit_and_an_old_button_is_void_in_revision(
    bot: Harness,
) -> None:
    director = await bot.onboard(DIREKTUR, 4301)
    katim = await bot.onboard(KATIM_SBBL, 4302)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await expect_target(director, 1, "95%", "NSPK selesai sebelum triwulan III.")
    await katim.click("Tanggapi", katim.last)
    await katim.click("Usulkan target lain")
    await katim.send("85%")
    await katim.send("Dua bab menunggu masukan lintas program.")
    await katim.click("Kirim tanggapan")
    counter = director.last
    assert "Usulan target: <b>85%</b>" in counter.text

    # the leader sends the SKP back for revision instead; the counter's buttons stay behind
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Minta revisi")
    await director.send("Mohon lengkapi dulu rincian rekomendasi per provinsi.")
    assert (await skp_row(bot, skp_id)).status is SkpStatus.REVISION
    await director.click("Terima usulan", counter)
    assert "tidak berlaku" in director.answers()[-1]["text"]
    assert (await item(bot, skp_id, 1)).target_value == 100  # unchanged
    assert await bot.count(AuditLog, AuditLog.action == "skp.counter_accepted") == 0

    # resubmitted: now the leader accepts, and 85% keeps its unit
    await submit(katim)
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Terima usulan 1")
    row = await item(bot, skp_id, 1)
    assert (row.target_value, row.satuan) == (85, "%")
    assert "target menjadi <b>85%</b>" in katim.last.text


async def test_an_edited_agreed_target_goes_back_to_the_leader(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 4401)
    katim = await bot.onboard(KATIM_SBBL, 4402)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await expect_target(director, 7, "100%", None)
    await katim.click("Setuju", katim.last)
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Minta revisi")
    await director.send("Mohon bobot butir 5 dan 6 ditinjau ulang.")

    # the employee also lowers the agreed target of item 7 while revising
    await katim.command("skp")
    await katim.click("Ubah, hapus")
    await katim.click("7")
    await katim.click("Ubah")
    await katim.click("Ubah isian")
    await katim.click("Target")
    await katim.send("90%")
    await katim.click("Simpan")
    await submit(katim)
    resubmitted = director.last
    assert "Yang berubah sejak Anda terakhir melihat" in resubmitted.text
    assert "Butir 7 (target)" in resubmitted.text
    assert "1 tanggapan pegawai menunggu keputusan Anda" in resubmitted.text

    await director.command("persetujuan")
    review = await director.click("1. Intan")
    assert "usul target <b>90%</b> (harapan Anda 100%)" in review.text
    assert not any(label.startswith("✅ Setujui") for label in review.labels())
    await director.click("Pertahankan 1", review)
    assert (await item(bot, skp_id, 7)).target_value == 100
    await approve_sign_set(director, katim)
    assert (await item(bot, skp_id, 7)).target_value == 100


async def test_a_submission_is_withdrawn_only_before_the_leader_acts(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 4501)
    katim = await bot.onboard(KATIM_SBBL, 4502)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    first_notice = director.last
    overview = await katim.command("skp")
    await katim.click("Tarik kembali pengajuan", overview)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.DRAFT
    assert "menarik kembali pengajuan SKP" in director.last.text
    await director.click("Setujui", first_notice)  # the old notice no longer approves
    assert "sudah tidak berlaku" in director.answers()[-1]["text"]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.DRAFT

    await submit(katim)
    before = await katim.command("skp")  # still offers to withdraw
    await expect_target(director, 3, "4", None)
    await katim.click("Tarik kembali pengajuan", before)  # a screen from before the leader acted
    assert "sudah mulai meninjau" in katim.answers()[-1]["text"]
    assert "Tarik kembali pengajuan" not in str((await katim.command("skp")).labels())
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SUBMITTED
    assert await bot.count(AuditLog, AuditLog.action == "skp.withdrawn") == 1


async def test_version_two_keeps_the_agreements_of_version_one(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 4601)
    katim = await bot.onboard(KATIM_SBBL, 4602)
    first_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await expect_target(director, 7, "100%", None)
    await katim.click("Setuju", katim.last)
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Ekspektasi perilaku")
    await director.click("Kolaboratif")
    await director.click("Pakai contoh 1")
    await katim.click("Setuju", katim.last)
    await approve_sign_set(director, katim)

    await katim.command("skp")
    await katim.click("Ajukan perubahan SKP")
    await katim.click("Struktur organisasi")
    changed = await katim.click("Lewati catatan")
    assert "termasuk ekspektasi dan dukungan yang sudah disepakati" in changed.text
    assert "[Kolaboratif]" in changed.text and "disepakati → target <b>100%</b>" in changed.text
    [second] = await bot.rows(Skp, Skp.id != first_id)
    copied = await bot.rows(SkpExpectation, SkpExpectation.skp_id == second.id)
    assert {e.kind.value for e in copied} == {"target", "perilaku"}
    assert all(e.status is ExpectationStatus.SETTLED for e in copied)
    [target] = [e for e in copied if e.kind.value == "target"]
    assert target.agreed_value == Decimal(100)
    assert (await item(bot, second.id, 7)).id == target.item_id  # bound to the copy's item

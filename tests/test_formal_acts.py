"""Approving, signing and setting are confirmed first, through the real Application: from a
notice (the notice stays, the confirmation comes below it) and from the review or overview (the
screen turns into the confirmation); the confirmation sums up what is approved, signed or set,
shows the items in full a page at a time, cancels, and refuses politely when the SKP changed
since it was drawn."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import AuditLog, Skp, SkpStatus
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Harness
from tests.test_dialog_flow import seed_sbbl_skp, skp_row, submit


async def test_each_formal_act_is_confirmed_and_the_notice_stays(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 5101)
    katim = await bot.onboard(KATIM_SBBL, 5102)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)

    # approving from the notice: a confirmation below it; "Batal" changes nothing
    notice = director.last
    confirmation = await director.click("Setujui", notice)
    assert confirmation.message_id != notice.message_id
    assert "mengajukan SKP 2026" in director.now(notice).text
    assert "<b>Setujui SKP Intan Purnamasari?</b>" in confirmation.text
    assert "<b>9 IKI</b>" in confirmation.text and "versi 1" in confirmation.text
    assert confirmation.labels() == ["✅ Ya, setujui", "📄 Lihat SKP", "Batal"]
    home = await director.click("Batal", confirmation)
    assert home.message_id == confirmation.message_id  # the screen's own button: in place
    assert "SKP Intan Purnamasari" in home.text
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SUBMITTED
    assert await bot.count(AuditLog, AuditLog.action == "skp.approved") == 0

    # from the review: the items in full, one a page, then back and approve
    await director.click("Setujui", home)
    item = await director.click("Lihat SKP")
    assert "<b>Butir 1 dari 9</b>" in item.text and "RHK:" in item.text
    item = await director.click("Berikutnya", item)
    assert "<b>Butir 2 dari 9</b>" in item.text
    back = await director.click("Kembali ke konfirmasi", item)
    assert "<b>Setujui SKP Intan Purnamasari?</b>" in back.text
    await director.click("Ya, setujui", back)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED

    # signing from the notice: what is signed, with whom
    sign_notice = katim.last
    assert "Silakan periksa kembali lalu tandatangani" in sign_notice.text
    confirmation = await katim.click("Tandatangani SKP", sign_notice)
    assert confirmation.message_id != sign_notice.message_id
    assert "<b>Tandatangani SKP Anda?</b>" in confirmation.text
    assert "Pejabat penilai: <b>Sri Rahayu</b>" in confirmation.text
    assert "<b>9 IKI</b>" in confirmation.text
    assert "Ekspektasi pimpinan yang disepakati: <b>0</b>" in confirmation.text
    assert confirmation.labels() == ["✍️ Ya, tandatangani", "📄 Lihat SKP", "Batal"]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED  # nothing signed yet
    overview = await katim.click("Batal", confirmation)
    assert "✍️ Tandatangani SKP" in overview.labels()
    await katim.click("Tandatangani SKP", overview)  # from the overview: the same
    item = await katim.click("Lihat SKP")
    assert "<b>Butir 1 dari 9</b>" in item.text
    await katim.click("Kembali ke konfirmasi", item)
    signed = await katim.click("Ya, tandatangani")
    assert "sudah ditandatangani" in signed.text
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SIGNED
    assert "Silakan periksa kembali" in katim.now(sign_notice).text  # the notice stays

    # setting from the notice
    set_notice = director.last
    confirmation = await director.click("Tetapkan SKP", set_notice)
    assert "<b>Tetapkan SKP Intan Purnamasari?</b>" in confirmation.text
    assert "Pegawai: <b>Intan Purnamasari</b>" in confirmation.text
    assert confirmation.labels() == ["📌 Ya, tetapkan", "📄 Lihat SKP", "Batal"]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SIGNED
    await director.click("Ya, tetapkan", confirmation)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SET
    assert await bot.count(AuditLog, AuditLog.action == "skp.set") == 1


async def test_a_changed_skp_is_refused_politely_on_the_confirmation(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 5201)
    katim = await bot.onboard(KATIM_SBBL, 5202)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    notice = director.last
    _, old = director.find_button("Setujui", notice)
    confirmation = await director.click("Setujui", notice)

    # the SKP changes under the open confirmation (another device, another process)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(update(Skp).where(Skp.id == skp_id).values(revision=Skp.revision + 5))
    again = await director.click("Ya, setujui", confirmation)
    assert "berubah sejak layar konfirmasi ditampilkan" in again.text
    assert "<b>Setujui SKP Intan Purnamasari?</b>" in again.text  # as it is now
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SUBMITTED
    await director.click("Ya, setujui", again)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED

    # the notice's button, pressed again (another device): refused at once, no confirmation
    await director.click_data(old, notice)
    assert "sudah tidak berlaku" in director.answers()[-1]["text"]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED


async def test_a_withdrawal_under_an_open_confirmation_refuses_the_approval(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 5301)
    katim = await bot.onboard(KATIM_SBBL, 5302)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    confirmation = await director.click("Setujui", director.last)
    # opening the confirmation is not acting: the employee may still withdraw
    await katim.command("skp")
    await katim.click("Tarik kembali pengajuan")
    assert (await skp_row(bot, skp_id)).status is SkpStatus.DRAFT
    after = await director.click("Ya, setujui", confirmation)
    assert "sudah tidak berlaku untuk status SKP saat ini" in after.text
    assert (await skp_row(bot, skp_id)).status is SkpStatus.DRAFT
    assert await bot.count(AuditLog, AuditLog.action == "skp.approved") == 0

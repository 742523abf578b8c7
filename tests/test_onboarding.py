"""Onboarding through the real Application: invitation links, identity confirmation, the
"data saya salah" report, refusals, and the safety properties of the dialog engine."""

from __future__ import annotations

from bot.db.models import (
    AuditLog,
    DataReport,
    DialogState,
    Invitation,
    LinkStatus,
    Outbox,
    OutboxStatus,
    ProcessedUpdate,
    TelegramLink,
)
from bot.services.demo import KARO, KATIM_PENKIN
from tests.conftest import Harness

STAFF = "199002142015032001"  # Fitri Handayani, Penilaian Kinerja team
ADMIN = "199104172015022001"  # Yuliana Putri


async def test_invitation_happy_path(bot: Harness) -> None:
    fitri = bot.client(501, "Fitri")
    card = await fitri.command("start", await bot.invite(STAFF))
    assert "Fitri Handayani" in card.text
    assert "1990**********2001" in card.text and STAFF not in card.text
    assert "Analis SDM Aparatur Ahli Muda" in card.text
    assert "Biro Organisasi dan Sumber Daya Manusia" in card.text
    assert "Dewi Anggraini" in card.text  # the pejabat penilai
    assert card.labels() == ["✅ Ya, ini saya", "✏️ Data saya salah", "🚫 Ini bukan saya"]

    menu = await fitri.click("Ya, ini saya")
    # the answer replaces the card it was pressed on: one calm screen, not a new message
    assert menu.message_id == card.message_id and fitri.now(card) is menu
    assert "Akun Anda sudah terhubung" in menu.text and "Menu utama" in menu.text
    assert menu.labels() == ["📝 Susun SKP", "👤 Profil saya", "❓ Bantuan"]  # an employee's menu

    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 501)
    assert link.status is LinkStatus.ACTIVE and link.confirmed_at is not None
    [invitation] = await bot.rows(Invitation)
    assert invitation.used_at is not None
    actions = [a.action for a in await bot.rows(AuditLog)]
    assert "link.claimed" in actions and "link.activated" in actions


async def test_menu_fits_the_role(bot: Harness) -> None:
    karo = await bot.onboard(KARO, 601)
    assert "🏢 Unit saya" in karo.last.labels()
    unit = await karo.click("Unit saya")
    assert "Penilaian Kinerja ASN" in unit.text and "Pegawai: 16" in unit.text
    katim = await bot.onboard(KATIM_PENKIN, 602)
    assert "👥 Tim saya" in katim.last.labels() and "🏢 Unit saya" not in katim.last.labels()
    team = await katim.click("Tim saya")
    assert "Penilaian Kinerja ASN</b> (7 anggota)" in team.text
    admin = await bot.onboard(ADMIN, 603)
    assert "📊 Status aktivasi pegawai" in admin.last.labels()
    status = await admin.click("Status aktivasi")
    assert "3/25 terhubung" in status.text


async def test_data_saya_salah_reaches_admins_and_still_links(bot: Harness) -> None:
    admin = await bot.onboard(ADMIN, 700)
    fitri = bot.client(701)
    await fitri.command("start", await bot.invite(STAFF))
    await fitri.click("Data saya salah")
    prompt = await fitri.click("Atasan / pejabat penilai")
    assert "Atasan / pejabat penilai" in prompt.text
    short = await fitri.send("x")
    assert "terlalu singkat" in short.text
    assert await bot.count(DataReport) == 0
    await fitri.send("Atasan saya <b>Bayu</b> Nugroho, bukan Dewi")
    assert "diteruskan ke admin" in fitri.last.text
    assert "Menu utama" in fitri.last.text

    [report] = await bot.rows(DataReport)
    assert report.field == "atasan" and "<b>Bayu</b>" in report.note
    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 701)
    assert link.status is LinkStatus.ACTIVE
    notice = admin.last
    assert "Laporan data salah" in notice.text and f"#{report.id}" not in notice.text
    assert "&lt;b&gt;Bayu&lt;/b&gt;" in notice.text  # user text escaped in HTML
    [row] = await bot.rows(Outbox, Outbox.kind != "reply")
    assert row.status is OutboxStatus.SENT

    _, resolve_data = admin.find_button("Tandai sudah ditindaklanjuti", notice)
    await admin.click("Tandai sudah ditindaklanjuti", notice)
    [report] = await bot.rows(DataReport)
    assert report.status.value == "resolved"
    assert "sudah ditindaklanjuti" in fitri.last.text
    # a second tap on the same (older) notification changes nothing
    await admin.click_data(resolve_data, notice)
    assert admin.answers()[-1]["text"] == "Laporan ini sudah ditindaklanjuti sebelumnya."
    assert await bot.count(AuditLog, AuditLog.action == "data_report.resolved") == 1


async def test_not_me_releases_the_code(bot: Harness) -> None:
    stranger = bot.client(801)
    code = await bot.invite(STAFF)
    await stranger.command("start", code)
    await stranger.click("Ini bukan saya")
    assert "dibatalkan" in stranger.last.text
    assert await bot.count(TelegramLink, TelegramLink.status != LinkStatus.REVOKED) == 0
    await stranger.send("halo")
    assert "belum terhubung" in stranger.last.text
    await stranger.command("start", code)
    assert "sudah diganti" in stranger.last.text or "sudah digunakan" in stranger.last.text


async def test_bad_codes(bot: Harness, clock) -> None:  # type: ignore[no-untyped-def]
    someone = bot.client(901)
    await someone.command("start", "tidak-ada-kode-ini")
    assert "tidak dikenali" in someone.last.text
    await someone.command("start", "<script>")
    assert "tidak dikenali" in someone.last.text
    old = await bot.invite(STAFF)
    new = await bot.invite(STAFF)  # a new code revokes the old one
    await someone.command("start", old)
    assert "sudah diganti" in someone.last.text
    clock.advance(days=15)
    await someone.command("start", new)
    assert "kedaluwarsa" in someone.last.text
    assert await bot.count(TelegramLink) == 0


async def test_used_code_and_second_account(bot: Harness) -> None:
    code = await bot.invite(STAFF)
    first = bot.client(1001)
    await first.command("start", code)
    other = bot.client(1002)
    await other.command("start", code)  # while the first account is still confirming
    assert "akun Telegram lain" in other.last.text
    await first.click("Ya, ini saya")
    await other.command("start", code)
    assert "sudah digunakan" in other.last.text
    await other.send("/menu")
    assert "belum terhubung" in other.last.text
    links = await bot.rows(TelegramLink)
    assert [(link.tg_user_id, link.status) for link in links] == [(1001, LinkStatus.ACTIVE)]


async def test_new_device_replaces_the_old_link(bot: Harness) -> None:
    old = await bot.onboard(STAFF, 1101)
    new = await bot.onboard(STAFF, 1102)
    assert "Menu utama" in new.last.text
    statuses = {link.tg_user_id: link.status for link in await bot.rows(TelegramLink)}
    assert statuses == {1101: LinkStatus.REVOKED, 1102: LinkStatus.ACTIVE}
    await old.send("/menu")
    assert "belum terhubung" in old.last.text


async def test_group_chat_gets_a_polite_pointer(bot: Harness) -> None:
    group = bot.client(1201, chat_id=-5000)
    await group.send("/start abc")
    assert "hanya melayani percakapan pribadi" in group.last.text
    assert await bot.count(TelegramLink) == 0
    assert await bot.count(ProcessedUpdate) == 0


async def test_pending_account_can_only_confirm(bot: Harness) -> None:
    fitri = bot.client(1301)
    await fitri.command("start", await bot.invite(STAFF))
    await fitri.send("/menu")
    assert "konfirmasi data Anda" in fitri.last.text
    assert "✅ Ya, ini saya" in fitri.last.labels()
    await fitri.send("halo")
    assert "pilih salah satu tombol" in fitri.last.text


async def test_batal_mid_flow(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 1401)
    await fitri.command("koreksi")
    await fitri.click("Jabatan")
    await fitri.command("batal")
    assert "Dibatalkan" in fitri.last.text and "Menu utama" in fitri.last.text
    await fitri.send("teks setelah batal")
    assert "pilih salah satu tombol" in fitri.last.text
    assert await bot.count(DataReport) == 0
    [state] = await bot.rows(DialogState)
    assert (state.flow, state.step) == ("menu", "home") and state.data["draft"] == {}


async def test_restart_mid_flow_resumes(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    fitri = await bot.onboard(STAFF, 1501)
    await fitri.command("koreksi")
    await fitri.click("Unit kerja")
    await bot.app.shutdown()
    # A new process: new Application, same database.
    async with Harness(bot.services, transport) as restarted:
        again = restarted.client(1501)
        await again.send("Unit saya sekarang Biro Hukum sejak Januari")
        assert "diteruskan ke admin" in again.last.text
        [report] = await restarted.rows(DataReport)
        assert report.field == "unit"
    await bot.app.initialize()


async def test_duplicate_update_is_processed_once(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 1601)
    await fitri.command("koreksi")
    await fitri.click("Jabatan")
    update = fitri.message_update("Jabatan saya Analis SDM Aparatur Ahli Madya")
    before = fitri.mark()
    await fitri.process(update)
    await fitri.process(update)  # Telegram redelivers the same update_id
    assert await bot.count(DataReport) == 1
    [answer] = fitri.texts_since(before)  # once: "sent" on top of the menu
    assert "diteruskan ke admin" in answer and "Menu utama" in answer


async def test_forged_and_stale_buttons_change_nothing(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 1701)
    menu, old_data = fitri.find_button("Profil saya")
    await fitri.click("Profil saya")
    state_before = (await bot.rows(DialogState))[0]
    # a button from an older message (still visible on another device, say)
    await fitri.click_data(old_data, menu)
    assert "pesan lama" in fitri.answers()[-1]["text"]
    # forged data: garbage, an action this step does not offer, another person's report
    for data in (
        "x" * 80,
        f"s:go:admin_status:{state_before.version}",
        "rep:done:1:0",
        "zz:a:b:1",
    ):
        await fitri.click_data(data)
    answers = [a["text"] for a in fitri.answers()[-4:]]
    assert "tidak dikenali" in answers[0] and "tidak dikenali" in answers[1]
    assert "tidak berwenang" in answers[2] and "tidak dikenali" in answers[3]
    state_after = (await bot.rows(DialogState))[0]
    assert (state_after.step, state_after.version) == (state_before.step, state_before.version)


async def test_unregistered_and_button_from_stranger(bot: Harness) -> None:
    stranger = bot.client(1801)
    await stranger.send("Halo, saya mau isi SKP")
    assert "belum terhubung" in stranger.last.text
    await stranger.click_data("s:go:profile:1")
    assert "belum terhubung" in stranger.answers()[-1]["text"]
    assert await bot.count(DialogState) == 0


async def test_bad_text_input(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 1901)
    await fitri.command("koreksi")
    await fitri.click("Lainnya")
    for text in ("", "   ", "😀", "a" * 5000):
        await fitri.send(text)
    assert await bot.count(DataReport) == 0
    assert "terlalu panjang" in fitri.last.text
    await fitri.send("<script>alert(1)</script> nama saya salah eja")
    [report] = await bot.rows(DataReport)
    assert report.note.startswith("<script>")


async def test_unknown_command_and_help(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 2001)
    await fitri.send("/apaini")
    assert "tidak dikenal" in fitri.last.text
    await fitri.command("bantuan")
    assert "Bantuan Dialog Kinerja" in fitri.last.text
    await fitri.command("start")
    assert "Menu utama" in fitri.last.text
    await fitri.command("start", "kodelama123")
    assert "sudah terhubung" in fitri.last.text


async def test_old_update_ids_are_pruned_and_recent_ones_still_deduplicate(bot: Harness) -> None:
    from datetime import timedelta

    from bot.services.housekeeping import prune_processed_updates

    fitri = await bot.onboard(STAFF, 1801)  # three updates, processed "now"
    recent = fitri.message_update("/menu")
    await fitri.process(recent)
    kept = await bot.count(ProcessedUpdate)
    clock = bot.services.clock
    later = clock() + timedelta(days=8)
    assert await prune_processed_updates(bot.services.sessionmaker, later - timedelta(days=1)) == 0
    assert await prune_processed_updates(bot.services.sessionmaker, later) == kept
    assert await bot.count(ProcessedUpdate) == 0
    # within the window a redelivered update is still dropped
    before = fitri.mark()
    again = fitri.message_update("/menu")
    await fitri.process(again)
    await fitri.process(again)
    assert len(fitri.texts_since(before)) == 1

"""The dialog kinerja through the real Application with two and three people: submission,
revision, BerAKHLAK and target expectations, negotiation with a counter-proposal and a resource
request, approval, signing, setting; refused buttons (another person, forged, stale, twice),
two approvals at once, a restart mid-negotiation, an SKP change with its history, and a new
pejabat penilai."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import select, update

from bot.db.models import (
    AuditLog,
    Employee,
    ExpectationStatus,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
)
from bot.domain.numbers import parse_number
from bot.domain.policy import Aspek, default_policy
from bot.engine.runtime import TelegramIdentity
from bot.engine.types import Event, EventKind
from bot.services import skp as store
from bot.services.demo import DIREKTUR, DIRJEN, KATIM_SBBL, KATIM_SURV
from tests.conftest import Harness
from tests.skp_examples import LEADER_RHK, SBBL_KATIM
from tests.telegram_fake import ChatClient, Sent


async def employee_id(bot: Harness, nip: str) -> int:
    async with bot.services.sessionmaker() as session:
        found = await session.scalar(select(Employee.id).where(Employee.nip == nip))
        assert found is not None
        return found


async def seed_sbbl_skp(bot: Harness, nip: str) -> int:
    """The deck's SBBL list, stored directly (drafting itself is tested elsewhere)."""
    now = bot.services.clock()
    async with bot.services.sessionmaker() as session, session.begin():
        emp = await employee_id(bot, nip)
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = await store.open_skp(session, emp, period, now, default_policy())
        for jenis, rhk, aspek, iki, target, satuan, bobot in SBBL_KATIM:
            fields = store.ItemFields(
                jenis=jenis,
                rhk=rhk,
                aspek=Aspek(aspek),
                iki=iki,
                target=parse_number(target.split()[0].rstrip("%")) or Decimal(0),
                satuan=satuan,
                bobot=Decimal(bobot),
                leader_rhk=LEADER_RHK if jenis == "CL" else "",
                mandatory_key="ipasn" if jenis == "MI" else None,
            )
            await store.add_item(session, skp, fields, now)
        return skp.id


async def submit(client: ChatClient) -> None:
    await client.command("skp")
    await client.click("Ajukan ke atasan")
    await client.click("ajukan")  # "Ya, ajukan" or "Tetap ajukan"


async def skp_row(bot: Harness, skp_id: int) -> Skp:
    [row] = await bot.rows(Skp, Skp.id == skp_id)
    return row


# The formal acts are confirmed on a screen of their own (conversations.formal_acts): the
# button on a review screen, an overview or a notice, then "Ya, …" on the confirmation.


async def approve(director: ChatClient, message: Sent | None = None) -> Sent:
    await director.click("Setujui", message)
    return await director.click("Ya, setujui")


async def sign(katim: ChatClient, message: Sent | None = None) -> Sent:
    await katim.click("Tandatangani SKP", message)
    return await katim.click("Ya, tandatangani")


async def set_skp(director: ChatClient, message: Sent | None = None) -> Sent:
    await director.click("Tetapkan SKP", message)
    return await director.click("Ya, tetapkan")


async def test_the_whole_dialog_from_submission_to_setting(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    director = await bot.onboard(DIREKTUR, 901)
    katim = await bot.onboard(KATIM_SBBL, 902)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    first_notice = director.last
    assert "mengajukan SKP 2026" in first_notice.text
    assert first_notice.labels() == [
        "✅ Setujui",
        "↩️ Minta revisi",
        "💬 Diskusikan",
        "🔍 Lihat detail",
    ]

    # revision with a note, then resubmission
    await director.click("Minta revisi", first_notice)
    await director.send("Mohon target monev disesuaikan dengan jumlah regional yang realistis.")
    assert (await skp_row(bot, skp_id)).status is SkpStatus.REVISION
    asked = katim.last
    assert "meminta revisi" in asked.text and "regional yang realistis" in asked.text
    overview = await katim.click("Buka SKP", asked)
    assert "Catatan revisi dari atasan" in overview.text
    assert "Tambah hasil kerja" in str(overview.labels())  # editable again
    await submit(katim)
    resubmitted = director.last
    assert "mengajukan kembali SKP 2026 setelah revisi" in resubmitted.text

    # a BerAKHLAK expectation from an example phrasing, agreed by the employee
    _, early_approve = director.find_button("Setujui", resubmitted)  # kept on another device
    home = await director.click("Diskusikan", resubmitted)
    assert "SKP Intan Purnamasari" in home.text
    await director.click("Ekspektasi perilaku")
    value = await director.click("Kolaboratif")
    assert "Memberi kesempatan kepada berbagai pihak untuk berkontribusi" in value.text
    await director.click("Pakai contoh 1")
    expectation_msg = katim.last
    assert "perilaku <b>Kolaboratif</b>" in expectation_msg.text
    await katim.click("Setuju", expectation_msg)
    assert "menyetujui ekspektasi" in director.last.text

    # a target expectation, answered with a counter-proposal across a restart
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Ekspektasi hasil / target")
    await director.click("6")
    await director.click("Target dan standar")
    await director.send("14 kali")
    await director.send("Monev di 14 regional, masing-masing dengan rekomendasi tertulis.")
    target_msg = katim.last
    assert "tentang target butir 6" in target_msg.text and "<b>14 Kali</b>" in target_msg.text
    await katim.click("Tanggapi", target_msg)
    await katim.click("Usulkan target lain")
    await bot.app.shutdown()
    async with Harness(bot.services, transport) as restarted:
        again = restarted.client(902)
        reason = await again.send("3")
        # the reason prompt repeats what is proposed, for which item
        assert "Usulan Anda untuk butir 6: target <b>3 Kali</b>" in reason.text
        assert "(atasan mengharapkan 14 Kali)" in reason.text
        drafted = await again.send("Anggaran perjalanan hanya cukup untuk 3 kali monev tahun ini.")
        assert "Usulan target: <b>3 Kali</b>" in drafted.text  # the unit of the item is kept
        await again.click("Kirim tanggapan")
        assert "Tanggapan Anda dikirim" in again.last.text
    await bot.app.initialize()
    counter_msg = director.last
    assert "Usulan target: <b>3 Kali</b>" in counter_msg.text
    assert "Anda mengharapkan 14 Kali" in counter_msg.text
    review = await director.click("Terima usulan", counter_msg)
    [item6] = await bot.rows(SkpItem, SkpItem.skp_id == skp_id, SkpItem.position == 6)
    assert item6.target_value == 3 and item6.satuan == "Kali"
    assert "target menjadi <b>3 Kali</b>" in katim.last.text
    # the leader lands on the SKP's review, the decision noted on top; the notice stays
    assert review.message_id != counter_msg.message_id
    assert review.text.startswith("✅ Usulan diterima; target butir 6 menjadi <b>3 Kali</b>.")
    assert "SKP Intan Purnamasari" in review.text and "✅ Setujui" in review.labels()
    assert "Usulan target: <b>3 Kali</b>" in director.now(counter_msg).text
    assert director.now(counter_msg).labels() == []

    # a resource request that becomes a lampiran line
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Ekspektasi hasil / target")
    await director.click("4")
    await director.click("Penekanan hasil")
    await director.send("Rekomendasi advokasi dipantau tindak lanjutnya setiap triwulan.")
    await katim.click("Tanggapi", katim.last)
    await katim.click("Sampaikan kebutuhan dukungan")
    await katim.click("Sistem informasi")
    await katim.send("Akses dasbor pemantauan rekomendasi di sistem informasi kesehatan keluarga.")
    await katim.click("Kirim tanggapan")
    resource_msg = director.last
    assert "Sistem informasi" in resource_msg.text
    review = await director.click("Setujui dukungan", resource_msg)
    [resource] = await bot.rows(SkpResource)
    assert resource.status is ResourceStatus.AGREED
    assert review.text.startswith("✅ Dukungan Sistem informasi disetujui: <i>Akses dasbor")
    assert "Tidak ada hal yang terbuka" in review.text

    # the first notification's Setujui is from an older version of the SKP: refused
    await director.click_data(early_approve, resubmitted)
    assert "sudah berubah" in director.answers()[-1]["text"]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SUBMITTED

    await director.command("persetujuan")
    review = await director.click("1. Intan")
    assert "Tidak ada hal yang terbuka" in review.text
    await approve(director, review)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED
    sign_msg = katim.last
    assert "menyetujui SKP Anda" in sign_msg.text
    await sign(katim, sign_msg)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SIGNED
    set_msg = director.last
    await set_skp(director, set_msg)
    final = await skp_row(bot, skp_id)
    assert final.status is SkpStatus.SET and final.set_at is not None and final.signed_at
    for who in (katim, director):
        summary = next(m.text for m in reversed(who.received) if "SKP ditetapkan" in m.text)
        assert "Kolaboratif" in summary and "Akses dasbor" in summary
        assert "Apabila memenuhi ekspektasi pimpinan" in summary

    actions = [a.action for a in await bot.rows(AuditLog, AuditLog.object_id == skp_id)]
    for expected in (
        "skp.submitted",
        "skp.revision_requested",
        "skp.expectation_added",
        "skp.expectation_agreed",
        "skp.counter_proposed",
        "skp.counter_accepted",
        "skp.resource_proposed",
        "skp.resource_agreed",
        "skp.approved",
        "skp.signed",
        "skp.set",
    ):
        assert expected in actions, expected
    assert all(e.status is ExpectationStatus.SETTLED for e in await bot.rows(SkpExpectation))


async def test_only_the_current_penilai_decides(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 911)
    katim = await bot.onboard(KATIM_SBBL, 912)
    other = await bot.onboard(KATIM_SURV, 913)  # a colleague with the same leader
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    notice = director.last
    _, approve_data = director.find_button("Setujui", notice)

    # someone else pressing the leader's button (a forwarded message, a forged update)
    await other.click_data(approve_data, notice)
    assert "Hanya pejabat penilai" in other.answers()[-1]["text"]
    await other.click_data("skp:ok:99999:1", notice)
    assert "tidak ditemukan" in other.answers()[-1]["text"]
    await other.click_data("skp:ok:abc:1", notice)
    assert "tidak dikenali" in other.answers()[-1]["text"]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SUBMITTED

    # the pejabat penilai changes: pending decisions follow the new one
    dirjen = await bot.onboard(DIRJEN, 914)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(
            update(Employee)
            .where(Employee.nip == KATIM_SBBL)
            .values(penilai_id=await employee_id(bot, DIRJEN))
        )
    await director.click_data(approve_data, notice)
    assert "Hanya pejabat penilai" in director.answers()[-1]["text"]
    waiting = await dirjen.command("persetujuan")
    assert "Intan Purnamasari" in waiting.text
    review = await dirjen.click("1. Intan")
    await approve(dirjen, review)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED
    # pressing again changes nothing
    await dirjen.click_data(approve_data, notice)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED
    assert await bot.count(AuditLog, AuditLog.action == "skp.approved") == 1


async def test_two_approvals_at_once_approve_once(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 921)
    katim = await bot.onboard(KATIM_SBBL, 922)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await director.click("Setujui", director.last)  # the notice's button: the confirmation
    _, data = director.find_button("Ya, setujui")
    ident = TelegramIdentity(921, 921, "Sri")
    engine = bot.services.dialog
    outcomes = await asyncio.gather(
        engine.handle_telegram(ident, Event(EventKind.BUTTON, data), 10_001),
        engine.handle_telegram(ident, Event(EventKind.BUTTON, data), 10_002),
    )
    toasts = sorted(o.toast or "" for o in outcomes)
    assert toasts[0] == "SKP disetujui."
    assert "sudah" in toasts[1] or "tidak berlaku" in toasts[1]
    assert (await skp_row(bot, skp_id)).status is SkpStatus.AGREED
    assert await bot.count(AuditLog, AuditLog.action == "skp.approved") == 1


async def test_an_skp_change_keeps_the_history(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 931)
    katim = await bot.onboard(KATIM_SBBL, 932)
    first_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await approve(director, director.last)
    await sign(katim, katim.last)
    await set_skp(director, director.last)

    overview = await katim.command("skp")
    assert "Ditetapkan" in overview.text
    await katim.click("Ajukan perubahan SKP")
    await katim.click("Penugasan mendesak")
    changed = await katim.send("Penugasan baru: koordinator dasbor SBBL nasional mulai Juli.")
    assert "versi 2" in changed.text.lower() and "Perubahan SKP: Penugasan mendesak" in changed.text
    assert "koordinator dasbor SBBL" in director.last.text  # the leader hears of it, with why
    assert "Tambah hasil kerja" in str(changed.labels())
    versions = await bot.rows(Skp, Skp.id != first_id)
    [second] = versions
    assert second.number == 2 and second.status is SkpStatus.DRAFT
    assert await bot.count(SkpItem, SkpItem.skp_id == second.id) == 9
    assert (await skp_row(bot, first_id)).status is SkpStatus.SET  # still in force

    # edit the new version (a weight shifts), submit, agree, set
    await katim.click("Ubah, hapus")
    await katim.click("9")
    await katim.click("Hapus")
    await katim.click("Ya, hapus")
    await katim.click("Tambah hasil kerja")
    await katim.click("BYD")
    await katim.send("Dasbor capaian SBBL nasional tersedia sesuai jadwal peluncuran")
    await katim.click("Kuantitas")
    await katim.send("Jumlah dasbor capaian SBBL yang dimanfaatkan provinsi")
    await katim.send("1 Program")  # BYD came with step 1: the weight is next
    await katim.send("20")
    await katim.click("Simpan")
    await submit(katim)
    submitted = director.last.text
    assert "(perubahan, versi 2: <i>Penugasan baru: koordinator" in submitted
    # what changed against the version in force: item 9 replaced
    assert "Yang berubah sejak Anda terakhir melihat" in submitted
    assert "Dasbor capaian SBBL" not in submitted or "Butir 9" in submitted
    await approve(director, director.last)
    await sign(katim, katim.last)
    await set_skp(director, director.last)
    assert (await skp_row(bot, first_id)).status is SkpStatus.SUPERSEDED
    assert (await skp_row(bot, second.id)).status is SkpStatus.SET
    await katim.command("skp")
    history = await katim.click("Riwayat versi")
    assert "Versi 1 — Diganti versi baru" in history.text
    assert "Versi 2 — Ditetapkan (perubahan: Penugasan mendesak dari pimpinan)" in history.text
    # an earlier version can be read as it was
    await katim.click("Versi 1 (PDF)")
    old_pdf = bot.transport.documents_to(932)[-1]  # a superseded version is no draft
    assert old_pdf.filename.endswith("-v1.pdf")
    assert old_pdf.content and old_pdf.content.startswith(b"%PDF")
    # the old version's items are untouched
    old_items = await bot.rows(SkpItem, SkpItem.skp_id == first_id)
    assert len(old_items) == 9 and any("Inisiatif" in i.iki for i in old_items)

"""The year in progress through the real Application: a rencana aksi with a trajectory agreed
by the leader; a check-in with realisations typed one by one and pasted, "belum ada", a photo,
a document and a link as evidence (stored by file_id with their metadata, and shown); the
leader's team screen pointing out a drifting item and feedback reaching the employee."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.db.models import (
    ActionPlan,
    AuditLog,
    CheckIn,
    CheckInStatus,
    Evidence,
    EvidenceKind,
    Feedback,
    FeedbackKind,
    ItemTrajectory,
    PlanAgreement,
    PlanStatus,
    Realisation,
    SkpStatus,
)
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Clock, Harness
from tests.document_seeds import seed_skp
from tests.telegram_fake import ChatClient

MARCH = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


async def set_sbbl(bot: Harness) -> tuple[int, list[int]]:
    return await seed_skp(bot.services, KATIM_SBBL, status=SkpStatus.SET)


async def plan_item(katim: ChatClient, position: int, actions: str, trajectory: str) -> None:
    await katim.command("rencana")
    await katim.click(str(position))
    await katim.send(actions)
    await katim.send(trajectory)
    await katim.click("Kembali")


async def test_an_action_plan_with_a_trajectory_is_agreed_by_the_leader(
    bot: Harness, clock: Clock
) -> None:
    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    skp_id, items = await set_sbbl(bot)
    director = await bot.onboard(DIREKTUR, 5101)
    katim = await bot.onboard(KATIM_SBBL, 5102)

    await plan_item(
        katim, 3, "Jan–Mar: menyusun jadwal advokasi; Apr–Des: advokasi ke LP/LS", "1 2 3 4 kali"
    )
    home = katim.last
    assert "Jan–Mar: menyusun jadwal advokasi" in home.text
    assert "TW1 1 Kali · TW2 2 Kali · TW3 3 Kali · TW4 4 Kali" in home.text
    [a, b] = await bot.rows(ActionPlan, ActionPlan.item_id == items[2])
    assert (a.month_from, a.month_to, b.month_from, b.month_to) == (1, 3, 4, 12)
    trajectory = await bot.rows(ItemTrajectory, ItemTrajectory.item_id == items[2])
    assert sorted(t.value for t in trajectory) == [1, 2, 3, 4]

    # a trajectory that does not end at the target is refused, in words
    await katim.click("1")
    refused = await katim.send("10% 20% 30% 40%")
    assert "Triwulan IV harus sama dengan target tahunan (100%)" in refused.text
    await katim.click("Kembali")

    # eight of the nine items have no plan yet: asked first, naming them
    asked = await katim.click("Ajukan ke atasan")
    assert "8 dari 9 IKI belum punya rencana aksi: butir 1, 2, 4, 5, 6, 7, 8, 9" in asked.text
    assert asked.labels() == ["📤 Ajukan tetap", "⬅️ Kembali"]
    assert not [m for m in director.received if "mengajukan rencana aksi" in m.text]
    await katim.click("Ajukan tetap", asked)
    notice = director.last
    assert "Intan Purnamasari</b> mengajukan rencana aksi" in notice.text
    await director.click("Lihat rencana aksi", notice)
    assert "menyusun jadwal advokasi" in director.last.text
    await director.click("Minta perubahan")
    await director.send("Tambahkan kegiatan evaluasi di bulan Desember.")
    assert "Atasan meminta perubahan rencana aksi Anda" in katim.last.text
    assert "evaluasi di bulan Desember" in katim.last.text

    await plan_item(
        katim, 3, "Jan–Mar: menyusun jadwal; Apr–Nov: advokasi; Des: evaluasi", "1 2 3 4"
    )
    await katim.click("Ajukan ke atasan")
    await katim.click("Ajukan tetap")
    await director.click("Setujui rencana aksi", director.last)
    [state] = await bot.rows(PlanAgreement, PlanAgreement.skp_id == skp_id)
    assert state.status is PlanStatus.AGREED
    assert "Atasan menyetujui rencana aksi Anda" in katim.last.text
    actions = {a.action for a in await bot.rows(AuditLog, AuditLog.object_id == skp_id)}
    assert {"plan.actions_set", "plan.submitted", "plan.change_asked", "plan.agreed"} <= actions

    # the dialog record lists the plan's submissions, the change asked for (with its note)
    # and the agreement in order; the button counts what the record shows
    overview = await katim.command("skp")
    [label] = [b for b in overview.labels() if b.startswith("💬 Dialog kinerja")]
    page = await katim.click("Dialog kinerja", overview)
    shown = page.text
    while "Berikutnya" in " ".join(page.labels()):
        page = await katim.click("Berikutnya", page)
        shown += page.text
    entries = re.findall(r"^(\d+)\. ", shown, re.M)
    assert label == f"💬 Dialog kinerja ({len(entries)})"
    assert entries == [str(n) for n in range(1, len(entries) + 1)]
    submitted = shown.index("🗓 Rencana aksi diajukan ke atasan")
    asked = shown.index("🗓 Atasan meminta perubahan rencana aksi")
    agreed = shown.index("🗓 Atasan menyetujui rencana aksi")
    assert submitted < asked < shown.rindex("Rencana aksi diajukan") < agreed
    assert "Tambahkan kegiatan evaluasi di bulan Desember" in shown[asked:]


async def test_a_check_in_with_evidence_reaches_the_leader_and_feedback_comes_back(
    bot: Harness, clock: Clock
) -> None:
    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    skp_id, items = await set_sbbl(bot)
    director = await bot.onboard(DIREKTUR, 5201)
    katim = await bot.onboard(KATIM_SBBL, 5202)
    await plan_item(katim, 3, "Jan–Des: advokasi ke LP/LS", "1 2 3 4 kali")

    clock.now = MARCH
    # the menus offer the screens once an SKP is set (the employee's, the leader's team's)
    assert "📈 Capaian & rencana aksi" in (await katim.command("menu")).labels()
    assert "👥 Capaian tim" in (await director.command("menu")).labels()
    home = await katim.command("capaian")
    assert "<b>Capaian Maret 2026</b>" in home.text
    await katim.click("1")
    item = katim.last
    assert "butir 1 dari 9" in item.text and "Target tahunan: <b>100%</b>" in item.text
    nxt = await katim.send("30%; draf NSPK dibahas dengan organisasi profesi")
    assert "butir 2 dari 9" in nxt.text
    await katim.click("Belum ada")
    # evidence of item 3, sent while item 3 is on screen
    await katim.send_photo("foto rapat koordinasi")
    assert "Foto tersimpan sebagai bukti butir 3" in katim.last.text
    await katim.send_document("notulen-rapat.pdf", b"%PDF-1.4 notulen", "notulen")
    await katim.send("https://drive.example.go.id/advokasi-maret")
    assert "Tautan tersimpan sebagai bukti butir 3" in katim.last.text
    await katim.click("Kembali")

    # a paste of several realisations at once, one of them a wrong unit first
    wrong = await katim.send("3 1 dokumen\n4 50%")
    assert "Butir 3 diukur dalam <b>Kali</b>" in wrong.text
    pasted = await katim.send("3 0 kali; jadwal advokasi bergeser\n4 50%\n8 belum ada")
    # the drifting item is pointed out to the employee at once
    assert "Realisasi 3 butir tersimpan" in pasted.text
    assert "⚠️ Butir 3 di bawah trajektori: 0 Kali, diharapkan 1 Kali sampai bulan ini" in (
        pasted.text
    )
    rows = {r.item_id: r for r in await bot.rows(Realisation, Realisation.item_id.in_(items))}
    assert rows[items[0]].value == 30 and rows[items[0]].typed == "30%"
    assert "organisasi profesi" in rows[items[0]].note
    assert rows[items[1]].value is None and rows[items[1]].typed == "belum ada"
    assert rows[items[2]].value == 0 and rows[items[3]].value == 50
    assert rows[items[7]].value is None

    # a photo whose caption names the item
    await katim.send_photo("5 daftar hadir webinar")
    assert "Foto tersimpan sebagai bukti butir 5" in katim.last.text
    evidence = await bot.rows(Evidence)
    by_kind = {e.kind: e for e in evidence if e.item_id == items[2]}
    photo = by_kind[EvidenceKind.PHOTO]
    assert photo.file_id is not None and photo.file_id.endswith("s1280u5202")
    assert photo.file_unique_id is not None and photo.size and photo.mime == "image/jpeg"
    assert photo.caption == "foto rapat koordinasi"
    document = by_kind[EvidenceKind.DOCUMENT]
    assert (document.file_name, document.mime) == ("notulen-rapat.pdf", "application/pdf")
    assert by_kind[EvidenceKind.LINK].url == "https://drive.example.go.id/advokasi-maret"
    assert [e.caption for e in evidence if e.item_id == items[4]] == ["daftar hadir webinar"]

    screen = await katim.command("capaian")
    # item 3: 0 of the 0,67 Kali the trajectory expects by March → behind, shown to the employee
    assert "⚠️ Di bawah trajektori: diharapkan 1 Kali sampai bulan ini" in screen.text
    assert "realisasi 30%" in screen.text and "capaian 30%" in screen.text
    await katim.click("Catatan")
    await katim.send("Advokasi tertunda karena jadwal mitra.")
    await katim.click("Kirim ke atasan")
    [check_in] = await bot.rows(CheckIn, CheckIn.skp_id == skp_id)
    assert check_in.period_key == "2026-03" and check_in.status is CheckInStatus.SUBMITTED

    # the leader's team screen points the drifting item out; feedback on it
    team = await director.command("umpan")
    assert "1 dari 1 pegawai sudah mengirim capaian" in team.text
    assert "⚠️ Butir 3 di bawah trajektori" in team.text
    person = await director.click("Intan")
    assert "https://drive.example.go.id/advokasi-maret" in person.text
    assert "notulen-rapat.pdf" in person.text and "Advokasi tertunda" in person.text
    # the files themselves, sent again by their Telegram file_id (nothing downloaded)
    mark = director.mark()
    await director.click("Buka bukti (3)", person)
    assert photo.file_id in bot.transport.resent_files
    assert document.file_id in bot.transport.resent_files
    assert any("📎 Bukti Intan" in t and "butir 3" in t for t in director.texts_since(mark))
    assert len(bot.transport.resent_files) == 3
    await director.click("Buka bukti (3)", person)  # pressed again at once: not sent twice
    assert len(bot.transport.resent_files) == 3
    await director.click("Butir 3")
    await director.click("Perlu perhatian")
    await director.send("Mohon jadwal ulang advokasi bulan April.")
    got = katim.last
    assert "Umpan balik atasan</b> untuk butir 3: ⚠️ Perlu perhatian" in got.text
    assert "jadwal ulang advokasi" in got.text
    await director.click("Untuk keseluruhan")
    await director.click("Sesuai rencana")
    await director.click("Kirim tanpa pesan")
    assert "✅ Sesuai rencana" in katim.last.text
    kinds = [f.kind for f in await bot.rows(Feedback, Feedback.skp_id == skp_id)]
    assert sorted(kinds) == sorted([FeedbackKind.ATTENTION, FeedbackKind.ON_TRACK])
    # the employee sees it on the check-in screen
    screen = await katim.command("capaian")
    assert "Umpan balik atasan terakhir" in screen.text and "Perlu perhatian" in screen.text
    assert Decimal(0) == rows[items[2]].value

    # the dialog record lists the check-in and the feedback after the agreements
    await katim.command("skp")
    log = await katim.click("Dialog kinerja")
    assert "📈 Capaian Maret 2026 dikirim" in log.text and "Advokasi tertunda" in log.text
    assert log.text.index("Perlu perhatian") < log.text.index("Sesuai rencana")

    # the realisation sheet for e-Kinerja
    await katim.command("capaian")
    await katim.click("Lembar realisasi")
    from tests.test_reminders import sender

    await sender(bot).drain()
    files = {d.filename: d.content for d in bot.transport.documents_to(katim.chat_id)}
    name = "realisasi-2026-" + KATIM_SBBL
    assert {f"{name}.xlsx", f"{name}.csv"} <= set(files)
    sheet = load_workbook(io.BytesIO(files[f"{name}.xlsx"]))
    cells = [[c.value for c in row] for row in sheet.active.iter_rows()]
    assert cells[0][:4] == ["No", "Indikator Kinerja Individu", "Target", "Satuan"]
    assert cells[0][4:7] == ["Jan", "Feb", "Mar"] and cells[0][-3:][0] == "Realisasi terakhir"
    assert cells[1][6] == "30" and cells[3][6] == "0" and cells[3][-1] == 3


async def test_check_in_reminders_leaders_first_once_and_the_leaders_digest(
    bot: Harness, clock: Clock
) -> None:
    from collections import Counter

    from tests.test_reminders import plan, sender

    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    await set_sbbl(bot)  # Intan, a ketua tim (someone's pejabat penilai): a leader
    await seed_skp(bot.services, "199003032015032002", status=SkpStatus.SET)  # Putri, staff
    director = await bot.onboard(DIREKTUR, 5301)
    katim = await bot.onboard(KATIM_SBBL, 5302)
    putri = await bot.onboard("199003032015032002", 5303)

    # Tuesday 24 March 09:00 WIB: the leaders, a working day before the staff (25 March)
    assert await plan(bot, datetime(2026, 3, 24, 2, 30, tzinfo=UTC)) == Counter(
        {"reminder_checkin": 1}
    )
    assert await plan(bot, datetime(2026, 3, 24, 4, 0, tzinfo=UTC)) == Counter()
    await sender(bot).drain()
    reminder = katim.last
    assert "Waktunya mencatat capaian Maret 2026" in reminder.text
    screen = await katim.click("Buka capaian", reminder)
    assert "<b>Capaian Maret 2026</b>" in screen.text
    await katim.send("1 50%\n3 1 kali")
    await katim.click("Kirim ke atasan")

    assert await plan(bot, datetime(2026, 3, 25, 2, 30, tzinfo=UTC)) == Counter(
        {"reminder_checkin": 1}
    )
    await sender(bot).drain()
    assert "Waktunya mencatat capaian Maret 2026" in putri.last.text
    assert not [m for m in director.received if "mencatat capaian" in m.text]

    # Monday 30 March: one digest for each leader of the round (Intan leads Putri; the
    # director leads Intan), said once
    assert await plan(bot, datetime(2026, 3, 30, 2, 30, tzinfo=UTC)) == Counter(
        {"checkin_digest": 2}
    )
    assert await plan(bot, datetime(2026, 3, 30, 5, 0, tzinfo=UTC)) == Counter()
    await sender(bot).drain()
    digest = director.last
    assert "<b>Capaian tim Maret 2026</b>" in digest.text
    assert "1 dari 1 pegawai sudah mengirim capaian" in digest.text
    assert "Intan Purnamasari</b> — ✅ terkirim" in digest.text
    team = await director.click("Buka capaian tim", digest)
    assert "Intan Purnamasari" in team.text
    assert "Putri Lestiani</b> — ⏳ belum dikirim" in katim.last.text


async def test_a_perubahan_skp_keeps_the_realisations_of_the_items_it_carries(
    bot: Harness, clock: Clock
) -> None:
    from sqlalchemy import delete, select

    from bot.db.models import Skp, SkpItem
    from tests.test_contract_flow import approve_sign_set
    from tests.test_dialog_flow import submit

    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    first_id, items = await set_sbbl(bot)
    director = await bot.onboard(DIREKTUR, 5401)
    katim = await bot.onboard(KATIM_SBBL, 5402)
    await plan_item(katim, 3, "Jan–Des: advokasi ke LP/LS", "1 2 3 4 kali")
    clock.now = MARCH
    await katim.command("capaian")
    await katim.send("1 30%\n3 1 kali\n9 belum ada")
    await katim.click("3")
    await katim.send_photo("foto advokasi")
    await katim.click("Kembali")
    await katim.click("Kirim ke atasan")
    await director.command("umpan")
    await director.click("Intan")
    await director.click("Sesuai rencana")
    await director.click("Kirim tanpa pesan")

    # a change in April: item 9 (the Beyond IKI) is dropped from the new version
    clock.now = datetime(2026, 4, 6, 3, 0, tzinfo=UTC)
    await katim.command("skp")
    await katim.click("Ajukan perubahan SKP")
    await katim.click("Struktur organisasi")
    await katim.click("Lewati catatan")
    [second] = await bot.rows(Skp, Skp.id != first_id)
    async with bot.services.sessionmaker() as session, session.begin():
        [dropped] = (
            await session.execute(
                select(SkpItem).where(SkpItem.skp_id == second.id, SkpItem.position == 9)
            )
        ).scalars()
        replacement = {
            c: getattr(dropped, c) for c in ("jenis", "rhk", "aspek", "target_value", "satuan")
        }
        await session.execute(delete(SkpItem).where(SkpItem.id == dropped.id))
        session.add(
            SkpItem(
                skp_id=second.id,
                position=9,
                iki="Jumlah inovasi layanan skrining bayi baru lahir yang diterapkan",
                bobot=Decimal(20),
                created_at=clock.now,
                updated_at=clock.now,
                **replacement,
            )
        )
    # meanwhile the set version is still the one checked in on
    await katim.command("capaian")
    await katim.send("1 40%")
    await submit(katim)
    await approve_sign_set(director, katim)

    [old, new] = sorted(await bot.rows(Skp), key=lambda s: s.number)
    assert (old.status, new.status) == (SkpStatus.SUPERSEDED, SkpStatus.SET)
    new_items = {i.position: i for i in await bot.rows(SkpItem, SkpItem.skp_id == new.id)}
    assert new_items[3].carried_from_id == items[2]
    check_ins = {c.period_key: c for c in await bot.rows(CheckIn, CheckIn.skp_id == new.id)}
    assert set(check_ins) == {"2026-03", "2026-04"}
    assert check_ins["2026-03"].status is CheckInStatus.SUBMITTED
    march = {
        r.item_id: r
        for r in await bot.rows(Realisation, Realisation.check_in_id == check_ins["2026-03"].id)
    }
    assert set(march) == {new_items[1].id, new_items[3].id}  # item 9 was not carried
    assert march[new_items[3].id].value == 1
    [photo] = await bot.rows(Evidence, Evidence.check_in_id == check_ins["2026-03"].id)
    assert photo.item_id == new_items[3].id and photo.kind is EvidenceKind.PHOTO
    assert await bot.count(ItemTrajectory, ItemTrajectory.item_id == new_items[3].id) == 4
    assert await bot.count(ActionPlan, ActionPlan.item_id == new_items[3].id) == 1
    assert await bot.count(Feedback, Feedback.skp_id == new.id) == 1
    # the check-in screen goes on from the new version, with what was recorded before
    screen = await katim.command("capaian")
    assert "<b>Capaian April 2026</b>" in screen.text and "realisasi 40%" in screen.text


async def test_long_check_ins_fit_telegrams_limits(
    bot: Harness, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Twenty long IKI, every realisation with a long note, a dozen pieces of evidence with
    long captions, a long note: every screen and the digest fit 4096 characters as they are
    (none had to be cut), with what did not fit counted."""
    from tests.document_seeds import seed_long_skp
    from tests.test_reminders import plan, sender

    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    await seed_long_skp(bot.services, KATIM_SBBL, 20)
    director = await bot.onboard(DIREKTUR, 5501)
    katim = await bot.onboard(KATIM_SBBL, 5502)
    for n in range(1, 21):
        await katim.command("rencana")
        await katim.click(str(n))
        await katim.send(
            f"{n * 1.25:.2f}% {n * 2.5:.1f}% {n * 3.75:.2f}% {n * 5}%".replace(".", ",")
        )
    clock.now = MARCH
    await katim.command("capaian")
    long_note = "catatan " + "kendala lapangan dan tindak lanjut " * 12
    # one message of Telegram's size: twenty lines with a note each
    pasted = await katim.send("\n".join(f"{n} 0,5%; {long_note[:160]}" for n in range(1, 21)))
    assert await bot.count(Realisation) == 20
    assert "Realisasi 20 butir tersimpan" in pasted.text
    for n in range(1, 13):
        await katim.send_photo(f"{n} " + "dokumentasi kegiatan lapangan " * 16)
    await katim.click("Catatan")
    await katim.send("Ringkasan " + "kemajuan dan kendala bulan ini " * 30)
    screen = await katim.click("Kirim ke atasan")
    assert "⚠️ 20 IKI di bawah trajektori" in screen.text
    await katim.click("Berikutnya")
    await katim.click("Berikutnya")
    await katim.click("20")
    team = await director.command("umpan")
    assert "⚠️ Butir 1 di bawah trajektori" in team.text
    person = await director.click("Intan")
    assert "… dan 8 butir lainnya" in person.text and "… dan 6 bukti lainnya" in person.text
    await director.click("Butir 20")
    assert await plan(bot, datetime(2026, 3, 30, 2, 30, tzinfo=UTC))
    await sender(bot).drain()
    assert "<b>Capaian tim Maret 2026</b>" in director.last.text
    assert not [r for r in caplog.records if "too long" in r.getMessage()]


async def test_a_change_of_an_agreed_plan_leaves_the_agreed_one_in_force_until_agreed(
    bot: Harness, clock: Clock
) -> None:
    """After the leader agreed the plan, a new trajectory typed by the employee is a proposal:
    the agreed trajectory still points out the drifting item (to her and the leader) and is
    the evaluation's target; both sides see both versions; the change goes to the leader as
    the first submission did, and counts once agreed."""
    from bot.db.models import Skp
    from bot.usecases import evaluation_data

    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    skp_id, _items = await set_sbbl(bot)
    director = await bot.onboard(DIREKTUR, 5601)
    katim = await bot.onboard(KATIM_SBBL, 5602)
    await plan_item(katim, 1, "Jan–Des: menyusun NSPK", "25% 50% 75% 100%")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ajukan tetap")
    await director.click("Setujui rencana aksi", director.last)

    clock.now = datetime(2026, 10, 12, 3, 0, tzinfo=UTC)
    await katim.command("capaian")
    await katim.send("1 30%")
    await katim.click("Kirim ke atasan")
    assert "⚠️ Di bawah trajektori" in (await katim.command("capaian")).text

    await katim.command("rencana")
    await katim.click("1")
    saved = await katim.send("0% 0% 0% 100%")
    assert "usulan perubahan" in saved.text and "tetap berlaku" in saved.text
    [state] = await bot.rows(PlanAgreement, PlanAgreement.skp_id == skp_id)
    assert state.status is PlanStatus.DRAFT
    assert "Disetujui (berlaku)" in saved.text and "Usulan perubahan" in saved.text
    assert "TW3 75%" in saved.text and "TW3 0%" in saved.text
    home = await katim.click("Kembali")
    assert "perubahan belum diajukan — rencana yang disetujui tetap berlaku" in home.text
    # the agreed trajectory stays in force: the warning, the leader's screen, the evaluation
    assert "⚠️ Di bawah trajektori" in (await katim.command("capaian")).text
    assert "⚠️ Butir 1 di bawah trajektori" in (await director.command("umpan")).text
    async with bot.services.sessionmaker() as session:
        skp = await session.get(Skp, skp_id)
        assert skp is not None
        seen = await evaluation_data.standing(session, skp, "TW3")
        assert seen.items[0].target == 75

    # the change goes to the leader like the first submission, both versions in view
    await katim.command("rencana")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ajukan tetap")
    notice = director.last
    assert "mengajukan perubahan rencana aksi" in notice.text
    review = await director.click("Lihat rencana aksi", notice)
    assert "TW3 75%" in review.text and "TW3 0%" in review.text
    assert "perubahan diajukan ke atasan" in review.text
    assert "⚠️ Di bawah trajektori" in (await katim.command("capaian")).text
    await director.click("Setujui rencana aksi", review)
    [state] = await bot.rows(PlanAgreement, PlanAgreement.skp_id == skp_id)
    assert state.status is PlanStatus.AGREED
    assert "⚠️ Di bawah trajektori" not in (await katim.command("capaian")).text
    async with bot.services.sessionmaker() as session:
        skp = await session.get(Skp, skp_id)
        assert skp is not None
        assert (await evaluation_data.standing(session, skp, "TW3")).items[0].target == 0


async def test_the_realisation_sheet_asked_again_after_a_change_is_a_new_file(
    bot: Harness, clock: Clock
) -> None:
    from tests.test_reminders import sender

    clock.now = MARCH
    await set_sbbl(bot)
    katim = await bot.onboard(KATIM_SBBL, 5701)
    await katim.command("capaian")
    await katim.send("1 30%")
    await katim.click("Lembar realisasi")
    assert "Dokumen sedang disiapkan dan segera dikirim" in katim.answers()[-1].get("text", "")
    await sender(bot).drain()
    first = [d for d in bot.transport.documents_to(katim.chat_id) if d.filename.endswith(".csv")]
    assert len(first) == 1

    # a minute later, a new realisation: the sheet asked for again is a new file
    clock.now = MARCH.replace(minute=1)
    await katim.send("1 45%")
    await katim.click("Lembar realisasi")
    assert "Dokumen sedang disiapkan dan segera dikirim" in katim.answers()[-1].get("text", "")
    await sender(bot).drain()
    sheets = [d for d in bot.transport.documents_to(katim.chat_id) if d.filename.endswith(".csv")]
    assert len(sheets) == 2 and "45" in sheets[1].content.decode("utf-8-sig")
    # nothing changed since: not sent twice, and not said to be on its way
    await katim.click("Lembar realisasi")
    assert "baru saja dikirim" in katim.answers()[-1].get("text", "")
    await sender(bot).drain()
    assert len(bot.transport.documents_to(katim.chat_id)) == 4


async def test_refusals_name_the_real_problem_and_a_paste_works_on_an_item(
    bot: Harness, clock: Clock
) -> None:
    clock.now = datetime(2026, 2, 3, 3, 0, tzinfo=UTC)
    _skp_id, items = await set_sbbl(bot)
    director = await bot.onboard(DIREKTUR, 5801)
    katim = await bot.onboard(KATIM_SBBL, 5802)
    await plan_item(katim, 3, "Jan–Des: advokasi ke LP/LS", "1 2 3 4 kali")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ajukan tetap")
    # a change note with markup: the markup is named, not the length
    await director.click("Minta perubahan", director.last)
    refused = await director.send("Mohon tambahkan <b>evaluasi</b> " + "di bulan Desember " * 5)
    assert "tanda format" in refused.text and "paling banyak" not in refused.text

    clock.now = MARCH
    await katim.command("capaian")
    await katim.click("4")
    # several lines pasted on one item's screen are taken as on the overview
    pasted = await katim.send("4 80%\n5 60%")
    assert "Realisasi 2 butir tersimpan" in pasted.text
    rows = {r.item_id: r for r in await bot.rows(Realisation, Realisation.item_id.in_(items))}
    assert rows[items[3]].value == 80 and rows[items[4]].value == 60
    # markup in a note: said as such, not as a number not read
    await katim.command("capaian")
    refused = await katim.send("7 50%; tindak lanjut <b>x</b>")
    assert "Catatan butir 7 berisi tanda format" in refused.text
    assert "belum terbaca sebagai angka" not in refused.text
    await katim.click("Catatan")
    refused = await katim.send("Kendala <i>mitra</i>")
    assert "tanda format" in refused.text


async def test_a_sent_check_in_says_when_the_leader_reads_it_and_a_later_change_shows(
    bot: Harness, clock: Clock
) -> None:
    clock.now = MARCH
    await set_sbbl(bot)
    director = await bot.onboard(DIREKTUR, 5901)
    katim = await bot.onboard(KATIM_SBBL, 5902)
    await katim.command("capaian")
    await katim.send("1 30%")
    before = len(director.received)
    sent = await katim.click("Kirim ke atasan")
    toast = katim.answers()[-1].get("text", "")
    assert "atasan menerimanya dalam ringkasan tim pada 30 Maret 2026" in toast
    assert len(director.received) == before  # in the digest, not now
    assert "— ✅ terkirim ke atasan" in sent.text

    # changed after sending: no longer "terkirim", on either side
    clock.now = MARCH.replace(hour=4)
    changed = await katim.send("1 35%")
    assert "✏️ diubah setelah dikirim" in (await katim.command("capaian")).text
    assert "✅ terkirim" not in changed.text
    assert (
        "Intan Purnamasari</b> — ✏️ diubah setelah dikirim" in (await director.command("umpan")).text
    )

    # after the round's digest day the leader is told at once, once per check-in
    clock.now = datetime(2026, 4, 30, 3, 0, tzinfo=UTC)
    await katim.command("capaian")
    await katim.send("1 40%")
    await katim.click("Kirim ke atasan")
    assert "Capaian April 2026 terkirim ke atasan" in katim.answers()[-1].get("text", "")
    assert "Intan Purnamasari</b> mengirim capaian April 2026" in director.last.text
    await katim.click("Kirim ke atasan")
    told = [m for m in director.received if "mengirim capaian April" in m.text]
    assert len(told) == 1


async def test_evidence_documents_are_not_downloaded_and_tables_still_are(
    bot: Harness, clock: Clock
) -> None:
    clock.now = MARCH
    await set_sbbl(bot)
    katim = await bot.onboard(KATIM_SBBL, 6001)
    await katim.command("capaian")
    await katim.click("6")
    await katim.send_document("laporan_monev_jawa.pdf", b"%PDF-1.4 laporan", "monev")
    assert "tersimpan sebagai bukti butir 6" in katim.last.text
    assert not [c for c, _ in bot.transport.calls if c == "getFile"]
    # a table sent where tables are read is still read (the SKP paste)
    await katim.command("skp")
    await katim.send_document("hasil-kerja.csv", b"No;RHK\n", "")
    assert [c for c, _ in bot.transport.calls if c == "getFile"]


async def test_an_unlikely_capaian_and_a_caption_naming_no_item_are_said(
    bot: Harness, clock: Clock
) -> None:
    clock.now = MARCH
    await set_sbbl(bot)
    katim = await bot.onboard(KATIM_SBBL, 6101)
    await katim.command("capaian")
    mark = katim.mark()
    await katim.send("3 1.000.000 kali")
    said = "\n".join(katim.texts_since(mark))
    assert "Butir 3: realisasi 1.000.000 Kali dari target 4 Kali berarti capaian 25.000.000%" in (
        said
    )
    assert "Mohon periksa kembali angka dan satuannya" in said
    await katim.send_photo("12 foto kegiatan")
    saved = "\n".join(katim.texts_since(len(katim.received) - 2))
    assert "diawali angka 12, tetapi SKP Anda hanya punya butir 1–9" in saved
    assert "dicatat sebagai bukti umum" in saved

"""The quarterly evaluation through the real Application: the pejabat penilai rates the hasil
kerja with the realisations, capaian and evidence in view, then each BerAKHLAK value with the
agreed Ekspektasi Khusus Pimpinan in view, the overall perilaku, sees the predikat and the
weighted capaian, adds a note and finalises after a confirmation; the employee gets the
result and responds; nobody else may evaluate; the unit head sees the distribution."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import AuditLog, Evaluation, EvaluationState, Outbox
from bot.domain.contract import Refusal
from bot.domain.evaluation import Rating
from bot.services.demo import DIREKTUR, KATIM_SBBL
from bot.usecases import evaluation as uc
from bot.usecases.base import Refused, Tx
from tests.conftest import Clock, Harness
from tests.evaluation_seeds import KOLABORATIF, seed_set_skp_with_progress
from tests.test_dialog_flow import employee_id

PUTRI = "199003032015032002"
GALIH = "199211212018011001"


async def test_a_quarterly_evaluation_from_rating_to_response(bot: Harness, clock: Clock) -> None:
    clock.now = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    katim = await bot.onboard(KATIM_SBBL, 5301)
    putri = await bot.onboard(PUTRI, 5302)
    await seed_set_skp_with_progress(bot.services, PUTRI)

    assert "Evaluasi kinerja" not in " ".join((await putri.command("menu")).labels())
    listing = await katim.click("Evaluasi kinerja", await katim.command("menu"))
    assert "<b>Evaluasi kinerja · Triwulan I</b>" in listing.text
    assert "• TW I" in listing.labels()
    hasil = await katim.click("Putri Lestiani", listing)
    assert "<b>Hasil kerja · Putri Lestiani</b> · Triwulan I" in hasil.text
    assert "Capaian tertimbang <b>96,0%</b> (Core 96,0% + Beyond 0,0%)" in hasil.text
    assert "Realisasi: <b>100%</b>" in hasil.text and "Capaian: 100,0%" in hasil.text
    assert "nspk-sbbl-2026-03.pdf" in hasil.text  # the evidence, by name
    assert "Halaman 1/3" in hasil.text
    page3 = await katim.click("Berikutnya", await katim.click("Berikutnya", hasil))
    assert "Realisasi: <b>0 Program</b>" in page3.text and "Capaian: 0,0%" in page3.text

    value = await katim.click("Sesuai ekspektasi", page3)
    assert value.message_id == hasil.message_id  # the screen's own buttons edit it
    assert "<b>Perilaku kerja 1/7 · Berorientasi Pelayanan</b>" in value.text
    assert "tidak ada yang disepakati" in value.text
    for _ in range(6):
        value = await katim.click("Di atas ekspektasi", value)
    assert "<b>Perilaku kerja 7/7 · Kolaboratif</b>" in value.text
    assert KOLABORATIF in value.text  # the agreed expectation in view
    noted = await katim.send("Memimpin koordinasi lintas tim SBBL tanpa diminta.")
    assert "Catatan tersimpan." in noted.text and "Catatan Anda: Memimpin" in noted.text
    total = await katim.click("Di atas ekspektasi", noted)
    assert "<b>Rating perilaku kerja · Putri Lestiani</b>" in total.text
    assert "✅ ⬆️ Di atas ekspektasi (saran)" not in total.labels()
    assert "⬆️ Di atas ekspektasi (saran)" in total.labels()

    summary = await katim.click("Di atas ekspektasi", total)
    assert "Rating hasil kerja: <b>Sesuai ekspektasi</b>" in summary.text
    assert "Predikat kinerja: <b>Baik</b>" in summary.text
    assert "Status: draf" in summary.text
    prompt = await katim.click("Kebutuhan diklat", summary)
    assert "<b>Kebutuhan diklat/pengembangan kompetensi</b>" in prompt.text
    summary = await katim.send("Pelatihan analisis data skrining & surveilans.")
    assert "skrining &amp; surveilans" in summary.text  # typed text stays text

    confirm = await katim.click("Finalkan evaluasi", summary)
    assert "<b>Finalkan evaluasi ini?</b>" in confirm.text
    assert confirm.labels() == ["✅ Ya, finalkan", "Batal"]
    back = await katim.click("Batal", confirm)
    assert "Status: draf" in back.text
    await katim.click("Finalkan evaluasi", back)
    done = await katim.click("Ya, finalkan")
    assert "sudah final" in done.text
    [row] = await bot.rows(Evaluation)
    assert row.state is EvaluationState.FINAL and row.predikat == "baik"
    assert row.value_ratings["kolaboratif"] == "diatas" and row.hasil_rating == "sesuai"
    assert str(row.capaian_total) in ("96.00", "96")
    actions = [a.action for a in await bot.rows(AuditLog, AuditLog.object_type == "evaluation")]
    assert actions[0] == "evaluation.started" and actions[-1] == "evaluation.finalised"

    # the employee: the result, and a response
    notice = putri.last
    assert "telah menyelesaikan evaluasi kinerja Anda" in notice.text
    assert "Predikat kinerja: <b>Baik</b>" in notice.text
    prompt = await putri.click("Tanggapi", notice)
    assert "<b>Tanggapan atas evaluasi Triwulan I</b>" in prompt.text
    shown = await putri.send("Terima kasih; saya akan mengejar target program Beyond di TW II.")
    assert "Tanggapan Anda tersimpan" in shown.text
    assert "<b>Tanggapan pegawai:</b> Terima kasih" in shown.text
    assert "menanggapi evaluasi kinerja Triwulan I" in katim.last.text

    # the employee finds it again under "Hasil evaluasi saya", with the form as a file
    menu = await putri.command("menu")
    mine = await putri.click("Evaluasi kinerja", menu)  # offered once there is a result
    assert "Belum ada pegawai dengan SKP yang Anda tetapkan" in mine.text
    mine = await putri.click("Hasil evaluasi saya", mine)
    assert mine.labels()[0] == "Triwulan I · Baik"
    view = await putri.click("Triwulan I · Baik", mine)
    assert "Predikat kinerja: <b>Baik</b>" in view.text and "Tanggapan pegawai" in view.text
    assert view.labels() == ["💬 Tanggapi", "📄 PDF", "📝 DOCX", "📋 Hasil evaluasi saya"]
    await putri.click("PDF", view)
    [pdf] = bot.transport.documents_to(5302)
    assert pdf.filename == "Evaluasi-TW1-2026-199003032015032002.pdf"

    # a final evaluation no longer changes; the list marks it
    listing = await katim.command("evaluasi")
    assert any(label.startswith("✅ 1. Putri") for label in listing.labels())
    opened = await katim.click("Putri Lestiani", listing)
    assert "Status: <b>final</b>" in opened.text and "Finalkan evaluasi" not in opened.labels()


async def test_only_the_pejabat_penilai_evaluates(bot: Harness, clock: Clock) -> None:
    clock.now = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    await seed_set_skp_with_progress(bot.services, PUTRI)
    putri_id = await employee_id(bot, PUTRI)
    galih_id = await employee_id(bot, GALIH)
    katim_id = await employee_id(bot, KATIM_SBBL)
    texts = bot.services.texts

    async def act(actor: int, fn, *args):  # type: ignore[no-untyped-def]
        async with bot.services.sessionmaker() as session, session.begin():
            return await fn(Tx(session, clock.now, actor, "test", texts), *args)

    for stranger in (galih_id, putri_id):
        try:
            await act(stranger, uc.start, putri_id, "TW1")
        except Refused as exc:
            assert exc.reason is Refusal.NOT_PENILAI
        else:
            raise AssertionError("a stranger started an evaluation")
    row = await act(katim_id, uc.start, putri_id, "TW1")
    again = await act(katim_id, uc.start, putri_id, "TW1")
    assert again.id == row.id  # a second press opens the same one
    for fn, args in ((uc.finalise, (row.id, None)),):
        try:
            await act(katim_id, fn, *args)
        except Refused as exc:
            assert exc.reason is Refusal.EVAL_INCOMPLETE
    await act(katim_id, uc.rate_hasil, row.id, Rating.DIBAWAH, None)
    await act(katim_id, uc.rate_perilaku, row.id, Rating.DIBAWAH, None)
    try:
        await act(galih_id, uc.rate_hasil, row.id, Rating.DIATAS, None)
    except Refused as exc:
        assert exc.reason is Refusal.NOT_PENILAI
    try:
        await act(katim_id, uc.finalise, row.id, 1)
    except Refused as exc:
        assert exc.reason is Refusal.STALE  # a confirmation drawn for an older revision
    done = await act(katim_id, uc.finalise, row.id, None)
    assert done.predikat == "sangat_kurang"
    try:
        await act(katim_id, uc.rate_hasil, row.id, Rating.DIATAS, None)
    except Refused as exc:
        assert exc.reason is Refusal.EVAL_FINAL
    try:
        await act(galih_id, uc.respond, row.id, "bukan milik saya", None)
    except Refused as exc:
        assert exc.reason is Refusal.NOT_OWNER
    async with bot.services.sessionmaker() as session:
        kinds = list((await session.execute(select(Outbox.kind))).scalars())
    assert kinds.count("evaluation_final") == 1


async def test_the_unit_head_sees_the_distribution_as_a_check(bot: Harness, clock: Clock) -> None:
    clock.now = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    director = await bot.onboard(DIREKTUR, 5311)
    await seed_set_skp_with_progress(bot.services, PUTRI)
    await seed_set_skp_with_progress(bot.services, GALIH)
    katim_id = await employee_id(bot, KATIM_SBBL)
    texts = bot.services.texts
    for nip, hasil in ((PUTRI, Rating.SESUAI), (GALIH, Rating.DIATAS)):
        async with bot.services.sessionmaker() as session, session.begin():
            tx = Tx(session, clock.now, katim_id, "test", texts)
            row = await uc.start(tx, await employee_id(bot, nip), "TW1")
            await uc.rate_hasil(tx, row.id, hasil, None)
            await uc.rate_perilaku(tx, row.id, Rating.SESUAI, None)
            await uc.finalise(tx, row.id, None)

    listing = await director.command("evaluasi")
    unit = await director.click("Predikat unit", listing)
    assert "<b>Direktorat Pelayanan Kesehatan Keluarga</b> · 2 dari" in unit.text
    assert "Baik: 2" in unit.text
    # an organisation rated "Baik": at most 70% Baik and someone below expectation
    assert "⚠️ Belum sesuai pola distribusi" in unit.text
    assert "Baik: 2 (100%), pedoman maksimal 70%" in unit.text
    assert "sebagai pemeriksaan, bukan batasan" in unit.text
    assert "menunggu konfirmasi" not in unit.text  # a note for the policy's maintainers only
    unit = await director.click("Istimewa", unit)
    assert "Predikat organisasi yang dipakai sebagai acuan: <b>Istimewa</b>" in unit.text
    assert "✅ Sesuai pola distribusi" in unit.text


async def test_the_quarterly_reminder_leads_the_leader_to_the_evaluation(bot: Harness) -> None:
    from bot.reminders.planner import Planner, ReminderConfig

    katim = await bot.onboard(KATIM_SBBL, 5321)
    await bot.onboard(PUTRI, 5322)
    await seed_set_skp_with_progress(bot.services, PUTRI)
    planner = Planner(bot.services.sessionmaker, bot.services.texts, ReminderConfig())
    quarter = datetime(2026, 3, 31, 2, 30, tzinfo=UTC)
    bot.services.clock.now = quarter  # type: ignore[attr-defined]
    created = await planner.run(quarter)
    assert created["reminder_evaluation_leader"] == 1 and created["reminder_evaluation"] == 1
    assert (await planner.run(quarter))["reminder_evaluation_leader"] == 0  # once
    await bot.app.bot_data["sender"].drain()
    reminder = katim.last
    assert "1 pegawai menunggu evaluasi Anda" in reminder.text
    listing = await katim.click("Buka evaluasi kinerja", reminder)
    assert "<b>Evaluasi kinerja · Triwulan I</b>" in listing.text
    assert any("Putri Lestiani" in label for label in listing.labels())

    # the second quarter evaluated before its day: that reminder is not sent
    katim_id = await employee_id(bot, KATIM_SBBL)
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, quarter, katim_id, "test", bot.services.texts)
        row = await uc.start(tx, await employee_id(bot, PUTRI), "TW2")
        await uc.rate_hasil(tx, row.id, Rating.SESUAI, None)
        await uc.rate_perilaku(tx, row.id, Rating.SESUAI, None)
        await uc.finalise(tx, row.id, None)
    june = datetime(2026, 6, 30, 2, 30, tzinfo=UTC)
    bot.services.clock.now = june  # type: ignore[attr-defined]
    assert (await planner.run(june))["reminder_evaluation_leader"] == 1
    before = katim.mark()
    await bot.app.bot_data["sender"].drain()
    assert not [t for t in katim.texts_since(before) if "menunggu evaluasi Anda" in t]
    [skipped] = await bot.rows(
        Outbox, Outbox.kind == "reminder_evaluation_leader", Outbox.dedupe_key.like("%:2")
    )
    assert skipped.status.value == "skipped"


async def test_data_saya_holds_ones_own_evaluations(bot: Harness, clock: Clock) -> None:
    from bot.documents.privacy_export import personal_data

    clock.now = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    await seed_set_skp_with_progress(bot.services, PUTRI)
    katim_id = await employee_id(bot, KATIM_SBBL)
    putri_id = await employee_id(bot, PUTRI)
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, clock.now, katim_id, "test", bot.services.texts)
        row = await uc.start(tx, putri_id, "TW1")
        await uc.set_note(tx, row.id, "recognition", "Inisiatif dasbor skrining", None)
    galih_id = await employee_id(bot, GALIH)
    async with bot.services.sessionmaker() as session:
        mine = await personal_data(session, putri_id, bot.services.texts, clock.now)
        other = await personal_data(session, galih_id, bot.services.texts, clock.now)
    [evaluation] = mine["skps"][0]["evaluations"]
    assert evaluation["recognition"] == "Inisiatif dasbor skrining"
    assert any(a["action"] == "evaluation.note_set" for a in mine["audit_log"])
    assert "Inisiatif dasbor" not in str(other)

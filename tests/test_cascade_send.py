"""What the leader is told when the cascade is sent, through the real Application: roles for
an SKP that is no longer a draft are held and named per person with the reason (the A screen
says so before the send, by the same rule), an assignee without Telegram is named, a repeated
send with nothing new says so; a beban split is summed per the leader's RHK whatever each
part's IKI wording; the M step's lint has the severity /skp gives the assignee's item, and its
own examples pass it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from bot.db.models import CascadeAssignment, Outbox, Period, Skp, SkpItem, SkpStatus
from bot.domain.policy import Severity
from bot.services import skp as store
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV
from bot.usecases import checks
from tests.conftest import Harness
from tests.test_cascade_flow import OUTPUT, assign, build_plan, spell_out
from tests.test_dialog_flow import employee_id

SET_REASON = "SKP-nya sudah ditetapkan; perubahan dilakukan lewat Perubahan SKP."
REVIEW_REASON = "SKP-nya sedang ditinjau atasan"
UNLINKED = (
    "Wahyu Setiawan belum terhubung ke Telegram; usulannya sudah tersimpan di SKP-nya dan "
    "pesannya terkirim begitu ia terhubung."
)
IKI = [
    "Persentase NSPK skrining bayi baru lahir yang ditetapkan tepat waktu",
    "Persentase rumusan BMHP SBBL yang menjadi acuan pengadaan",
    "Persentase rekomendasi advokasi SBBL yang ditindaklanjuti",
]


async def _skp_status(bot: Harness, nip: str, status: SkpStatus) -> None:
    """The person's SKP of the period in this status (created when there is none)."""
    who = await employee_id(bot, nip)
    async with bot.services.sessionmaker() as session, session.begin():
        period = (await session.execute(select(Period))).scalars().first()
        assert period is not None
        skp = await store.latest_skp(session, who, period.id)
        if skp is None:
            policy = await store.policy_for(session, period)
            skp = store.new_skp(who, period.id, bot.services.clock(), policy)
            session.add(skp)
        skp.status = status


async def _back_to_a(director) -> None:  # type: ignore[no-untyped-def]
    await director.command("kaskade")
    await director.click("RHK 1")
    await director.click("R: Rumuskan")
    await director.click("I: Identifikasi")
    await director.click("M: Jabarkan")


async def test_held_roles_are_named_per_person_with_the_reason(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2401)
    intan = await bot.onboard(KATIM_SBBL, 2402)  # Wahyu never links his Telegram
    intan_id = await employee_id(bot, KATIM_SBBL)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await assign(director, "1.2", "Intan")
    await assign(director, "2.1", "Wahyu")
    await director.click("M: Jabarkan")
    for n, iki in enumerate(IKI, start=1):
        await spell_out(director, n, OUTPUT, iki, "100%")
    await _skp_status(bot, KATIM_SBBL, SkpStatus.SET)

    # the A screen says before the send what a send will do, and why not the rest
    ajak = await director.click("A: Ajak")
    assert "1 peran siap untuk 1 pegawai; 1 belum dikirim." in ajak.text
    assert f"2 butir untuk Intan Purnamasari tidak ikut dikirim: {SET_REASON}" in ajak.text
    assert "Target tim per satuan: 3 IKI dalam persen" in ajak.text
    mark = director.mark()
    await director.click("Kirim usulan ke tim")
    said = "\n".join(director.texts_since(mark))
    assert "📨 Usulan dikirim: 1 draf butir baru." in said
    assert f"2 butir untuk Intan Purnamasari belum dikirim: {SET_REASON}" in said
    assert UNLINKED in said and "sedang ditinjau" not in said
    # nothing was written into the set SKP, and Intan was not told of anything
    [set_skp] = await bot.rows(Skp, Skp.employee_id == intan_id)
    assert await bot.count(SkpItem, SkpItem.skp_id == set_skp.id) == 0
    assert not [
        r
        for r in await bot.rows(Outbox)
        if r.recipient_id == intan_id and r.kind == "cascade_proposal"
    ]

    # submitted: under review
    await _skp_status(bot, KATIM_SBBL, SkpStatus.SUBMITTED)
    await _back_to_a(director)
    ajak = await director.click("A: Ajak")
    assert f"2 butir untuk Intan Purnamasari tidak ikut dikirim: {REVIEW_REASON}" in ajak.text
    mark = director.mark()
    await director.click("Kirim usulan ke tim")
    said = "\n".join(director.texts_since(mark))
    assert "Belum ada usulan baru yang dapat dikirim." in said
    assert f"2 butir untuk Intan Purnamasari belum dikirim: {REVIEW_REASON}" in said
    assert "draf butir baru" not in said and UNLINKED not in said  # nothing new for Wahyu

    # returned for revision: the two go, and Intan gets one summary
    await _skp_status(bot, KATIM_SBBL, SkpStatus.REVISION)
    await _back_to_a(director)
    ajak = await director.click("A: Ajak")
    assert "3 peran siap untuk 2 pegawai; 2 belum dikirim." in ajak.text
    assert "tidak ikut dikirim" not in ajak.text
    mark = director.mark()
    await director.click("Kirim usulan ke tim")
    said = "\n".join(director.texts_since(mark))
    assert "📨 Usulan dikirim: 2 draf butir baru." in said and "belum dikirim:" not in said
    assert "Draf butir baru di SKP Anda" in intan.last.text
    assert await bot.count(SkpItem, SkpItem.skp_id == set_skp.id) == 2

    # again, with nothing new
    mark = director.mark()
    await director.click("Kirim usulan ke tim")
    said = "\n".join(director.texts_since(mark))
    assert "Semua usulan sudah terkirim; tidak ada yang baru." in said
    assert "0 draf" not in said and "Usulan dikirim" not in said

    # a changed proposal for a draft item whose SKP was set since is held, not asked
    await _skp_status(bot, KATIM_SBBL, SkpStatus.SET)
    await _back_to_a(director)
    await spell_out(director, 1, OUTPUT, IKI[0], "95%")
    await director.click("A: Ajak")
    mark = director.mark()
    await director.click("Kirim usulan ke tim")
    said = "\n".join(director.texts_since(mark))
    assert f"1 butir untuk Intan Purnamasari belum dikirim: {SET_REASON}" in said
    assert "perubahan ditanyakan" not in said
    proposals = [r for r in await bot.rows(Outbox) if r.kind == "cascade_proposal"]
    assert len([r for r in proposals if r.recipient_id == intan_id]) == 1


async def test_a_beban_split_is_summed_per_the_leaders_rhk(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2411)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    # the leader's RHK with a target of 4 Kali, stored directly (drafting is tested elsewhere)
    async with bot.services.sessionmaker() as session, session.begin():
        [source] = (await session.execute(select(SkpItem).where(SkpItem.position == 1))).scalars()
        source.target_value, source.satuan = Decimal(4), "Kali"
    await build_plan(director)
    await director.click("I: Identifikasi")
    await director.click("Selesai")  # I opened activity 1.1 itself
    await assign(director, "3.1", "Intan", "Wahyu")
    await director.click("M: Jabarkan")
    beban = "Pembagian beban kuantitatif"
    west = "Jumlah regional wilayah barat yang dimonev dan ditindaklanjuti tepat waktu"
    east = "Jumlah regional wilayah timur yang dimonev dan ditindaklanjuti tepat waktu"
    await spell_out(director, 1, beban, west, "2 Kali")
    await spell_out(director, 2, beban, east, "2 Kali")
    ajak = await director.click("A: Ajak")
    assert "Target tim per satuan: 4 Kali" in ajak.text
    assert "Pembagian beban" not in ajak.text
    await director.click("Kembali")
    await spell_out(director, 2, beban, east, "3 Kali")
    ajak = await director.click("A: Ajak")
    assert ajak.text.count("Pembagian beban") == 1
    assert "Pembagian beban (2 bagian) berjumlah 5 Kali, sedangkan target RHK Anda 4 Kali" in (
        ajak.text
    )
    roles = await bot.rows(CascadeAssignment)
    assert sorted(r.target_value for r in roles) == [2, 3]


async def test_the_m_lint_has_the_severity_skp_gives_the_assignee(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2421)
    intan = await bot.onboard(KATIM_SBBL, 2422)
    await bot.onboard(KATIM_SURV, 2423)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await assign(director, "1.2", "Wahyu")
    await director.click("M: Jabarkan")
    await director.click(OUTPUT)
    iki_screen = await director.send("NSPK skrining bayi baru lahir tersusun sesuai ketentuan")
    # the step's own example is an outcome IKI, and it passes the lint
    example = "Persentase NSPK skrining bayi baru lahir yang ditetapkan tepat waktu"
    assert f"misalnya “{example}”" in iki_screen.text and "Jumlah NSPK" not in iki_screen.text
    target_screen = await director.send(example)
    assert "⛔" not in target_screen.text and "⚠️" not in target_screen.text
    assert "<code>100%</code>" in target_screen.text and "2 NSPK" not in target_screen.text
    # counting documents: ⛔ for a ketua tim, as /skp says it on her item
    counted = "Jumlah NSPK skrining bayi baru lahir yang tersusun tepat waktu"
    await spell_out(director, 1, OUTPUT, counted, "100%")
    listed = await director.click("Daftar peran")
    assert "⛔ IKI menghitung" in listed.text and "⚠️ IKI menghitung" not in listed.text
    await spell_out(director, 1, OUTPUT, counted, "2 NSPK")
    await spell_out(director, 2, OUTPUT, IKI[1], "100%")
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    # /skp judges her item the same way
    intan_id = await employee_id(bot, KATIM_SBBL)
    [skp] = await bot.rows(Skp, Skp.employee_id == intan_id)
    async with bot.services.sessionmaker() as session:
        items = list(
            (await session.execute(select(SkpItem).where(SkpItem.skp_id == skp.id))).scalars()
        )
        found = await checks.check(session, skp, items)
    assert [f.severity for f in found.findings if f.code == "iki_counts_documents"] == [
        Severity.ERROR
    ]
    overview = await intan.command("skp")
    assert "Jumlah NSPK skrining" in overview.text

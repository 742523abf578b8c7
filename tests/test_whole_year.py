"""A whole year of one team through the real Application: a ketua tim (Dewi, Penilaian
Kinerja ASN) and three members. February: each member's rencana aksi with a trajectory,
agreed by the ketua tim. Every month: each member's check-in (all realisations pasted at once)
with a document as evidence, sent to the ketua tim. One item drifts (Bayu's advocacy stays at
0 against its trajectory) and the ketua tim's feedback points it out. In July one member's SKP
changes (Perubahan SKP: a new version, submitted, agreed, signed and set) and its items carry
their realisations over. At the end of each quarter and of the year the ketua tim evaluates
each member (hasil kerja, seven BerAKHLAK values, perilaku, predikat, final); a member
responds; the unit head sees the distribution; the dialog record lists it all in order."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from bot.db.models import (
    CheckIn,
    CheckInStatus,
    Evaluation,
    EvaluationState,
    Evidence,
    Feedback,
    FeedbackKind,
    PlanAgreement,
    PlanStatus,
    Realisation,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.services.demo import KARO, KATIM_PENKIN
from tests.conftest import Clock, Harness
from tests.document_seeds import seed_skp
from tests.telegram_fake import ChatClient
from tests.test_dialog_flow import approve, employee_id, set_skp, sign, submit

FITRI = ("199002142015032001", "Fitri Handayani")
BAYU = ("198909092014031002", "Bayu Nugroho")
SINTA = ("199205202017012001", "Sinta Permata")
MEMBERS = (FITRI, BAYU, SINTA)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


def realised(month: int, drifting: bool) -> str:
    """The SBBL list's realisations so far by the end of `month`, one line an item."""
    values = [
        f"{round(100 * month / 12)}%",
        f"{month // 6} rumusan",
        "0 kali" if drifting else f"{month // 3} kali",
        f"{round(100 * month / 12)}%",
        f"{round(100 * month / 12)}%",
        f"{month // 3} kali",
        f"{round(80 * month / 12)}%",
        "84" if month == 12 else "belum ada",
        f"{1 if month >= 10 else 0} program",
    ]
    return "\n".join(f"{n} {v}" for n, v in enumerate(values, 1))


async def check_in(member: ChatClient, month: int, drifting: bool) -> None:
    await member.command("capaian")
    await member.send(realised(month, drifting))
    await member.send_document(f"bukti-{month:02d}.pdf", b"%PDF-1.4 bukti", "1 laporan bulanan")
    sent = await member.click("Kirim ke atasan")
    assert "terkirim" in sent.text or "Capaian" in sent.text


async def evaluate(
    katim: ChatClient, name: str, hasil: str, perilaku: str, period: str | None = None
) -> str:
    """The ketua tim evaluates one member for the period on screen (or `period`): the hasil
    kerja, each of the seven values, the overall perilaku, then final. The summary's text."""
    listing = await katim.command("evaluasi")
    if period is not None:
        listing = await katim.click(period, listing)
    screen = await katim.click(name, listing)
    assert "Capaian tertimbang" in screen.text
    screen = await katim.click(hasil, screen)
    for n in range(7):
        assert f"Perilaku kerja {n + 1}/7" in screen.text
        screen = await katim.click(perilaku, screen)
    summary = await katim.click(perilaku, screen)
    await katim.click("Finalkan evaluasi", summary)
    done = await katim.click("Ya, finalkan")
    assert "sudah final" in done.text
    return done.text


async def test_a_whole_year_of_one_team(bot: Harness, clock: Clock) -> None:
    clock.now = at(1, 5)
    katim = await bot.onboard(KATIM_PENKIN, 7001)
    karo = await bot.onboard(KARO, 7002)
    members = {nip: await bot.onboard(nip, 7010 + n) for n, (nip, _) in enumerate(MEMBERS)}
    fitri, bayu, sinta = (members[nip] for nip, _ in MEMBERS)
    # The SKPs were set in January (drafting and setting are tested in their own flows).
    first = {
        nip: (await seed_skp(bot.services, nip, status=SkpStatus.SET))[0] for nip, _ in MEMBERS
    }

    # -- February: rencana aksi with a trajectory, agreed by the ketua tim ---------------------
    clock.now = at(2, 3)
    for member in (fitri, bayu, sinta):
        await member.command("rencana")
        await member.click("3")
        await member.send("Jan–Mar: menyusun jadwal advokasi; Apr–Des: advokasi ke LP/LS")
        await member.send("1 2 3 4 kali")
        await member.click("Kembali")
        await member.click("Ajukan ke atasan")
        await member.click("Ajukan tetap")
        await katim.click("Setujui rencana aksi", katim.last)
    agreed = await bot.rows(PlanAgreement, PlanAgreement.status == PlanStatus.AGREED)
    assert len(agreed) == 3

    # -- every month a check-in; the quarters' evaluations; a change in July -------------------
    responses = 0
    for month in range(1, 13):
        clock.now = at(month, 10)
        for nip, _name in MEMBERS:
            await check_in(members[nip], month, drifting=nip == BAYU[0])
        if month == 4:
            # the drifting item, pointed out to the ketua tim and answered with feedback
            team = await katim.command("umpan")
            assert "3 dari 3 pegawai sudah mengirim capaian" in team.text
            assert "Butir 3 di bawah trajektori" in team.text
            await katim.click("Bayu")
            await katim.click("Butir 3")
            await katim.click("Perlu perhatian")
            await katim.send("Advokasi belum berjalan; mohon jadwal ulang bersama mitra LP/LS.")
            assert "Perlu perhatian" in bayu.last.text
        if month == 7:
            # Perubahan SKP: an urgent assignment for Sinta, through the whole dialog
            await sinta.command("skp")
            await sinta.click("Ajukan perubahan SKP")
            await sinta.click("Penugasan mendesak")
            await sinta.send("Penugasan baru: koordinator dasbor penilaian kinerja mulai Juli.")
            await submit(sinta)
            await approve(katim, katim.last)
            await sign(sinta, sinta.last)
            await set_skp(katim, katim.last)
            await check_in(sinta, month, drifting=False)  # July's again, on the new version
        if month in (3, 6, 9):
            clock.now = at(month + 1, 2)
            for nip, name in MEMBERS:
                drifting = nip == BAYU[0] and month >= 6
                text = await evaluate(
                    katim,
                    name,
                    "Di bawah ekspektasi" if drifting else "Sesuai ekspektasi",
                    "Sesuai ekspektasi",
                )
                assert name in text
            # Bayu answers his second-quarter result
            if month == 6:
                await bayu.click("Tanggapi", bayu.last)
                await bayu.send("Jadwal mitra bergeser; advokasi dimulai Agustus.")
                responses += 1
    # the fourth quarter and the year, in December
    clock.now = at(12, 20)
    for nip, name in MEMBERS:
        drifting = nip == BAYU[0]
        await evaluate(
            katim,
            name,
            "Di bawah ekspektasi" if drifting else "Sesuai ekspektasi",
            "Sesuai ekspektasi",
            period="TW IV",
        )
        await evaluate(
            katim,
            name,
            "Di bawah ekspektasi" if drifting else "Di atas ekspektasi",
            "Di atas ekspektasi",
            period="Tahunan",
        )

    # -- what the year left ---------------------------------------------------------------------
    check_ins = await bot.rows(CheckIn, CheckIn.status == CheckInStatus.SUBMITTED)
    # twelve rounds each (the change carried Sinta's earlier rounds to the new version)
    assert len({(c.employee_id, c.period_key) for c in check_ins}) == 3 * 12
    assert len({c.skp_id for c in check_ins}) == 4
    assert await bot.count(Evidence) >= 3 * 12 + 1
    [attention] = await bot.rows(Feedback, Feedback.kind == FeedbackKind.ATTENTION)
    assert "jadwal ulang" in attention.text

    evaluations = await bot.rows(Evaluation)
    assert len(evaluations) == 3 * 5
    assert all(e.state is EvaluationState.FINAL for e in evaluations)
    by = {(e.employee_id, e.period): e for e in evaluations}
    fitri_id, bayu_id, sinta_id = [await employee_id(bot, nip) for nip, _ in MEMBERS]
    annual = by[(fitri_id, "tahunan")]
    assert annual.predikat == "sangat_baik"
    # everything met (IPASN 84 of 82 counts 100%), the Beyond programme too
    assert annual.capaian_total == Decimal("120.00")
    assert by[(bayu_id, "tahunan")].predikat == "butuh_perbaikan"
    # Bayu's advocacy (5% of Core) stayed at 0
    assert by[(bayu_id, "tahunan")].capaian_core == Decimal("95.00")
    assert by[(bayu_id, "TW2")].employee_response is not None and responses == 1
    assert {by[(m, "TW1")].predikat for m in (fitri_id, bayu_id, sinta_id)} == {"baik"}

    # Sinta's change: TW1 and TW2 on version 1, TW3 on, the realisations carried over
    async with bot.services.sessionmaker() as session:
        versions = list(
            (
                await session.execute(
                    select(Skp).where(Skp.employee_id == sinta_id).order_by(Skp.number)
                )
            ).scalars()
        )
    assert [v.status for v in versions] == [SkpStatus.SUPERSEDED, SkpStatus.SET]
    assert by[(sinta_id, "TW2")].skp_id == versions[0].id
    assert by[(sinta_id, "TW3")].skp_id == versions[1].id
    assert by[(sinta_id, "tahunan")].capaian_total == Decimal("120.00")
    new_items = await bot.rows(SkpItem, SkpItem.skp_id == versions[1].id)
    assert all(i.carried_from_id is not None for i in new_items)
    # the July check-in on the new version, June's on the old one: the third quarter reads both
    tw3 = by[(sinta_id, "TW3")].capaian_items
    assert tw3[0]["realisasi"] == "75%"  # September's, on the new version
    old_realisations = await bot.count(
        Realisation, Realisation.item_id.in_([i.carried_from_id for i in new_items])
    )
    assert old_realisations >= 9 * 6

    # the unit head's distribution for the year: 2 Sangat Baik, 1 Butuh Perbaikan in the unit
    listing = await karo.command("evaluasi")
    unit = await karo.click("Predikat unit", listing)
    unit = await karo.click("Tahunan", unit)
    assert "Sangat Baik: 2" in unit.text and "Butuh Perbaikan: 1" in unit.text

    # the dialog record of Bayu's SKP: check-ins, feedback and evaluations in order
    await bayu.command("skp")
    log = await bayu.click("Dialog kinerja")
    pages = [log.text]
    while "Berikutnya" in " ".join(log.labels()):
        log = await bayu.click("Berikutnya", log)
        pages.append(log.text)
    record = "\n".join(pages)
    assert len(re.findall(r"📈 Capaian \w+ 2026 dikirim", record)) == 12
    assert record.count("📊 Evaluasi") == 5
    assert record.index("Capaian Maret 2026") < record.index("Evaluasi Triwulan I ")
    assert record.index("Evaluasi Triwulan I ") < record.index("Capaian April 2026")
    assert record.index("Perlu perhatian") < record.index("Evaluasi Triwulan II")
    assert "tanggapan: Jadwal mitra bergeser" in record
    assert len(first) == 3

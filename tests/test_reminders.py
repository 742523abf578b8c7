"""Reminders with an injected clock through the real Application: leaders first, staff by
where their SKP stands, time zones, missed and stale reminders, nothing twice, nothing for
what is already done, waiting approvals, digests with a chart, quarterly evaluation; and the
sender: two senders at once, a restart in the middle of a batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from bot.db.models import Cascade, Outbox, OutboxStatus, Period, Skp, SkpItem, SkpStatus, Unit
from bot.reminders.planner import Planner, ReminderConfig
from bot.services.demo import DIREKTUR, KARO, KATIM_SBBL, KATIM_SURV
from bot.services.outbox import OutboxSender
from tests.conftest import Clock, Harness
from tests.test_dialog_flow import employee_id, seed_sbbl_skp, submit

FITRI = "199002142015032001"
BAYU = "198909092014031002"
ADMIN = "199104172015022001"


async def set_deadline(bot: Harness, deadline: date = date(2026, 2, 8)) -> None:
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(update(Period).values(draft_deadline=deadline))


async def set_status(bot: Harness, nip: str, status: SkpStatus) -> None:
    emp = await employee_id(bot, nip)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(update(Skp).where(Skp.employee_id == emp).values(status=status))


async def plan(bot: Harness, at: datetime) -> Counter[str]:
    """Planning at `at`; the bot's clock moves there too (the sender sends what is due)."""
    bot.services.clock.now = at  # type: ignore[attr-defined]
    planner = Planner(bot.services.sessionmaker, bot.services.texts, ReminderConfig())
    return await planner.run(at)


def sender(bot: Harness) -> OutboxSender:
    return bot.app.bot_data["sender"]  # type: ignore[no-any-return]


async def test_leaders_first_then_staff_by_stage_once_and_not_when_done(bot: Harness) -> None:
    await set_deadline(bot)
    intan = await bot.onboard(KATIM_SBBL, 1001)  # a ketua tim: leader of two, no plan yet
    fitri = await bot.onboard(FITRI, 1002)
    bayu = await bot.onboard(BAYU, 1003)
    await bot.onboard(KATIM_SURV, 1004)
    surv_skp = await seed_sbbl_skp(bot, KATIM_SURV)  # a leader with a plan...
    await set_status(bot, KATIM_SURV, SkpStatus.SUBMITTED)  # ...already submitted...
    surv_id = await employee_id(bot, KATIM_SURV)
    async with bot.services.sessionmaker() as session, session.begin():  # ...and cascaded
        [item] = (
            (await session.execute(select(SkpItem).where(SkpItem.skp_id == surv_skp)))
            .scalars()
            .all()[:1]
        )
        [period] = (await session.execute(select(Period))).scalars().all()
        session.add(
            Cascade(
                leader_id=surv_id,
                period_id=period.id,
                source_item_id=item.id,
                created_at=bot.services.clock(),
                sent_at=bot.services.clock(),
            )
        )
    await seed_sbbl_skp(bot, BAYU)
    await set_status(bot, BAYU, SkpStatus.REVISION)
    await fitri.command("skp")
    await fitri.click("IKI wajib")

    # Thursday 22 January 09:00 WIB: leaders 3 days ahead of staff (17 days before 8 Feb)
    leaders = await plan(bot, datetime(2026, 1, 22, 2, 0, tzinfo=UTC))
    assert leaders == Counter({"reminder_leader_plan": 1})
    await sender(bot).drain()
    assert "Tim Anda menunggu rencana Anda" in intan.last.text
    assert "Buka kaskade" in intan.last.labels()[0]

    # Friday 23 January 09:30 WIB: the 14-day staff reminder (25 January is a Sunday)
    staff = await plan(bot, datetime(2026, 1, 23, 2, 30, tzinfo=UTC))
    assert staff == Counter({"reminder_staff": 3})
    assert await plan(bot, datetime(2026, 1, 23, 2, 45, tzinfo=UTC)) == Counter()  # once

    await set_status(bot, FITRI, SkpStatus.SUBMITTED)  # submitted before the sender ran
    await sender(bot).drain()
    assert "14 hari lagi" in intan.last.text
    assert "belum mulai menyusun SKP" in intan.last.text
    assert "meminta revisi" in bayu.last.text
    assert not any("hari lagi" in t for t in fitri.texts_since(0))
    [skipped] = await bot.rows(Outbox, Outbox.status == OutboxStatus.SKIPPED)
    assert skipped.recipient_id == await employee_id(bot, FITRI)

    # the reminder's button opens the right screen
    overview = await intan.click("Buka SKP saya")
    assert "SKP 2026" in overview.text


async def test_drafting_stage_text_and_time_zones(bot: Harness) -> None:
    await set_deadline(bot)
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(update(Unit).where(Unit.code == "YANKESGA").values(timezone="WITA"))
    intan = await bot.onboard(KATIM_SBBL, 1101)  # WITA now
    fitri = await bot.onboard(FITRI, 1102)  # WIB
    await fitri.command("skp")
    await fitri.click("IKI wajib")
    # 09:30 WITA is 08:30 WIB: only the WITA unit is due
    assert await plan(bot, datetime(2026, 1, 23, 1, 30, tzinfo=UTC)) == Counter(
        {"reminder_staff": 1}
    )
    await sender(bot).drain()
    assert "14 hari lagi" in intan.last.text
    assert await plan(bot, datetime(2026, 1, 23, 2, 30, tzinfo=UTC)) == Counter(
        {"reminder_staff": 1}
    )
    await sender(bot).drain()
    assert "sudah berisi 1 butir" in fitri.last.text


async def test_a_missed_reminder_is_overtaken_by_the_next_one(bot: Harness) -> None:
    await set_deadline(bot)
    await bot.onboard(FITRI, 1201)
    # the bot was down from before the 14-day reminder until after the 7-day one
    assert await plan(bot, datetime(2026, 1, 30, 3, 0, tzinfo=UTC)) == Counter(
        {"reminder_staff": 1}
    )
    [row] = await bot.rows(Outbox, Outbox.kind == "reminder_staff")
    assert row.dedupe_key.endswith(":7")
    # two days after the 3-day reminder nothing stale is sent
    assert await plan(bot, datetime(2026, 2, 7, 3, 0, tzinfo=UTC)) == Counter()


async def test_leaders_hear_about_submissions_waiting_too_long(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 1301)
    intan = await bot.onboard(KATIM_SBBL, 1302)
    await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(intan)  # Monday 5 January
    assert await plan(bot, datetime(2026, 1, 7, 2, 30, tzinfo=UTC)) == Counter()  # 2 days
    assert await plan(bot, datetime(2026, 1, 8, 2, 30, tzinfo=UTC)) == Counter(
        {"reminder_waiting": 1}
    )
    await sender(bot).drain()
    assert "<b>1</b> SKP pegawai yang menunggu" in director.last.text
    waiting = await director.click("Buka persetujuan")
    assert "Intan Purnamasari" in waiting.text


async def test_weekly_digests_with_a_chart_and_evaluation_reminders(
    bot: Harness, transport
) -> None:  # type: ignore[no-untyped-def]
    await set_deadline(bot)
    karo = await bot.onboard(KARO, 1401)
    admin = await bot.onboard(ADMIN, 1402)
    await bot.onboard(KATIM_SBBL, 1403)
    await seed_sbbl_skp(bot, FITRI)
    await set_status(bot, FITRI, SkpStatus.SET)
    monday = datetime(2026, 1, 26, 2, 30, tzinfo=UTC)
    created = await plan(bot, monday)
    assert created["digest"] == 1 and created["digest_chart"] == 1  # the director is not linked
    assert created["digest_admin"] == 1
    await sender(bot).drain()
    digest = next(m.text for m in karo.received if "Progres SKP Biro" in m.text)
    assert "Ditetapkan: 1" in digest and "Belum mulai: 15" in digest
    assert "Penilaian Kinerja ASN: 1 ditetapkan" in digest
    [chart] = transport.documents_to(1401)
    assert chart.content and chart.content.startswith(b"\x89PNG")
    assert any("Progres SKP seluruh unit" in m.text for m in admin.received)

    quarter = datetime(2026, 3, 31, 2, 30, tzinfo=UTC)
    await bot.onboard(FITRI, 1404)
    assert (await plan(bot, quarter))["reminder_evaluation"] == 1
    await sender(bot).drain()
    assert "Evaluasi kinerja triwulan 1" in transport.sent_to(1404)[-1].text


async def test_two_senders_send_each_row_once_and_a_restart_resumes(
    bot: Harness, clock: Clock
) -> None:
    from tests.test_outbox import queue

    person = await bot.onboard(FITRI, 1501)
    before = person.mark()
    await queue(bot, FITRI, 40)
    other = OutboxSender(bot.services.sessionmaker, bot.app.bot, clock)
    sent = await asyncio.gather(sender(bot).drain(batch=5), other.drain(batch=5))
    assert sum(sent) == 40
    assert len(person.texts_since(before)) == 40
    assert len(set(person.texts_since(before))) == 40

    # a sender dies after three messages of a batch of ten (the process is killed)
    await queue(bot, FITRI, 10)
    dying = OutboxSender(bot.services.sessionmaker, bot.app.bot, clock)
    claimed = await dying._claim(None, 10)
    for row in claimed[:3]:
        await dying._send_one(row)
    mark = person.mark()
    assert await sender(bot).drain() == 0  # the other seven are still leased
    clock.advance(minutes=3)
    assert await sender(bot).drain() == 7
    assert len(person.texts_since(mark)) == 7
    rows = await bot.rows(Outbox, Outbox.status == OutboxStatus.SENT, Outbox.kind != "reply")
    assert len(rows) == 50


async def test_an_administrator_sets_the_deadlines_in_chat(bot: Harness) -> None:
    admin = await bot.onboard(ADMIN, 1601)
    await admin.click("Status aktivasi")
    await admin.click("Tenggat periode")
    await admin.click("Batas penyusunan")
    assert "bukan tanggal" in (await admin.send("tiga puluh Februari")).text
    assert "bukan tanggal" in (await admin.send("31-02-2026")).text
    shown = await admin.send("8 Februari 2026")
    assert "Batas penyusunan SKP: 8 Februari 2026" in shown.text
    [period] = await bot.rows(Period)
    assert period.draft_deadline == date(2026, 2, 8)
    await admin.click("Batas penetapan")
    await admin.send("30-01-2026")
    [period] = await bot.rows(Period)
    assert period.skp_deadline == date(2026, 1, 30)
    from bot.db.models import AuditLog

    assert await bot.count(AuditLog, AuditLog.action == "period.deadline_changed") == 2


async def test_people_who_blocked_the_bot_are_listed_for_administrators(bot: Harness) -> None:
    from bot.db.models import TelegramLink

    admin = await bot.onboard(ADMIN, 1701)
    await bot.onboard(FITRI, 1702)
    await set_deadline(bot)
    bot.transport.blocked_chats.add(1702)
    await plan(bot, datetime(2026, 1, 23, 2, 30, tzinfo=UTC))
    await sender(bot).drain()
    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 1702)
    assert link.unreachable_since is not None
    status = await admin.click("Status aktivasi")
    assert "Tidak dapat dihubungi" in status.text and "Fitri Handayani" in status.text
    # the next reminder goes to the administrator (no SKP yet), not to the unreachable person
    assert await plan(bot, datetime(2026, 1, 30, 2, 30, tzinfo=UTC)) == Counter(
        {"reminder_staff": 1}
    )
    fitri = await employee_id(bot, FITRI)
    assert await bot.count(Outbox, Outbox.recipient_id == fitri) == 1

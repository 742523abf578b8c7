"""Two bot processes on one PostgreSQL database deciding the same thing at once.

Each "process" is its own `build_services` (own engine and connection pool) and its own PTB
Application over its own fake transport; the same button is pressed in both with
`asyncio.gather`. The use cases lock what they decide about (FOR UPDATE) and write
notifications with INSERT ... ON CONFLICT DO NOTHING on the dedupe key: whichever process is
second sees the first one's decision and answers politely, and nothing is done twice.

SQLite has one writer per file, so this module runs on PostgreSQL only (TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.container import build_services
from bot.db.engine import create_engine
from bot.db.models import (
    AuditLog,
    CascadeAssignment,
    DataReport,
    Employee,
    ExpectationStatus,
    Outbox,
    ReportStatus,
    RoleGrant,
    RoleName,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpStatus,
)
from bot.domain.contract import CounterDecision
from bot.services.demo import DIREKTUR, KARO, KATIM_SBBL, KATIM_SURV
from tests.conftest import PG_URL, Clock, Harness, make_settings
from tests.telegram_fake import FakeTelegram, Sent
from tests.test_cascade_flow import assign, build_plan, spell_out
from tests.test_dialog_flow import employee_id, seed_sbbl_skp, submit

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has one writer per file"
)

ADMIN = "199104172015022001"  # the demo's HR administrator


@dataclass
class Processes:
    """Two bot processes on one database; `a` is the `bot` fixture's. `gate` is a third
    connection's engine that holds both back until both are ready (see `press_at_once`)."""

    a: Harness
    b: Harness
    gate: AsyncEngine
    errors: list[BaseException]

    async def press_at_once(
        self, presses: list[tuple[Harness, int, str, Sent]]
    ) -> list[tuple[str, bool]]:
        """Each (process, user, callback data, message) pressed at the same time through that
        process's Application; the toasts each process answered, in the order given.

        A starting gate makes "at the same time" hold whatever the timing: a third connection
        holds the inbox locked against inserts, so each update's transaction waits at
        its first statement (recording the update id) until all of them wait there; then the
        gate opens and they race through the rest of their transactions together."""
        updates = []
        marks = []
        for harness, user_id, data, message in presses:
            # the message the button is on, as the other process's Telegram would show it
            harness.transport.messages.setdefault(message.message_id, dataclasses.replace(message))
            updates.append((harness, harness.client(user_id).callback_update(data, message)))
            marks.append(len(harness.transport.calls))
        async with self.gate.begin() as gate:
            await gate.execute(text("LOCK TABLE inbox IN EXCLUSIVE MODE"))
            tasks = [asyncio.create_task(h.app.process_update(u)) for h, u in updates]
            for _ in range(500):
                waiting = await gate.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks"
                        " WHERE NOT granted AND relation = 'inbox'::regclass"
                    )
                )
                if waiting == len(tasks) or any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.01)
            assert waiting == len(tasks), "the presses did not all reach the starting gate"
        await asyncio.gather(*tasks)
        toasts = []
        for (harness, update), mark in zip(updates, marks, strict=True):
            query_id = update.callback_query.id if update.callback_query else None
            [answer] = [
                params
                for name, params in harness.transport.calls[mark:]
                if name == "answerCallbackQuery" and params["callback_query_id"] == query_id
            ]
            toasts.append((answer.get("text") or "", bool(answer.get("show_alert"))))
        return toasts


def record_errors(harness: Harness, errors: list[BaseException]) -> None:
    """Every exception a handler raises (the bot's own error handler only logs it)."""

    async def record(_update: object, context: Any) -> None:
        errors.append(context.error)

    harness.app.add_error_handler(record)


@pytest.fixture
async def two(bot: Harness, database_url: str, clock: Clock) -> AsyncIterator[Processes]:
    services = build_services(make_settings(database_url), clock=clock)
    transport = FakeTelegram()
    transport._ids = itertools.count(1_000_000)  # message ids apart from the first process's
    gate = create_engine(database_url)
    errors: list[BaseException] = []
    try:
        async with Harness(services, transport) as second:
            assert second.services.db is not bot.services.db  # its own engine and pool
            record_errors(bot, errors)
            record_errors(second, errors)
            yield Processes(bot, second, gate, errors)
    finally:
        await services.close()
        await gate.dispose()


async def count(two: Processes, model: Any, *where: Any) -> int:
    return await two.a.count(model, *where)


# -- 1. a counter-proposal accepted twice at once -------------------------------------------------


async def test_a_counter_proposal_accepted_in_two_processes_is_accepted_once(
    two: Processes,
) -> None:
    bot = two.a
    director = await bot.onboard(DIREKTUR, 3101)
    katim = await bot.onboard(KATIM_SBBL, 3102)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await director.command("persetujuan")
    await director.click("1. Intan")
    await director.click("Ekspektasi hasil / target")
    await director.click("6")
    await director.click("Target dan standar")
    await director.send("14 kali")
    await director.send("Monev di 14 regional, masing-masing dengan rekomendasi tertulis.")
    await katim.click("Tanggapi", katim.last)
    await katim.click("Usulkan target lain")
    await katim.send("3")
    await katim.send("Anggaran perjalanan hanya cukup untuk 3 kali monev tahun ini.")
    await katim.click("Kirim tanggapan")
    counter_msg, data = director.find_button("Terima usulan", director.last)
    [before] = await bot.rows(Skp, Skp.id == skp_id)
    [item6] = await bot.rows(SkpItem, SkpItem.skp_id == skp_id, SkpItem.position == 6)
    assert item6.target_value != 3
    katim_id = await employee_id(bot, KATIM_SBBL)

    toasts = await two.press_at_once(
        [(two.a, 3101, data, counter_msg), (two.b, 3101, data, counter_msg)]
    )

    assert two.errors == []
    assert sorted(t for t, _ in toasts) == ["Keputusan tercatat.", "Usulan ini sudah diputuskan."]
    assert await count(two, AuditLog, AuditLog.action == "skp.counter_accepted") == 1
    assert (
        await count(
            two,
            Outbox,
            Outbox.kind == "skp_counter_decided",
            Outbox.recipient_id == katim_id,
        )
        == 1
    )
    [after] = await bot.rows(Skp, Skp.id == skp_id)
    assert after.revision == before.revision + 1
    [item6] = await bot.rows(SkpItem, SkpItem.skp_id == skp_id, SkpItem.position == 6)
    assert item6.target_value == 3 and item6.satuan == "Kali"
    [expectation] = await bot.rows(SkpExpectation, SkpExpectation.skp_id == skp_id)
    assert expectation.counter_decision == CounterDecision.ACCEPTED
    assert expectation.status is ExpectationStatus.SETTLED and expectation.agreed_value == 3


# -- 2. two administrators closing one data report at once ----------------------------------------


async def test_two_admins_closing_one_report_at_once_close_it_once(two: Processes) -> None:
    bot = two.a
    karo_id = await employee_id(bot, KARO)
    async with bot.services.sessionmaker() as session, session.begin():
        session.add(RoleGrant(employee_id=karo_id, role=RoleName.ADMIN))
    first_admin = await bot.onboard(ADMIN, 3201)
    second_admin = await bot.onboard(KARO, 3202)
    reporter = await bot.onboard(KATIM_SBBL, 3203)
    await reporter.command("koreksi")
    await reporter.click("Atasan")
    await reporter.send("Pejabat penilai saya sudah pindah ke Direktorat lain sejak Januari.")
    [report] = await bot.rows(DataReport)
    [name] = [e.name for e in await bot.rows(Employee, Employee.id == report.employee_id)]
    first_msg, first_data = first_admin.find_button("ditindaklanjuti", first_admin.last)
    second_msg, second_data = second_admin.find_button("ditindaklanjuti", second_admin.last)
    assert first_data == second_data == f"rep:done:{report.id}:0"

    toasts = await two.press_at_once(
        [(two.a, 3201, first_data, first_msg), (two.b, 3202, second_data, second_msg)]
    )

    assert two.errors == []
    assert sorted(toasts) == [
        (f"Laporan dari {name} (Atasan / pejabat penilai) ditandai sudah ditindaklanjuti.", False),
        ("Laporan ini sudah ditindaklanjuti sebelumnya.", False),  # politely: no alert
    ]
    assert await count(two, AuditLog, AuditLog.action == "data_report.resolved") == 1
    assert await count(two, Outbox, Outbox.kind == "data_report_resolved") == 1
    [report] = await bot.rows(DataReport)
    assert report.status is ReportStatus.RESOLVED
    assert report.resolved_by_id in {karo_id, await employee_id(bot, ADMIN)}


# -- 3. a cascade sent from two processes at once -------------------------------------------------


async def cascade_to_two(bot: Harness) -> tuple[Any, Any]:
    """The director's cascade of RHK 1: NSPK to Intan, the webinar to Wahyu, spelled out."""
    director = await bot.onboard(DIREKTUR, 3301)
    await bot.onboard(KATIM_SBBL, 3302)
    await bot.onboard(KATIM_SURV, 3303)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await assign(director, "2.1", "Wahyu")
    await director.click("M: Jabarkan")
    await spell_out(
        director, 1, "Pendekatan output antara", "Persentase NSPK SBBL tersusun tepat waktu", "100%"
    )
    await spell_out(
        director,
        2,
        "Pendekatan layanan",
        "Persentase peserta webinar SBBL yang lulus evaluasi",
        "100%",
    )
    ajak = await director.click("A: Ajak")
    return director, ajak


async def test_a_cascade_sent_in_two_processes_drafts_once(two: Processes) -> None:
    bot = two.a
    director, ajak = await cascade_to_two(bot)
    send_msg, data = director.find_button("Kirim usulan", ajak)

    await two.press_at_once([(two.a, 3301, data, send_msg), (two.b, 3301, data, send_msg)])

    assert two.errors == []
    assignments = await bot.rows(CascadeAssignment)
    assert len(assignments) == 2 and all(a.draft_item_id for a in assignments)
    drafts = await bot.rows(SkpItem, SkpItem.iki.in_([a.iki for a in assignments]))
    assert sorted(d.id for d in drafts) == sorted(a.draft_item_id for a in assignments)
    assert await count(two, Outbox, Outbox.kind == "cascade_proposal") == 2


def by_id(row: Any) -> int:
    return int(row.id)


async def test_a_changed_cascade_resent_in_two_processes_asks_once(two: Processes) -> None:
    bot = two.a
    director, _ajak = await cascade_to_two(bot)
    await director.click("Kirim usulan ke tim")
    assert "2 draf butir baru" in director.last.text
    # both targets change after sending
    await director.command("kaskade")
    await director.click("RHK 1")
    await director.click("R: Rumuskan")
    await director.click("I: Identifikasi")
    await director.click("M: Jabarkan")
    await spell_out(
        director, 1, "Pendekatan output antara", "Persentase NSPK SBBL tersusun tepat waktu", "95%"
    )
    await spell_out(
        director,
        2,
        "Pendekatan layanan",
        "Persentase peserta webinar SBBL yang lulus evaluasi",
        "90%",
    )
    ajak = await director.click("A: Ajak")
    send_msg, data = director.find_button("Kirim usulan", ajak)

    await two.press_at_once([(two.a, 3301, data, send_msg), (two.b, 3301, data, send_msg)])

    assert two.errors == []
    assignments = await bot.rows(CascadeAssignment)
    # one summary per assignee and send, written once although both processes sent
    summaries = sorted(await bot.rows(Outbox, Outbox.kind == "cascade_proposal"), key=by_id)
    assert len(summaries) == 4
    changes = summaries[2:]
    assert {c.recipient_id for c in changes} == {a.assignee_id for a in assignments}
    # the drafts wait for the assignees' answer
    drafts = await bot.rows(SkpItem, SkpItem.id.in_([a.draft_item_id for a in assignments]))
    assert [d.target_value for d in drafts] == [100, 100]

    # a third send with nothing new changes nothing and fails nowhere
    await director.command("kaskade")
    await director.click("RHK 1")
    await director.click("R: Rumuskan")
    await director.click("I: Identifikasi")
    await director.click("M: Jabarkan")
    await director.click("A: Ajak")
    mark = director.mark()
    await director.click("Kirim usulan ke tim")
    assert two.errors == []
    said = "\n".join(director.texts_since(mark))
    assert "Semua usulan sudah terkirim; tidak ada yang baru." in said
    assert "2 perubahan masih menunggu jawaban pegawai" in said
    assert await count(two, Outbox, Outbox.kind == "cascade_proposal") == 4
    assert await count(two, SkpItem, SkpItem.id.in_([a.draft_item_id for a in assignments])) == 2


# -- 4. two approvals of one SKP, one in each process ---------------------------------------------


async def test_two_processes_approving_one_skp_approve_once(two: Processes) -> None:
    bot = two.a
    director = await bot.onboard(DIREKTUR, 3401)
    katim = await bot.onboard(KATIM_SBBL, 3402)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)
    await director.click("Setujui", director.last)  # the notice's button: the confirmation
    notice, data = director.find_button("Ya, setujui")
    [before] = await bot.rows(Skp, Skp.id == skp_id)

    toasts = await two.press_at_once([(two.a, 3401, data, notice), (two.b, 3401, data, notice)])

    assert two.errors == []
    texts = sorted(t for t, _ in toasts)
    assert texts[0] == "SKP disetujui."
    assert "sudah berubah" in texts[1] or "sudah tidak berlaku" in texts[1]
    [after] = await bot.rows(Skp, Skp.id == skp_id)
    assert after.status is SkpStatus.AGREED and after.revision == before.revision + 1
    assert await count(two, AuditLog, AuditLog.action == "skp.approved") == 1
    katim_id = await employee_id(bot, KATIM_SBBL)
    assert (
        await count(two, Outbox, Outbox.kind == "skp_approved", Outbox.recipient_id == katim_id)
        == 1
    )

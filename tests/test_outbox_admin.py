"""Failed messages for administrators: "Status aktivasi pegawai" offers "📮 Pesan gagal
terkirim (n)" while some messages of the last 30 days failed; the screen lists them a page at
a time (when in WIB, to whom, what kind, why in plain words, never the bot token) and "🔁 Kirim
ulang semua" puts them back to PENDING through one use case (admins only, audited), except
those whose recipient is still unreachable."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from bot.container import build_services
from bot.db.models import AuditLog, Employee, Outbox, OutboxStatus, TelegramLink
from bot.services.demo import DIREKTUR, KATIM_PENKIN, KATIM_SBBL
from bot.services.outbox import OutboxSender
from bot.usecases import outbox_admin
from bot.usecases.base import Refused, Tx
from tests.conftest import Clock, Harness
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_cli import cli_env  # noqa: F401  (the fixture)

ADMIN = "199104172015022001"
# What a real token looks like (the test bot's own is shorter): it must never be shown.
LEAKED = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def sender(bot: Harness) -> OutboxSender:
    return bot.app.bot_data["sender"]  # type: ignore[no-any-return]


async def person(bot: Harness, nip: str) -> Employee:
    async with bot.services.sessionmaker() as session:
        return (await session.execute(select(Employee).where(Employee.nip == nip))).scalar_one()


async def write(bot: Harness, **values: Any) -> int:
    now = bot.services.clock()
    row = Outbox(
        **{
            "kind": "test",
            "payload": {"html": "Isi pesan pribadi", "buttons": []},
            "created_at": now,
            "send_after": now,
            **values,
        }
    )
    async with bot.services.sessionmaker() as session, session.begin():
        session.add(row)
        await session.flush()
        return row.id


async def failures(bot: Harness, transport: FakeTelegram, clock: Clock) -> dict[str, int]:
    """Messages that failed in each of the ways the sender records, through the sender."""
    ids: dict[str, int] = {}
    sbbl, direktur, penkin = [
        await person(bot, nip) for nip in (KATIM_SBBL, DIREKTUR, KATIM_PENKIN)
    ]

    ids["blocked"] = await write(bot, recipient_id=sbbl.id, kind="reminder_staff")
    transport.blocked_chats.add(9802)  # 403: the person blocked the bot
    await sender(bot).deliver([ids["blocked"]])

    ids["refused"] = await write(bot, recipient_id=direktur.id, kind="skp_document")
    transport.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await sender(bot).deliver([ids["refused"]])

    ids["gave_up"] = await write(bot, recipient_id=penkin.id, kind="skp_submitted")
    transport.fail_next("sendMessage", 502, "Bad Gateway")
    once = OutboxSender(bot.services.sessionmaker, bot.app.bot, clock, max_attempts=1)
    await once.deliver([ids["gave_up"]])

    reply = {"messages": [{"html": "Balasan", "buttons": []}]}
    ids["reply"] = await write(
        bot,
        kind="reply",
        chat_id=9803,
        payload=reply,
        status=OutboxStatus.FAILED,
        attempts=8,
        last_error="400 Bad Request: message to edit not found",
    )
    ids["stranger"] = await write(
        bot,
        kind="reply",
        chat_id=5550001,
        payload=reply,
        status=OutboxStatus.FAILED,
        attempts=3,
        last_error=f"gave up after 3 attempts: NetworkError: https://x.invalid/bot{LEAKED}/send",
    )
    admin = await person(bot, ADMIN)
    for _ in range(6):  # a kind without a label of its own: "pesan"
        await write(
            bot,
            recipient_id=admin.id,
            kind="some_future_kind",
            status=OutboxStatus.FAILED,
            last_error="gave up after 8 attempts: TimedOut: Timed out",
        )
    # history: older than 30 days; and a message that went
    await write(
        bot,
        recipient_id=admin.id,
        status=OutboxStatus.FAILED,
        created_at=clock() - timedelta(days=40),
        last_error="403 Forbidden",
    )
    await write(bot, recipient_id=admin.id, status=OutboxStatus.SENT)
    statuses = {r.id: r.status for r in await bot.rows(Outbox, Outbox.id.in_(list(ids.values())))}
    assert set(statuses.values()) == {OutboxStatus.FAILED}, statuses
    return ids


async def open_failed(admin: ChatClient) -> Any:
    await admin.command("menu")
    status = await admin.click("Status aktivasi pegawai")
    assert "Pesan gagal terkirim (11)" in str(status.labels())
    return await admin.click("Pesan gagal terkirim")


async def test_admins_see_failed_messages_and_send_them_again(
    bot: Harness, transport: FakeTelegram, clock: Clock
) -> None:
    admin = await bot.onboard(ADMIN, 9801)
    for nip, user in ((KATIM_SBBL, 9802), (DIREKTUR, 9803), (KATIM_PENKIN, 9804)):
        await bot.onboard(nip, user)
    ids = await failures(bot, transport, clock)
    sbbl, direktur, penkin = [
        await person(bot, nip) for nip in (KATIM_SBBL, DIREKTUR, KATIM_PENKIN)
    ]

    screen = await open_failed(admin)
    first = screen.text
    assert "Pesan gagal terkirim" in first and "Halaman 1/2" in first
    # newest first: the six unlabelled ones came last
    assert first.count("pesan") >= 6 and "5 Januari 2026 09.00 WIB" in first
    assert "sebab tidak tercatat" not in first and "Isi pesan pribadi" not in first

    page_two = await admin.click("Berikutnya")
    everything = first + page_two.text
    assert "Halaman 2/2" in page_two.text
    assert "pengingat penyusunan SKP" in everything and sbbl.name in everything
    assert "diblokir oleh pengguna (403)" in everything
    assert "dokumen SKP" in everything and direktur.name in everything
    assert "ditolak Telegram: Chat not found" in everything
    assert "pemberitahuan SKP diajukan" in everything and penkin.name in everything
    assert "gagal setelah 1 kali percobaan: NetworkError: Bad Gateway" in everything
    assert everything.count("balasan langsung") == 2
    assert "pengguna belum terhubung" in everything
    assert "ditolak Telegram: message to edit not found" in everything
    assert LEAKED not in everything and "AAHdq" not in everything and "[token]" in everything
    assert "(belum dapat dikirim ulang)" in everything  # the blocked one

    before = transport.count("sendMessage")
    await admin.click("Kirim ulang semua")
    toast = admin.answers()[-1]["text"]
    assert toast == (
        "10 pesan dijadwalkan untuk dikirim ulang; 1 dilewati karena penerimanya masih "
        "tidak dapat dihubungi."
    )
    await sender(bot).drain()  # those beyond the first few go with the sender's rounds
    rows = {r.id: r for r in await bot.rows(Outbox)}
    assert rows[ids["blocked"]].status is OutboxStatus.FAILED
    for name in ("refused", "gave_up", "reply", "stranger"):
        assert rows[ids[name]].status is OutboxStatus.SENT, name
    retried = [r for r in rows.values() if r.kind == "some_future_kind"]
    assert {r.status for r in retried} == {OutboxStatus.SENT}
    assert all(r.attempts == 1 and r.last_error is None for r in retried)
    assert transport.count("sendMessage") - before >= 10
    assert "Balasan" in [m.text for m in transport.sent_to(5550001)]

    [audit] = await bot.rows(AuditLog, AuditLog.action == "outbox.retried")
    assert audit.details == {"count": 10, "skipped": 1}
    # the screen now lists what is left: the message to the person who blocked the bot
    now = admin.now(admin.find_button("Kirim ulang semua")[0])
    assert "diblokir oleh pengguna (403)" in now.text and "Halaman" not in now.text
    assert now.text.count("Kepada:") == 1

    # unblocked and written to again: the link is reachable, the message goes
    transport.blocked_chats.clear()
    async with bot.services.sessionmaker() as session, session.begin():
        link = (
            await session.execute(select(TelegramLink).where(TelegramLink.chat_id == 9802))
        ).scalar_one()
        link.unreachable_since = None
    await admin.click("Kirim ulang semua")
    assert admin.answers()[-1]["text"] == "1 pesan dijadwalkan untuk dikirim ulang."
    [blocked] = await bot.rows(Outbox, Outbox.id == ids["blocked"])
    assert blocked.status is OutboxStatus.SENT
    back = await admin.click("Kembali")
    assert "Status aktivasi pegawai" in back.text
    assert "Pesan gagal terkirim" not in str(back.labels())


async def test_only_admins_send_failed_messages_again(
    bot: Harness, transport: FakeTelegram, clock: Clock
) -> None:
    await bot.onboard(KATIM_SBBL, 9812)
    sbbl = await person(bot, KATIM_SBBL)
    row = await write(bot, recipient_id=sbbl.id, status=OutboxStatus.FAILED, last_error="x")
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, clock(), sbbl.id, "telegram", bot.services.texts)
        with pytest.raises(Refused):
            await outbox_admin.retry_failed(tx)
    [still] = await bot.rows(Outbox, Outbox.id == row)
    assert still.status is OutboxStatus.FAILED
    assert await bot.count(AuditLog, AuditLog.action == "outbox.retried") == 0


def test_reasons_in_plain_words() -> None:
    reason = outbox_admin.reason
    assert reason("403 Forbidden: bot was blocked by the user") == ("outbox_reason_blocked", {})
    assert reason("400 Bad Request: chat not found") == (
        "outbox_reason_refused",
        {"detail": "chat not found"},
    )
    key, values = reason(f"gave up after 8 attempts: NetworkError: {LEAKED} " + "x" * 300)
    assert key == "outbox_reason_gave_up" and values["n"] == "8"
    assert LEAKED not in values["detail"] and len(values["detail"]) <= 90
    assert reason("no active Telegram link") == ("outbox_reason_unlinked", {})
    assert reason(None) == ("outbox_reason_unknown", {})


def test_the_command_line_lists_and_sends_again(cli_env: CliRunner) -> None:  # noqa: F811
    """`outbox failed` prints when, to whom, what and why (never what the message said);
    `outbox retry` puts back what can go and says how many were skipped."""
    assert cli_env.invoke(app, ["demo"]).exit_code == 0
    empty = cli_env.invoke(app, ["outbox", "failed"])
    assert empty.exit_code == 0 and "Tidak ada pesan yang gagal terkirim" in empty.output

    async def seed() -> None:
        services = build_services(get_settings())
        try:
            async with services.sessionmaker() as session, session.begin():
                sbbl = (
                    await session.execute(select(Employee).where(Employee.nip == KATIM_SBBL))
                ).scalar_one()
                now = services.clock()
                common = {"created_at": now, "send_after": now, "status": OutboxStatus.FAILED}
                session.add_all(
                    [
                        Outbox(  # nobody linked: skipped
                            recipient_id=sbbl.id,
                            kind="reminder_staff",
                            payload={"html": "Isi pesan pribadi", "buttons": []},
                            last_error="no active Telegram link",
                            **common,
                        ),
                        Outbox(
                            kind="reply",
                            chat_id=5550002,
                            payload={"messages": [{"html": "Isi balasan", "buttons": []}]},
                            last_error="400 Bad Request: message is too long",
                            **common,
                        ),
                    ]
                )
        finally:
            await services.close()

    asyncio.run(seed())
    listed = cli_env.invoke(app, ["outbox", "failed"])
    assert listed.exit_code == 0, listed.output
    assert "Intan Purnamasari" in listed.output and "pengingat penyusunan SKP" in listed.output
    assert "balasan langsung" in listed.output and "pengguna belum terhubung" in listed.output
    assert "ditolak Telegram: message is too long" in listed.output
    assert "Isi pesan pribadi" not in listed.output and "Isi balasan" not in listed.output
    assert "2 pesan gagal terkirim" in listed.output
    retried = cli_env.invoke(app, ["outbox", "retry"])
    assert retried.exit_code == 0, retried.output
    assert "1 pesan dijadwalkan untuk dikirim ulang; 1 dilewati" in retried.output
    again = cli_env.invoke(app, ["outbox", "failed"])
    assert "1 pesan gagal terkirim" in again.output and "balasan langsung" not in again.output


async def test_what_came_before_linking_is_delivered_on_linking(bot: Harness) -> None:
    """A message for someone not yet on Telegram fails ("no active link"); when they link,
    it comes."""
    async with bot.services.sessionmaker() as session, session.begin():
        [staff] = (
            await session.execute(select(Employee).where(Employee.nip == "199002142015032001"))
        ).scalars()
        tx = Tx(session, bot.services.clock(), None, "test", bot.services.texts, [])
        await tx.notify(staff.id, "cascade_summary", "error")
    sender = OutboxSender(
        bot.services.sessionmaker, bot.app.bot, bot.services.clock, max_attempts=3
    )
    assert await sender.drain() == 0
    [row] = await bot.rows(Outbox, Outbox.kind == "cascade_summary")
    assert row.status is OutboxStatus.FAILED
    fitri = await bot.onboard("199002142015032001", 9701)
    [row] = await bot.rows(Outbox, Outbox.kind == "cascade_summary")
    assert row.status is OutboxStatus.SENT
    assert any("kendala" in m.text for m in fitri.received)  # the "error" template it carried

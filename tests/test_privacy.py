"""Personal data (UU PDP 27/2022) through the real Application: the privacy notice at
onboarding and in "Profil saya"; "Data saya" sends the person a file with everything stored
about them and nothing about anyone else; "Putuskan akun Telegram" revokes the link after a
confirmation, and the account is then not registered; old outbox payloads are emptied while
recent ones, pending ones and the audit stay."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from bot.db.models import (
    AuditLog,
    LinkStatus,
    Outbox,
    OutboxStatus,
    TelegramLink,
)
from bot.domain.policy import Aspek, default_policy
from bot.services import skp as store
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV
from bot.services.housekeeping import prune_outbox_payloads
from bot.usecases.base import Tx
from tests.conftest import Harness
from tests.skp_examples import SBBL_KATIM
from tests.telegram_fake import ChatClient
from tests.test_contract_flow import expect_target
from tests.test_dialog_flow import employee_id, seed_sbbl_skp, submit

STAFF = "199002142015032001"  # Fitri Handayani
OTHERS_RHK = "Rencana rahasia milik pegawai lain"


async def seed_other_skp(bot: Harness, nip: str) -> int:
    now = bot.services.clock()
    async with bot.services.sessionmaker() as session, session.begin():
        emp = await employee_id(bot, nip)
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = await store.open_skp(session, emp, period, now, default_policy())
        fields = store.ItemFields(
            jenis="TUSI",
            rhk=OTHERS_RHK,
            aspek=Aspek("kuantitas"),
            iki="Jumlah dokumen rahasia",
            target=Decimal(3),
            satuan="Dokumen",
            bobot=Decimal(10),
        )
        await store.add_item(session, skp, fields, now)
        return skp.id


def exported(bot: Harness, client: ChatClient) -> tuple[str, dict[str, Any]]:
    [doc] = [d for d in bot.transport.documents_to(client.chat_id) if d.filename]
    assert doc.filename is not None and doc.filename.startswith("data-saya-")
    assert doc.filename.endswith(".json") and doc.content is not None
    text = doc.content.decode("utf-8")
    return text, json.loads(text)


async def test_the_notice_is_shown_at_onboarding_and_in_the_profile(bot: Harness) -> None:
    fitri = bot.client(5101, "Fitri")
    card = await fitri.command("start", await bot.invite(STAFF))
    assert "Fitri Handayani" in card.text
    for words in (
        "Privasi",
        "Yang disimpan",
        "PermenPANRB 6/2022",
        "Anda, pejabat penilai Anda, dan admin kepegawaian",
        "dihapus setelah 90 hari",
        "/koreksi",
        "Profil saya → Data saya",
    ):
        assert words in card.text, words
    assert card.labels() == ["✅ Ya, ini saya", "✏️ Data saya salah", "🚫 Ini bukan saya"]

    await fitri.click("Ya, ini saya")
    help_ = await fitri.click("Bantuan")
    assert "Profil saya</b> — pemberitahuan privasi" in help_.text
    profile = await fitri.click("Profil saya")
    assert profile.labels() == [
        "✏️ Data saya salah",
        "📦 Data saya",
        "🔒 Privasi",
        "🔌 Putuskan akun Telegram",
        "⬅️ Kembali",
    ]
    notice = await fitri.click("Privasi")
    assert "UU 27/2022" in notice.text and "PermenPANRB 6/2022" in notice.text
    assert notice.labels() == ["📦 Data saya", "⬅️ Kembali"]
    back = await fitri.click("Kembali")
    assert "Profil saya" in back.text


async def test_data_saya_holds_ones_own_skp_and_nothing_of_others(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 5201)
    katim = await bot.onboard(KATIM_SBBL, 5202)
    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    other_skp = await seed_other_skp(bot, KATIM_SURV)
    await submit(katim)
    await expect_target(director, 7, "100%", "Semua rekomendasi selesai tepat waktu.")
    await bot.onboard(STAFF, 5203)

    await katim.command("menu")
    await katim.click("Profil saya")
    await katim.click("📦 Data saya")
    assert "sedang disiapkan" in katim.answers()[-1]["text"]
    await katim.click("📦 Data saya")  # a second tap in the same minute: one file
    assert "sudah diminta" in katim.answers()[-1]["text"]
    text, data = exported(bot, katim)
    assert "Data saya" in bot.transport.documents_to(katim.chat_id)[0].text  # the caption

    katim_id = await employee_id(bot, KATIM_SBBL)
    assert data["employee"]["nip"] == KATIM_SBBL and data["employee"]["id"] == katim_id
    assert "Pelindungan Data Pribadi" in data["keterangan"]
    assert data["unit"]["id"] == data["employee"]["unit_id"]
    assert data["penilai"]["name"] and "nip" not in data["penilai"]
    assert [link["status"] for link in data["telegram_links"]] == ["active"]
    assert all("code_hash" not in i for i in data["invitations"])
    [skp] = data["skps"]
    assert (skp["id"], skp["status"], skp["number"]) == (skp_id, "diajukan", 1)
    assert [i["rhk"] for i in skp["items"]] == [row[1] for row in SBBL_KATIM]
    [expectation] = skp["expectations"]
    assert expectation["text"] == "Semua rekomendasi selesai tepat waktu."
    assert expectation["target_value"] == "100" and expectation["target_satuan"] == "%"
    assert data["dialog_state"]["flow"] == "menu"
    actions = {a["action"] for a in data["audit_log"]}
    assert {"link.activated", "skp.submitted", "skp.expectation_added"} <= actions
    assert "privacy.export_requested" in actions
    # the messages sent to the person are listed, without their texts
    assert data["messages"] and all(
        set(m) == {"id", "kind", "status", "created_at", "sent_at"} for m in data["messages"]
    )

    # nothing of anyone else: not another person's SKP, nor their NIP or audit entries
    assert OTHERS_RHK not in text
    assert all(s["id"] != other_skp for s in data["skps"])
    for nip in (KATIM_SURV, STAFF, DIREKTUR):
        assert nip not in text
    others = {await employee_id(bot, STAFF), await employee_id(bot, KATIM_SURV)}
    assert all(a["actor_id"] not in others for a in data["audit_log"])
    assert all(
        not (a["object_type"] == "employee" and a["object_id"] != katim_id)
        for a in data["audit_log"]
    )
    [audit] = await bot.rows(AuditLog, AuditLog.action == "privacy.export_requested")
    assert audit.actor_id == katim_id and audit.object_id == katim_id
    assert audit.details["format"] == "json"
    assert len(bot.transport.documents_to(director.chat_id)) == 0


async def test_unlinking_revokes_the_link_and_the_account_is_then_unknown(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 5301)
    await fitri.click("Profil saya")
    confirm = await fitri.click("Putuskan akun Telegram")
    assert "Putuskan akun Telegram?" in confirm.text and "tautan undangan baru" in confirm.text
    assert confirm.labels() == ["🔌 Ya, putuskan", "⬅️ Kembali"]
    back = await fitri.click("Kembali")  # changing one's mind changes nothing
    assert "Profil saya" in back.text
    assert await bot.count(TelegramLink, TelegramLink.status == LinkStatus.ACTIVE) == 1

    confirm = await fitri.click("Putuskan akun Telegram")
    _, stale = fitri.find_button("Ya, putuskan", confirm)
    done = await fitri.click("Ya, putuskan")
    assert "sudah diputus" in done.text and "tautan undangan baru" in done.text
    # written over the question it answers, which has no buttons left to press
    assert done.message_id == confirm.message_id and fitri.now(confirm).buttons == []
    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 5301)
    assert link.status is LinkStatus.REVOKED and link.revoked_at == bot.services.clock()
    [audit] = await bot.rows(AuditLog, AuditLog.action == "privacy.telegram_unlinked")
    assert audit.object_id == link.id and audit.details == {"previous": "active"}

    # the next message (and a replayed button) gets the not-registered answer
    reply = await fitri.send("halo")
    assert "belum terhubung" in reply.text
    await fitri.click_data(stale, confirm)
    assert "belum terhubung" in fitri.answers()[-1]["text"]
    assert await bot.count(TelegramLink, TelegramLink.status != LinkStatus.REVOKED) == 0

    # a new invitation links the account again
    card = await fitri.command("start", await bot.invite(STAFF))
    assert "Apakah data ini benar?" in card.text
    menu = await fitri.click("Ya, ini saya")
    assert "Menu utama" in menu.text
    assert await bot.count(TelegramLink, TelegramLink.status == LinkStatus.ACTIVE) == 1


async def test_old_outbox_payloads_are_emptied_and_the_audit_stays(bot: Harness) -> None:
    from bot.telegram.app import _housekeeping

    clock = bot.services.clock
    start = clock()
    fitri = await bot.onboard(STAFF, 5401)
    fitri_id = await employee_id(bot, STAFF)
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, start, None, "test", bot.services.texts)
        for status in (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SKIPPED):
            row_id = await tx.notify(
                fitri_id, "old", "welcome", dedupe_key=f"old:{status.value}", name="Fitri"
            )
            session.add(
                AuditLog(
                    at=start,
                    channel="test",
                    action="t",
                    object_type="outbox",
                    object_id=row_id,
                    details={"status": status.value},
                )
            )
            await session.flush()
            row = await session.get(Outbox, row_id)
            assert row is not None
            row.status = status
        await tx.notify(fitri_id, "old", "welcome", dedupe_key="old:pending", name="Fitri")
        pending = await session.get(Outbox, tx.outbox_ids[-1])
        assert pending is not None
        pending.send_after = start + timedelta(days=365)  # not due: stays pending
    audit_before = await bot.count(AuditLog)

    clock.advance(days=91)
    await fitri.command("menu")  # nothing to send; a recent message is created below
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, clock(), None, "test", bot.services.texts)
        await tx.notify(fitri_id, "recent", "welcome", dedupe_key="recent", name="Fitri")
        recent = await session.get(Outbox, tx.outbox_ids[-1])
        assert recent is not None
        recent.status = OutboxStatus.SENT

    # the housekeeping job (OUTBOX_RETENTION_DAYS = 90) empties the old finished ones
    await _housekeeping(SimpleNamespace(application=bot.app))  # type: ignore[arg-type]
    rows = {r.dedupe_key: r for r in await bot.rows(Outbox)}
    for key in ("old:sent", "old:failed", "old:skipped"):
        assert rows[key].payload == {}, key
    assert rows["old:pending"].payload["html"].startswith("Terima kasih, Fitri")
    assert rows["recent"].payload["html"].startswith("Terima kasih, Fitri")
    assert rows["old:sent"].status is OutboxStatus.SENT  # the row and its outcome stay
    assert await bot.count(AuditLog) == audit_before
    # the onboarding messages of 91 days ago were finished too: all old finished rows emptied
    assert all(
        r.payload == {}
        for r in rows.values()
        if r.created_at < clock() - timedelta(days=90) and r.status is not OutboxStatus.PENDING
    )

    # a second run has nothing left to do; an emptied row still deduplicates
    keep = timedelta(days=bot.services.settings.outbox_retention_days)
    assert await prune_outbox_payloads(bot.services.sessionmaker, clock(), keep) == 0
    async with bot.services.sessionmaker() as session, session.begin():
        tx = Tx(session, clock(), None, "test", bot.services.texts)
        assert await tx.notify(fitri_id, "old", "welcome", dedupe_key="old:sent", name="x") is None

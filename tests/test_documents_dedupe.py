"""SKP documents asked for in chat ("📄 Dokumen SKP") are one outbox row per SKP revision,
format and person, built only by the sender: a burst of presses builds and sends each file
once; asked again while it waits the person is told it is on its way; within two minutes of
sending it they are pointed at the message above; later, or after a failure, the same row
goes again; a changed SKP (a new revision) gets its own files."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import update

from bot.db.models import Outbox, OutboxStatus
from bot.services.demo import KATIM_SBBL
from bot.services.outbox import OutboxSender
from bot.usecases import drafting
from bot.usecases.base import Tx
from bot.usecases.loading import items_of
from tests.conftest import Clock, Harness
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_documents import employee_id, seed_skp

FORMATS = ("pdf", "docx", "xlsx")
QUEUED = "Dokumen sedang disiapkan dan segera dikirim."
PREPARING = "Dokumen sedang disiapkan, mohon tunggu sebentar."
JUST_SENT = "Dokumen versi ini baru saja dikirim; silakan lihat pesan di atas."


def sender(bot: Harness) -> OutboxSender:
    return bot.app.bot_data["sender"]  # type: ignore[no-any-return]


@pytest.fixture
def builds(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Files the sender built, by format."""
    built: Counter[str] = Counter()
    maker = sender(bot).documents
    assert maker is not None
    real = maker.build_spec

    async def counting(spec: dict[str, Any]) -> Any:
        built[str(spec.get("format"))] += 1
        return await real(spec)

    monkeypatch.setattr(maker, "build_spec", counting)
    return built


def sent_formats(transport: FakeTelegram, chat: int) -> Counter[str]:
    return Counter((d.filename or "").rsplit(".", 1)[-1] for d in transport.documents_to(chat))


async def press_documents(client: ChatClient) -> str:
    """Press "Dokumen SKP" on the SKP screen; the toast it was answered with."""
    await client.click("Dokumen SKP")
    return str(client.answers()[-1].get("text"))


async def katim_with_skp(bot: Harness, user: int) -> tuple[ChatClient, int]:
    katim = await bot.onboard(KATIM_SBBL, user)
    skp_id, _ = await seed_skp(bot.services, KATIM_SBBL)
    await katim.command("skp")
    return katim, skp_id


async def test_a_burst_of_presses_builds_and_sends_each_file_once(
    bot: Harness, transport: FakeTelegram, clock: Clock, builds: Counter[str]
) -> None:
    katim, skp_id = await katim_with_skp(bot, 9701)
    screen, data = katim.find_button("Dokumen SKP")
    before = transport.count("sendDocument")
    # five presses of the same button at once, as a nervous thumb does
    await asyncio.gather(*(katim.process(katim.callback_update(data, screen)) for _ in range(5)))
    assert transport.count("sendDocument") - before == 3
    assert sent_formats(transport, 9701) == Counter(dict.fromkeys(FORMATS, 1))
    assert builds == Counter(dict.fromkeys(FORMATS, 1))
    toasts = Counter(str(a.get("text")) for a in katim.answers()[-5:])
    assert toasts[QUEUED] == 1 and set(toasts) <= {QUEUED, PREPARING, JUST_SENT}
    rows = await bot.rows(Outbox, Outbox.kind == "skp_document")
    assert len(rows) == 3 and {r.status for r in rows} == {OutboxStatus.SENT}
    assert all(r.dedupe_key and r.dedupe_key.endswith(":ask") for r in rows)

    # and two more, one after the other: the files just went
    for _ in range(2):
        assert await press_documents(katim) == JUST_SENT
    assert transport.count("sendDocument") - before == 3

    # three minutes later the person may have lost them: the same rows go again
    clock.advance(minutes=3)
    assert await press_documents(katim) == QUEUED
    assert transport.count("sendDocument") - before == 6
    assert await press_documents(katim) == JUST_SENT
    assert transport.count("sendDocument") - before == 6
    assert await bot.count(Outbox, Outbox.kind == "skp_document") == 3
    assert builds == Counter(dict.fromkeys(FORMATS, 2))

    # an item moved: a new revision, new files (at once, not two minutes later)
    async with bot.services.sessionmaker() as session, session.begin():
        actor = await employee_id(bot.services, KATIM_SBBL)
        tx = Tx(session, clock(), actor, "test", bot.services.texts)
        second = (await items_of(tx, skp_id))[1]
        moved = await drafting.move_item(tx, skp_id, second.id, -1)
        revision = (await drafting.editable(tx, moved.skp_id)).revision
    await katim.command("skp")
    assert await press_documents(katim) == QUEUED
    assert transport.count("sendDocument") - before == 9
    rows = await bot.rows(Outbox, Outbox.kind == "skp_document")
    assert len(rows) == 6
    assert sum(f":{revision}:" in (r.dedupe_key or "") for r in rows) == 3
    assert await press_documents(katim) == JUST_SENT
    assert transport.count("sendDocument") - before == 9


async def test_asked_again_while_it_waits_then_after_a_failure(
    bot: Harness, transport: FakeTelegram, clock: Clock, builds: Counter[str]
) -> None:
    katim, _skp_id = await katim_with_skp(bot, 9711)
    transport.fail_next("sendDocument", 502, "Bad Gateway")  # the PDF waits for another try
    assert await press_documents(katim) == QUEUED
    assert sent_formats(transport, 9711) == Counter({"docx": 1, "xlsx": 1})
    assert await press_documents(katim) == PREPARING
    assert await bot.count(Outbox, Outbox.kind == "skp_document") == 3

    clock.advance(minutes=1)  # the PDF's next try
    assert await sender(bot).drain() == 1
    assert sent_formats(transport, 9711) == Counter(dict.fromkeys(FORMATS, 1))
    assert await press_documents(katim) == JUST_SENT

    # a file the sender gave up on is sent again when asked, without waiting
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(
            update(Outbox)
            .where(Outbox.kind == "skp_document", Outbox.dedupe_key.like("%:xlsx:%"))
            .values(status=OutboxStatus.FAILED, last_error="gave up after 8 attempts: x")
        )
    assert await press_documents(katim) == QUEUED
    assert sent_formats(transport, 9711) == Counter({"pdf": 1, "docx": 1, "xlsx": 2})
    [xlsx] = await bot.rows(
        Outbox, Outbox.kind == "skp_document", Outbox.dedupe_key.like("%:xlsx:%")
    )
    assert xlsx.status is OutboxStatus.SENT and xlsx.attempts == 1 and xlsx.last_error is None
    assert builds["xlsx"] == 2 and builds["pdf"] == 2  # the PDF: the failed try and the retry

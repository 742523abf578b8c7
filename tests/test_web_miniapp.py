"""The SKP as a Telegram Mini App over HTTP: initData checked with the bot token (forged,
expired, unlinked: refused), the owner's table edited through the drafting use case with the
chat told, the findings while typing, the leader read-only, another person's SKP refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.models import AuditLog, Outbox, SkpItem, SkpStatus
from bot.services.demo import DIREKTUR, KATIM_SBBL
from bot.texts import target_text
from bot.webapp import auth
from bot.webapp.server import build_web_app
from tests.conftest import Clock, Harness, make_settings
from tests.document_seeds import seed_skp
from tests.web_support import BASE, SBBL_MEMBER, SURV_MEMBER, WEB_SETTINGS, init_data


def as_typed(row: SkpItem) -> dict[str, str]:
    """A row's form as the table shows it, nothing changed."""
    bobot = "" if row.bobot is None else f"{row.bobot.normalize():f}".replace(".", ",")
    target = f"{row.target_value.normalize():f}".replace(".", ",")
    return {
        "item": str(row.id),
        "rhk": row.rhk,
        "aspek": row.aspek.value,
        "iki": row.iki,
        "target": target,
        "satuan": row.satuan,
        "bobot": bobot,
    }


@pytest.fixture
async def services(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    svc = build_services(make_settings(database_url, **WEB_SETTINGS), clock=clock)
    await migrations.upgrade(svc.db)
    yield svc
    await svc.close()


@pytest.fixture
async def app_client(demo: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_web_app(demo))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def now_ts(clock: Clock) -> int:
    return int(clock().timestamp())


async def sign_in(
    client: httpx.AsyncClient, tg_user: int, clock: Clock, skp: int | None = None
) -> str:
    form = {"init_data": init_data(tg_user, now_ts(clock))}
    if skp is not None:
        form["skp"] = str(skp)
    answer = await client.post("/app/masuk", data=form)
    assert answer.status_code == 200, answer.text
    next_page: str = answer.json()["next"]
    return next_page


async def test_the_skp_screen_offers_the_table_as_a_mini_app(bot: Harness) -> None:
    await seed_skp(bot.services, SBBL_MEMBER)
    chat = await bot.onboard(SBBL_MEMBER, 9201)
    screen = await chat.command("skp")
    buttons = [b for row in screen.buttons for b in row if "Buka tabel SKP" in b["text"]]
    assert buttons == [{"text": "🧾 Buka tabel SKP", "web_app": {"url": f"{BASE}/app"}}]


async def test_the_owner_edits_a_row_and_the_chat_is_told(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    chat = await bot.onboard(SBBL_MEMBER, 9202)
    assert (await app_client.get("/app")).status_code == 200  # the page that signs in
    assert await sign_in(app_client, 9202, clock) == "/app/skp"
    opened = await app_client.get("/app/skp")
    assert opened.status_code == 303 and opened.headers["location"] == f"/app/skp/{skp_id}"
    table = await app_client.get(f"/app/skp/{skp_id}")
    assert table.status_code == 200 and table.text.count('class="row"') == len(items)

    [first] = await bot.rows(SkpItem, SkpItem.id == items[0])
    assert f'action="/app/skp/{skp_id}"' in table.text  # saved at the table's address
    form = {
        "rhk": first.rhk,
        "aspek": "kualitas",
        "iki": first.iki,
        "target": "95%",
        "satuan": "",
        "bobot": "12,5",
    }
    saved = await app_client.post(f"/app/skp/{skp_id}", data={**form, "item": str(first.id)})
    assert saved.status_code == 303 and "disimpan=1" in saved.headers["location"]
    [row] = await bot.rows(SkpItem, SkpItem.id == first.id)
    assert (row.target_value, row.satuan, row.bobot, row.aspek.value) == (
        Decimal(95),
        "%",
        Decimal("12.5"),
        "kualitas",
    )
    audit = [a for a in await bot.rows(AuditLog) if a.action == "skp.item_updated"]
    assert audit and audit[-1].channel == "web" and audit[-1].details["source"] == "webapp"
    # The chat shows the change: a notice, delivered by the bot's sender.
    [notice] = await bot.rows(Outbox, Outbox.kind == "webapp_saved")
    mark = chat.mark()
    await bot.app.bot_data["sender"].drain()
    said = "\n".join(chat.texts_since(mark))
    # ... saying what changed
    before = target_text(first.target_value, first.satuan)
    assert f"Butir 1: aspek waktu → kualitas; target {before} → 95%; bobot 20% → 12,5%." in said
    assert notice.id
    assert "Buka SKP saya" in chat.last.labels()[0]
    # The chat's own /skp shows the same item as changed.
    overview = await chat.command("skp")
    assert "tersusun tepat waktu — 95% · bobot 12,5%" in overview.text


async def test_bad_values_are_explained_and_change_nothing(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    await bot.onboard(SBBL_MEMBER, 9203)
    await sign_in(app_client, 9203, clock)
    [before] = await bot.rows(SkpItem, SkpItem.id == items[1])
    form = {
        "rhk": "abcd",
        "aspek": "rasa",
        "iki": before.iki,
        "target": "banyak",
        "satuan": "%",
        "bobot": "150",
    }
    answer = await app_client.post(f"/app/skp/{skp_id}/butir/{before.id}", data=form)
    assert answer.status_code == 422
    for text in (
        "Terlalu pendek",
        "Pilih salah satu aspek",
        "harus berupa angka",
        "paling besar 100",
    ):
        assert text in answer.text, text
    [after] = await bot.rows(SkpItem, SkpItem.id == before.id)
    assert (after.rhk, after.target_value, after.bobot) == (
        before.rhk,
        before.target_value,
        before.bobot,
    )
    # The live check says the same without saving, and the SKP's findings with it.
    checked = await app_client.post(
        f"/app/skp/{skp_id}/periksa", data={**form, "item": str(before.id)}
    )
    assert checked.status_code == 200 and "paling besar 100" in checked.text
    good = {**form, "rhk": before.rhk, "aspek": "kuantitas", "target": "3", "bobot": "90"}
    checked = await app_client.post(
        f"/app/skp/{skp_id}/periksa", data={**good, "item": str(before.id)}
    )
    assert checked.status_code == 200 and "⛔" in checked.text  # weights now far above 100%


async def test_rows_move_up_and_down(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    await bot.onboard(SBBL_MEMBER, 9204)
    await sign_in(app_client, 9204, clock)
    moved = await app_client.post(
        f"/app/skp/{skp_id}/butir/{items[2]}/geser", data={"arah": "naik"}
    )
    assert moved.status_code == 303
    [row] = await bot.rows(SkpItem, SkpItem.id == items[2])
    assert row.position == 2
    bad = await app_client.post(f"/app/skp/{skp_id}/butir/{items[2]}/geser", data={"arah": "x"})
    assert bad.status_code == 400


async def test_forged_expired_or_unlinked_init_data_is_refused(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    await bot.onboard(SBBL_MEMBER, 9205)
    fresh = now_ts(clock)
    refused = [
        init_data(9205, fresh, token="123:not-this-bot"),  # signed with another token
        init_data(9205, fresh - 3601),  # older than WEBAPP_MAX_AGE_SECONDS
        init_data(9999, fresh),  # valid, but nobody linked with this account
        init_data(9205, fresh).replace("9205", "9206"),  # another user id, same hash
        init_data(9205, fresh) + "&hash=00",  # a second hash
        "",
        "user=%7B%22id%22%3A9205%7D&auth_date=1&hash=abc",
    ]
    for forged in refused:
        answer = await app_client.post("/app/masuk", data={"init_data": forged})
        assert answer.status_code == 403, forged
        assert auth.COOKIE not in answer.headers.get("set-cookie", "")
    assert (await app_client.get("/app/skp")).status_code == 401


async def test_another_persons_skp_is_refused_and_the_leader_only_reads(
    bot: Harness, demo: Services, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    await bot.onboard(SBBL_MEMBER, 9206)
    await bot.onboard(SURV_MEMBER, 9207)
    await bot.onboard(KATIM_SBBL, 9208)
    app = build_web_app(demo)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url=BASE) as other,
        httpx.AsyncClient(transport=transport, base_url=BASE) as leader,
    ):
        await sign_in(other, 9207, clock)
        assert (await other.get(f"/app/skp/{skp_id}")).status_code == 403
        form = {"rhk": "x" * 20, "aspek": "kuantitas", "iki": "y" * 20, "target": "1"}
        for path in (
            f"/app/skp/{skp_id}/butir/{items[0]}",
            f"/app/skp/{skp_id}/butir/{items[0]}/geser",
            f"/app/skp/{skp_id}/periksa",
        ):
            assert (await other.post(path, data={**form, "arah": "naik"})).status_code == 403

        assert await sign_in(leader, 9208, clock, skp=skp_id) == f"/app/skp/{skp_id}"
        page = await leader.get(f"/app/skp/{skp_id}")
        assert page.status_code == 200 and "hanya baca" in page.text
        assert 'class="row"' not in page.text
        # read-only words for a read-only table
        assert "sebagai atasan, hanya untuk dibaca" in page.text
        assert "Menambah atau menghapus butir" not in page.text
        answer = await leader.post(f"/app/skp/{skp_id}/butir/{items[0]}", data=form)
        assert answer.status_code == 403
    [row] = await bot.rows(SkpItem, SkpItem.id == items[0])
    assert row.rhk != "x" * 20


def test_the_terminal_chat_does_not_offer_the_mini_app() -> None:
    from bot.engine.types import Button, Outcome, Reply
    from bot.terminal import render

    table = Button("🧾 Buka tabel SKP", "", f"{BASE}/app")
    outcome = Outcome(replies=[Reply("SKP", [[Button("Menu", "step:menu::1")], [table]])])
    said: list[str] = []
    assert [b.label for b in render(outcome, said.append)] == ["Menu"]
    assert not any("Buka tabel SKP" in line for line in said)


async def test_saving_an_unchanged_row_saves_and_tells_nothing(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    await bot.onboard(SBBL_MEMBER, 9209)
    await sign_in(app_client, 9209, clock)
    [row] = await bot.rows(SkpItem, SkpItem.id == items[1])
    audits = len(await bot.rows(AuditLog))
    answer = await app_client.post(f"/app/skp/{skp_id}", data=as_typed(row))
    assert answer.status_code == 303 and "tetap=2" in answer.headers["location"]
    assert len(await bot.rows(AuditLog)) == audits
    assert await bot.rows(Outbox, Outbox.kind == "webapp_saved") == []
    page = await app_client.get(answer.headers["location"])
    assert "Tidak ada perubahan pada butir 2" in page.text and 'id="saved"' not in page.text
    # the same with spaces typed around the words
    spaced = {**as_typed(row), "iki": f"  {row.iki}  "}
    again = await app_client.post(f"/app/skp/{skp_id}", data=spaced)
    assert "tetap=2" in again.headers["location"]
    assert await bot.rows(Outbox, Outbox.kind == "webapp_saved") == []


async def test_a_bad_value_is_named_with_its_butir_next_to_the_row(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    await bot.onboard(SBBL_MEMBER, 9210)
    await sign_in(app_client, 9210, clock)
    [row] = await bot.rows(SkpItem, SkpItem.id == items[2])
    typed = {**as_typed(row), "target": "empat"}
    checked = await app_client.post(f"/app/skp/{skp_id}/periksa", data=typed)
    summary, _, own = checked.text.partition('data-part="row"')
    assert "Butir 3 — Target:" in summary and "harus berupa angka" in summary
    assert "Tidak ada temuan" not in checked.text  # never "no findings" beside a problem
    assert "Target:" in own and "harus berupa angka" in own
    # A refused save shows the table again at its own address, the row as typed.
    answer = await app_client.post(f"/app/skp/{skp_id}", data=typed)
    assert answer.status_code == 422 and str(answer.url).endswith(f"/app/skp/{skp_id}")
    assert "Butir 3 — Target:" in answer.text and 'value="empat"' in answer.text
    assert "Tidak ada temuan" not in answer.text


async def test_a_unit_heads_table_follows_the_unit_head_rules(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    director = await bot.onboard(DIREKTUR, 9211)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await sign_in(app_client, 9211, clock)
    opened = await app_client.get("/app/skp")
    page = await app_client.get(opened.headers["location"])
    assert page.status_code == 200 and 'class="row"' in page.text
    # as the chat says it: no weights asked of a unit head
    assert "Bobot tidak diwajibkan untuk SKP pimpinan unit kerja" in page.text
    assert "Total bobot: 0%" not in page.text and 'name="bobot"' not in page.text
    skp_id = int(opened.headers["location"].rsplit("/", 1)[1])
    [row] = await bot.rows(SkpItem, SkpItem.skp_id == skp_id)
    form = {k: v for k, v in as_typed(row).items() if k != "bobot"}
    saved = await app_client.post(f"/app/skp/{skp_id}", data={**form, "target": "75"})
    assert saved.status_code == 303 and "disimpan=1" in saved.headers["location"]
    [after] = await bot.rows(SkpItem, SkpItem.id == row.id)
    assert after.target_value == 75 and after.bobot is None
    checked = await app_client.post(f"/app/skp/{skp_id}/periksa", data=form)
    assert "Bobot" not in checked.text


async def test_a_set_skp_reads_as_set(
    bot: Harness, app_client: httpx.AsyncClient, clock: Clock
) -> None:
    skp_id, _items = await seed_skp(bot.services, SBBL_MEMBER, status=SkpStatus.SET)
    await bot.onboard(SBBL_MEMBER, 9212)
    await sign_in(app_client, 9212, clock)
    page = await app_client.get(f"/app/skp/{skp_id}")
    assert "hanya baca" in page.text and 'class="row"' not in page.text
    assert "tidak dapat diubah di tabel ini" in page.text
    assert "Menambah atau menghapus butir" not in page.text

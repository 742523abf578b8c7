"""A calm chat: a press of a screen's button writes the answer over that screen; a new
screen sent below an older one takes the older one's buttons away; nobody meets a stale
button in normal use, and whatever Telegram says about an edit, the person gets the screen."""

from __future__ import annotations

from bot.db.models import TelegramLink
from tests.conftest import Harness

STAFF = "199002142015032001"  # Fitri Handayani


async def test_a_press_edits_the_screen_it_sits_on(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 7101)
    menu = fitri.last
    sends, edits = bot.transport.count("sendMessage"), bot.transport.edits

    profile = await fitri.click("Profil saya")
    assert "Profil saya" in profile.text
    assert profile.message_id == menu.message_id  # the same message, now the profile
    back = await fitri.click("Kembali")
    assert "Menu utama" in back.text and back.message_id == menu.message_id
    assert bot.transport.count("sendMessage") == sends  # not one new message
    assert bot.transport.edits == edits + 2
    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 7101)
    assert link.screen_message_id == menu.message_id
    # the earlier states of the message cannot be pressed any more
    assert fitri.find_button("Profil saya")[0] is back


async def test_a_new_screen_takes_the_buttons_off_the_previous_one(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 7102)
    first = fitri.last
    assert first.buttons
    second = await fitri.command("menu")  # typed: a new message below
    assert second.message_id != first.message_id and second.buttons
    assert fitri.now(first).buttons == []
    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 7102)
    assert link.screen_message_id == second.message_id
    third = await fitri.send("halo")  # typed text that the menu does not take: a re-ask
    assert fitri.now(second).buttons == [] and third.buttons
    assert not bot.transport.refused


async def test_notes_said_before_a_screen_go_on_top_of_it(bot: Harness) -> None:
    fitri = bot.client(7103)
    card = await fitri.command("start", await bot.invite(STAFF))
    menu = await fitri.click("Ya, ini saya")
    assert menu.message_id == card.message_id
    assert menu.text.index("sudah terhubung") < menu.text.index("Menu utama")


async def test_a_screen_that_cannot_be_edited_is_sent_anew(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 7104)
    menu = fitri.last
    bot.transport.fail_next("editMessageText", 400, "Bad Request: message can't be edited")
    profile = await fitri.click("Profil saya")
    assert profile.message_id != menu.message_id and "Profil saya" in profile.text
    assert fitri.now(menu).buttons == []  # the old screen lost its buttons
    assert not any("kendala" in m.text for m in fitri.received)
    [link] = await bot.rows(TelegramLink, TelegramLink.tg_user_id == 7104)
    assert link.screen_message_id == profile.message_id  # the next screen clears this one


async def test_a_double_tap_answers_once_and_changes_nothing(bot: Harness) -> None:
    fitri = await bot.onboard(STAFF, 7105)
    menu = fitri.last
    _, data = fitri.find_button("Profil saya", menu)
    await fitri.click_data(data, menu)
    edits, answered = bot.transport.edits, len(fitri.answers())
    await fitri.click_data(data, menu)  # the same old button, pressed again at once
    assert bot.transport.edits == edits
    assert "Profil saya" in fitri.now(menu).text
    assert fitri.now(menu).buttons  # the profile's own buttons stay
    answers = fitri.answers()
    assert len(answers) == answered + 1 and answers[-1].get("show_alert")  # "old message"
    assert not bot.transport.refused


# -- records of what was sent ride on the next step's transaction -----------------------------


async def test_a_steps_sent_reply_is_recorded_by_the_next_steps_transaction(
    bot: Harness,
) -> None:
    """Between steps nothing is flushed here (people typing at once): the record that a reply
    went, and where the chat's screen now is, are written by the next step's own transaction,
    which reads them (the older screen loses its buttons as usual); with no next step they
    are written on their own moments later."""
    import asyncio

    from sqlalchemy import event

    from bot.db.models import Outbox, OutboxStatus
    from bot.services.outbox import RECORD_DELAY

    fitri = await bot.onboard(STAFF, 7106)
    first = await fitri.command("menu")
    transactions: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith(("BEGIN", "UPDATE outbox SET status")):
            transactions.append(statement.split()[0])

    engine = bot.services.db.sync_engine
    update = fitri.message_update("/menu")
    await bot.app.process_update(update)  # straight to the application: nothing flushed
    second = fitri.last
    [reply] = await bot.rows(Outbox, Outbox.update_id == update.update_id)
    assert reply.status is OutboxStatus.PENDING  # sent, its record waiting for a ride
    event.listen(engine, "before_cursor_execute", seen)
    try:
        await bot.app.process_update(fitri.message_update("halo"))  # the next step carries it
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    third = fitri.last
    assert (await bot.rows(Outbox, Outbox.id == reply.id))[0].status is OutboxStatus.SENT
    assert fitri.now(first).buttons == []
    assert fitri.now(second).buttons == [] and third.buttons  # it read the carried screen
    if bot.services.settings.database_url.startswith("sqlite"):
        # one transaction (BEGIN IMMEDIATE) for the step, which also marked the reply sent
        assert transactions == ["BEGIN", "UPDATE"]
    await bot.app.bot_data["sender"].flush_records()
    # with no step to carry it, a record is written on its own shortly after
    update = fitri.message_update("/menu")
    await bot.app.process_update(update)
    await asyncio.sleep(RECORD_DELAY * 4)
    [reply] = await bot.rows(Outbox, Outbox.update_id == update.update_id)
    assert reply.status is OutboxStatus.SENT

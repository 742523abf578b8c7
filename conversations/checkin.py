"""Capaian (the /capaian flow): the periodic check-in of a set SKP. For each IKI the employee
types the realisation so far the Indonesian way ("4 kali", "80,5%") or "belum ada", with a
note after ";"; several at once as lines ("1 4 kali", "2 80%") or a pasted table; a photo, a
document or a link sent in chat is evidence (of the item shown, or of the item whose number
the caption starts with). "Kirim ke atasan" puts the check-in in the leader's team digest.
The realisation sheet (XLSX/CSV for e-Kinerja) is asked for here."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.domain import progress as rules
from bot.domain.policy import Policy
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.reminders import checkins
from bot.services import progress as read
from bot.texts import tanggal
from bot.usecases import notices, progress
from bot.usecases.base import Refused
from conversations import checkin_evidence as evidence
from conversations import paging
from conversations.checkin_place import confirm, item_line, month_name, standing_of, where

FLOW_NAME = "capaian"
ITEMS_PER_PAGE = 8
FEEDBACK_SHOWN = 3
NOTE_MAX_CHARS = 1000


async def home_view(ctx: Ctx) -> dict[str, Any]:
    standing = await standing_of(ctx)
    if standing is None:
        return {"standing": None}
    return {
        "standing": standing,
        "month": month_name(ctx, standing.key),
        "page": paging.paged(ctx, "capaian", standing.lines, ITEMS_PER_PAGE),
        "feedback": (await read.feedback_of(ctx.session, standing.skp.id, FEEDBACK_SHOWN)),
        "positions": {line.item.id: line.item.position for line in standing.lines},
    }


def home_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["standing"] is None:
        return [[Choice("menu", "skp_menu")]]
    page = view["page"]
    numbers = [
        Choice("item", arg=str(line.item.id), text=str(line.item.position)) for line in page.items
    ]
    return [
        *grid(numbers, 5),
        paging.page_row(page),
        [Choice("note", "checkin_note"), Choice("send", "checkin_send")],
        [Choice("plan", "checkin_plan"), Choice("sheet", "checkin_sheet")],
        [Choice("menu", "skp_menu")],
    ]


async def on_home(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "menu":
        return HOME
    if action == "plan":
        return Goto("home", "rencana")
    place = await where(ctx)
    if place is None:
        return Stay()
    period, policy, skp, key = place
    if action == "item":
        item_id = Callback.object_id(arg)
        if item_id is None:
            ctx.notice("button_invalid", alert=True)
            return Stay()
        ctx.data["item"] = item_id
        return Goto("item")
    if action == "note":
        return Goto("note")
    if action == "sheet":
        # The same content asked again while on its way, or moments after it went, is not
        # sent twice; anything recorded since makes it a new file.
        asked = await notices.realisation_sheet(
            ctx.tx,
            skp.id,
            ctx.actor.id,
            key,
            await read.sheet_stamp(ctx.session, skp.id, key),
            period=period,
        )
        ctx.notice(asked.value)
        return Stay()
    if action == "send":
        # Before the round's digest day the leader reads it there; after it, at once.
        digest_day = _digest_day(policy, key)
        today = ctx.now.astimezone(ctx.texts.tz).date()
        try:
            await progress.submit_check_in(
                ctx.tx, skp.id, key, notify_leader=today >= digest_day, month=month_name(ctx, key)
            )
        except Refused as exc:
            ctx.notice(
                "checkin_empty" if exc.reason.value == "skp_not_ready" else exc.reason.value,
                alert=True,
            )
            return Stay()
        if today < digest_day:
            ctx.notice(
                "checkin_sent_digest",
                month=month_name(ctx, key),
                date=tanggal(digest_day),
            )
        else:
            ctx.notice("checkin_sent", month=month_name(ctx, key))
        return Stay()
    return Stay()


def _digest_day(policy: Policy, key: str) -> date:
    """The day the leaders' digest of round `key` goes (bot.reminders.checkins)."""
    from bot.config import get_settings
    from bot.reminders.planner import ReminderConfig

    holidays = ReminderConfig.from_settings(get_settings()).holidays
    day = date(int(key[:4]), rules.key_month(key), 1)
    return checkins.round_dates(datetime.combine(day, time(12)), policy, holidays)[3]


async def on_home_text(ctx: Ctx, text: str) -> Next:
    place = await where(ctx)
    if place is None:
        return Stay()
    if evidence.is_link(text):
        return await evidence.link(ctx, text, None)
    lines = rules.paste_lines(text)
    if isinstance(lines, str):
        return Reask("checkin_paste_problem", {"problem": lines})
    return await _paste(ctx, lines)


async def _paste(ctx: Ctx, lines: list[tuple[int, str]]) -> Next:
    place = await where(ctx)
    assert place is not None
    _period, policy, skp, key = place
    standing = await standing_of(ctx)
    assert standing is not None
    by_position = {line.item.position: line.item for line in standing.lines}
    realised: dict[int, rules.Realised] = {}
    for position, raw in lines:
        item = by_position.get(position)
        if item is None:
            return Reask("checkin_paste_problem", {"problem": "no_item", "position": position})
        value = rules.read_realisation(raw, item.satuan, policy)
        if isinstance(value, str):
            return Reask(
                "checkin_value_problem",
                {"problem": value, "position": position, "satuan": item.satuan, "typed": raw[:60]},
            )
        realised[item.id] = value
    try:
        await progress.record_many(ctx.tx, skp.id, key, realised)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Stay()
    confirm(ctx, "checkin_pasted", count=len(realised))
    await _point_out_behind(ctx, set(realised))
    return Stay()


async def _point_out_behind(ctx: Ctx, item_ids: set[int]) -> None:
    """Items just recorded that are behind their trajectory are said at once (the screen
    that follows may not show them)."""
    await ctx.session.flush()
    standing = await standing_of(ctx)
    behind = [ln for ln in standing.behind if ln.item.id in item_ids] if standing else []
    if behind:
        ctx.say("checkin_behind", lines=behind)
    # A capaian far beyond any plausible one is most likely a typing slip: asked to check.
    unlikely = [
        ln
        for ln in (standing.lines if standing else [])
        if ln.item.id in item_ids and rules.is_unlikely(ln.progress.capaian)
    ]
    if unlikely:
        ctx.say("checkin_unlikely", lines=unlikely)


async def item_view(ctx: Ctx) -> dict[str, Any]:
    line = await item_line(ctx)
    standing = await standing_of(ctx)
    return {
        "line": line,
        "month": month_name(ctx, standing.key) if standing else "",
        "evidence": [e for e in standing.evidence if line and e.item_id == line.item.id]
        if standing
        else [],
        "count": len(standing.lines) if standing else 0,
    }


def item_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["line"] is None:
        return [[Choice("back", "back")]]
    return [
        [Choice("not_yet", "checkin_not_yet"), Choice("next", "checkin_next_item")],
        [Choice("back", "back")],
    ]


def _leave_item(ctx: Ctx) -> Next:
    ctx.data.pop("item", None)
    return Goto("home")


async def _next_item(ctx: Ctx) -> Next:
    standing = await standing_of(ctx)
    line = await item_line(ctx)
    if standing is None or line is None:
        return _leave_item(ctx)
    later = [ln for ln in standing.lines if ln.item.position > line.item.position]
    if not later:
        return _leave_item(ctx)
    ctx.data["item"] = later[0].item.id
    return Stay()


async def on_item(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "next":
        return await _next_item(ctx)
    if action == "not_yet":
        return await _record(ctx, "belum ada")
    return _leave_item(ctx)


async def on_item_text(ctx: Ctx, text: str) -> Next:
    line = await item_line(ctx)
    if line is None:
        return _leave_item(ctx)
    if evidence.is_link(text):
        return await evidence.link(ctx, text, line.item.id)
    if len(text.strip().splitlines()) > 1:
        # several realisations pasted here: as on the overview
        lines = rules.paste_lines(text)
        if isinstance(lines, str):
            return Reask("checkin_paste_problem", {"problem": lines})
        return await _paste(ctx, lines)
    return await _record(ctx, text)


async def _record(ctx: Ctx, text: str) -> Next:
    place = await where(ctx)
    line = await item_line(ctx)
    if place is None or line is None:
        return _leave_item(ctx)
    _period, policy, skp, key = place
    value = rules.read_realisation(text, line.item.satuan, policy)
    if isinstance(value, str):
        return Reask(
            "checkin_value_problem",
            {
                "problem": value,
                "position": line.item.position,
                "satuan": line.item.satuan,
                "typed": text[:60],
            },
        )
    try:
        await progress.record(ctx.tx, skp.id, key, line.item.id, value)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Stay()
    confirm(ctx, "checkin_recorded", position=line.item.position)
    await _point_out_behind(ctx, {line.item.id})
    return await _next_item(ctx)


# -- the round's note --------------------------------------------------------------------------


async def note_view(ctx: Ctx) -> dict[str, Any]:
    standing = await standing_of(ctx)
    return {
        "note": standing.check_in.note if standing and standing.check_in else "",
        "month": month_name(ctx, standing.key) if standing else "",
    }


async def on_note_text(ctx: Ctx, text: str) -> Next:
    place = await where(ctx)
    if place is None:
        return HOME
    note = text.strip()
    problem = rules.text_problem(note, NOTE_MAX_CHARS)
    if problem is not None:
        return Reask(
            "checkin_note_problem",
            {"maximum": NOTE_MAX_CHARS, "problem": problem, "length": len(note)},
        )
    try:
        await progress.set_note(ctx.tx, place[2].id, place[3], note)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Goto("home")
    confirm(ctx, "checkin_note_saved")
    return Goto("home")


async def on_note(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("home")


def back_only(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("back", "back")]]


FLOW = flow(
    FLOW_NAME,
    [
        Step(
            "home",
            "checkin_home",
            view=home_view,
            choices=home_choices,
            on_choice=on_home,
            on_text=on_home_text,
            on_file=evidence.on_home_file,
            help="help_checkin",
        ),
        Step(
            "item",
            "checkin_item",
            view=item_view,
            choices=item_choices,
            on_choice=on_item,
            on_text=on_item_text,
            on_file=evidence.on_item_file,
            help="help_checkin",
        ),
        Step(
            "note",
            "checkin_note",
            view=note_view,
            choices=back_only,
            on_choice=on_note,
            on_text=on_note_text,
            help="help_checkin",
        ),
    ],
    commands=("capaian",),
    help="help_checkin",
)

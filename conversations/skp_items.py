"""Managing the /skp item list: pick an item by its number, then edit it (on the summary
card), delete it (after a confirmation) or move it up or down. While the SKP cannot be
changed, the same steps show an item in full (the overview quotes each IKI short)."""

from __future__ import annotations

from typing import Any

from bot.db.models import SkpItem
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step, grid
from bot.services import skp as store
from bot.usecases import drafting
from conversations import skp_paste
from conversations.dialog_text import arg_number
from conversations.skp_place import (
    BACK,
    OVERVIEW,
    Place,
    editable_or_refuse,
    jenis_label,
    place_of,
    row_to_draft,
)


async def pick_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    rows = await store.items_of(ctx.session, place.skp.id) if place is not None else []
    return {"rows": rows, "editable": place is not None and store.is_editable(place.skp)}


def pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=str(r.position)) for r in view["rows"]]
    return [*grid(numbered, 5), [BACK]]


async def on_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return OVERVIEW
    ctx.data["sel"] = arg_number(arg)
    return Goto("item")


async def _selected(ctx: Ctx) -> tuple[Place, SkpItem, list[SkpItem]] | None:
    place = await place_of(ctx)
    if place is None:
        return None
    rows = await store.items_of(ctx.session, place.skp.id)
    row = next((r for r in rows if r.id == ctx.data.get("sel")), None)
    return (place, row, rows) if row is not None else None


async def item_view(ctx: Ctx) -> dict[str, Any]:
    found = await _selected(ctx)
    if found is None:
        return {"row": None}
    place, row, rows = found
    return {
        "row": row,
        "editable": store.is_editable(place.skp),
        "count": len(rows),
        "jenis_label": jenis_label(ctx, row.jenis),
        "aspek_label": ctx.texts.label(f"aspek_{row.aspek.value}"),
    }


def item_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row = view["row"]
    if row is None or not view["editable"]:
        return [[BACK]]
    rows = [[Choice("edit", "item_edit"), Choice("delete", "item_delete")]]
    moves = []
    if row.position > 1:
        moves.append(Choice("up", "item_up"))
    if row.position < view["count"]:
        moves.append(Choice("down", "item_down"))
    if moves:
        rows.append(moves)
    return [*rows, [BACK]]


async def on_item(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        ctx.data.pop("sel", None)
        return Goto("pick")
    found = await _selected(ctx)
    if found is None:
        ctx.say("skp_item_gone")
        return OVERVIEW
    place, row, _rows = found
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    if action == "edit":
        ctx.data["item"] = row_to_draft(row)
        ctx.data["item_id"] = row.id
        return Goto("card")
    if action == "delete":
        return Goto("delete")
    moved = await drafting.move_item(ctx.tx, place.skp.id, row.id, -1 if action == "up" else 1)
    ctx.notice("item_moved", position=moved.position)
    return Stay()


def delete_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("confirm", "item_delete_confirm")], [Choice("back", "cancel")]]


async def on_delete(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("item")
    found = await _selected(ctx)
    if found is None:
        ctx.say("skp_item_gone")
        return OVERVIEW
    place, row, _rows = found
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    await drafting.delete_item(ctx.tx, place.skp.id, row.id)
    ctx.data.pop("sel", None)
    ctx.notice("item_deleted")
    return OVERVIEW


# What can be typed on the overview (a table, all weights, "3 target 90%") works on the item
# list and on an item too: a quick edit shows the item it changed, and the next one follows.
STEPS = [
    Step(
        "pick",
        "skp_pick",
        view=pick_view,
        choices=pick_choices,
        on_choice=on_pick,
        on_text=skp_paste.on_overview_text,
    ),
    Step(
        "item",
        "skp_item",
        view=item_view,
        choices=item_choices,
        on_choice=on_item,
        on_text=skp_paste.on_overview_text,
    ),
    Step("delete", "skp_delete", view=item_view, choices=delete_choices, on_choice=on_delete),
]

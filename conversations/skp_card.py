"""The /skp summary card of the item being written: its findings and the SKP's projected
totals, saving it (a new item or an edited one; "Simpan" always first), discarding it (after
a confirmation), choosing a field to change (which reopens that wizard step and comes back
here) and, for a unit head, the BSC perspective."""

from __future__ import annotations

from typing import Any

from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Reask, Step, grid
from bot.services import skp as store
from bot.usecases import drafting
from bot.usecases.base import Refused
from conversations.findings import describe
from conversations.period import policy_in_force
from conversations.skp_place import (
    OVERVIEW,
    as_decimal,
    draft_item,
    draft_of,
    editable_or_refuse,
    jenis_label,
    leave_wizard,
    other_items,
    place_of,
    rules_of,
    shown,
)


def _fields(draft: dict[str, Any]) -> store.ItemFields | None:
    """The draft as a complete item, or None while something is missing."""
    try:
        target, bobot = as_decimal(draft.get("target")), as_decimal(draft.get("bobot"))
        # A missing bobot is the rules' to judge: a unit head's profile may require none.
        if target is None:
            return None
        return store.ItemFields(
            jenis=draft["jenis"],
            rhk=draft["rhk"],
            aspek=Aspek(draft["aspek"]),
            iki=draft["iki"],
            target=target,
            satuan=draft["satuan"],
            bobot=bobot,
            leader_item_id=draft.get("leader_item_id"),
            leader_rhk=draft.get("leader_rhk", ""),
            mandatory_key=draft.get("mandatory_key"),
            perspective=draft.get("perspective"),
        )
    except (KeyError, ValueError):
        return None


async def card_view(ctx: Ctx) -> dict[str, Any]:
    draft = draft_of(ctx)
    place = await place_of(ctx)
    findings: list[dict[str, Any]] = []
    projected = None
    perspective = None
    profile = None
    if place is not None:
        item = draft_item(draft)
        others = await other_items(ctx, place)
        profile = await rules_of(ctx, place.policy)
        findings = describe(ctx.texts, rules.item_findings(place.policy, item, others, profile))
        chosen = store.perspectives(place.policy)
        perspective = next((p.label for p in chosen if p.code == draft.get("perspective")), None)
        projected = rules.totals(place.policy, [*(i for _, i in others), item])
    return {
        "item": shown(draft),
        "target": as_decimal(draft.get("target")),
        "bobot": as_decimal(draft.get("bobot")),
        "aspek_label": ctx.texts.label(f"aspek_{draft['aspek']}") if draft.get("aspek") else "",
        "jenis_label": jenis_label(ctx, draft.get("jenis", "")),
        "findings": findings,
        "projected": projected,
        # The owner's rules (a unit head's may leave weights and the count unchecked).
        "rules": profile,
        "complete": _fields(draft) is not None,
        "editing": ctx.data.get("item_id") is not None,
        "perspective": perspective,
    }


def card_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["complete"]:
        save = [Choice("save", "item_save")]
        if _ctx.data.get("item_id") is None:
            # A list is written item after item: save and go straight on to the next one.
            save.append(Choice("save_more", "item_save_more"))
        rows.append(save)
    rows.append([Choice("edit", "item_edit_field")])
    rows.append([Choice("discard", "item_discard")])
    return rows


async def on_card(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "edit":
        return Goto("field")
    if action == "discard":
        return Goto("discard")
    place = await place_of(ctx)
    if not await editable_or_refuse(ctx, place):
        leave_wizard(ctx)
        return OVERVIEW
    assert place is not None
    fields = _fields(draft_of(ctx))
    if fields is None:
        return Reask("skp_item_incomplete")
    editing = ctx.data.get("item_id")
    try:
        if editing is None:
            await drafting.add_item(ctx.tx, place.skp.id, fields)
        else:
            await drafting.update_item(ctx.tx, place.skp.id, int(editing), fields)
    except drafting.TooMany:
        return Reask("skp_too_many", {"maximum": store.MAX_ITEMS})
    except Refused:
        leave_wizard(ctx)
        ctx.say("skp_item_gone")
        return OVERVIEW
    saved = draft_of(ctx)
    leave_wizard(ctx)
    ctx.notice("item_saved")
    ctx.say("skp_item_saved")
    if action == "save_more" and editing is None:
        # Items under one RHK atasan (or of one jenis) usually follow each other: the next
        # one starts with the same, from its RHK; "Kembali" chooses another.
        link = ("leader_item_id", "leader_rhk", "jenis")
        ctx.data["item"] = {key: saved.get(key) for key in link} | {"same_link": True}
        return Goto("rhk")
    return OVERVIEW


async def discard_view(ctx: Ctx) -> dict[str, Any]:
    return {"item": shown(draft_of(ctx)), "editing": ctx.data.get("item_id") is not None}


def discard_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    # Where the delete confirmation has them: the irreversible one first, then the way back.
    return [[Choice("confirm", "item_discard_confirm")], [Choice("back", "cancel")]]


async def on_discard(ctx: Ctx, action: str, arg: str) -> Next:
    if action != "confirm":
        return Goto("card")
    editing = ctx.data.get("item_id") is not None
    leave_wizard(ctx)
    ctx.notice("item_edit_discarded" if editing else "item_discarded")
    return OVERVIEW


EDITABLE_FIELDS = ("link", "rhk", "aspek", "iki", "target", "satuan", "jenis", "bobot")


async def field_view(ctx: Ctx) -> dict[str, Any]:
    return {"unit_head": await ctx.actor.has(Role.UNIT_HEAD)}


def field_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    fields = (*EDITABLE_FIELDS, "perspective") if view["unit_head"] else EDITABLE_FIELDS
    buttons = [Choice("field", f"item_field_{f}", f) for f in fields]
    return [*grid(buttons, 2), [Choice("back", "back_to_card")]]


async def on_field(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("card")
    if arg == "perspective":
        return Goto("perspective")
    ctx.data["return"] = "card"
    return Goto(arg)


async def perspective_view(ctx: Ctx) -> dict[str, Any]:
    # The perspectives of the policy in force (its unit-head profile).
    return {"perspectives": store.perspectives(await policy_in_force(ctx))}


def perspective_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("set", arg=p.code, text=p.label)] for p in view["perspectives"]] + [
        [Choice("back", "back_to_card")]
    ]


async def on_perspective(ctx: Ctx, action: str, arg: str) -> Next:
    known = {p.code for p in store.perspectives(await policy_in_force(ctx))}
    if action == "set" and arg in known:
        draft_of(ctx)["perspective"] = arg
    return Goto("card")


STEPS = [
    Step("card", "skp_card", view=card_view, choices=card_choices, on_choice=on_card),
    Step(
        "discard",
        "skp_discard",
        view=discard_view,
        choices=discard_choices,
        on_choice=on_discard,
    ),
    Step("field", "skp_field", view=field_view, choices=field_choices, on_choice=on_field),
    Step(
        "perspective",
        "skp_perspective",
        view=perspective_view,
        choices=perspective_choices,
        on_choice=on_perspective,
    ),
]

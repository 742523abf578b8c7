"""The /skp item wizard: one step per answer (the leader's RHK supported or the type, RHK,
aspek, IKI, target, satuan, bobot), each committed to the draft as it is given. The first
step implies the jenis (the leader's RHK: CL; otherwise the type chosen), so it is asked only
from the card. The IKI's own findings are shown as soon as it is typed, to retype it or go on.
Going back walks the steps in reverse; a step opened from the summary card returns to it."""

from __future__ import annotations

from typing import Any

from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Step, grid
from bot.services import skp as store
from conversations import skp_measure
from conversations.findings import describe
from conversations.period import period_in_force, policy_in_force
from conversations.skp_nav import (
    advance,
    back_button,
    back_choices,
    back_handler,
    draft_view,
    progress,
    retreat,
)
from conversations.skp_place import (
    draft_item,
    draft_of,
    jenis_label,
    leave_wizard,
    other_items,
    place_of,
    rules_of,
    shown,
)

LEADER_ITEMS_SHOWN = 12


async def link_view(ctx: Ctx) -> dict[str, Any]:
    period = await period_in_force(ctx)
    leader, items = (
        await store.leader_items(ctx.session, ctx.actor.employee, period.id)
        if period is not None
        else (None, [])
    )
    policy = await policy_in_force(ctx)
    return {
        **progress("link"),
        "leader": leader,
        "leader_items": items[:LEADER_ITEMS_SHOWN],
        "chosen": draft_of(ctx).get("leader_item_id"),
        # Every other type of the policy is a way of saying "not a direct cascade".
        "types": {
            code: ctx.texts.label(f"link_{code}")
            if ctx.texts.has_label(f"link_{code}")
            else jenis_label(ctx, code)
            for code in policy.jenis
            if code != policy.cascade_jenis
        },
    }


def link_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [
        Choice("leader", arg=str(item.id), text=f"RHK {n}")
        for n, item in enumerate(view["leader_items"], start=1)
    ]
    rows = grid(numbered, 4)
    rows += [[Choice("type", arg=code, text=label)] for code, label in view["types"].items()]
    if "item_id" not in _ctx.data and not _ctx.data.get("return"):
        # A new item: the whole table can be pasted instead (conversations.skp_paste).
        rows.insert(0, [Choice("paste", "skp_paste_start")])
    return [*rows, [back_button(_ctx)]]


async def on_link(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await retreat(ctx, "link")
    if action == "paste":
        leave_wizard(ctx)
        return Goto("paste_wait")
    draft = draft_of(ctx)
    draft.pop("same_link", None)
    if action == "leader":
        view = await link_view(ctx)
        chosen = next((i for i in view["leader_items"] if str(i.id) == arg), None)
        if chosen is None:
            return Reask("skp_leader_item_gone")
        policy = await policy_in_force(ctx)
        draft.update(leader_item_id=chosen.id, leader_rhk=chosen.rhk, jenis=policy.cascade_jenis)
    else:
        draft.update(leader_item_id=None, leader_rhk="", jenis=arg)
    return advance(ctx, "link")


def _text_problem(ctx: Ctx, field: str, text: str) -> Reask | None:
    problem = rules.text_problem(text)
    if problem is None:
        return None
    return Reask(
        "skp_text_problem",
        {
            "problem": problem,
            "field": ctx.texts.label(f"item_field_{field}"),
            "minimum": rules.TEXT_MIN_CHARS,
            "maximum": rules.TEXT_MAX_CHARS,
            "length": len(text),
        },
    )


async def on_rhk(ctx: Ctx, text: str) -> Next:
    problem = _text_problem(ctx, "rhk", text)
    if problem is not None:
        return problem
    draft_of(ctx)["rhk"] = " ".join(text.split())
    return advance(ctx, "rhk")


async def _iki_findings(ctx: Ctx) -> list[rules.Finding]:
    place = await place_of(ctx)
    if place is None:
        return []
    profile = await rules_of(ctx, place.policy)
    others = await other_items(ctx, place)
    return rules.iki_findings(place.policy, draft_item(draft_of(ctx)), others, profile)


async def on_iki(ctx: Ctx, text: str) -> Next:
    """The IKI, checked at once: with findings, they are shown before going on."""
    problem = _text_problem(ctx, "iki", text)
    if problem is not None:
        return problem
    draft_of(ctx)["iki"] = " ".join(text.split())
    if await _iki_findings(ctx):
        return Goto("iki_check")
    return advance(ctx, "iki")


async def iki_check_view(ctx: Ctx) -> dict[str, Any]:
    return {
        **progress("iki_check"),
        "item": shown(draft_of(ctx)),
        "findings": describe(ctx.texts, await _iki_findings(ctx)),
        "aspek_label": ctx.texts.label(f"aspek_{draft_of(ctx)['aspek']}")
        if draft_of(ctx).get("aspek")
        else "",
    }


def iki_check_choices(ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("continue", "iki_continue")], [back_button(ctx)]]


async def on_iki_check(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "continue":
        return advance(ctx, "iki")
    return await retreat(ctx, "iki_check")


def aspek_choices(ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("aspek", f"aspek_{a.value}", a.value) for a in Aspek]
    return [buttons[:2], buttons[2:], [back_button(ctx)]]


async def on_aspek(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await retreat(ctx, "aspek")
    draft_of(ctx)["aspek"] = Aspek(arg).value
    return advance(ctx, "aspek")


STEPS = [
    Step(
        "link",
        "skp_link",
        view=link_view,
        choices=link_choices,
        on_choice=on_link,
        help="help_skp_link",
    ),
    Step(
        "rhk",
        "skp_rhk",
        view=draft_view("rhk"),
        choices=back_choices,
        on_choice=back_handler("rhk"),
        on_text=on_rhk,
        help="help_skp_rhk",
    ),
    Step(
        "aspek",
        "skp_aspek",
        view=draft_view("aspek"),
        choices=aspek_choices,
        on_choice=on_aspek,
        help="help_skp_aspek",
    ),
    Step(
        "iki",
        "skp_iki",
        view=draft_view("iki"),
        choices=back_choices,
        on_choice=back_handler("iki"),
        on_text=on_iki,
        help="help_skp_iki",
    ),
    Step(
        "iki_check",
        "skp_iki_check",
        view=iki_check_view,
        choices=iki_check_choices,
        on_choice=on_iki_check,
        on_text=on_iki,
        help="help_skp_iki",
    ),
    *skp_measure.STEPS,
]

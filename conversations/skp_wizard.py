"""The /skp item wizard: one step per answer (the leader's RHK supported or the type, RHK,
aspek, IKI, target, satuan, jenis, bobot), each committed to the draft as it is given. Going
back walks the steps in reverse; a step opened from the summary card returns to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Step, grid
from bot.services import skp as store
from bot.texts import angka
from conversations.dialog_text import arg_number
from conversations.period import period_in_force, policy_in_force
from conversations.skp_place import (
    BACK,
    OVERVIEW,
    back_choices,
    draft_of,
    jenis_label,
    leave_wizard,
    other_items,
    place_of,
    rules_of,
    shown,
)

WIZARD = ("link", "rhk", "aspek", "iki", "target", "satuan", "jenis", "bobot")
LEADER_ITEMS_SHOWN = 12


def _progress(step: str) -> dict[str, Any]:
    return {"step_no": WIZARD.index(step) + 1, "step_total": len(WIZARD)}


def _advance(ctx: Ctx, current: str) -> Next:
    if ctx.data.pop("return", None) == "card":
        return Goto("card")
    index = WIZARD.index(current) + 1
    nxt = WIZARD[index] if index < len(WIZARD) else "card"
    if nxt == "satuan" and draft_of(ctx).get("satuan_from_target"):
        nxt = "jenis"
    return Goto(nxt)


async def _retreat(ctx: Ctx, current: str) -> Next:
    if ctx.data.pop("return", None) == "card":
        return Goto("card")
    index = WIZARD.index(current) - 1
    if index < 0:
        leave_wizard(ctx)
        return OVERVIEW
    previous = WIZARD[index]
    if previous == "satuan" and draft_of(ctx).get("satuan_from_target"):
        previous = "target"
    return Goto(previous)


async def link_view(ctx: Ctx) -> dict[str, Any]:
    period = await period_in_force(ctx)
    leader, items = (
        await store.leader_items(ctx.session, ctx.actor.employee, period.id)
        if period is not None
        else (None, [])
    )
    policy = await policy_in_force(ctx)
    return {
        **_progress("link"),
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
    return [*rows, [BACK]]


async def on_link(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "link")
    draft = draft_of(ctx)
    if action == "leader":
        view = await link_view(ctx)
        chosen = next((i for i in view["leader_items"] if str(i.id) == arg), None)
        if chosen is None:
            return Reask("skp_leader_item_gone")
        policy = await policy_in_force(ctx)
        draft.update(leader_item_id=chosen.id, leader_rhk=chosen.rhk, jenis=policy.cascade_jenis)
    else:
        draft.update(leader_item_id=None, leader_rhk="", jenis=arg)
    return _advance(ctx, "link")


def _text_step(field: str, step: str) -> Any:
    async def on_text(ctx: Ctx, text: str) -> Next:
        problem = rules.text_problem(text)
        if problem is not None:
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
        draft_of(ctx)[field] = " ".join(text.split())
        return _advance(ctx, step)

    return on_text


def _back_handler(step: str) -> Any:
    async def on_choice(ctx: Ctx, action: str, arg: str) -> Next:
        return await _retreat(ctx, step)

    return on_choice


def _draft_view(step: str) -> Any:
    async def view(ctx: Ctx) -> dict[str, Any]:
        draft = draft_of(ctx)
        return {**_progress(step), "item": shown(draft)}

    return view


def aspek_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("aspek", f"aspek_{a.value}", a.value) for a in Aspek]
    return [buttons[:2], buttons[2:], [BACK]]


async def on_aspek(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "aspek")
    draft_of(ctx)["aspek"] = Aspek(arg).value
    return _advance(ctx, "aspek")


async def on_target(ctx: Ctx, text: str) -> Next:
    policy = await policy_in_force(ctx)
    parsed = rules.parse_target(text, policy)
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    draft = draft_of(ctx)
    draft["target"] = str(parsed.value)
    if parsed.satuan:
        draft["satuan"] = parsed.satuan
        draft["satuan_from_target"] = True
    else:
        draft.pop("satuan_from_target", None)
        if ctx.data.get("return") != "card":
            draft.pop("satuan", None)
    return _advance(ctx, "target")


async def satuan_view(ctx: Ctx) -> dict[str, Any]:
    return {
        **_progress("satuan"),
        "item": shown(draft_of(ctx)),
        "policy": await policy_in_force(ctx),
    }


def satuan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    units = [Choice("satuan", arg=str(i), text=u) for i, u in enumerate(view["policy"].satuan)]
    return [*grid(units, 3), [BACK]]


async def on_satuan_choice(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "satuan")
    policy = await policy_in_force(ctx)
    index = arg_number(arg) if arg else len(policy.satuan)
    if not 0 <= index < len(policy.satuan):  # the policy changed since the buttons were drawn
        return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
    draft_of(ctx)["satuan"] = policy.satuan[index]
    return _advance(ctx, "satuan")


async def on_satuan_text(ctx: Ctx, text: str) -> Next:
    if rules.satuan_problem(text):
        return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
    policy = await policy_in_force(ctx)
    draft_of(ctx)["satuan"] = policy.canonical_satuan(text)
    return _advance(ctx, "satuan")


async def jenis_view(ctx: Ctx) -> dict[str, Any]:
    policy = await policy_in_force(ctx)
    draft = draft_of(ctx)
    return {
        **_progress("jenis"),
        "item": shown(draft),
        "labels": {code: jenis_label(ctx, code) for code in policy.jenis},
        "current": draft.get("jenis"),
    }


def jenis_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "jenis",
                arg=code,
                text=("✅ " if code == view["current"] else "") + label,
            )
        ]
        for code, label in view["labels"].items()
    ]
    return [*rows, [BACK]]


async def on_jenis(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "jenis")
    draft_of(ctx)["jenis"] = arg
    return _advance(ctx, "jenis")


async def bobot_view(ctx: Ctx) -> dict[str, Any]:
    draft = draft_of(ctx)
    place = await place_of(ctx)
    suggestion = Decimal(0)
    optional = False
    if place is not None:
        profile = await rules_of(ctx, place.policy)
        optional = not profile.weights_required
        others = [item for _, item in await other_items(ctx, place)]
        if profile.composition is not None or not profile.unit_head:
            suggestion = rules.suggest_weight(place.policy, others, draft.get("jenis", ""))
    return {
        **_progress("bobot"),
        "item": shown(draft),
        "jenis_label": jenis_label(ctx, draft.get("jenis", "")),
        "suggestion": suggestion,
        "optional": optional,
    }


def bobot_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["suggestion"] > 0:
        value = view["suggestion"]
        label_value = (("value", angka(value)),)
        rows.append([Choice("weight", "weight_suggest", str(value), values=label_value)])
    if view["optional"]:
        rows.append([Choice("weight", "weight_none", "")])
    return [*rows, [BACK]]


async def on_bobot_choice(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "bobot")
    draft_of(ctx)["bobot"] = arg
    return _advance(ctx, "bobot")


async def on_bobot_text(ctx: Ctx, text: str) -> Next:
    parsed = rules.parse_weight(text)
    if isinstance(parsed, str):
        return Reask("skp_weight_problem", {"problem": parsed, "typed": text[:60]})
    draft_of(ctx)["bobot"] = str(parsed)
    return _advance(ctx, "bobot")


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
        view=_draft_view("rhk"),
        choices=back_choices,
        on_choice=_back_handler("rhk"),
        on_text=_text_step("rhk", "rhk"),
        help="help_skp_rhk",
    ),
    Step(
        "aspek",
        "skp_aspek",
        view=_draft_view("aspek"),
        choices=aspek_choices,
        on_choice=on_aspek,
        help="help_skp_aspek",
    ),
    Step(
        "iki",
        "skp_iki",
        view=_draft_view("iki"),
        choices=back_choices,
        on_choice=_back_handler("iki"),
        on_text=_text_step("iki", "iki"),
        help="help_skp_iki",
    ),
    Step(
        "target",
        "skp_target",
        view=_draft_view("target"),
        choices=back_choices,
        on_choice=_back_handler("target"),
        on_text=on_target,
        help="help_skp_target",
    ),
    Step(
        "satuan",
        "skp_satuan",
        view=satuan_view,
        choices=satuan_choices,
        on_choice=on_satuan_choice,
        on_text=on_satuan_text,
        help="help_skp_target",
    ),
    Step(
        "jenis",
        "skp_jenis",
        view=jenis_view,
        choices=jenis_choices,
        on_choice=on_jenis,
        help="help_skp_jenis",
    ),
    Step(
        "bobot",
        "skp_bobot",
        view=bobot_view,
        choices=bobot_choices,
        on_choice=on_bobot_choice,
        on_text=on_bobot_text,
        help="help_skp_jenis",
    ),
]

"""The /skp wizard's steps that measure an item: the target (typed the Indonesian way, its
satuan kept: "100 persen", "85%", "4x"), the satuan in the policy's spelling, the jenis (only
when step 1 left it open, or from the card) and the weight with the policy's suggestion (what
is left of the type's share, within what is left of Core 100% or Beyond 20%)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.domain import skp_rules as rules
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Next, Reask, Step, grid
from bot.texts import angka
from conversations.dialog_text import arg_number
from conversations.period import policy_in_force
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
    draft_of,
    jenis_label,
    other_items,
    place_of,
    rules_of,
    shown,
)


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
    return advance(ctx, "target")


async def satuan_view(ctx: Ctx) -> dict[str, Any]:
    return {
        **progress("satuan"),
        "item": shown(draft_of(ctx)),
        "policy": await policy_in_force(ctx),
    }


def satuan_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    units = [Choice("satuan", arg=str(i), text=u) for i, u in enumerate(view["policy"].satuan)]
    return [*grid(units, 3), [back_button(ctx)]]


async def on_satuan_choice(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await retreat(ctx, "satuan")
    policy = await policy_in_force(ctx)
    index = arg_number(arg) if arg else len(policy.satuan)
    if not 0 <= index < len(policy.satuan):  # the policy changed since the buttons were drawn
        return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
    draft_of(ctx)["satuan"] = policy.satuan[index]
    return advance(ctx, "satuan")


async def on_satuan_text(ctx: Ctx, text: str) -> Next:
    if rules.satuan_problem(text):
        return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
    policy = await policy_in_force(ctx)
    draft_of(ctx)["satuan"] = policy.canonical_satuan(text)
    return advance(ctx, "satuan")


async def jenis_view(ctx: Ctx) -> dict[str, Any]:
    policy = await policy_in_force(ctx)
    draft = draft_of(ctx)
    return {
        **progress("jenis"),
        "item": shown(draft),
        "labels": {code: jenis_label(ctx, code) for code in policy.jenis},
        "current": draft.get("jenis"),
    }


def jenis_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
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
    return [*rows, [back_button(ctx)]]


async def on_jenis(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await retreat(ctx, "jenis")
    draft_of(ctx)["jenis"] = arg
    return advance(ctx, "jenis")


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
            # What is left of the type's share, within what is left of Core or Beyond.
            suggestion = rules.suggest_weight(
                place.policy, others, draft.get("jenis", ""), profile=profile
            )
    return {
        **progress("bobot"),
        "item": shown(draft),
        "jenis_label": jenis_label(ctx, draft.get("jenis", "")),
        "core": place is not None and place.policy.is_core(draft.get("jenis", "")),
        "suggestion": suggestion,
        "optional": optional,
    }


def bobot_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["suggestion"] > 0:
        value = view["suggestion"]
        label_value = (("value", angka(value)),)
        rows.append([Choice("weight", "weight_suggest", str(value), values=label_value)])
    if view["optional"]:
        rows.append([Choice("weight", "weight_none", "")])
    return [*rows, [back_button(ctx)]]


async def on_bobot_choice(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await retreat(ctx, "bobot")
    draft_of(ctx)["bobot"] = arg
    return advance(ctx, "bobot")


async def on_bobot_text(ctx: Ctx, text: str) -> Next:
    parsed = rules.parse_weight(text)
    if isinstance(parsed, str):
        return Reask("skp_weight_problem", {"problem": parsed, "typed": text[:60]})
    draft_of(ctx)["bobot"] = str(parsed)
    return advance(ctx, "bobot")


STEPS = [
    Step(
        "target",
        "skp_target",
        view=draft_view("target"),
        choices=back_choices,
        on_choice=back_handler("target"),
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

"""The leader's expectations in the review of an SKP: for one item (a result, a target or a
revision, with the target typed first) or for a BerAKHLAK value (an example or own words)."""

from __future__ import annotations

from typing import Any

from bot.db.models import ExpectationKind
from bot.domain import skp_rules as rules
from bot.domain.contract import TargetValue
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Step, grid
from bot.usecases import agreements
from bot.usecases.base import Refused
from bot.usecases.loading import items_of
from conversations.dialog_text import NOTE_MAX, arg_number, note_problem
from conversations.period import policy_in_force
from conversations.review_shared import BACK, back_choices, on_back_home, reviewed


async def item_pick_view(ctx: Ctx) -> dict[str, Any]:
    skp = await reviewed(ctx)
    return {"rows": await items_of(ctx.tx, skp.id) if skp is not None else []}


def item_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=str(r.position)) for r in view["rows"]]
    return [*grid(numbered, 5), [BACK]]


async def on_item_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    ctx.data["item_id"] = arg_number(arg)
    return Goto("exp_kind")


async def exp_kind_view(ctx: Ctx) -> dict[str, Any]:
    skp = await reviewed(ctx)
    rows = await items_of(ctx.tx, skp.id) if skp is not None else []
    item = next((r for r in rows if r.id == ctx.data.get("item_id")), None)
    return {"item": item}


def exp_kind_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    kinds = (ExpectationKind.HASIL, ExpectationKind.TARGET, ExpectationKind.REVISI)
    return [[Choice("kind", f"exp_kind_{k.value}", k.value)] for k in kinds] + [[BACK]]


async def on_exp_kind(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("item_pick")
    ctx.data["kind"] = ExpectationKind(arg).value
    return Goto("exp_target" if arg == ExpectationKind.TARGET.value else "exp_text")


async def on_exp_target(ctx: Ctx, text: str) -> Next:
    parsed = rules.parse_target(text, await policy_in_force(ctx))
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    view = await exp_kind_view(ctx)
    item = view["item"]
    if item is not None and parsed.satuan and parsed.satuan.casefold() != item.satuan.casefold():
        return Reask("unit_differs", {"typed": text[:60], "satuan": item.satuan})
    satuan = item.satuan if item is not None else parsed.satuan
    ctx.data["target"] = {"value": str(parsed.value), "satuan": satuan}
    return Goto("exp_text")


async def exp_text_view(ctx: Ctx) -> dict[str, Any]:
    view = await exp_kind_view(ctx)
    target = ctx.data.get("target")
    return {
        **view,
        "kind": ctx.data.get("kind", "hasil"),
        "target": target if isinstance(target, dict) else None,
        "maximum": NOTE_MAX,
    }


def exp_text_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["kind"] == ExpectationKind.TARGET.value and view["target"] is not None:
        rows.append([Choice("plain", "exp_target_no_text")])
    return [*rows, [BACK]]


async def on_exp_text_choice(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "plain":
        return await _save_item_expectation(ctx, "")
    ctx.data.pop("target", None)
    return Goto("home")


async def on_exp_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    return await _save_item_expectation(ctx, text)


async def _save_item_expectation(ctx: Ctx, text: str) -> Next:
    skp = await reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    kind = ExpectationKind(ctx.data.get("kind", "hasil"))
    raw = ctx.data.pop("target", None)
    target = None
    if kind is ExpectationKind.TARGET and isinstance(raw, dict):
        from decimal import Decimal

        target = TargetValue(Decimal(raw["value"]), raw.get("satuan", ""))
    if kind is ExpectationKind.TARGET and target is None:
        return Goto("exp_target")
    item_id = ctx.data.get("item_id")
    try:
        await agreements.set_expectation(
            ctx.tx,
            skp.id,
            kind,
            text,
            item_id=item_id if isinstance(item_id, int) else None,
            target=target,
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    ctx.notice("expectation_saved")
    return Goto("home")


async def value_pick_view(ctx: Ctx) -> dict[str, Any]:
    return {"values": ctx.texts.berakhlak}


def value_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("value", arg=v["code"], text=v["name"]) for v in view["values"]]
    return [*grid(buttons, 2), [BACK]]


async def on_value_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    ctx.data["value"] = arg
    return Goto("value_text")


def _value(ctx: Ctx) -> dict[str, Any]:
    code = ctx.data.get("value")
    return next((v for v in ctx.texts.berakhlak if v["code"] == code), ctx.texts.berakhlak[0])


async def value_text_view(ctx: Ctx) -> dict[str, Any]:
    return {"value": _value(ctx), "maximum": NOTE_MAX}


def value_text_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    examples = [
        [Choice("example", "use_example_n", str(i), values=(("n", i + 1),))]
        for i in range(len(view["value"]["examples"]))
    ]
    return [*examples, [BACK]]


async def _save_value_expectation(ctx: Ctx, text: str) -> Next:
    skp = await reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        await agreements.set_expectation(
            ctx.tx, skp.id, ExpectationKind.PERILAKU, text, value_code=_value(ctx)["code"]
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    ctx.notice("expectation_saved")
    return Goto("home")


async def on_value_example(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("value_pick")
    examples = _value(ctx)["examples"]
    index = arg_number(arg)
    if not 0 <= index < len(examples):
        return Goto("value_text")
    return await _save_value_expectation(ctx, examples[index])


async def on_value_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    return await _save_value_expectation(ctx, text)


STEPS = [
    Step(
        "item_pick",
        "review_item_pick",
        view=item_pick_view,
        choices=item_pick_choices,
        on_choice=on_item_pick,
    ),
    Step(
        "exp_kind",
        "review_exp_kind",
        view=exp_kind_view,
        choices=exp_kind_choices,
        on_choice=on_exp_kind,
    ),
    Step(
        "exp_target",
        "review_exp_target",
        view=exp_kind_view,
        choices=back_choices,
        on_choice=on_back_home,
        on_text=on_exp_target,
    ),
    Step(
        "exp_text",
        "review_exp_text",
        view=exp_text_view,
        choices=exp_text_choices,
        on_choice=on_exp_text_choice,
        on_text=on_exp_text,
    ),
    Step(
        "value_pick",
        "review_value_pick",
        view=value_pick_view,
        choices=value_pick_choices,
        on_choice=on_value_pick,
    ),
    Step(
        "value_text",
        "review_value_text",
        view=value_text_view,
        choices=value_text_choices,
        on_choice=on_value_example,
        on_text=on_value_text,
    ),
]

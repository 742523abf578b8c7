"""Flow "tanggapan": the employee answers one expectation of their leader. The answer is put
together on one screen (another target with a reason, one or more resource needs, or both, as
in "Saya bisa menyelesaikan 5 analisis, tapi saya butuh akses ke database") and sent once;
"Setuju" agrees as it stands. The use case decides; this flow shows and asks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from bot.db.models import SkpItem
from bot.domain import skp_rules as rules
from bot.domain.contract import TargetValue
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Step, flow, grid
from bot.engine.runtime import HOME
from bot.usecases import agreements
from bot.usecases.base import Refused
from conversations.dialog_text import NOTE_MAX, note_problem, quoted
from conversations.period import policy_in_force

BACK = Choice("back", "back")
MAX_NEEDS = 5
TO_SKP = Goto("overview", "skp")


def _counter(ctx: Ctx) -> TargetValue | None:
    raw = ctx.data.get("counter")
    if not isinstance(raw, dict):
        return None
    try:
        return TargetValue(Decimal(str(raw["value"])), str(raw.get("satuan", "")))
    except (KeyError, InvalidOperation):
        return None


def _needs(ctx: Ctx) -> list[dict[str, str]]:
    needs = ctx.data.get("needs")
    return needs if isinstance(needs, list) else []


async def _current(ctx: Ctx) -> tuple[Any, Any] | None:
    exp_id = ctx.data.get("exp_id")
    if not isinstance(exp_id, int):
        return None
    try:
        return await agreements.answerable(ctx.tx, exp_id)
    except Refused:
        return None


async def what_view(ctx: Ctx) -> dict[str, Any]:
    found = await _current(ctx)
    if found is None:
        return {"expectation": None}
    row, _skp = found
    item = await ctx.session.get(SkpItem, row.item_id) if row.item_id else None
    return {
        "expectation": row,
        "item": item,
        "value": next((v for v in ctx.texts.berakhlak if v["code"] == row.value_code), None),
        "kind_label": ctx.texts.label(f"exp_kind_{row.kind.value}"),
        "counter": _counter(ctx),
        "reason": ctx.data.get("reason"),
        "needs": _needs(ctx),
        "categories": {c: ctx.texts.label(f"res_{c}") for c in agreements.RESOURCE_CATEGORIES},
        "quote": quoted,
    }


def what_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["expectation"] is None:
        return [[Choice("done", "skp_menu")]]
    drafted = view["counter"] is not None or view["needs"]
    rows = []
    if not drafted:
        rows.append([Choice("agree", "exp_agree")])
    if view["item"] is not None:
        label = "respond_counter_again" if view["counter"] is not None else "respond_counter"
        rows.append([Choice("counter", label)])
    if len(view["needs"]) < MAX_NEEDS:
        rows.append([Choice("need", "respond_need_more" if view["needs"] else "respond_need")])
    if drafted:
        rows.append([Choice("send", "respond_send")])
    return [*rows, [Choice("done", "cancel")]]


async def on_what(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "done":
        return HOME
    exp_id = ctx.data.get("exp_id")
    if await _current(ctx) is None or not isinstance(exp_id, int):
        ctx.say("expectation_closed")
        return HOME
    if action == "counter":
        return Goto("counter")
    if action == "need":
        return Goto("need_cat")
    try:
        if action == "agree":
            await agreements.answer(ctx.tx, exp_id)
            ctx.say("expectation_agreed_employee")
            return TO_SKP
        needs = [agreements.Need(n["category"], n["text"]) for n in _needs(ctx)]
        await agreements.answer(ctx.tx, exp_id, _counter(ctx), ctx.data.get("reason"), needs)
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return HOME
    ctx.say("counter_sent")
    return TO_SKP


async def on_back_what(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("what")


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


async def counter_view(ctx: Ctx) -> dict[str, Any]:
    view = await what_view(ctx)
    return {**view, "maximum": NOTE_MAX}


async def on_counter(ctx: Ctx, text: str) -> Next:
    found = await _current(ctx)
    if found is None:
        ctx.say("expectation_closed")
        return HOME
    parsed = rules.parse_target(text, await policy_in_force(ctx))
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    row, _skp = found
    item = await ctx.session.get(SkpItem, row.item_id) if row.item_id else None
    if item is not None and parsed.satuan and parsed.satuan.casefold() != item.satuan.casefold():
        return Reask("unit_differs", {"typed": text[:60], "satuan": item.satuan})
    satuan = item.satuan if item is not None else parsed.satuan
    ctx.data["counter"] = {"value": str(parsed.value), "satuan": satuan}
    return Goto("reason")


async def on_reason(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    ctx.data["reason"] = text
    return Goto("what")


def need_cat_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("cat", f"res_{c}", c) for c in agreements.RESOURCE_CATEGORIES]
    return [*grid(buttons, 2), [BACK]]


async def on_need_cat(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back" or arg not in agreements.RESOURCE_CATEGORIES:
        return Goto("what")
    ctx.data["category"] = arg
    return Goto("need_text")


async def need_text_view(ctx: Ctx) -> dict[str, Any]:
    return {
        "category": ctx.texts.label(f"res_{ctx.data.get('category', 'lainnya')}"),
        "maximum": NOTE_MAX,
    }


async def on_need_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    category = ctx.data.pop("category", "lainnya")
    if category not in agreements.RESOURCE_CATEGORIES:
        category = "lainnya"
    needs = _needs(ctx)
    if len(needs) < MAX_NEEDS:
        ctx.data["needs"] = [*needs, {"category": category, "text": text}]
    return Goto("what")


ANSWER = flow(
    "tanggapan",
    [
        Step("what", "answer_what", view=what_view, choices=what_choices, on_choice=on_what),
        Step(
            "counter",
            "answer_counter",
            view=counter_view,
            choices=back_choices,
            on_choice=on_back_what,
            on_text=on_counter,
        ),
        Step(
            "reason",
            "answer_reason",
            view=counter_view,
            choices=back_choices,
            on_choice=on_back_what,
            on_text=on_reason,
        ),
        Step("need_cat", "answer_need_cat", choices=need_cat_choices, on_choice=on_need_cat),
        Step(
            "need_text",
            "answer_need_text",
            view=need_text_view,
            choices=back_choices,
            on_choice=on_back_what,
            on_text=on_need_text,
        ),
    ],
    help="help_answer",
    # An answer put together and left unsent is there again when the person comes back to it.
    resumable=True,
)

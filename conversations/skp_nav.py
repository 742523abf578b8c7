"""Moving through the /skp item wizard: the order of its steps, where "next" and "back" lead
(a step opened from the summary card returns to it; the satuan is skipped when the target
brought one; the jenis is asked only when step 1 left it open) and the back button, always
the last row."""

from __future__ import annotations

from typing import Any

from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next
from conversations.skp_place import OVERVIEW, draft_of, leave_wizard, shown

# The steps of a new item, in order; "jenis" is asked only when step 1 left it open (or
# from the card), "iki_check" only when the IKI has findings.
WIZARD = ("link", "rhk", "aspek", "iki", "target", "satuan", "bobot")


def progress(step: str) -> dict[str, Any]:
    step = "iki" if step == "iki_check" else step
    number = WIZARD.index(step) + 1 if step in WIZARD else None
    return {"step_no": number, "step_total": len(WIZARD)}


def advance(ctx: Ctx, current: str) -> Next:
    if ctx.data.pop("return", None) == "card":
        return Goto("card")
    draft = draft_of(ctx)
    if current == "jenis":
        current = "satuan"  # asked just before the weight
    index = WIZARD.index(current) + 1
    nxt = WIZARD[index] if index < len(WIZARD) else "card"
    if nxt == "satuan" and draft.get("satuan_from_target"):
        nxt = "bobot"
    if nxt == "bobot" and not draft.get("jenis"):
        nxt = "jenis"
    return Goto(nxt)


async def retreat(ctx: Ctx, current: str) -> Next:
    if ctx.data.pop("return", None) == "card":
        return Goto("card")
    if current == "jenis":
        current = "bobot"
    elif current == "iki_check":
        return Goto("iki")
    index = WIZARD.index(current) - 1
    if index < 0:
        leave_wizard(ctx)
        return OVERVIEW
    previous = WIZARD[index]
    if previous == "satuan" and draft_of(ctx).get("satuan_from_target"):
        previous = "target"
    return Goto(previous)


def back_choices(ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    """Always the last row: back one step, or back to the card a step was opened from."""
    return [[back_button(ctx)]]


def back_button(ctx: Ctx) -> Choice:
    return Choice("back", "back_to_card" if ctx.data.get("return") == "card" else "back")


def back_handler(step: str) -> Any:
    async def on_choice(ctx: Ctx, action: str, arg: str) -> Next:
        return await retreat(ctx, step)

    return on_choice


def draft_view(step: str) -> Any:
    async def view(ctx: Ctx) -> dict[str, Any]:
        draft = draft_of(ctx)
        return {**progress(step), "item": shown(draft)}

    return view

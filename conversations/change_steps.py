"""Starting a change of a set SKP (perubahan SKP), the same two steps for the employee and for
the leader: the category, then the person's own words (or none). Each flow says which SKP it
means, where "back" leads and what to say afterwards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Step
from bot.usecases import skp_lifecycle
from bot.usecases.base import Refused
from conversations.dialog_text import note_problem

BACK = Choice("back", "back")
# (ctx, the new version) -> where to go once the change started
Started = Callable[[Ctx, Any], Awaitable[Next]]


def change_steps(
    reason_template: str,
    back: Goto,
    skp_of: Callable[[Ctx], Awaitable[tuple[int | None, int | None]]],
    started: Started,
) -> list[Step]:
    """`skp_of` gives the set SKP's id and the revision the person saw (None: not checked)."""

    def reason_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
        reasons = skp_lifecycle.CHANGE_REASONS
        return [[Choice("reason", f"change_{r}", r)] for r in reasons] + [[BACK]]

    async def on_reason(ctx: Ctx, action: str, arg: str) -> Next:
        if action == "back":
            return back
        ctx.data["change_reason"] = arg
        return Goto("change_note")

    def note_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
        return [[Choice("skip", "change_no_note")], [BACK]]

    async def on_note_choice(ctx: Ctx, action: str, _arg: str) -> Next:
        if action == "back":
            return Goto("change_reason")
        return await start(ctx, None)

    async def on_note(ctx: Ctx, text: str) -> Next:
        if (problem := note_problem(text)) is not None:
            return problem
        return await start(ctx, text)

    async def start(ctx: Ctx, note: str | None) -> Next:
        skp_id, seen = await skp_of(ctx)
        reason = str(ctx.data.pop("change_reason", ""))
        try:
            new = await skp_lifecycle.start_change(ctx.tx, skp_id or 0, reason, note, seen)
        except (Refused, ValueError) as exc:
            key = exc.reason.value if isinstance(exc, Refused) else "skp_wrong_status"
            ctx.say("dialog_refused", reason=ctx.texts.label(key))
            return back
        return await started(ctx, new)

    return [
        Step("change_reason", reason_template, choices=reason_choices, on_choice=on_reason),
        Step(
            "change_note",
            "change_note",
            choices=note_choices,
            on_choice=on_note_choice,
            on_text=on_note,
        ),
    ]

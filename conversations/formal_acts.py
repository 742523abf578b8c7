"""The formal acts on an SKP (approving, signing, setting) are confirmed before they happen: a
confirmation screen sums up what is approved, signed or set (the version, the IKI, the agreed
expectations and resource lines, the other party), offers the items in full ("📄 Lihat SKP",
one item a page on the item screen) and the act itself, bound to the SKP's revision when the
screen was drawn. The act stays in the use case (bot.usecases.skp_lifecycle), which refuses a
changed SKP; the screen then says so and shows the SKP as it is now.

`confirm_steps()` gives a flow its two steps ("confirm", "confirm_items"); the flow says which
SKP is meant, where "Batal" leads and what follows the act. A flow enters them with
`Goto("confirm", seed={ACT_KEY: "sign"})` (or "approve", "set") after `check_act()`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.db.models import ExpectationKind, ExpectationStatus, ResourceStatus, Skp
from bot.domain.contract import Action, Refusal
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.usecases import skp_lifecycle
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import authorise, items_of, load_skp
from bot.usecases.summary import skp_summary
from conversations import paging
from conversations.dialog_text import arg_number
from conversations.skp_place import jenis_label

ACT_KEY = "act"
ITEMS_PAGE = "confirm_items"


@dataclass(frozen=True, slots=True)
class Act:
    action: Action
    run: Callable[[Tx, int, int | None], Awaitable[Skp]]


ACTS: dict[str, Act] = {
    "approve": Act(Action.APPROVE, skp_lifecycle.approve),
    "sign": Act(Action.SIGN, skp_lifecycle.sign),
    "set": Act(Action.SET, skp_lifecycle.set_skp),
}

FindSkp = Callable[[Ctx], Awaitable[Skp | None]]
# What follows the act (a note, the next screen), given the act's name and the SKP.
AfterAct = Callable[[Ctx, str, Skp], Awaitable[Next]]


async def check_act(tx: Tx, skp_id: int, act: str, version: int | None) -> Skp:
    """The SKP, read afresh; refused (as the use case would) when the act is not the actor's
    to do now, or the button that asks for it was made for another revision of the SKP."""
    skp = await load_skp(tx, skp_id, lock=False)
    authorise(tx, skp, ACTS[act].action, version)
    return skp


def current_act(ctx: Ctx) -> str | None:
    act = ctx.data.get(ACT_KEY)
    return act if isinstance(act, str) and act in ACTS else None


def confirm_steps(find_skp: FindSkp, back: Next, after: AfterAct) -> list[Step]:
    async def confirm_view(ctx: Ctx) -> dict[str, Any]:
        skp = await find_skp(ctx)
        act = current_act(ctx)
        if skp is None or act is None:
            return {"skp": None, "act": act}
        try:
            skp = await check_act(ctx.tx, skp.id, act, None)
            ready = True
        except Refused:
            ready = False
        summary = await skp_summary(ctx.tx, skp)
        shown = [e for e in summary["expectations"] if e.kind is not ExpectationKind.REVISI]
        return {
            **summary,
            "act": act,
            "ready": ready,
            "agreed_expectations": sum(e.status is ExpectationStatus.SETTLED for e in shown),
            "agreed_resources": sum(
                r.status is ResourceStatus.AGREED for r in summary["resources"]
            ),
        }

    def confirm_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
        skp: Skp | None = view["skp"]
        rows: list[list[Choice]] = []
        if skp is not None and view["ready"] and not view["violations"]:
            rows.append([Choice("yes", f"confirm_{view['act']}_yes", str(skp.revision))])
        if skp is not None and view["rows"]:
            rows.append([Choice("items", "confirm_view_skp")])
        return [*rows, [Choice("cancel", "cancel")]]

    async def on_confirm(ctx: Ctx, action: str, arg: str) -> Next:
        if action == "items":
            paging.reset(ctx, ITEMS_PAGE)
            return Goto("confirm_items")
        act = current_act(ctx)
        skp = await find_skp(ctx)
        if action != "yes" or act is None or skp is None:
            ctx.data.pop(ACT_KEY, None)
            return back
        try:
            done = await ACTS[act].run(ctx.tx, skp.id, arg_number(arg))
        except Refused as exc:
            if exc.reason is Refusal.STALE:
                # Changed since the screen was drawn: the screen again, as the SKP is now.
                ctx.say("skp_confirm_changed")
                return Stay()
            ctx.data.pop(ACT_KEY, None)
            ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
            return back
        ctx.data.pop(ACT_KEY, None)
        paging.reset(ctx, ITEMS_PAGE)
        return await after(ctx, act, done)

    async def items_view(ctx: Ctx) -> dict[str, Any]:
        skp = await find_skp(ctx)
        rows = await items_of(ctx.tx, skp.id) if skp is not None else []
        page = paging.paged(ctx, ITEMS_PAGE, rows, 1)
        row = page.items[0] if page.items else None
        return {
            "row": row,
            "count": len(rows),
            "page": page,
            "jenis_label": jenis_label(ctx, row.jenis) if row is not None else "",
            "aspek_label": ctx.texts.label(f"aspek_{row.aspek.value}") if row is not None else "",
        }

    def items_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
        return [paging.page_row(view["page"]), [Choice("back", "back_to_confirm")]]

    async def on_items(ctx: Ctx, action: str, arg: str) -> Next:
        if paging.turned(ctx, action, arg):
            return Stay()
        return Goto("confirm")

    return [
        Step(
            "confirm",
            "skp_confirm",
            view=confirm_view,
            choices=confirm_choices,
            on_choice=on_confirm,
        ),
        Step(
            "confirm_items",
            "skp_item",
            view=items_view,
            choices=items_choices,
            on_choice=on_items,
        ),
    ]

"""The dialog kinerja of one SKP as a list of its own, a page at a time: every expectation
(with the employee's answer) and every resource need. An overview quotes the dialog in full
while it is short (`LOG_INLINE` entries) and otherwise counts it, with a button to this
screen. Both sides use it: /skp for the employee, /persetujuan for the leader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.db.models import ExpectationKind, Skp, SkpExpectation, SkpResource
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.services import skp as store
from bot.usecases import agreements
from conversations import paging

# Entries an overview quotes in full; beyond that it shows the counts and offers the log.
LOG_INLINE = 4
# Entries a page of the log shows (each quoted up to ~800 characters).
LOG_PAGE = 4
PAGE_KEY = "log"


def entries(
    expectations: list[SkpExpectation], resources: list[SkpResource]
) -> list[tuple[str, Any]]:
    """What the log lists: expectations (revision notes travel with the revision) and needs."""
    shown = [("exp", e) for e in expectations if e.kind is not ExpectationKind.REVISI]
    return [*shown, *(("res", r) for r in resources)]


def log_choice(count: int) -> list[Choice]:
    """The overview's button to the log, when the dialog is too long to quote there."""
    if count <= LOG_INLINE:
        return []
    return [Choice("dialog_log", "dialog_log", values=(("count", count),))]


def log_step(skp_of: Callable[[Ctx], Awaitable[Skp | None]], back: str) -> Step:
    """The "dialog" step of a flow whose SKP `skp_of` finds; "back" returns to step `back`."""

    async def view(ctx: Ctx) -> dict[str, Any]:
        skp = await skp_of(ctx)
        if skp is None:
            return {"skp": None, "page": paging.paged(ctx, PAGE_KEY, [], LOG_PAGE)}
        listed = entries(
            await agreements.expectations_of(ctx.session, skp.id),
            await agreements.resources_of(ctx.session, skp.id),
        )
        rows = await store.items_of(ctx.session, skp.id)
        return {
            "skp": skp,
            "employee": skp.employee,
            "page": paging.paged(ctx, PAGE_KEY, listed, LOG_PAGE),
            "positions": {r.id: r.position for r in rows},
            "value_names": {v["code"]: v["name"] for v in ctx.texts.berakhlak},
            "categories": {c: ctx.texts.label(f"res_{c}") for c in agreements.RESOURCE_CATEGORIES},
        }

    def choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
        return [paging.page_row(view["page"]), [Choice("back", "back")]]

    async def on_choice(ctx: Ctx, action: str, arg: str) -> Next:
        if paging.turned(ctx, action, arg):
            return Stay()
        paging.reset(ctx, PAGE_KEY)
        return Goto(back)

    return Step("dialog", "dialog_log", view=view, choices=choices, on_choice=on_choice)

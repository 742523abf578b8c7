"""What the /persetujuan (flow "tinjau") modules share: the SKP under review, the plain back
button that returns to it, and the note a decision leaves on top of the review screen."""

from __future__ import annotations

from typing import Any

from bot.db.models import Skp, SkpExpectation, SkpItem, SkpResource
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next
from bot.usecases.base import Refused
from bot.usecases.loading import load_skp, party

BACK = Choice("back", "back")


async def reviewed(ctx: Ctx) -> Skp | None:
    """The SKP under review, if the actor is (still) its employee's pejabat penilai."""
    skp_id = ctx.data.get("skp_id")
    if not isinstance(skp_id, int):
        return None
    try:
        # Locked at once (on PostgreSQL): a decision in this step then needs no second read.
        skp = await load_skp(ctx.tx, skp_id)
    except Refused:
        return None
    return skp if party(ctx.tx, skp).value == "penilai" else None


async def on_back_home(ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("home")


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


async def say_counter_decided(ctx: Ctx, row: SkpExpectation, accepted: bool) -> None:
    """The decision ("Usulan diterima; target butir 7 menjadi 85%.") on top of the screen
    that follows."""
    item = await ctx.session.get(SkpItem, row.item_id) if row.item_id is not None else None
    ctx.say("decision_note", expectation=row, item=item, accepted=accepted, resource=None)


def say_resource_decided(ctx: Ctx, row: SkpResource, agreed: bool) -> None:
    category = ctx.texts.label(f"res_{row.category}")
    ctx.say("decision_note", resource=row, category=category, accepted=agreed, expectation=None)

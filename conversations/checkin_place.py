"""Where a person's check-in stands: the period in force, its policy, the person's set SKP
and the round's key, and the SKP's standing in that round (shared by the check-in, its
evidence and the rencana aksi screens)."""

from __future__ import annotations

from typing import Any

from bot.db.models import Period, Skp
from bot.domain import progress as rules
from bot.domain.policy import Policy
from bot.engine.context import Ctx
from bot.services import progress as read
from conversations.period import period_in_force, policy_in_force


async def where(ctx: Ctx) -> tuple[Period, Policy, Skp, str] | None:
    """The period, its policy, the actor's set SKP and the round's key (None: nothing set)."""
    if "checkin" not in ctx.memo:
        found = None
        period = await period_in_force(ctx)
        if period is not None:
            skp = await read.set_skp(ctx.session, ctx.actor.id, period.id)
            if skp is not None:
                policy = await policy_in_force(ctx)
                today = ctx.now.astimezone(ctx.texts.tz).date()
                key = rules.period_key(today, policy.progress.checkin_interval_months)
                found = (period, policy, skp, key)
        ctx.memo["checkin"] = found
    result: tuple[Period, Policy, Skp, str] | None = ctx.memo["checkin"]
    return result


def month_name(ctx: Ctx, key: str) -> str:
    return ctx.texts.label(f"month_{rules.key_month(key)}") + f" {key[:4]}"


async def standing_of(ctx: Ctx) -> read.Standing | None:
    place = await where(ctx)
    if place is None:
        return None
    _period, policy, skp, key = place
    [standing] = await read.standings(ctx.session, [skp], key, policy.progress)
    return standing


async def item_line(ctx: Ctx) -> read.ItemLine | None:
    standing = await standing_of(ctx)
    if standing is None:
        return None
    wanted = ctx.data.get("item")
    return next((ln for ln in standing.lines if ln.item.id == wanted), None)


def confirm(ctx: Ctx, key: str, **values: Any) -> None:
    """A change taken: the toast of a button press, and a note on top of the next screen (a
    typed message has no toast to answer it with)."""
    ctx.notice(key, **values)
    ctx.say("progress_saved", text=ctx.texts.label(key, **values))

"""The period in force and its policy, looked up once per update (a step's handler and the
next step's view often both need them)."""

from __future__ import annotations

from bot.db.models import Period
from bot.domain.policy import Policy, default_policy
from bot.engine.context import Ctx
from bot.services import skp as store


async def period_in_force(ctx: Ctx) -> Period | None:
    if "period" not in ctx.memo:
        today = ctx.now.date()
        ctx.memo["period"] = (
            await ctx.catalog.period(ctx.session, today, ctx.stamp)
            if ctx.catalog is not None
            else await store.current_period(ctx.session, today)
        )
    period: Period | None = ctx.memo["period"]
    return period


async def policy_in_force(ctx: Ctx) -> Policy:
    if "policy" not in ctx.memo:
        period = await period_in_force(ctx)
        if ctx.catalog is not None:
            ctx.memo["policy"] = await ctx.catalog.policy(ctx.session, period)
        else:
            ctx.memo["policy"] = (
                default_policy() if period is None else await store.policy_for(ctx.session, period)
            )
    policy: Policy = ctx.memo["policy"]
    return policy

"""The year in progress in a person's own data export ("Data saya"): per SKP version, the
action plan and its agreement, the trajectories, the check-ins with their realisations and
evidence (Telegram file ids and names, not the files), and the feedback received."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ActionPlan,
    CheckIn,
    Evidence,
    Feedback,
    ItemTrajectory,
    PlanAgreement,
    Realisation,
    SkpItem,
)


async def progress_of(session: AsyncSession, skp_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    from bot.documents.privacy_export import row, rows

    ids = list(skp_ids)
    found: dict[int, dict[str, Any]] = defaultdict(
        lambda: {
            "plan": None,
            "actions": [],
            "trajectories": [],
            "check_ins": [],
            "feedback": [],
        }
    )
    if not ids:
        return found

    async def every(query: Any) -> list[Any]:
        return list((await session.execute(query)).all())

    for plan in (
        await session.execute(select(PlanAgreement).where(PlanAgreement.skp_id.in_(ids)))
    ).scalars():
        found[plan.skp_id]["plan"] = row(plan)
    for action, skp_id in await every(
        select(ActionPlan, SkpItem.skp_id)
        .join(SkpItem, SkpItem.id == ActionPlan.item_id)
        .where(SkpItem.skp_id.in_(ids))
        .order_by(ActionPlan.item_id, ActionPlan.position)
    ):
        found[skp_id]["actions"].extend(rows([action]))
    for trajectory, skp_id in await every(
        select(ItemTrajectory, SkpItem.skp_id)
        .join(SkpItem, SkpItem.id == ItemTrajectory.item_id)
        .where(SkpItem.skp_id.in_(ids))
        .order_by(ItemTrajectory.item_id, ItemTrajectory.quarter)
    ):
        found[skp_id]["trajectories"].extend(rows([trajectory]))
    check_ins = list(
        (
            await session.execute(
                select(CheckIn).where(CheckIn.skp_id.in_(ids)).order_by(CheckIn.period_key)
            )
        ).scalars()
    )
    check_in_ids = [c.id for c in check_ins]
    realisations: dict[int, list[Any]] = defaultdict(list)
    for r in (
        await session.execute(
            select(Realisation)
            .where(Realisation.check_in_id.in_(check_in_ids))
            .order_by(Realisation.id)
        )
    ).scalars():
        realisations[r.check_in_id].append(r)
    evidence: dict[int, list[Any]] = defaultdict(list)
    for e in (
        await session.execute(
            select(Evidence).where(Evidence.check_in_id.in_(check_in_ids)).order_by(Evidence.id)
        )
    ).scalars():
        evidence[e.check_in_id].append(e)
    for c in check_ins:
        data = row(c) or {}
        data["realisations"] = rows(realisations[c.id])
        data["evidence"] = rows(evidence[c.id])
        found[c.skp_id]["check_ins"].append(data)
    for f in (
        await session.execute(
            select(Feedback)
            .where(Feedback.skp_id.in_(ids))
            .order_by(Feedback.created_at, Feedback.id)
        )
    ).scalars():
        found[f.skp_id]["feedback"].extend(rows([f]))
    return found

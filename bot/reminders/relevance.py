"""Whether a planned reminder is still worth sending, checked just before it goes out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Employee, Skp, SkpItem, SkpStatus

OPEN = (SkpStatus.DRAFT, SkpStatus.REVISION)


async def _latest(session: AsyncSession, employee_id: int, period_id: int) -> Skp | None:
    return (
        await session.execute(
            select(Skp)
            .where(Skp.employee_id == employee_id, Skp.period_id == period_id)
            .order_by(Skp.number.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def still_relevant(session: AsyncSession, unless: dict[str, Any]) -> bool:
    kind = unless.get("kind")
    if kind == "submitted":
        skp = await _latest(session, int(unless["employee_id"]), int(unless["period_id"]))
        return skp is None or skp.status in OPEN
    if kind == "has_plan":
        skp = await _latest(session, int(unless["employee_id"]), int(unless["period_id"]))
        if skp is None:
            return True
        items = await session.scalar(
            select(func.count()).select_from(SkpItem).where(SkpItem.skp_id == skp.id)
        )
        return not items
    if kind == "nothing_waiting":
        return bool(
            await session.scalar(
                select(
                    exists()
                    .where(Skp.employee_id == Employee.id)
                    .where(
                        Employee.penilai_id == int(unless["leader_id"]),
                        Skp.status.in_((SkpStatus.SUBMITTED, SkpStatus.SIGNED)),
                    )
                )
            )
        )
    return True

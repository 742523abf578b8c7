"""Whether a planned reminder is still worth sending, checked just before it goes out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Cascade, CheckIn, CheckInStatus, Employee, Skp, SkpStatus
from bot.services.skp import latest_skp

OPEN = (SkpStatus.DRAFT, SkpStatus.REVISION)


async def still_relevant(session: AsyncSession, unless: dict[str, Any]) -> bool:
    kind = unless.get("kind")
    if kind == "submitted":
        skp = await latest_skp(session, int(unless["employee_id"]), int(unless["period_id"]))
        return skp is None or skp.status in OPEN
    if kind == "cascaded":
        sent = await session.scalar(
            select(
                exists().where(
                    Cascade.leader_id == int(unless["employee_id"]),
                    Cascade.period_id == int(unless["period_id"]),
                    Cascade.sent_at.is_not(None),
                )
            )
        )
        return not sent
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
    if kind == "checked_in":
        sent = await session.scalar(
            select(
                exists().where(
                    CheckIn.employee_id == int(unless["employee_id"]),
                    CheckIn.period_key == str(unless["period_key"]),
                    CheckIn.status == CheckInStatus.SUBMITTED,
                    CheckIn.skp_id.in_(
                        select(Skp.id).where(Skp.period_id == int(unless["period_id"]))
                    ),
                )
            )
        )
        return not sent
    if kind == "evaluated":
        return await _evaluation_open(session, int(unless["leader_id"]), str(unless["period"]))
    return True


async def _evaluation_open(session: AsyncSession, leader_id: int, period: str) -> bool:
    """Whether the leader still has someone with a set SKP and no final evaluation."""
    from bot.db.models import Evaluation, EvaluationState

    final = exists().where(
        Evaluation.skp_id == Skp.id,
        Evaluation.period == period,
        Evaluation.state == EvaluationState.FINAL,
    )
    return bool(
        await session.scalar(
            select(
                exists()
                .where(Skp.employee_id == Employee.id)
                .where(
                    Employee.penilai_id == leader_id,
                    Skp.status == SkpStatus.SET,
                    ~final,
                )
            )
        )
    )

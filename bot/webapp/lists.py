"""The dashboard's lists: the people who cannot be reached and the open data reports, within
the units a person may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DataReport, Employee, LinkStatus, ReportStatus, TelegramLink, Unit


async def unreachable(
    session: AsyncSession, unit_ids: Iterable[int], limit: int = 200
) -> list[Any]:
    return list(
        (
            await session.execute(
                select(Employee.id, Employee.name, Employee.nip, Unit.name.label("unit"))
                .join(TelegramLink, TelegramLink.employee_id == Employee.id)
                .join(Unit, Unit.id == Employee.unit_id)
                .add_columns(TelegramLink.unreachable_since)
                .where(
                    TelegramLink.status == LinkStatus.ACTIVE,
                    TelegramLink.unreachable_since.is_not(None),
                    Employee.unit_id.in_(sorted(set(unit_ids))),
                )
                .order_by(TelegramLink.unreachable_since)
                .limit(limit)
            )
        ).all()
    )


async def open_reports(
    session: AsyncSession, unit_ids: Iterable[int], limit: int = 200
) -> list[Any]:
    return list(
        (
            await session.execute(
                select(
                    DataReport.field,
                    DataReport.note,
                    DataReport.created_at,
                    Employee.id.label("employee_id"),
                    Employee.name,
                    Unit.name.label("unit"),
                )
                .join(Employee, Employee.id == DataReport.employee_id)
                .join(Unit, Unit.id == Employee.unit_id)
                .where(
                    DataReport.status == ReportStatus.OPEN,
                    Employee.unit_id.in_(sorted(set(unit_ids))),
                )
                .order_by(DataReport.created_at)
                .limit(limit)
            )
        ).all()
    )

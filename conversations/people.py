"""Queries about people that several flows show."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import Employee, LinkStatus, RoleGrant, RoleName, TelegramLink


async def identity_card(session: AsyncSession, employee_id: int) -> dict[str, Any]:
    """Who the bot thinks someone is: the data an employee confirms at onboarding."""
    employee = (
        await session.execute(
            select(Employee)
            .options(joinedload(Employee.unit), joinedload(Employee.penilai))
            .where(Employee.id == employee_id)
        )
    ).scalar_one()
    return {"employee": employee, "unit": employee.unit, "penilai": employee.penilai}


async def linked_admin_ids(session: AsyncSession) -> list[int]:
    rows = await session.execute(
        select(RoleGrant.employee_id)
        .join(TelegramLink, TelegramLink.employee_id == RoleGrant.employee_id)
        .where(RoleGrant.role == RoleName.ADMIN, TelegramLink.status == LinkStatus.ACTIVE)
        .order_by(RoleGrant.employee_id)
    )
    return list(rows.scalars())

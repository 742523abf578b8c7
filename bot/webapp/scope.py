"""What a signed-in person may see: administrators every unit, a unit head the units they
head and the units below them. Decided from the database on every request, so a withdrawn
role or a new unit head takes effect at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Employee, RoleGrant, RoleName, Unit


@dataclass(frozen=True, slots=True)
class Scope:
    employee: Employee
    admin: bool
    unit_ids: frozenset[int]

    def sees(self, unit_id: int | None) -> bool:
        return unit_id is not None and unit_id in self.unit_ids


async def is_admin(session: AsyncSession, employee_id: int) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    RoleGrant.employee_id == employee_id, RoleGrant.role == RoleName.ADMIN
                )
            )
        )
    )


async def dashboard_scope(session: AsyncSession, employee_id: int) -> Scope | None:
    """The units the person may see on the dashboard; None: no dashboard for them."""
    employee = await session.get(Employee, employee_id)
    if employee is None or not employee.active:
        return None
    units = (await session.execute(select(Unit.id, Unit.parent_id, Unit.head_id))).all()
    if await is_admin(session, employee_id):
        return Scope(employee, True, frozenset(u.id for u in units))
    children: dict[int | None, list[int]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u.id)
    seen: set[int] = set()
    todo = [u.id for u in units if u.head_id == employee_id]
    while todo:
        unit_id = todo.pop()
        if unit_id not in seen:
            seen.add(unit_id)
            todo.extend(children.get(unit_id, []))
    if not seen:
        return None
    return Scope(employee, False, frozenset(seen))

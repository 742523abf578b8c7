"""The PRIMA cascade on the server: a leader's strategies, activities and roles for one of
their SKP items (a role: a person, the RHK the leader writes for them, an IKI and a target;
one person may hold several roles under one activity), the MPPH matrix, and the indicators of
a unit head's Perjanjian Kinerja (bot.usecases.unit_head fills the SKP from them). The checks
live in bot.services.cascade_checks, sending the roles as draft items in
bot.services.cascade_send."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeMethod,
    Employee,
    Indicator,
    IndicatorKind,
    Period,
    SkpItem,
    Unit,
    UnitIndicator,
    UnitIndicatorRole,
)
from bot.db.models import CascadeStrategy as Strategy
from bot.services import skp as store


async def open_cascade(
    session: AsyncSession, leader_id: int, period: Period, item: SkpItem, now: datetime
) -> Cascade:
    found = (
        await session.execute(select(Cascade).where(Cascade.source_item_id == item.id))
    ).scalar_one_or_none()
    if found is None:
        found = Cascade(
            leader_id=leader_id, period_id=period.id, source_item_id=item.id, created_at=now
        )
        session.add(found)
        await session.flush()
    return found


async def reports_of(session: AsyncSession, leader_id: int) -> list[Employee]:
    """Whom a leader can give a role: the people they are pejabat penilai of."""
    rows = await session.execute(
        select(Employee)
        .where(Employee.penilai_id == leader_id, Employee.active.is_(True))
        .order_by(Employee.name)
    )
    return list(rows.scalars())


@dataclass
class ActivityNode:
    activity: CascadeActivity
    assignments: list[CascadeAssignment] = field(default_factory=list)


@dataclass
class StrategyNode:
    strategy: Strategy
    activities: list[ActivityNode] = field(default_factory=list)


async def tree(session: AsyncSession, cascade_id: int) -> list[StrategyNode]:
    strategies = (
        await session.execute(
            select(Strategy)
            .where(Strategy.cascade_id == cascade_id)
            .order_by(Strategy.position, Strategy.id)
        )
    ).scalars()
    nodes = [StrategyNode(s) for s in strategies]
    by_id = {n.strategy.id: n for n in nodes}
    activities = (
        await session.execute(
            select(CascadeActivity)
            .where(CascadeActivity.strategy_id.in_(by_id))
            .order_by(CascadeActivity.position, CascadeActivity.id)
        )
    ).scalars()
    act_nodes: dict[int, ActivityNode] = {}
    for activity in activities:
        node = ActivityNode(activity)
        act_nodes[activity.id] = node
        by_id[activity.strategy_id].activities.append(node)
    assignments = (
        await session.execute(
            select(CascadeAssignment)
            .where(CascadeAssignment.activity_id.in_(act_nodes))
            .order_by(CascadeAssignment.id)
        )
    ).scalars()
    for assignment in assignments:
        act_nodes[assignment.activity_id].assignments.append(assignment)
    for node in act_nodes.values():
        # one person's roles together, people in the order they were first given one
        first: dict[int, int] = {}
        for index, a in enumerate(node.assignments):
            first.setdefault(a.assignee_id, index)
        node.assignments.sort(key=lambda a: first[a.assignee_id])
    return nodes


async def add_strategy(session: AsyncSession, cascade: Cascade, text: str) -> Strategy:
    count = await session.scalar(
        select(func.count()).select_from(Strategy).where(Strategy.cascade_id == cascade.id)
    )
    row = Strategy(cascade_id=cascade.id, position=int(count or 0) + 1, text=text)
    session.add(row)
    await session.flush()
    return row


async def add_activity(session: AsyncSession, strategy: Strategy, text: str) -> CascadeActivity:
    count = await session.scalar(
        select(func.count())
        .select_from(CascadeActivity)
        .where(CascadeActivity.strategy_id == strategy.id)
    )
    row = CascadeActivity(strategy_id=strategy.id, position=int(count or 0) + 1, text=text)
    session.add(row)
    await session.flush()
    return row


class AlreadySent(Exception):
    """A role under this strategy or activity is already a draft item in someone's SKP."""


async def _sent_under(session: AsyncSession, activity_ids: list[int]) -> bool:
    if not activity_ids:
        return False
    found = await session.scalar(
        select(func.count())
        .select_from(CascadeAssignment)
        .where(
            CascadeAssignment.activity_id.in_(activity_ids),
            CascadeAssignment.sent_at.is_not(None),
        )
    )
    return bool(found)


async def delete_strategy(session: AsyncSession, strategy: Strategy) -> int:
    """Removes a strategy with its activities and their (unsent) roles; the strategies after
    it move up. Returns how many activities went with it. `AlreadySent` when a role under it
    was sent: the draft item in the assignee's SKP stays theirs, so the plan keeps it too."""
    activity_ids = list(
        (
            await session.execute(
                select(CascadeActivity.id).where(CascadeActivity.strategy_id == strategy.id)
            )
        ).scalars()
    )
    if await _sent_under(session, activity_ids):
        raise AlreadySent
    if activity_ids:
        await session.execute(
            delete(CascadeAssignment).where(CascadeAssignment.activity_id.in_(activity_ids))
        )
        await session.execute(delete(CascadeActivity).where(CascadeActivity.id.in_(activity_ids)))
    cascade_id, position = strategy.cascade_id, strategy.position
    await session.delete(strategy)
    await session.flush()
    await session.execute(
        update(Strategy)
        .where(Strategy.cascade_id == cascade_id, Strategy.position > position)
        .values(position=Strategy.position - 1)
        .execution_options(synchronize_session="fetch")
    )
    return len(activity_ids)


async def delete_activity(session: AsyncSession, activity: CascadeActivity) -> None:
    """Removes an activity with its (unsent) roles; the activities after it move up.
    `AlreadySent` when one of its roles was sent."""
    if await _sent_under(session, [activity.id]):
        raise AlreadySent
    await session.execute(
        delete(CascadeAssignment).where(CascadeAssignment.activity_id == activity.id)
    )
    strategy_id, position = activity.strategy_id, activity.position
    await session.delete(activity)
    await session.flush()
    await session.execute(
        update(CascadeActivity)
        .where(CascadeActivity.strategy_id == strategy_id, CascadeActivity.position > position)
        .values(position=CascadeActivity.position - 1)
        .execution_options(synchronize_session="fetch")
    )


async def toggle_assignee(
    session: AsyncSession, activity: CascadeActivity, employee_id: int
) -> str:
    """Gives the person a role in the activity ("added"), or takes back their roles that were
    not sent yet ("removed"); roles already sent stay theirs ("sent": nothing to take back)."""
    found = list(
        (
            await session.execute(
                select(CascadeAssignment).where(
                    CascadeAssignment.activity_id == activity.id,
                    CascadeAssignment.assignee_id == employee_id,
                )
            )
        ).scalars()
    )
    if not found:
        await add_role(session, activity.id, employee_id, None)
        return "added"
    unsent = [row for row in found if row.sent_at is None]
    for row in unsent:
        await session.delete(row)
    return "removed" if unsent else "sent"


async def add_role(
    session: AsyncSession, activity_id: int, employee_id: int, method: CascadeMethod | None
) -> CascadeAssignment:
    """One more role (another IKI) for the person in the activity."""
    row = CascadeAssignment(activity_id=activity_id, assignee_id=employee_id, method=method)
    session.add(row)
    await session.flush()
    return row


async def delete_role(session: AsyncSession, row: CascadeAssignment) -> None:
    """Removes a role not sent yet (`AlreadySent` otherwise: the draft item is the assignee's)."""
    if row.sent_at is not None:
        raise AlreadySent
    await session.delete(row)
    await session.flush()


def complete(role: CascadeAssignment) -> bool:
    """Whether the role can be sent: its RHK, IKI and target are set."""
    return bool(role.rhk and role.iki and role.target_value is not None)


def proposal_digest(role: CascadeAssignment) -> str:
    """A short fingerprint of what the leader proposes in a role (RHK, IKI, target): a changed
    proposal is asked about once, and a button under an older proposal is known stale."""
    target = "" if role.target_value is None else f"{role.target_value.normalize():f}"
    text = f"{role.rhk}|{role.iki}|{target}|{role.satuan}"
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def digest_version(*digests: str) -> int:
    """Digests folded into a callback's version field (at most 9 digits)."""
    joined = hashlib.sha1("|".join(digests).encode()).hexdigest()
    return int(joined[:12], 16) % 1_000_000_000


# -- the MPPH --------------------------------------------------------------------------------


@dataclass
class Mpph:
    leader: Employee
    columns: list[SkpItem]  # the leader's items (their RHK / IKI)
    rows: list[Employee]  # the people, with their jabatan
    cells: dict[tuple[int, int], list[str]]  # (person, item) -> peran hasil


async def mpph(session: AsyncSession, leader: Employee, period: Period) -> Mpph:
    skp = await store.latest_skp(session, leader.id, period.id)
    columns = await store.items_of(session, skp.id) if skp is not None else []
    people = await reports_of(session, leader.id)
    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    rows = await session.execute(
        select(Cascade.source_item_id, CascadeAssignment, CascadeActivity.text)
        .join(Strategy, Strategy.cascade_id == Cascade.id)
        .join(CascadeActivity, CascadeActivity.strategy_id == Strategy.id)
        .join(CascadeAssignment, CascadeAssignment.activity_id == CascadeActivity.id)
        .where(Cascade.leader_id == leader.id, Cascade.period_id == period.id)
        .order_by(CascadeAssignment.id)
    )
    for source_id, assignment, activity in rows:
        # The peran hasil is the role's RHK (Rencana Kinerja), as the deck's MPPH shows it;
        # two IKI under one RHK are one cell entry.
        role = assignment.rhk or assignment.iki or activity
        cell = cells[(assignment.assignee_id, source_id)]
        if role not in cell:
            cell.append(role)
    return Mpph(leader, columns, people, dict(cells))


async def leaders_with_cascades(
    session: AsyncSession, people: list[Employee], period: Period
) -> list[Employee]:
    ids = set(
        (
            await session.execute(
                select(Cascade.leader_id).where(
                    Cascade.period_id == period.id,
                    Cascade.leader_id.in_([p.id for p in people]),
                )
            )
        ).scalars()
    )
    return [p for p in people if p.id in ids]


# -- a unit head's PK --------------------------------------------------------------------------

PK_KINDS = (IndicatorKind.IKK, IndicatorKind.IKM, IndicatorKind.IKD)
# A cascade is a handful of levels (IT → ISS → IKP → IKK); this only stops a broken chain.
MAX_ANCESTORS = 12


@dataclass(frozen=True, slots=True)
class PkIndicator:
    """One indicator of a unit head's PK (IKK, IKM, IKD of the unit they head) and the chain
    above it, nearest first (e.g. IKP 33.3, ISS 33, IT 6)."""

    indicator: Indicator
    ancestors: tuple[Indicator, ...]


def _pk_order(ind: Indicator) -> tuple[Any, ...]:
    """As the PK lists them: IKK, IKM, IKD, each by code with numbers compared as numbers
    (IKK 5.1.9 before IKK 5.1.10)."""
    parts = re.split(r"(\d+)", ind.code)
    return (PK_KINDS.index(ind.kind), *((0, int(p)) if p.isdigit() else (1, p) for p in parts))


async def pk_indicators(session: AsyncSession, head_id: int, period: Period) -> list[PkIndicator]:
    """The PK of the unit the employee heads: the indicators the unit owns for the period."""
    unit = (await session.execute(select(Unit).where(Unit.head_id == head_id))).scalars().first()
    if unit is None:
        return []
    indicators = list(
        (
            await session.execute(
                select(Indicator)
                .join(UnitIndicator, UnitIndicator.indicator_id == Indicator.id)
                .where(
                    UnitIndicator.unit_id == unit.id,
                    UnitIndicator.role == UnitIndicatorRole.OWNER,
                    Indicator.period_id == period.id,
                    Indicator.kind.in_(list(PK_KINDS)),
                )
            )
        ).scalars()
    )
    found = []
    for ind in sorted(indicators, key=_pk_order):
        chain: list[Indicator] = []
        seen = {ind.id}
        parent_id = ind.parent_id
        while parent_id is not None and parent_id not in seen and len(chain) < MAX_ANCESTORS:
            parent = await session.get(Indicator, parent_id)
            if parent is None:
                break
            chain.append(parent)
            seen.add(parent.id)
            parent_id = parent.parent_id
        found.append(PkIndicator(ind, tuple(chain)))
    return found

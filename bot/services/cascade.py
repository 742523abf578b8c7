"""The PRIMA cascade on the server: a leader's strategies, activities and assignments for one
of their SKP items, the checks (coverage, duplication, sums, people without a role), sending
the proposals as pre-filled draft items in the assignees' SKPs, the MPPH matrix, and the
indicators of a unit head's Perjanjian Kinerja (bot.usecases.unit_head fills the SKP from them)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DIRECT_METHODS,
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeMethod,
    Employee,
    Indicator,
    IndicatorKind,
    Period,
    Skp,
    SkpItem,
    Unit,
    UnitIndicator,
    UnitIndicatorRole,
)
from bot.db.models import CascadeStrategy as Strategy
from bot.domain.policy import Aspek, Policy
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
) -> CascadeAssignment | None:
    """Adds the person to the activity, or removes them if their role was not sent yet.
    Returns the new assignment (None when removed or kept)."""
    found = (
        await session.execute(
            select(CascadeAssignment).where(
                CascadeAssignment.activity_id == activity.id,
                CascadeAssignment.assignee_id == employee_id,
            )
        )
    ).scalar_one_or_none()
    if found is None:
        row = CascadeAssignment(activity_id=activity.id, assignee_id=employee_id)
        session.add(row)
        await session.flush()
        return row
    if found.sent_at is None:
        await session.delete(found)
    return None


# -- checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CascadeFinding:
    code: str
    params: dict[str, Any]


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


async def check(
    session: AsyncSession, cascade: Cascade, nodes: list[StrategyNode]
) -> list[CascadeFinding]:
    found: list[CascadeFinding] = []
    source = await session.get(SkpItem, cascade.source_item_id)
    for s_no, strategy in enumerate(nodes, start=1):
        if not strategy.activities:
            found.append(CascadeFinding("strategy_without_activity", {"strategy": s_no}))
        for a_no, act in enumerate(strategy.activities, start=1):
            label = f"{s_no}.{a_no}"
            if not act.assignments:
                found.append(CascadeFinding("activity_uncovered", {"activity": label}))
            incomplete = [a for a in act.assignments if not a.iki or a.target_value is None]
            if incomplete:
                found.append(
                    CascadeFinding(
                        "assignment_incomplete", {"activity": label, "count": len(incomplete)}
                    )
                )
    assignments = [a for s in nodes for act in s.activities for a in act.assignments]
    seen: dict[str, CascadeAssignment] = {}
    for a in assignments:
        key = _norm(a.iki)
        if not key:
            continue
        other = seen.get(key)
        undivided = a.method not in DIRECT_METHODS or (other and other.method != a.method)
        if other is not None and other.assignee_id != a.assignee_id and undivided:
            found.append(CascadeFinding("duplicate_result", {"iki": a.iki[:80]}))
        seen.setdefault(key, a)
    parent = source.target_value if source is not None else None
    for method, code in ((CascadeMethod.BEBAN, "split_sum"), (CascadeMethod.ASPEK, "aspect_sum")):
        parts = [a.target_value for a in assignments if a.method is method and a.target_value]
        if parts and parent is not None:
            total = sum(parts, Decimal(0))
            if code == "aspect_sum" or total != parent:
                found.append(CascadeFinding(code, {"total": total, "parent": parent}))
    assigned = {a.assignee_id for a in assignments}
    others = await _assigned_elsewhere(session, cascade)
    for person in await reports_of(session, cascade.leader_id):
        if person.id not in assigned and person.id not in others:
            found.append(CascadeFinding("no_role", {"name": person.name}))
    return found


async def _assigned_elsewhere(session: AsyncSession, cascade: Cascade) -> set[int]:
    """People with a role in the leader's other cascades of the period."""
    rows = await session.execute(
        select(CascadeAssignment.assignee_id)
        .join(CascadeActivity, CascadeActivity.id == CascadeAssignment.activity_id)
        .join(Strategy, Strategy.id == CascadeActivity.strategy_id)
        .join(Cascade, Cascade.id == Strategy.cascade_id)
        .where(
            Cascade.leader_id == cascade.leader_id,
            Cascade.period_id == cascade.period_id,
            Cascade.id != cascade.id,
        )
    )
    return set(rows.scalars())


# -- sending the proposals ---------------------------------------------------------------------


@dataclass
class Sent:
    created: list[tuple[CascadeAssignment, SkpItem]] = field(default_factory=list)
    changed: list[CascadeAssignment] = field(default_factory=list)
    skipped: list[CascadeAssignment] = field(default_factory=list)


def _fields_for(
    assignment: CascadeAssignment, activity: CascadeActivity, source: SkpItem, policy: Policy
) -> store.ItemFields:
    direct = assignment.method in DIRECT_METHODS
    jenis = (
        policy.cascade_jenis
        if direct
        else next(
            (
                code
                for code in policy.jenis
                if code not in (policy.cascade_jenis,) and policy.is_core(code)
            ),
            policy.cascade_jenis,
        )
    )
    return store.ItemFields(
        jenis=jenis,
        rhk=activity.text,
        aspek=Aspek.KUANTITAS,
        iki=assignment.iki,
        target=assignment.target_value or Decimal(0),
        satuan=assignment.satuan,
        bobot=Decimal(0),
        leader_item_id=source.id,
        leader_rhk=source.rhk,
    )


async def send(
    session: AsyncSession,
    cascade: Cascade,
    nodes: list[StrategyNode],
    period: Period,
    policy: Policy,
    now: datetime,
) -> Sent:
    """Every complete assignment not sent yet becomes a draft item in the assignee's SKP
    (one action for the whole team, in a handful of statements whatever the team's size). A
    sent one that changed since is only reported: the assignee is asked, their draft is never
    changed silently."""
    result = Sent()
    source = await session.get(SkpItem, cascade.source_item_id)
    assert source is not None
    pending: list[tuple[CascadeAssignment, CascadeActivity]] = []
    drafted: list[CascadeAssignment] = []
    for strategy in nodes:
        for act in strategy.activities:
            for a in act.assignments:
                if not a.iki or a.target_value is None:
                    result.skipped.append(a)
                elif a.draft_item_id is not None:
                    drafted.append(a)
                else:
                    pending.append((a, act.activity))
    if drafted:
        items = {
            i.id: i
            for i in (
                await session.execute(
                    select(SkpItem).where(SkpItem.id.in_([a.draft_item_id for a in drafted]))
                )
            ).scalars()
        }
        for a in drafted:
            item = items.get(a.draft_item_id or 0)
            if item is not None and (
                _norm(item.iki) != _norm(a.iki) or item.target_value != a.target_value
            ):
                result.changed.append(a)
    if pending:
        skps = await _skps_for(session, {a.assignee_id for a, _ in pending}, period, policy, now)
        next_position = await _next_positions(session, [s.id for s in skps.values()])
        created: list[tuple[CascadeAssignment, SkpItem]] = []
        for a, activity in pending:
            skp = skps[a.assignee_id]
            if not store.is_editable(skp):
                result.skipped.append(a)
                continue
            fields = _fields_for(a, activity, source, policy)
            item = SkpItem(skp_id=skp.id, position=next_position[skp.id], created_at=now)
            next_position[skp.id] += 1
            store.fill(item, fields, now)
            item.bobot = None  # the assignee weighs it in the dialog
            store.touch(skp, now)
            session.add(item)
            created.append((a, item))
        await session.flush()
        for a, item in created:
            a.draft_item_id = item.id
            a.sent_at = now
        result.created = created
    cascade.sent_at = now
    return result


async def _skps_for(
    session: AsyncSession, employee_ids: set[int], period: Period, policy: Policy, now: datetime
) -> dict[int, Skp]:
    """Each employee's current SKP of the period, created (empty) where missing."""
    found: dict[int, Skp] = {}
    rows = await session.execute(
        select(Skp)
        .where(Skp.period_id == period.id, Skp.employee_id.in_(employee_ids))
        .order_by(Skp.employee_id, Skp.number)
    )
    for skp in rows.scalars():
        found[skp.employee_id] = skp  # the highest number wins
    missing = employee_ids - set(found)
    if missing:
        for employee_id in sorted(missing):
            found[employee_id] = store.new_skp(employee_id, period.id, now, policy)
            session.add(found[employee_id])
        await session.flush()
    return found


async def _next_positions(session: AsyncSession, skp_ids: list[int]) -> dict[int, int]:
    positions = dict.fromkeys(skp_ids, 1)
    rows = await session.execute(
        select(SkpItem.skp_id, func.max(SkpItem.position))
        .where(SkpItem.skp_id.in_(skp_ids))
        .group_by(SkpItem.skp_id)
    )
    for skp_id, highest in rows:
        positions[skp_id] = int(highest) + 1
    return positions


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
        role = assignment.iki or activity
        cells[(assignment.assignee_id, source_id)].append(role)
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

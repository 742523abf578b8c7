"""Sending a PRIMA cascade: every complete role not sent yet becomes a draft item in the
assignee's SKP (the role's RHK and IKI, its target, the leader's RHK it intervenes, the aspek
read from the IKI, the weight left to the dialog); a sent role whose proposal changed since is
only reported, the assignee decides (bot.usecases.cascade).

An SKP that is no longer a draft (submitted, agreed, signed, set) is never written into: the
roles for it are held, each with the SKP's status, so the leader is told per person why (a set
SKP changes only through a Perubahan SKP). The A screen asks `holds` before a send, the send
decides by the same rule (`store.is_editable`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DIRECT_METHODS,
    EDITABLE_STATUSES,
    Cascade,
    CascadeAssignment,
    Period,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.domain import skp_rules as rules
from bot.domain.policy import Policy
from bot.services import skp as store
from bot.services.cascade import StrategyNode, complete


@dataclass
class Sent:
    created: list[tuple[CascadeAssignment, SkpItem]] = field(default_factory=list)
    # Sent roles whose proposal now differs from the assignee's draft item.
    changed: list[tuple[CascadeAssignment, SkpItem]] = field(default_factory=list)
    # Roles not complete yet (RHK, IKI or target missing).
    incomplete: list[CascadeAssignment] = field(default_factory=list)
    # Roles held because the SKP they would go into is not a draft any more, with its status.
    held: list[tuple[CascadeAssignment, SkpStatus]] = field(default_factory=list)
    # Filled by bot.usecases.cascade: changed proposals the assignee was asked about by an
    # earlier send (not asked again), and assignees told now who have no Telegram link yet.
    asked_before: list[CascadeAssignment] = field(default_factory=list)
    unlinked: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> list[CascadeAssignment]:
        return self.incomplete + [a for a, _status in self.held]

    @property
    def newly_changed(self) -> int:
        return len(self.changed) - len(self.asked_before)

    def assignees(self) -> list[int]:
        """Everyone this send has something for, in the order of their first role."""
        ids = [a.assignee_id for a, _item in self.created + self.changed]
        return list(dict.fromkeys(ids))

    def held_by_person(self) -> list[tuple[int, SkpStatus, int]]:
        """(assignee, their SKP's status, how many roles) for the held roles, in order."""
        counts: dict[tuple[int, SkpStatus], int] = {}
        for a, status in self.held:
            counts[(a.assignee_id, status)] = counts.get((a.assignee_id, status), 0) + 1
        return [(who, status, n) for (who, status), n in counts.items()]


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def jenis_for(role: CascadeAssignment, policy: Policy) -> str:
    """A direct division is the policy's cascade type (CL); a non-direct one the first other
    core type (TUSI)."""
    if role.method in DIRECT_METHODS:
        return policy.cascade_jenis
    return next(
        (c for c in policy.jenis if c != policy.cascade_jenis and policy.is_core(c)),
        policy.cascade_jenis,
    )


def fields_for(role: CascadeAssignment, source: SkpItem, policy: Policy) -> store.ItemFields:
    return store.ItemFields(
        jenis=jenis_for(role, policy),
        rhk=role.rhk,
        aspek=rules.aspek_of(policy, role.iki, role.satuan),
        iki=role.iki,
        target=role.target_value or Decimal(0),
        satuan=role.satuan,
        bobot=None,  # the assignee weighs it in the dialog
        leader_item_id=source.id,
        leader_rhk=source.rhk,
    )


def differs(role: CascadeAssignment, item: SkpItem) -> bool:
    """Whether the draft item no longer says what the role proposes."""
    return (
        _norm(item.rhk) != _norm(role.rhk)
        or _norm(item.iki) != _norm(role.iki)
        or item.target_value != role.target_value
        or _norm(item.satuan) != _norm(role.satuan)
    )


async def send(
    session: AsyncSession,
    cascade: Cascade,
    nodes: list[StrategyNode],
    period: Period,
    policy: Policy,
    now: datetime,
) -> Sent:
    """Every complete role not sent yet becomes a draft item in the assignee's SKP (one
    action for the whole team, in a handful of statements whatever the team's size). A sent
    one that changed since is only reported: the assignee is asked, their draft is never
    changed silently."""
    result = Sent()
    source = await session.get(SkpItem, cascade.source_item_id)
    assert source is not None
    pending: list[CascadeAssignment] = []
    drafted: list[CascadeAssignment] = []
    for strategy in nodes:
        for act in strategy.activities:
            for a in act.assignments:
                if not complete(a):
                    result.incomplete.append(a)
                elif a.draft_item_id is not None:
                    drafted.append(a)
                else:
                    pending.append(a)
    if drafted:
        ids = [a.draft_item_id for a in drafted]
        rows = await session.execute(
            select(SkpItem, Skp.status)
            .join(Skp, Skp.id == SkpItem.skp_id)
            .where(SkpItem.id.in_(ids))
        )
        items = {item.id: (item, status) for item, status in rows}
        for a in drafted:
            found = items.get(a.draft_item_id or 0)
            if found is None or not differs(a, found[0]):
                continue
            item, status = found
            if status in EDITABLE_STATUSES:
                result.changed.append((a, item))
            else:  # the draft item is in an SKP no longer a draft: it cannot be applied
                result.held.append((a, status))
    if pending:
        skps = await _skps_for(session, {a.assignee_id for a in pending}, period, policy, now)
        next_position = await _next_positions(session, [s.id for s in skps.values()])
        created: list[tuple[CascadeAssignment, SkpItem]] = []
        for a in pending:
            skp = skps[a.assignee_id]
            if not store.is_editable(skp):
                result.held.append((a, skp.status))
                continue
            item = SkpItem(skp_id=skp.id, position=next_position[skp.id], created_at=now)
            next_position[skp.id] += 1
            store.fill(item, fields_for(a, source, policy), now)
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


async def holds(
    session: AsyncSession, employee_ids: set[int], period: Period
) -> dict[int, SkpStatus]:
    """The people whose current SKP of the period is no longer a draft, with its status: a
    send holds their new roles (an SKP not there yet is created as a draft, so never held)."""
    if not employee_ids:
        return {}
    latest: dict[int, Skp] = {}
    rows = await session.execute(
        select(Skp)
        .where(Skp.period_id == period.id, Skp.employee_id.in_(employee_ids))
        .order_by(Skp.employee_id, Skp.number)
    )
    for skp in rows.scalars():
        latest[skp.employee_id] = skp  # the highest number wins
    return {who: skp.status for who, skp in latest.items() if not store.is_editable(skp)}


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

"""The checks of a PRIMA cascade before it is sent (every strategy has activities, every
activity someone, every role its RHK, IKI and target; no result given twice without a division
method; the beban split against the leader's target; people without a role), and the team's
targets summed per satuan. Targets are only added up within one satuan, and never in percent:
"2 NSPK + 2 Rumusan + 8 Kali", and a beban split is compared with the leader's target only when
both are counted in the same satuan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DIRECT_METHODS,
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeMethod,
    CascadeStrategy,
    SkpItem,
)
from bot.services.cascade import StrategyNode, complete, reports_of

PERCENT = "%"


@dataclass(frozen=True)
class CascadeFinding:
    code: str
    params: dict[str, Any]


@dataclass(frozen=True)
class TargetSums:
    """The roles' targets added up per satuan (first-seen order and spelling), and how many
    roles are in percent (a percentage is never added to anything)."""

    parts: list[tuple[Decimal, str]]
    percent: int

    def __bool__(self) -> bool:
        return bool(self.parts or self.percent)


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _unit(satuan: str) -> str:
    return _norm(satuan)


def target_sums(roles: Iterable[CascadeAssignment]) -> TargetSums:
    totals: dict[str, tuple[Decimal, str]] = {}
    percent = 0
    for role in roles:
        if role.target_value is None:
            continue
        key = _unit(role.satuan)
        if key == PERCENT:
            percent += 1
            continue
        value, spelling = totals.get(key, (Decimal(0), role.satuan))
        totals[key] = (value + role.target_value, spelling)
    return TargetSums(list(totals.values()), percent)


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
            incomplete = [a for a in act.assignments if not complete(a)]
            if incomplete:
                found.append(
                    CascadeFinding(
                        "assignment_incomplete", {"activity": label, "count": len(incomplete)}
                    )
                )
    roles = [a for s in nodes for act in s.activities for a in act.assignments]
    found += _duplicates(roles)
    if source is not None:
        found += split_findings(roles, source.target_value, source.satuan)
    assigned = {a.assignee_id for a in roles}
    others = await _assigned_elsewhere(session, cascade)
    for person in await reports_of(session, cascade.leader_id):
        if person.id not in assigned and person.id not in others:
            found.append(CascadeFinding("no_role", {"name": person.name}))
    return found


def _duplicates(roles: list[CascadeAssignment]) -> list[CascadeFinding]:
    """The same IKI for two people, unless both divide it the same direct way."""
    found = []
    seen: dict[str, CascadeAssignment] = {}
    for a in roles:
        key = _norm(a.iki)
        if not key:
            continue
        other = seen.get(key)
        undivided = a.method not in DIRECT_METHODS or (other and other.method != a.method)
        if other is not None and other.assignee_id != a.assignee_id and undivided:
            found.append(CascadeFinding("duplicate_result", {"iki": a.iki[:80]}))
        seen.setdefault(key, a)
    return found


def split_findings(
    roles: list[CascadeAssignment], parent: Decimal | None, parent_satuan: str
) -> list[CascadeFinding]:
    """A beban split divides the leader's RHK target (the cascade is one RHK): its parts are
    summed together, whatever IKI wording each part carries ("… wilayah barat", "… timur"),
    and must add up to the leader's target when they count in its satuan; parts in different
    satuan cannot be added at all. An aspect split in the leader's satuan is summed as a
    comparison. Percentages are never summed: each region's 100% is not a part of the
    leader's 100%."""
    found: list[CascadeFinding] = []
    unit = _unit(parent_satuan)
    beban = [
        a for a in roles if a.method is CascadeMethod.BEBAN and a.target_value is not None and a.iki
    ]
    units = {_unit(a.satuan): a.satuan for a in beban}
    if len(units) > 1:
        names = " dan ".join(sorted(s or "tanpa satuan" for s in units.values()))
        found.append(CascadeFinding("split_mixed_units", {"units": names}))
    elif beban and parent is not None and set(units) == {unit} and unit != PERCENT:
        total = sum((a.target_value or Decimal(0) for a in beban), Decimal(0))
        if total != parent:
            found.append(
                CascadeFinding(
                    "split_sum",
                    {
                        "total": total,
                        "parent": parent,
                        "satuan": parent_satuan,
                        "parts": len(beban),
                    },
                )
            )
    parts = [
        a.target_value
        for a in roles
        if a.method is CascadeMethod.ASPEK
        and a.target_value is not None
        and _unit(a.satuan) == unit
        and unit != PERCENT
    ]
    if parts and parent is not None:
        total = sum(parts, Decimal(0))
        found.append(
            CascadeFinding(
                "aspect_sum", {"total": total, "parent": parent, "satuan": parent_satuan}
            )
        )
    return found


async def _assigned_elsewhere(session: AsyncSession, cascade: Cascade) -> set[int]:
    """People with a role in the leader's other cascades of the period."""
    rows = await session.execute(
        select(CascadeAssignment.assignee_id)
        .join(CascadeActivity, CascadeActivity.id == CascadeAssignment.activity_id)
        .join(CascadeStrategy, CascadeStrategy.id == CascadeActivity.strategy_id)
        .join(Cascade, Cascade.id == CascadeStrategy.cascade_id)
        .where(
            Cascade.leader_id == cascade.leader_id,
            Cascade.period_id == cascade.period_id,
            Cascade.id != cascade.id,
        )
    )
    return set(rows.scalars())

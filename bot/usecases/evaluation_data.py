"""What an evaluation looks at, read from the year in progress: per item of the SKP, the
latest realisation reported in a submitted check-in up to the end of the evaluated period
(following the items a Perubahan SKP carried over), the target for the period (the quarter's
trajectory when one was agreed, else the yearly target), the capaian and the evidence sent;
and the weighted capaian over them. Read only; the evaluation stores the result as its
snapshot when it is saved."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    CheckIn,
    CheckInStatus,
    Employee,
    Evaluation,
    EvaluationState,
    Evidence,
    ItemTrajectory,
    Period,
    Realisation,
    Skp,
    SkpItem,
)
from bot.domain import evaluation as ev
from bot.domain import progress
from bot.domain.policy import Policy
from bot.services.progress import agreed_plans, scope_of
from bot.texts import angka, target_text
from bot.usecases.checks import policy_of

# Evidence names listed per item on the rating screen and in the snapshot.
EVIDENCE_SHOWN = 3
# A piece of evidence without a name, as the screens and documents call it.
EVIDENCE_WORDS = {"photo": "foto", "document": "dokumen", "link": "tautan"}


@dataclass(frozen=True, slots=True)
class ItemView:
    item: SkpItem
    target: Decimal | None
    realisation: Decimal | None
    typed: str
    capaian: Decimal | None
    evidence: list[str]
    evidence_count: int


@dataclass(frozen=True, slots=True)
class Standing:
    policy: Policy
    items: list[ItemView]
    weighted: ev.Weighted


def period_end_key(year: int, period: str) -> str | None:
    """The last check-in key an evaluation of `period` looks at ("TW2" → "2026-06")."""
    if period in ev.QUARTERS:
        return f"{year:04d}-{(ev.QUARTERS.index(period) + 1) * 3:02d}"
    return None


def _lineage(rows: list[SkpItem], all_items: dict[int, SkpItem]) -> dict[int, list[int]]:
    """Per item, its own id and those of the items it was carried from (oldest last)."""
    chains: dict[int, list[int]] = {}
    for row in rows:
        chain, seen = [row.id], {row.id}
        current = row
        while current.carried_from_id is not None and current.carried_from_id not in seen:
            seen.add(current.carried_from_id)
            chain.append(current.carried_from_id)
            parent = all_items.get(current.carried_from_id)
            if parent is None:
                break
            current = parent
        chains[row.id] = chain
    return chains


async def _ancestors(session: AsyncSession, rows: list[SkpItem]) -> dict[int, SkpItem]:
    """The items of earlier versions these rows were carried from, however far back."""
    known = {r.id: r for r in rows}
    wanted = {r.carried_from_id for r in rows if r.carried_from_id is not None} - set(known)
    while wanted:
        found = list(
            (await session.execute(select(SkpItem).where(SkpItem.id.in_(wanted)))).scalars()
        )
        for r in found:
            known[r.id] = r
        wanted = {r.carried_from_id for r in found if r.carried_from_id is not None} - set(known)
    return known


async def standing(session: AsyncSession, skp: Skp, period: str) -> Standing:
    policy = await policy_of(session, skp)
    year_row = await session.get(Period, skp.period_id)
    year = year_row.year if year_row is not None else 0
    up_to = period_end_key(year, period)
    rows = list(
        (
            await session.execute(
                select(SkpItem)
                .where(SkpItem.skp_id == skp.id)
                .order_by(SkpItem.position, SkpItem.id)
            )
        ).scalars()
    )
    known = await _ancestors(session, rows)
    chains = _lineage(rows, known)
    owner_of = {old: item_id for item_id, chain in chains.items() for old in chain}
    reported = [
        progress.Reported(owner_of[item_id], key, value, typed)
        for item_id, key, value, typed in (
            await session.execute(
                select(
                    Realisation.item_id, CheckIn.period_key, Realisation.value, Realisation.typed
                )
                .join(CheckIn, CheckIn.id == Realisation.check_in_id)
                .where(
                    Realisation.item_id.in_(list(owner_of)),
                    CheckIn.status == CheckInStatus.SUBMITTED,
                )
            )
        ).all()
    ]
    latest = progress.latest_per_item(reported, up_to)
    evidence: dict[int, list[str]] = defaultdict(list)
    evidence_rows = await session.execute(
        select(
            Evidence.item_id, Evidence.file_name, Evidence.url, Evidence.kind, CheckIn.period_key
        )
        .join(CheckIn, CheckIn.id == Evidence.check_in_id)
        .where(Evidence.item_id.in_(list(owner_of)))
        .order_by(Evidence.id)
    )
    for item_id, name, url, kind, key in evidence_rows.all():
        if item_id is None or (up_to is not None and key > up_to):
            continue
        evidence[owner_of[item_id]].append(name or url or EVIDENCE_WORDS.get(kind.value, "bukti"))
    trajectories: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for item_id, quarter, value in (
        await session.execute(
            select(ItemTrajectory.item_id, ItemTrajectory.quarter, ItemTrajectory.value).where(
                ItemTrajectory.item_id.in_([r.id for r in rows])
            )
        )
    ).all():
        trajectories[item_id][quarter] = value
    # While a change of the agreed plan waits for the leader, the agreed one is in force.
    in_force = (await agreed_plans(session, scope_of([skp.id]))).get(skp.id)
    if in_force is not None:
        trajectories = defaultdict(dict, in_force.trajectory)
    views = []
    for row in rows:
        target: Decimal | None = row.target_value
        if period in ev.QUARTERS:
            planned = trajectories[row.id].get(ev.QUARTERS.index(period) + 1)
            target = planned if planned is not None else target
        found = latest.get(row.id)
        realised = found.value if found is not None else None
        direction = progress.direction_of(row.aspek, row.iki, policy.progress)
        views.append(
            ItemView(
                row,
                target,
                realised,
                found.typed if found is not None else "",
                progress.capaian(realised, target, direction),
                evidence[row.id][:EVIDENCE_SHOWN],
                len(evidence[row.id]),
            )
        )
    weighted = ev.weighted_capaian(
        policy, [ev.CapaianItem(v.item.jenis, v.item.bobot, v.capaian) for v in views]
    )
    return Standing(policy, views, weighted)


def snapshot(views: list[ItemView]) -> list[dict[str, Any]]:
    """The items as the evaluation saw them (plain strings, for the record and documents)."""
    return [
        {
            "position": v.item.position,
            "jenis": v.item.jenis,
            "rhk": v.item.rhk[:500],
            "aspek": v.item.aspek.value,
            "iki": v.item.iki[:500],
            "bobot": angka(v.item.bobot) if v.item.bobot is not None else "",
            "target": target_text(v.target, v.item.satuan),
            "realisasi": target_text(v.realisation, v.item.satuan)
            if v.realisation is not None
            else "",
            "capaian": angka(v.capaian) if v.capaian is not None else "",
            "evidence": v.evidence_count,
        }
        for v in views
    ]


async def predikat_counts(
    session: AsyncSession, unit_id: int, period_id: int, period: str
) -> dict[ev.Predikat, int]:
    """How many of the unit's employees have each predikat in their final evaluation of
    `period` ("TW1".."tahunan") in the year `period_id`: one grouped query."""
    counted = dict(
        (
            await session.execute(
                select(Evaluation.predikat, func.count())
                .join(Employee, Employee.id == Evaluation.employee_id)
                .join(Skp, Skp.id == Evaluation.skp_id)
                .where(
                    Skp.period_id == period_id,
                    Employee.unit_id == unit_id,
                    Evaluation.period == period,
                    Evaluation.state == EvaluationState.FINAL,
                )
                .group_by(Evaluation.predikat)
            )
        ).all()
    )
    return {p: int(counted.get(p.value, 0)) for p in ev.Predikat}

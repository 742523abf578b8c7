"""Reading the year in progress: the set SKP a person checks in on, and each item's standing
in a round (latest realisation, capaian, trajectory, behind or not, evidence), for one person
or for every team at once. A fixed number of queries whatever the number of people: a round's
digests for 10 000 employees read their rows in bulk (see bench/bench_checkins.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload

from bot.db.models import (
    ActionPlan,
    CheckIn,
    CheckInStatus,
    Employee,
    Evidence,
    Feedback,
    ItemTrajectory,
    PlanAgreement,
    PlanStatus,
    Realisation,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.domain import progress as rules
from bot.domain.policy import Aspek
from bot.domain.policy_progress import ProgressPolicy


async def set_skp(session: AsyncSession, employee_id: int, period_id: int) -> Skp | None:
    """The person's SKP in force: the set version (a change in progress stays a draft)."""
    return await session.scalar(
        select(Skp)
        .options(joinedload(Skp.employee))
        .where(
            Skp.employee_id == employee_id,
            Skp.period_id == period_id,
            Skp.status == SkpStatus.SET,
        )
        .order_by(Skp.number.desc())
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class ItemRow:
    """The columns of an SKP item the progress screens and sheets read (not the ORM row:
    a round's digests read tens of thousands of them)."""

    id: int
    skp_id: int
    position: int
    iki: str
    aspek: Aspek
    target_value: Decimal | None
    satuan: str
    jenis: str
    bobot: Decimal | None


@dataclass(frozen=True, slots=True)
class RoundValue:
    """An item's realisation as recorded in the round's own check-in."""

    value: Decimal | None
    typed: str
    note: str


@dataclass(frozen=True, slots=True)
class CheckInRow:
    id: int
    skp_id: int
    status: CheckInStatus
    note: str
    submitted_at: datetime | None
    updated_at: datetime | None = None

    @property
    def changed_since_sent(self) -> bool:
        """Sent, then changed (a realisation, the note, evidence): not what the leader saw."""
        return (
            self.status is CheckInStatus.SUBMITTED
            and self.submitted_at is not None
            and self.updated_at is not None
            and self.updated_at > self.submitted_at
        )


@dataclass(slots=True)
class ItemLine:
    item: ItemRow
    direction: rules.Direction
    latest: rules.Reported | None
    progress: rules.ItemProgress
    # This round's realisation, when one was recorded in it.
    this_round: RoundValue | None = None
    evidence: int = 0
    # The trajectory in force (the agreed one while a change waits for the leader).
    trajectory: dict[int, Decimal] = field(default_factory=dict)
    # A changed trajectory not agreed yet (None: none, or the same as in force).
    proposed: dict[int, Decimal] | None = None


@dataclass(slots=True)
class Standing:
    skp: Skp
    key: str
    check_in: CheckInRow | None
    lines: list[ItemLine]
    # The round's evidence (read for one person's screens, not for the digests).
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def behind(self) -> list[ItemLine]:
        return [line for line in self.lines if line.progress.behind]

    @property
    def submitted(self) -> bool:
        return self.check_in is not None and self.check_in.status is CheckInStatus.SUBMITTED

    @property
    def changed_since_sent(self) -> bool:
        return self.check_in is not None and self.check_in.changed_since_sent


Scope = Select[Any]


@dataclass(frozen=True, slots=True)
class AgreedPlan:
    """An agreed plan while a change of it is a draft, submitted or sent back: what the
    leader agreed, per item id, stays in force until the leader agrees the change."""

    actions: dict[int, list[rules.PlannedAction]]
    trajectory: dict[int, dict[int, Decimal]]


async def agreed_plans(session: AsyncSession, scope: Scope) -> dict[int, AgreedPlan]:
    """Per SKP in `scope` whose agreed plan is being changed, the plan as agreed (kept when
    the first change after the agreement was made). One query."""
    found: dict[int, AgreedPlan] = {}
    for skp_id, details in await session.execute(
        select(PlanAgreement.skp_id, PlanAgreement.agreed).where(
            PlanAgreement.skp_id.in_(scope),
            PlanAgreement.status != PlanStatus.AGREED,
            PlanAgreement.agreed.is_not(None),
        )
    ):
        found[skp_id] = AgreedPlan(
            {
                int(item): [rules.PlannedAction(int(a), int(b), str(t)) for a, b, t in rows]
                for item, rows in (details.get("actions") or {}).items()
            },
            {
                int(item): {int(q): Decimal(v) for q, v in values.items()}
                for item, values in (details.get("trajectory") or {}).items()
            },
        )
    return found


def scope_of(skp_ids: Sequence[int]) -> Scope:
    return select(Skp.id).where(Skp.id.in_(list(skp_ids)))


async def standings(
    session: AsyncSession,
    skps: Sequence[Skp],
    key: str,
    policy: ProgressPolicy,
    scope: Scope | None = None,
    with_evidence: bool = True,
) -> list[Standing]:
    """Each SKP's standing in round `key`, in the order given. `scope` selects the ids of
    `skps` (a subquery, so that a round's thousands of SKPs are not a list of parameters);
    by default their ids. Five queries, six with the round's evidence."""
    scope = scope if scope is not None else scope_of([s.id for s in skps])
    items: dict[int, list[ItemRow]] = defaultdict(list)
    for row in await session.execute(
        select(
            SkpItem.id,
            SkpItem.skp_id,
            SkpItem.position,
            SkpItem.iki,
            SkpItem.aspek,
            SkpItem.target_value,
            SkpItem.satuan,
            SkpItem.jenis,
            SkpItem.bobot,
        )
        .where(SkpItem.skp_id.in_(scope))
        .order_by(SkpItem.skp_id, SkpItem.position, SkpItem.id)
    ):
        items[row.skp_id].append(ItemRow(*row))
    trajectories: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for item_id, quarter, planned in await session.execute(
        select(ItemTrajectory.item_id, ItemTrajectory.quarter, ItemTrajectory.value)
        .join(SkpItem, SkpItem.id == ItemTrajectory.item_id)
        .where(SkpItem.skp_id.in_(scope))
    ):
        trajectories[item_id][quarter] = planned
    agreed = await agreed_plans(session, scope)
    reported: list[rules.Reported] = []
    this_round: dict[int, RoundValue] = {}
    for item_id, period_key, value, typed, note in await session.execute(
        select(
            Realisation.item_id,
            CheckIn.period_key,
            Realisation.value,
            Realisation.typed,
            Realisation.note,
        )
        .join(CheckIn, CheckIn.id == Realisation.check_in_id)
        .where(CheckIn.skp_id.in_(scope), CheckIn.period_key <= key)
    ):
        reported.append(rules.Reported(item_id, period_key, value, typed))
        if period_key == key:
            this_round[item_id] = RoundValue(value, typed, note)
    latest = rules.latest_per_item(reported, key)
    check_ins = {
        row.skp_id: CheckInRow(*row)
        for row in await session.execute(
            select(
                CheckIn.id,
                CheckIn.skp_id,
                CheckIn.status,
                CheckIn.note,
                CheckIn.submitted_at,
                CheckIn.updated_at,
            ).where(CheckIn.skp_id.in_(scope), CheckIn.period_key == key)
        )
    }
    counts = {
        item_id: int(n)
        for item_id, n in await session.execute(
            select(Evidence.item_id, func.count())
            .join(CheckIn, CheckIn.id == Evidence.check_in_id)
            .where(
                CheckIn.skp_id.in_(scope),
                CheckIn.period_key <= key,
                Evidence.item_id.is_not(None),
            )
            .group_by(Evidence.item_id)
        )
    }
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    if with_evidence and check_ins:
        for piece in (
            await session.execute(
                select(Evidence)
                .where(Evidence.check_in_id.in_([c.id for c in check_ins.values()]))
                .order_by(Evidence.id)
            )
        ).scalars():
            evidence[piece.check_in_id].append(piece)
    month = rules.key_month(key)
    result = []
    for skp in skps:
        lines = []
        in_force = agreed.get(skp.id)
        for item in items.get(skp.id, []):
            direction = rules.direction_of(item.aspek, item.iki, policy)
            trajectory = trajectories.get(item.id, {})
            proposed = None
            if in_force is not None:
                agreed_one = in_force.trajectory.get(item.id, {})
                proposed = trajectory if trajectory != agreed_one else None
                trajectory = agreed_one
            found = latest.get(item.id)
            lines.append(
                ItemLine(
                    item,
                    direction,
                    found,
                    rules.item_progress(
                        item.id, item.target_value, direction, found, trajectory, month, policy
                    ),
                    this_round.get(item.id),
                    counts.get(item.id, 0),
                    trajectory,
                    proposed,
                )
            )
        check_in = check_ins.get(skp.id)
        result.append(
            Standing(skp, key, check_in, lines, evidence.get(check_in.id, []) if check_in else [])
        )
    return result


def _team_criteria(period_id: int, leader_ids: Sequence[int] | None) -> list[Any]:
    where = [
        Skp.period_id == period_id,
        Skp.status == SkpStatus.SET,
        Employee.penilai_id.is_not(None),
        Employee.active.is_(True),
    ]
    if leader_ids is not None:
        where.append(Employee.penilai_id.in_(list(leader_ids)))
    return where


def team_scope(period_id: int, leader_ids: Sequence[int] | None = None) -> Scope:
    """The ids of the set SKPs `team_skps` finds, as a subquery for `standings`."""
    return (
        select(Skp.id)
        .join(Employee, Employee.id == Skp.employee_id)
        .where(*_team_criteria(period_id, leader_ids))
    )


async def team_skps(
    session: AsyncSession, period_id: int, leader_ids: Sequence[int] | None = None
) -> dict[int, list[Skp]]:
    """Per leader (pejabat penilai), the set SKPs of their people, by name."""
    stmt = (
        select(Skp)
        .join(Employee, Employee.id == Skp.employee_id)
        .options(contains_eager(Skp.employee))
        .where(*_team_criteria(period_id, leader_ids))
        .order_by(Employee.penilai_id, Employee.name, Employee.id)
    )
    teams: dict[int, list[Skp]] = defaultdict(list)
    for skp in (await session.execute(stmt)).scalars():
        assert skp.employee.penilai_id is not None
        teams[skp.employee.penilai_id].append(skp)
    return teams


async def actions_of(session: AsyncSession, skp_id: int) -> dict[int, list[ActionPlan]]:
    rows = await session.execute(
        select(ActionPlan)
        .join(SkpItem, SkpItem.id == ActionPlan.item_id)
        .where(SkpItem.skp_id == skp_id)
        .order_by(ActionPlan.item_id, ActionPlan.position)
    )
    found: dict[int, list[ActionPlan]] = defaultdict(list)
    for row in rows.scalars():
        found[row.item_id].append(row)
    return found


async def plan_state(session: AsyncSession, skp_id: int) -> PlanAgreement | None:
    return await session.get(PlanAgreement, skp_id)


async def feedback_of(session: AsyncSession, skp_id: int, limit: int = 50) -> list[Feedback]:
    rows = await session.execute(
        select(Feedback)
        .where(Feedback.skp_id == skp_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def check_ins_of(session: AsyncSession, skp_id: int) -> list[CheckIn]:
    rows = await session.execute(
        select(CheckIn).where(CheckIn.skp_id == skp_id).order_by(CheckIn.period_key)
    )
    return list(rows.scalars())


async def sheet_stamp(session: AsyncSession, skp_id: int, key: str) -> str:
    """What the realisation sheet up to round `key` was built from, in a few characters: the
    check-ins' count and latest change (a realisation, note or evidence bumps it)."""
    count, latest = (
        await session.execute(
            select(func.count(CheckIn.id), func.max(CheckIn.updated_at)).where(
                CheckIn.skp_id == skp_id, CheckIn.period_key <= key
            )
        )
    ).one()
    return f"{int(count)}-{int(latest.timestamp() * 1000) if latest is not None else 0}"


async def set_skp_by_id(session: AsyncSession, skp_id: int) -> Skp | None:
    """A set SKP with its owner (None: another status, or no such SKP)."""
    if not 0 < skp_id < 2**31:
        return None
    skp = await session.scalar(
        select(Skp).options(joinedload(Skp.employee)).where(Skp.id == skp_id)
    )
    return skp if skp is not None and skp.status is SkpStatus.SET else None

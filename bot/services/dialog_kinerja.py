"""The dialog kinerja on the server: who may decide what about an SKP, the state changes
(approve, ask for revision, sign, set, start a change), the leader's expectations and the
employee's answers, and the lampiran's resource lines. Every decision is checked here against
the database, whatever the screen showed; the caller audits and notifies."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
)
from bot.services import skp as store

RESOURCE_CATEGORIES = (
    "sdm",
    "anggaran",
    "peralatan",
    "sarana",
    "sistem_informasi",
    "pendampingan",
    "lainnya",
)
CHANGE_REASONS = ("strategi", "struktur", "direktif")
# What a leader has to decide about, oldest first in /persetujuan.
WAITING_FOR_LEADER = (SkpStatus.SUBMITTED, SkpStatus.SIGNED)


class Refused(enum.StrEnum):
    """Why a decision is refused; each is a label key for the person's answer."""

    NOT_FOUND = "skp_not_found"
    NOT_PENILAI = "skp_not_penilai"
    NOT_OWNER = "skp_not_owner"
    STALE = "skp_changed_since"
    WRONG_STATUS = "skp_wrong_status"
    OPEN_MATTERS = "skp_open_matters"


class Decision(Exception):
    def __init__(self, reason: Refused) -> None:
        super().__init__(reason.value)
        self.reason = reason


async def load(session: AsyncSession, skp_id: int, lock: bool = False) -> Skp:
    """The SKP with its employee. `lock`: for a decision (on PostgreSQL the row is locked, so
    two decisions about one SKP happen one after the other; SQLite has one writer anyway)."""
    stmt = select(Skp).options(joinedload(Skp.employee)).where(Skp.id == skp_id)
    if lock:
        stmt = stmt.with_for_update(of=Skp)
    skp = (await session.execute(stmt)).scalar_one_or_none()
    if skp is None:
        raise Decision(Refused.NOT_FOUND)
    return skp


def check_penilai(skp: Skp, actor_id: int) -> None:
    """Only the employee's *current* pejabat penilai decides: pending SKPs follow a new one."""
    if skp.employee.penilai_id != actor_id:
        raise Decision(Refused.NOT_PENILAI)


def check_owner(skp: Skp, actor_id: int) -> None:
    if skp.employee_id != actor_id:
        raise Decision(Refused.NOT_OWNER)


def check_current(skp: Skp, version: int, *statuses: SkpStatus) -> None:
    if skp.status not in statuses:
        raise Decision(Refused.WRONG_STATUS)
    if version != skp.revision:
        raise Decision(Refused.STALE)


@dataclass(frozen=True, slots=True)
class OpenMatters:
    expectations: int
    resources: int

    @property
    def any(self) -> bool:
        return bool(self.expectations or self.resources)


async def open_matters(session: AsyncSession, skp_id: int) -> OpenMatters:
    expectations = await session.scalar(
        select(func.count())
        .select_from(SkpExpectation)
        .where(
            SkpExpectation.skp_id == skp_id,
            SkpExpectation.status != ExpectationStatus.SETTLED,
            SkpExpectation.kind != ExpectationKind.REVISI,
        )
    )
    resources = await session.scalar(
        select(func.count())
        .select_from(SkpResource)
        .where(SkpResource.skp_id == skp_id, SkpResource.status == ResourceStatus.PROPOSED)
    )
    return OpenMatters(int(expectations or 0), int(resources or 0))


async def expectations_of(session: AsyncSession, skp_id: int) -> list[SkpExpectation]:
    return list(
        (
            await session.execute(
                select(SkpExpectation)
                .where(SkpExpectation.skp_id == skp_id)
                .order_by(SkpExpectation.id)
            )
        ).scalars()
    )


async def resources_of(session: AsyncSession, skp_id: int) -> list[SkpResource]:
    return list(
        (
            await session.execute(
                select(SkpResource).where(SkpResource.skp_id == skp_id).order_by(SkpResource.id)
            )
        ).scalars()
    )


# -- state changes -----------------------------------------------------------------------------


async def approve(session: AsyncSession, skp: Skp, now: datetime) -> None:
    if (await open_matters(session, skp.id)).any:
        raise Decision(Refused.OPEN_MATTERS)
    skp.status = SkpStatus.AGREED
    skp.agreed_at = now
    store.touch(skp, now)


async def ask_revision(session: AsyncSession, skp: Skp, note: str, now: datetime) -> None:
    skp.status = SkpStatus.REVISION
    skp.revision_note = note
    store.touch(skp, now)


def sign(skp: Skp, now: datetime) -> None:
    skp.status = SkpStatus.SIGNED
    skp.signed_at = now
    store.touch(skp, now)


async def set_skp(session: AsyncSession, skp: Skp, leader_id: int, now: datetime) -> None:
    """Set (tetapkan) the SKP; the version it replaces, if any, is superseded."""
    await session.execute(
        update(Skp)
        .where(
            Skp.employee_id == skp.employee_id,
            Skp.period_id == skp.period_id,
            Skp.id != skp.id,
            Skp.status == SkpStatus.SET,
        )
        .values(status=SkpStatus.SUPERSEDED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    skp.status = SkpStatus.SET
    skp.set_at = now
    skp.set_by_id = leader_id
    skp.penilai_id = leader_id
    store.touch(skp, now)


async def start_change(session: AsyncSession, skp: Skp, reason: str, now: datetime) -> Skp:
    """Perubahan SKP: a new version with the set one's items and lampiran, as a draft. The set
    version stays in force (and on record) until the new one is set."""
    if reason not in CHANGE_REASONS:
        raise ValueError(reason)
    latest = await store.latest_skp(session, skp.employee_id, skp.period_id)
    if latest is None or latest.id != skp.id or skp.status is not SkpStatus.SET:
        raise Decision(Refused.WRONG_STATUS)
    new = Skp(
        employee_id=skp.employee_id,
        period_id=skp.period_id,
        number=skp.number + 1,
        status=SkpStatus.DRAFT,
        revision=1,
        change_reason=reason,
        created_at=now,
        updated_at=now,
        # the lampiran agreed in the version in force carries over
        skema_periodik=skp.skema_periodik,
        skema_insidental=skp.skema_insidental,
        konsekuensi_positif=skp.konsekuensi_positif,
        konsekuensi_negatif=skp.konsekuensi_negatif,
    )
    session.add(new)
    await session.flush()
    for row in await store.items_of(session, skp.id):
        session.add(
            SkpItem(
                skp_id=new.id,
                position=row.position,
                leader_item_id=row.leader_item_id,
                leader_rhk=row.leader_rhk,
                jenis=row.jenis,
                rhk=row.rhk,
                aspek=row.aspek,
                iki=row.iki,
                target_value=row.target_value,
                satuan=row.satuan,
                bobot=row.bobot,
                perspective=row.perspective,
                mandatory_key=row.mandatory_key,
                created_at=now,
                updated_at=now,
            )
        )
    for res in await resources_of(session, skp.id):
        if res.status is ResourceStatus.AGREED:
            session.add(
                SkpResource(
                    skp_id=new.id,
                    category=res.category,
                    text=res.text,
                    status=ResourceStatus.AGREED,
                    proposed_by_id=res.proposed_by_id,
                    created_at=now,
                    decided_at=res.decided_at,
                )
            )
    await session.flush()
    return new


async def settle_revision_notes(session: AsyncSession, skp_id: int, now: datetime) -> None:
    """Item-level revision requests are answered by resubmitting."""
    await session.execute(
        update(SkpExpectation)
        .where(
            SkpExpectation.skp_id == skp_id,
            SkpExpectation.kind == ExpectationKind.REVISI,
            SkpExpectation.status != ExpectationStatus.SETTLED,
        )
        .values(status=ExpectationStatus.SETTLED, settled_at=now)
        .execution_options(synchronize_session=False)
    )


# -- expectations and resources ----------------------------------------------------------------


def add_expectation(
    session: AsyncSession,
    skp: Skp,
    author_id: int,
    kind: ExpectationKind,
    text: str,
    now: datetime,
    item_id: int | None = None,
    value_code: str | None = None,
) -> SkpExpectation:
    row = SkpExpectation(
        skp_id=skp.id,
        item_id=item_id,
        kind=kind,
        value_code=value_code,
        text=text,
        status=ExpectationStatus.OPEN,
        author_id=author_id,
        created_at=now,
    )
    session.add(row)
    return row


async def expectation_with_skp(
    session: AsyncSession, expectation_id: int, lock: bool = False
) -> tuple[SkpExpectation, Skp]:
    row = await session.get(SkpExpectation, expectation_id)
    if row is None:
        raise Decision(Refused.NOT_FOUND)
    return row, await load(session, row.skp_id, lock)


def agree(row: SkpExpectation, now: datetime) -> None:
    row.status = ExpectationStatus.SETTLED
    row.response_text = None
    row.responded_at = now
    row.settled_at = now


def counter(row: SkpExpectation, target: Decimal | None, reason: str, now: datetime) -> None:
    row.status = ExpectationStatus.NEGOTIATING
    row.response_target = target
    row.response_text = reason
    row.responded_at = now


async def accept_counter(
    session: AsyncSession, row: SkpExpectation, skp: Skp, now: datetime
) -> SkpItem | None:
    """The leader takes the employee's proposed target: the item changes (a new revision)."""
    item = None
    if row.response_target is not None and row.item_id is not None:
        item = await session.get(SkpItem, row.item_id)
        if item is not None and item.skp_id == skp.id:
            item.target_value = row.response_target
            item.updated_at = now
            store.touch(skp, now)
    row.status = ExpectationStatus.SETTLED
    row.settled_at = now
    return item


def keep_expectation(row: SkpExpectation, now: datetime) -> None:
    row.status = ExpectationStatus.SETTLED
    row.settled_at = now


def propose_resource(
    session: AsyncSession,
    skp: Skp,
    employee_id: int,
    category: str,
    text: str,
    now: datetime,
    expectation: SkpExpectation | None = None,
) -> SkpResource:
    row = SkpResource(
        skp_id=skp.id,
        category=category,
        text=text,
        status=ResourceStatus.PROPOSED,
        proposed_by_id=employee_id,
        expectation_id=expectation.id if expectation is not None else None,
        created_at=now,
    )
    session.add(row)
    if expectation is not None:
        expectation.status = ExpectationStatus.NEGOTIATING
        expectation.response_text = text
        expectation.responded_at = now
    return row


async def decide_resource(
    session: AsyncSession, row: SkpResource, agreed: bool, now: datetime
) -> None:
    row.status = ResourceStatus.AGREED if agreed else ResourceStatus.DECLINED
    row.decided_at = now
    if row.expectation_id is not None:
        expectation = await session.get(SkpExpectation, row.expectation_id)
        if expectation is not None and expectation.status is ExpectationStatus.NEGOTIATING:
            expectation.status = ExpectationStatus.SETTLED
            expectation.settled_at = now


# -- what a leader has waiting -------------------------------------------------------------


async def waiting_for(session: AsyncSession, leader_id: int, limit: int = 30) -> list[Skp]:
    """SKPs of the leader's current staff waiting for a decision (submitted: approve or ask
    for revision; signed: set), oldest first."""
    rows = await session.execute(
        select(Skp)
        .join(Employee, Employee.id == Skp.employee_id)
        .options(joinedload(Skp.employee))
        .where(Employee.penilai_id == leader_id, Skp.status.in_(WAITING_FOR_LEADER))
        .order_by(func.coalesce(Skp.signed_at, Skp.submitted_at), Skp.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def versions_of(session: AsyncSession, skp: Skp) -> list[Skp]:
    rows = await session.execute(
        select(Skp)
        .where(Skp.employee_id == skp.employee_id, Skp.period_id == skp.period_id)
        .order_by(Skp.number)
    )
    return list(rows.scalars())

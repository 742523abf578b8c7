"""SKP storage: the period and policy in force, an employee's current SKP version and its
items, the leader's items one can intervene, and the changes to them. Functions here query and
change rows inside the caller's transaction; they never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    EDITABLE_STATUSES,
    Employee,
    Period,
    PolicyDoc,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.db.session_memo import forget, locks_skp_of, note_locked, skp_rows
from bot.domain.policy import (
    Aspek,
    Perspective,
    Policy,
    default_policy,
    policy_from_json,
    read_policy_file,
)
from bot.domain.skp_rules import Item
from bot.services.catalog import choose_period


def perspectives(policy: Policy) -> tuple[Perspective, ...]:
    """The perspectives a unit head tags their items with, as the policy's unit-head profile
    lists them (Kemenkes 2026: Penerima Layanan, Proses Bisnis, Penguatan Internal, Anggaran)."""
    return tuple(policy.unit_head.perspectives)


# A hard stop well above any policy's maximum: the rules explain counts, this only keeps a
# runaway list (or a script) from growing without bound.
MAX_ITEMS = 20


async def current_period(session: AsyncSession, today: date) -> Period | None:
    """The period that contains today; before it opens, the next one (SKPs are drafted in
    December and January); after the last one ends, the latest. Read afresh (the dialogs use
    the process's copy: bot.services.catalog)."""
    periods = list((await session.execute(select(Period).order_by(Period.starts_on))).scalars())
    result: Period | None = choose_period(periods, today)
    return result


async def policy_for(session: AsyncSession, period: Period) -> Policy:
    if period.policy_id is None:
        return default_policy()
    doc = await session.get(PolicyDoc, period.policy_id)
    return policy_from_json(doc.document) if doc is not None else default_policy()


async def load_policy(session: AsyncSession, period: Period, path: Any, now: datetime) -> Policy:
    """Store a policy file (checked first) and put it in force for the period."""
    import json

    document = read_policy_file(path)
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)
    row = PolicyDoc(name=str(document["name"])[:200], document=text, loaded_at=now)
    session.add(row)
    await session.flush()
    period.policy_id = row.id
    return policy_from_json(text)


# Statements every step runs are built once: building one costs more than running it.
_LATEST_SKP = (
    select(Skp)
    .where(Skp.employee_id == bindparam("employee_id"), Skp.period_id == bindparam("period_id"))
    .order_by(Skp.number.desc())
    .limit(1)
)
_LATEST_SKP_LOCKED = _LATEST_SKP.with_for_update(of=Skp).execution_options(populate_existing=True)
_ITEMS_OF = (
    select(SkpItem)
    .where(SkpItem.skp_id == bindparam("skp_id"))
    .order_by(SkpItem.position, SkpItem.id)
)


async def latest_skp(session: AsyncSession, employee_id: int, period_id: int) -> Skp | None:
    params = {"employee_id": employee_id, "period_id": period_id}
    if not locks_skp_of(session, employee_id):
        return (await session.execute(_LATEST_SKP, params)).scalar_one_or_none()
    # Locked at once (see bot.db.session_memo): what was remembered before is read anew, and
    # what this transaction changed is written first (the read under the lock replaces what
    # the session holds).
    await session.flush()
    forget(session)
    skp = (await session.execute(_LATEST_SKP_LOCKED, params)).scalar_one_or_none()
    if skp is not None:
        note_locked(session, skp.id)
    return skp


def new_skp(employee_id: int, period_id: int, now: datetime, policy: Policy, **values: Any) -> Skp:
    """A new, empty draft (not yet added to a session); its lampiran starts from the policy's
    defaults unless `values` say otherwise (a new version copies the previous one's)."""
    lampiran = policy.lampiran
    fields: dict[str, Any] = {
        "number": 1,
        "status": SkpStatus.DRAFT,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "skema_periodik": lampiran.skema_periodik,
        "skema_insidental": True,
        "konsekuensi_positif": lampiran.konsekuensi_positif,
        "konsekuensi_negatif": lampiran.konsekuensi_negatif,
        **values,
    }
    return Skp(employee_id=employee_id, period_id=period_id, **fields)


async def open_skp(
    session: AsyncSession, employee_id: int, period: Period, now: datetime, policy: Policy
) -> Skp:
    """The employee's current SKP for the period, created as an empty draft the first time."""
    skp = await latest_skp(session, employee_id, period.id)
    if skp is None:
        skp = new_skp(employee_id, period.id, now, policy)
        session.add(skp)
        await session.flush()
    return skp


async def items_of(session: AsyncSession, skp_id: int) -> list[SkpItem]:
    return await skp_rows(session, SkpItem, skp_id, _ITEMS_OF)


async def leader_items(
    session: AsyncSession, employee: Employee, period_id: int
) -> tuple[Employee | None, list[SkpItem]]:
    """The pejabat penilai and the items of their current SKP (the RHK one may intervene)."""
    if employee.penilai_id is None:
        return None, []
    leader = await session.get(Employee, employee.penilai_id)
    skp = await latest_skp(session, employee.penilai_id, period_id)
    return leader, (await items_of(session, skp.id) if skp is not None else [])


def is_editable(skp: Skp) -> bool:
    return skp.status in EDITABLE_STATUSES


def rule_item(row: SkpItem) -> Item:
    return Item(
        jenis=row.jenis,
        rhk=row.rhk,
        iki=row.iki,
        aspek=row.aspek.value,
        target=row.target_value,
        satuan=row.satuan,
        bobot=row.bobot,
        leader_rhk=row.leader_rhk,
    )


@dataclass(frozen=True, slots=True)
class ItemFields:
    """What the drafting dialog collected for one item."""

    jenis: str
    rhk: str
    aspek: Aspek
    iki: str
    target: Decimal
    satuan: str
    # None only where the owner's rules do not require weights (a unit head, by the policy).
    bobot: Decimal | None
    leader_item_id: int | None = None
    leader_rhk: str = ""
    mandatory_key: str | None = None
    perspective: str | None = None

    def as_item(self) -> Item:
        return Item(
            self.jenis,
            self.rhk,
            self.iki,
            self.aspek.value,
            self.target,
            self.satuan,
            self.bobot,
            self.leader_rhk,
        )

    def audit_details(self) -> dict[str, Any]:
        return {
            "jenis": self.jenis,
            "iki": self.iki[:200],
            "target": str(self.target),
            "satuan": self.satuan,
            "bobot": str(self.bobot) if self.bobot is not None else "",
        }


def touch(skp: Skp, now: datetime) -> None:
    skp.revision += 1
    skp.updated_at = now


async def add_item(session: AsyncSession, skp: Skp, fields: ItemFields, now: datetime) -> SkpItem:
    position = (
        await session.scalar(
            select(func.coalesce(func.max(SkpItem.position), 0)).where(SkpItem.skp_id == skp.id)
        )
        or 0
    ) + 1
    row = SkpItem(skp_id=skp.id, position=position, created_at=now)
    fill(row, fields, now)
    session.add(row)
    touch(skp, now)
    await session.flush()
    return row


def fill(row: SkpItem, fields: ItemFields, now: datetime) -> None:
    row.jenis = fields.jenis
    row.rhk = fields.rhk
    row.aspek = fields.aspek
    row.iki = fields.iki
    row.target_value = fields.target
    row.satuan = fields.satuan
    row.bobot = fields.bobot
    row.leader_item_id = fields.leader_item_id
    row.leader_rhk = fields.leader_rhk
    row.mandatory_key = fields.mandatory_key
    row.perspective = fields.perspective
    row.updated_at = now

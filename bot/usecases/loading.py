"""Loading an SKP for a decision: locked (FOR UPDATE on PostgreSQL) and read afresh after the
lock, so two processes deciding about one SKP act one after the other on current rows; and the
checks every use case makes (who acts, which state, which revision)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bot.db.models import Employee, Skp, SkpExpectation, SkpItem, SkpResource
from bot.db.session_memo import forget, is_locked, keep, note_locked
from bot.domain import contract
from bot.domain.contract import Action, Party, Refusal
from bot.services import skp as store
from bot.usecases.base import Refused, Tx

# Built once (see bot.services.skp): the SKP with its owner, read anew, locked or not.
_SKP = (
    select(Skp)
    .options(joinedload(Skp.employee))
    .where(Skp.id == bindparam("skp_id"))
    .execution_options(populate_existing=True)
)
_SKP_LOCKED = _SKP.with_for_update(of=Skp)

# Ids beyond a 32-bit integer cannot exist (and PostgreSQL refuses to compare with them).
MAX_ID = 2**31 - 1


def valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


async def load_skp(tx: Tx, skp_id: int, lock: bool = True) -> Skp:
    if not valid_id(skp_id):
        raise Refused(Refusal.NOT_FOUND)
    # Sessions do not autoflush: write what this transaction changed before reading afresh.
    await tx.session.flush()
    if not lock or not tx.postgres or is_locked(tx.session, skp_id):
        # Read in this transaction already, with its owner: current as it is (on SQLite the
        # transaction holds the write lock from its first statement; read under its lock on
        # PostgreSQL, see bot.db.session_memo; without a lock nothing is gained by reading
        # it again).
        held = _held(tx.session, skp_id)
        if held is not None:
            return held
    if lock:
        # Rows read before the lock may have changed since: the locked SKP's are read anew.
        forget(tx.session)
    stmt = _SKP_LOCKED if lock else _SKP
    skp = (await tx.session.execute(stmt, {"skp_id": skp_id})).scalar_one_or_none()
    if skp is None:
        raise Refused(Refusal.NOT_FOUND)
    if lock:
        note_locked(tx.session, skp.id)
    keep(tx.session, skp)
    return skp


def _held(session: AsyncSession, skp_id: int) -> Skp | None:
    held = session.identity_map.get(identity_key(Skp, skp_id))
    if not isinstance(held, Skp):
        return None
    if "employee" in inspect(held).unloaded:
        # Its owner is often held already (the person acting on their own SKP).
        owner = session.identity_map.get(identity_key(Employee, held.employee_id))
        if not isinstance(owner, Employee):
            return None
        set_committed_value(held, "employee", owner)
    return held


async def fresh(tx: Tx, model: type[Any], row_id: int) -> Any:
    """A row read again from the database (after its SKP was locked)."""
    if not valid_id(row_id):
        return None
    await tx.session.flush()
    return await tx.session.get(model, row_id, populate_existing=True)


async def expectation_and_skp(tx: Tx, expectation_id: int) -> tuple[SkpExpectation, Skp]:
    row = await fresh(tx, SkpExpectation, expectation_id)
    if row is None:
        raise Refused(Refusal.NOT_FOUND)
    skp = await load_skp(tx, row.skp_id)
    row = await fresh(tx, SkpExpectation, expectation_id)  # as it is now that the SKP is locked
    if row is None:
        raise Refused(Refusal.NOT_FOUND)
    return row, skp


async def resource_and_skp(tx: Tx, resource_id: int) -> tuple[SkpResource, Skp]:
    row = await fresh(tx, SkpResource, resource_id)
    if row is None:
        raise Refused(Refusal.NOT_FOUND)
    skp = await load_skp(tx, row.skp_id)
    row = await fresh(tx, SkpResource, resource_id)
    if row is None:
        raise Refused(Refusal.NOT_FOUND)
    return row, skp


def party(tx: Tx, skp: Skp) -> Party:
    if tx.actor_id is None:
        return Party.SYSTEM
    return contract.party_of(tx.actor_id, skp.employee_id, skp.employee.penilai_id)


def authorise(tx: Tx, skp: Skp, action: Action, version: int | None = None) -> Party:
    """The acting party, if the transition table lets them do `action` now; `version` (the
    revision a button or screen was made for) must still be current."""
    who = party(tx, skp)
    reason = contract.check(action, who, skp.status)
    if reason is not None:
        raise Refused(reason)
    if version is not None and version != skp.revision:
        raise Refused(Refusal.STALE)
    return who


async def items_of(tx: Tx, skp_id: int) -> list[SkpItem]:
    return await store.items_of(tx.session, skp_id)


async def employee(tx: Tx, employee_id: int | None) -> Employee | None:
    return await tx.session.get(Employee, employee_id) if employee_id is not None else None


def touch(skp: Skp, tx: Tx) -> None:
    """Every change of content or status bumps the revision: older buttons stop working."""
    skp.revision += 1
    skp.updated_at = tx.now

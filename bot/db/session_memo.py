"""What one session (one step's transaction) knows already, so the step does not ask the
database twice: the rows it read, the roles the engine read with the person, the SKPs it read
under their lock or submitted, and the SKPs it loaded (held so the session does not drop them).
All of it lives in `session.info` and ends with the session; locks and submissions end with
the transaction.

Rows a step reads more than once (an SKP's items, expectations and resources: read by the use
case, then again by the screen that follows) are remembered by the session that read them.
What a remembered list holds is exactly what a new query would give in the same session: the
sessions do not autoflush, so a query sees only what was flushed, and it returns the objects the
session already holds. A list is therefore forgotten whenever that could change: a flush that
writes a row of its kind or deletes anything (the database may cascade), any statement run
through the session that is not a SELECT, an SKP read anew under its lock (another transaction
may have changed its rows before), and the end of a transaction (commit or rollback). A
statement sent on the session's connection itself (`session.connection().execute`) is not
seen: the SKP's tables are written through the session (its Core statements included), never
that way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

_MEMO = "rows_memo"
_UNIT_HEADS = "unit_heads"
_LOCK_OWN = "lock_own_skp"
_LOCKED = "locked_skps"
_KEPT = "kept_rows"
_SUBMITTED = "submitted_skps"


async def skp_rows(
    session: AsyncSession, model: type, skp_id: int, statement: Executable
) -> list[Any]:
    """The SKP's rows of `model` as read in this session since nothing that could change them
    happened, else read now by `statement` (bound by `skp_id`). A copy is returned: callers may
    sort or extend theirs."""
    memo: dict[tuple[type, int], list[Any]] = session.info.setdefault(_MEMO, {})
    rows = memo.get((model, skp_id))
    if rows is None:
        result = await session.execute(statement, {"skp_id": skp_id})
        rows = memo[(model, skp_id)] = list(result.scalars())
    return list(rows)


def note_unit_head(session: AsyncSession, employee_id: int, unit_head: bool) -> None:
    """Whether the person heads a unit, as read with their link at the start of a step: a use
    case applying the unit-head rules then need not ask again. Kept for the whole session (a
    step does not change the organisation it runs in)."""
    session.info.setdefault(_UNIT_HEADS, {})[employee_id] = unit_head


def known_unit_head(session: AsyncSession, employee_id: int) -> bool | None:
    known: bool | None = session.info.get(_UNIT_HEADS, {}).get(employee_id)
    return known


def lock_own_skp(session: AsyncSession, employee_id: int) -> None:
    """A person's step on PostgreSQL locks their own SKP when it first reads it, so a use
    case deciding about it in the same step need not read it again under a lock."""
    session.info[_LOCK_OWN] = employee_id


def locks_skp_of(session: AsyncSession, employee_id: int) -> bool:
    """Whether the SKP of `employee_id` is read under its lock (their own step)."""
    return bool(session.info.get(_LOCK_OWN) == employee_id)


def note_locked(session: AsyncSession, skp_id: int) -> None:
    session.info.setdefault(_LOCKED, set()).add(skp_id)


def is_locked(session: AsyncSession, skp_id: int) -> bool:
    """Whether this transaction read the SKP under its lock (held until it ends)."""
    return skp_id in session.info.get(_LOCKED, ())


def note_submitted(session: AsyncSession, skp_id: int) -> None:
    """The SKP was submitted in this transaction (which holds its lock until it ends)."""
    session.info.setdefault(_SUBMITTED, set()).add(skp_id)


def submitted_here(session: AsyncSession, skp_id: int) -> bool:
    return skp_id in session.info.get(_SUBMITTED, ())


def keep(session: AsyncSession, row: Any) -> None:
    """Hold `row` for the rest of the session. A session keeps only the objects something
    else refers to: an SKP a screen read and let go would be read again by the next look."""
    session.info.setdefault(_KEPT, []).append(row)


def forget(session: Session | AsyncSession) -> None:
    session.info.pop(_MEMO, None)


def _forget_on_change(session: Session, *_: Any) -> None:
    forget(session)
    session.info.pop(_LOCKED, None)  # the transaction's locks end with it
    session.info.pop(_SUBMITTED, None)


@event.listens_for(Session, "after_flush")
def _forget_what_changed(session: Session, _context: Any) -> None:
    memo = session.info.get(_MEMO)
    if not memo:
        return
    if session.deleted:
        forget(session)
        return
    written = {type(obj) for obj in session.new} | {type(obj) for obj in session.dirty}
    for key in [key for key in memo if key[0] in written]:
        del memo[key]


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget(state.session)


for _name in ("after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget_on_change)

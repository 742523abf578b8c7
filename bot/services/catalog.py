"""The periods and their policies, kept in memory per process (every /skp, overview and card
needs them; they change a few times a year).

Validity is a stamp (`cache_stamps`, name "periods"): any flush that adds, changes or deletes
a period bumps it in the same transaction, and the dialog engine reads it in the statement
that loads the person's link and dialog state. A process that sees a new stamp loads the
periods again; every process sees an administrator's change at its next update. A policy
document is never changed once stored (loading one adds a row), so policies are cached by id
for good."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from bot.db.models import CacheStamp, Period, PolicyDoc
from bot.domain.policy import Policy, default_policy, policy_from_json

PERIODS = "periods"
# Marks a session whose transaction changed a period (not committed yet).
PERIODS_CHANGED = "periods_changed"
_PERIOD_ROWS = select(*Period.__table__.columns).order_by(Period.starts_on)

# The stamp as a scalar subquery, for the engine's per-update statement.
PERIODS_STAMP = select(CacheStamp.version).where(CacheStamp.name == PERIODS).scalar_subquery()
_BUMP = (
    update(CacheStamp)
    .where(CacheStamp.name == PERIODS)
    .values(version=CacheStamp.version + 1)
    .execution_options(synchronize_session=False)
)


def choose_period(periods: list[Any], today: date) -> Any:
    """The period that contains today; before it opens, the next one (SKPs are drafted in
    December and January); after the last one ends, the latest. `periods` by start date."""
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period
    upcoming = [p for p in periods if p.starts_on > today]
    if upcoming:
        return upcoming[0]
    return periods[-1] if periods else None


@dataclass(slots=True)
class Catalog:
    """One process's copy (held by the dialog engine: one per database)."""

    stamp: int | None = None
    # Detached copies, all columns loaded; merged into a session without a query.
    periods: list[Period] = field(default_factory=list)
    policies: dict[int, Policy] = field(default_factory=dict)

    async def period(self, session: AsyncSession, today: date, stamp: int | None) -> Period | None:
        """The period in force, as a row of `session`. With no stamp (a caller outside the
        engine's statement, or a database without the stamp row) it is read afresh."""
        if stamp is None:
            fresh = (await session.execute(select(Period).order_by(Period.starts_on))).scalars()
            found: Period | None = choose_period(list(fresh), today)
            return found
        if stamp != self.stamp or session.sync_session.info.get(PERIODS_CHANGED):
            rows = (await session.execute(_PERIOD_ROWS)).mappings().all()
            copies = [_detached(row) for row in rows]
            if session.sync_session.info.get(PERIODS_CHANGED):
                # This transaction changed a period and has not committed: its rows are read
                # as they are now, and not kept (the commit bumps the stamp anyway).
                chosen_now = choose_period(copies, today)
                return None if chosen_now is None else await _attach(session, chosen_now)
            self.periods, self.stamp = copies, stamp
        chosen = choose_period(self.periods, today)
        if chosen is None:
            return None
        return await _attach(session, chosen)

    async def period_by_id(
        self, session: AsyncSession, period_id: int, stamp: int | None
    ) -> Period | None:
        """A period by id: the process's copy while `stamp` holds, else read."""
        if stamp is not None and stamp == self.stamp:
            for cached in self.periods:
                if cached.id == period_id:
                    return await _attach(session, cached)
        return await session.get(Period, period_id)

    async def policy(self, session: AsyncSession, period: Period | None) -> Policy:
        if period is None or period.policy_id is None:
            return default_policy()
        policy = self.policies.get(period.policy_id)
        if policy is None:
            doc = await session.get(PolicyDoc, period.policy_id)
            if doc is None:
                return default_policy()
            policy = self.policies[period.policy_id] = policy_from_json(doc.document)
        return policy


def _detached(row: Any) -> Period:
    """A period built from a row's values, as if loaded and then let go by a session: no
    session's own objects are ever shared."""
    period = Period(**dict(row))
    make_transient_to_detached(period)
    return period


async def _attach(session: AsyncSession, cached: Period) -> Period:
    """The cached period as a row of `session`, without a query. One the session holds
    already is returned as it is (it may carry this transaction's changes)."""
    held = session.identity_map.get(identity_key(Period, cached.id))
    if isinstance(held, Period):
        return held
    return await session.merge(cached, load=False)


@event.listens_for(Session, "before_flush")
def _bump_when_periods_change(session: Session, _context: Any, _instances: Any) -> None:
    """Any period added, changed or deleted makes every process's copy stale."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Period) and (
            obj in session.new or obj in session.deleted or session.is_modified(obj)
        ):
            session.connection().execute(_BUMP)
            session.info[PERIODS_CHANGED] = True
            return


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session) -> None:
    session.info.pop(PERIODS_CHANGED, None)

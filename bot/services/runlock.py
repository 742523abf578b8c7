"""Something that must run once, held by one process through a row in the database (both
SQLite and PostgreSQL): long polling for a bot token, which Telegram serves to one caller at
a time (a second one gets 409 Conflict, and both keep failing).

The holder writes who it is (host, process id, a random part) and renews `expires_at` every
`RENEW_EVERY`. Another process may take the row over when it has expired, or at once when
its holder is known to be dead: on the same host with no such process, or with this very
process id (a container restarted after a crash gets the same pid). Otherwise it is refused
and told who holds it. A holder that finds the row taken over stops."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import RunLock

log = logging.getLogger(__name__)

TTL = timedelta(seconds=45)
RENEW_EVERY = timedelta(seconds=10)
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Holder:
    holder: str
    host: str
    pid: int
    acquired_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Acquired:
    ok: bool
    # Refused: who holds it. Taken over: who held it before (dead or expired), else None.
    other: Holder | None = None


def polling_lock_name(token: str) -> str:
    """The lock for polling with this token: named by the bot's numeric id (the part of the
    token before ":", which is not secret)."""
    return f"polling:{token.split(':', 1)[0]}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return False
    return True


class RunLockHolder:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        name: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ttl: timedelta = TTL,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.name = name
        self.clock = clock
        self.ttl = ttl
        self.host = socket.gethostname()[:100]
        self.pid = os.getpid()
        self.holder = f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"[:60]
        # How this process names its outbox leases: the lock's name first, so whoever holds
        # the lock next knows every earlier holder's leases (they are all gone).
        self.lease_prefix = f"{name}/"
        self.lease_owner = f"{self.lease_prefix}{self.holder}"

    def _dead(self, row: RunLock, now: datetime) -> bool:
        if row.expires_at <= now:
            return True
        if row.host != self.host:
            return False
        return row.pid == self.pid or not _process_alive(row.pid)

    async def acquire(self) -> Acquired:
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
            insert = pg_insert if postgres else sqlite_insert
            # A row to lock, so that two processes starting at once serialise on it.
            await session.execute(
                insert(RunLock)
                .values(
                    name=self.name,
                    holder="",
                    host="",
                    pid=0,
                    acquired_at=_NEVER,
                    expires_at=_NEVER,
                )
                .on_conflict_do_nothing(index_elements=["name"])
            )
            row = (
                await session.execute(
                    select(RunLock)
                    .where(RunLock.name == self.name)
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            ).scalar_one()
            previous = Holder(row.holder, row.host, row.pid, row.acquired_at, row.expires_at)
            if row.holder != self.holder and not self._dead(row, now):
                return Acquired(False, previous)
            row.holder, row.host, row.pid = self.holder, self.host, self.pid
            row.acquired_at, row.expires_at = now, now + self.ttl
        return Acquired(True, previous if previous.holder else None)

    async def renew(self) -> bool:
        """Extend the lease; False when another process holds the row now."""
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            result = await session.execute(
                update(RunLock)
                .where(RunLock.name == self.name, RunLock.holder == self.holder)
                .values(expires_at=now + self.ttl)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self) -> None:
        """Give the lock up at a clean stop (the next process need not wait for expiry)."""
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(RunLock)
                .where(RunLock.name == self.name, RunLock.holder == self.holder)
                .values(expires_at=_NEVER)
            )

"""One step at a time per person, across worker processes, and which workers are alive.

On PostgreSQL each worker keeps one connection of its own (outside the pool, autocommit) for
advisory locks:

- a person's turn is `pg_try_advisory_lock(PERSON_NS, key)` on that connection, held while
  the worker processes the person's stored updates, oldest first. A worker that does not get
  it leaves the person to the holder, which looks for more updates after it lets go. One
  connection serves every turn a worker holds (a session may hold many advisory locks); the
  turns taken within the process are also kept in a set, as PostgreSQL would grant a second
  one on the same session.
- the worker's life is `pg_advisory_lock(WORKER_NS, worker key)`, held until it stops. The
  lock goes when the process dies (`kill -9` included: the kernel closes the socket and the
  server ends the session), so the other workers see at once, in `pg_locks`, that it is gone,
  and give back the outbox leases it held (its `holder` name carries the key).

If the lock connection breaks, the turns it held are gone, and so is the promise that a
person's steps run one at a time: `broken` is set and the worker stops (its supervisor starts
it again).

On SQLite (one process) the turns are the set alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.engine import create_engine

log = logging.getLogger(__name__)

# The first key of the project's two-key advisory locks ("DK" and a number).
PERSON_NS = 0x444B0001
WORKER_NS = 0x444B0002
MIGRATION_NS = 0x444B0003


def int4(value: int) -> int:
    """A 64-bit id folded to PostgreSQL's int4 (two people sharing a key only wait for each
    other now and then; nothing else follows from it)."""
    folded = (value ^ (value >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


def worker_prefix(bot_id: str) -> str:
    """How webhook workers name their outbox leases: `webhook:<bot>/<key>:<host>:<pid>`."""
    return f"webhook:{bot_id}/"


def key_of(holder: str, prefix: str) -> int | None:
    """The worker key in a lease holder's name (None: not a webhook worker's)."""
    if not holder.startswith(prefix):
        return None
    head = holder[len(prefix) :].split(":", 1)[0]
    return int(head) if head.isdigit() else None


class LocalTurns:
    """One process (SQLite): a person's turn is theirs while in the set."""

    def __init__(self, holder: str) -> None:
        self.holder = holder
        self.broken = asyncio.Event()
        self._held: set[int] = set()

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    @contextlib.asynccontextmanager
    async def hold(self, person: int) -> AsyncIterator[bool]:
        if person in self._held:
            yield False
            return
        self._held.add(person)
        try:
            yield True
        finally:
            self._held.discard(person)

    async def live_keys(self) -> set[int] | None:
        """None: liveness is not known this way (one process: the run lock tells)."""
        return None


class PgTurns:
    """Turns and liveness through advisory locks on one connection of this worker's own."""

    def __init__(self, url: str, bot_id: str) -> None:
        self.engine: AsyncEngine = create_engine(url, pool_size=1, max_overflow=0)
        self.key = random.randint(1, (1 << 31) - 1)
        host = socket.gethostname()[:60]
        self.holder = f"{worker_prefix(bot_id)}{self.key}:{host}:{os.getpid()}"[:120]
        self.broken = asyncio.Event()
        self._held: set[int] = set()
        self._io = asyncio.Lock()
        self._conn: AsyncConnection | None = None

    async def start(self) -> None:
        conn = await self.engine.connect()
        self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await self._call("SELECT pg_advisory_lock(:ns, :key)", ns=WORKER_NS, key=self.key)

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        await self.engine.dispose()

    async def _call(self, sql: str, **params: Any) -> Any:
        if self._conn is None or self.broken.is_set():
            raise ConnectionError("the worker's lock connection is gone")
        try:
            async with self._io:
                return (await self._conn.execute(text(sql), params)).scalar()
        except Exception:
            if not self.broken.is_set():
                log.error("the lock connection to PostgreSQL broke; this worker stops")
                self.broken.set()
            raise

    @contextlib.asynccontextmanager
    async def hold(self, person: int) -> AsyncIterator[bool]:
        """True while this worker holds the person's turn; False when someone else does."""
        if person in self._held:
            yield False
            return
        self._held.add(person)
        try:
            key = int4(person)
            if not await self._call(
                "SELECT pg_try_advisory_lock(:ns, :key)", ns=PERSON_NS, key=key
            ):
                yield False
                return
            try:
                yield True
            finally:
                if not self.broken.is_set():
                    await self._call("SELECT pg_advisory_unlock(:ns, :key)", ns=PERSON_NS, key=key)
        finally:
            self._held.discard(person)

    async def live_keys(self) -> set[int] | None:
        """The keys of the workers alive now (their life lock is held) in this database."""
        async with self._io:
            if self._conn is None:
                return None
            rows = await self._conn.execute(
                text(
                    "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = CAST(:ns AS oid) AND objsubid = 2 AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                ),
                {"ns": WORKER_NS},
            )
            return {int(key) for key in rows.scalars()}


Turns = LocalTurns | PgTurns


async def migrate_once(db: AsyncEngine) -> None:
    """Apply the migrations, one worker at a time (they start together)."""
    from bot.db import migrate as migrations

    if db.dialect.name != "postgresql":
        await migrations.upgrade(db)
        return
    async with db.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("SELECT pg_advisory_lock(:ns, 0)"), {"ns": MIGRATION_NS})
        try:
            await migrations.upgrade(db)
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:ns, 0)"), {"ns": MIGRATION_NS})

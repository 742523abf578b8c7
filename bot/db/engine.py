"""Engine and session factory. SQLite gets WAL, foreign keys, a busy timeout and
`BEGIN IMMEDIATE` (every step writes, so take the write lock up front instead of failing on
upgrade), and gives the write lock back whatever ends a transaction (see `_release`);
PostgreSQL uses asyncpg as is. Both hide statement parameters from errors and logs
(`hide_parameters`): they carry NIPs, names and what people typed."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util.concurrency import await_, in_greenlet

from bot.db import sqlite_inline as sqlite_inline_driver

log = logging.getLogger(__name__)


def _prepare_sqlite_path(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, sqlite_inline: bool = True, **kwargs: Any) -> AsyncEngine:
    """With `sqlite_inline` (the default) a SQLite file is used through sqlite3 on the event
    loop's thread (bot.db.sqlite_inline) instead of aiosqlite's thread."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _prepare_sqlite_path(url)
        parsed = make_url(url)
        database = parsed.database or ""
        # Options in the URL (?mode=ro&uri=true …) are aiosqlite's to apply.
        inline = sqlite_inline and database not in ("", ":memory:") and not parsed.query
        if inline:
            path = database

            async def connect() -> Any:
                return await sqlite_inline_driver.connect(path)

            engine = create_async_engine(url, async_creator=connect, **kwargs)
        else:
            engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            if not inline:
                # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite defers it
                # otherwise); the inline driver connects that way already.
                dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Inline, nothing may sleep on the loop: a locked file is waited for by the
            # driver, asynchronously.
            cursor.execute("PRAGMA busy_timeout=0" if inline else "PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        event.listen(engine.sync_engine, "invalidate", _release)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # Recycling instead of pre-ping: a ping is one more round trip on every update.
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kwargs)


def _release(dbapi_connection: Any, _record: Any, _exc: BaseException | None) -> None:
    """A connection is thrown away (a step cancelled in the middle of a statement, an error):
    stop what it runs and roll its transaction back before it is closed. Closing alone is not
    enough: sqlite3 keeps a connection with an unfinished statement open as a "zombie", and
    with it the write lock that BEGIN IMMEDIATE took, so every later step would wait for the
    busy timeout and fail with "database is locked"."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is None or not in_greenlet():
        return
    try:
        await_(driver.interrupt())
        # Shielded: a second cancellation cannot stop the rollback once it is queued.
        await_(asyncio.shield(driver.rollback()))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # already closed, or nothing to roll back
        log.debug("rollback of a discarded SQLite connection: %s", type(exc).__name__)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

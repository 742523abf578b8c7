"""SQLite through sqlite3 on the event loop's own thread, for SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call (open a cursor, execute, fetch, close, commit) on a thread of its
own and wakes the event loop for each answer: about 0.05–0.1 ms of CPU per call and, under
load, a wait for the GIL each time, for statements that take microseconds in SQLite itself.
This module gives the dialect an object with aiosqlite's interface whose coroutines call
sqlite3 directly and never suspend (`create_engine` passes `connect` as `async_creator`).

Blocking the loop is acceptable here because nothing waits inside SQLite: the file is in
WAL mode (readers never wait), the bot's writers queue on the engine's one-writer lock
before BEGIN IMMEDIATE, and the busy timeout is zero: should another process (a command
line run) hold the write lock, the statement is tried again after an asynchronous sleep
instead of sleeping on the loop. Long reports on SQLite hold the loop while they run; large
organisations use PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

# How long a statement keeps trying while another process holds the write lock.
BUSY_WAIT = 30.0
_FIRST_PAUSE, _MAX_PAUSE = 0.002, 0.1


def _locked(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "database is locked" in message or "database is busy" in message


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        if parameters is None:
            await _patiently(self._cursor.execute, sql)
        else:
            await _patiently(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        await _patiently(self._cursor.executemany, sql, list(parameters))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    async def nextset(self) -> None:
        return None


async def _patiently(call: Any, *args: Any) -> Any:
    """Run a statement; while another process holds the write lock, try again after an
    asynchronous pause. A refused statement changed nothing; an executemany refused part-way
    is safe to run again whole only because every transaction here starts with BEGIN
    IMMEDIATE, so a statement inside one never meets the lock (only BEGIN and COMMIT do)."""
    pause, deadline = _FIRST_PAUSE, time.monotonic() + BUSY_WAIT
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, _MAX_PAUSE)


class InlineConnection:
    """What SQLAlchemy's aiosqlite adapter uses of an aiosqlite connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The adapter checks `_connection` before a commit or rollback (None once closed).
        self._connection: sqlite3.Connection | None = connection

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _patiently(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def interrupt(self) -> None:
        self._conn.interrupt()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()


async def connect(database: str) -> InlineConnection:
    # No implicit transactions: the engine's "begin" event sends BEGIN IMMEDIATE itself.
    connection = sqlite3.connect(database, isolation_level=None, timeout=0)
    return InlineConnection(connection)

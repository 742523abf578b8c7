"""SQLite through sqlite3 on the event loop's thread (bot.db.sqlite_inline): while another
process holds the write lock, a step waits for it without holding up the event loop, then
goes on; nothing is lost."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from bot.db.engine import create_engine


async def test_a_locked_file_is_waited_for_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (n INTEGER)"))
        other = sqlite3.connect(path, isolation_level=None)  # another process, as it were
        other.execute("BEGIN IMMEDIATE")
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        async def write() -> None:
            async with engine.begin() as conn:  # BEGIN IMMEDIATE waits for the other
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            done.set()

        running = asyncio.gather(ticker(), write())
        await asyncio.sleep(0.3)
        assert not done.is_set() and ticks >= 10  # waiting, and the loop kept turning
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(running, 5)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 1
    finally:
        await engine.dispose()

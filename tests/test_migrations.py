"""Migrations run up, down and up again, and the models match the migrated schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db import migrate as migrations
from bot.db.base import Base
from bot.db.engine import create_engine


async def test_up_down_up_and_no_drift(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine)
        assert await migrations.current_revision(engine) == "0013"
        # one step down and up again: the latest migration reverses cleanly on its own
        await migrations.downgrade(engine, "0004")
        assert await migrations.current_revision(engine) == "0004"
        await migrations.upgrade(engine)
        await migrations.downgrade(engine, "base")
        assert await migrations.current_revision(engine) is None
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert set(tables) <= {"alembic_version"}
        await migrations.upgrade(engine)

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            return list(compare_metadata(context, Base.metadata))

        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()

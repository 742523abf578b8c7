"""Alembic environment: uses a connection handed in by bot.db.migrate, or opens one from
DATABASE_URL (async engine, run through run_sync)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db import models  # noqa: F401  (registers the tables)
from bot.db.base import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    from bot.config import get_settings
    from bot.db.engine import create_engine

    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_configure_and_run)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `dialog-kinerja migrate`.")
run_migrations_online()

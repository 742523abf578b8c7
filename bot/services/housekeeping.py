"""Periodic clean-up. Telegram redelivers an update for at most about a day, so the ids of
processed updates are only needed for a while; without pruning the table grows by every
update ever received."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate

KEEP_UPDATE_IDS = timedelta(days=7)


async def prune_processed_updates(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime, keep: timedelta = KEEP_UPDATE_IDS
) -> int:
    async with sessionmaker() as session, session.begin():
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - keep)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""Periodic clean-up. Telegram redelivers an update for at most about a day, so the ids of
processed updates are only needed for a while; without pruning the table grows by every
update ever received.

Retention of personal data (UU PDP 27/2022): an outbox row's payload is the message's text
(names, targets, notes) and is only needed until it is sent. After `OUTBOX_RETENTION_DAYS`
the payload of a finished row (sent, failed or skipped) is emptied. The row stays: its dedupe
key keeps a reminder from being planned and sent a second time, and who was told what kind of
thing when (and whether it arrived) remains as a record. The audit log is kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Text, cast, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Outbox, OutboxStatus, ProcessedUpdate

KEEP_UPDATE_IDS = timedelta(days=7)
FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.SKIPPED)
# Rows emptied per transaction: short transactions, so the sender is never held up for long.
PRUNE_BATCH = 1000


async def prune_processed_updates(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime, keep: timedelta = KEEP_UPDATE_IDS
) -> int:
    async with sessionmaker() as session, session.begin():
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - keep)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def prune_outbox_payloads(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    keep: timedelta,
    batch: int = PRUNE_BATCH,
) -> int:
    """Empty the payload of finished outbox rows created before `now - keep`; pending rows
    (still to be sent) are never touched. Returns how many rows were emptied."""
    cutoff = now - keep
    emptied = 0
    while True:
        async with sessionmaker() as session, session.begin():
            ids = list(
                (
                    await session.execute(
                        select(Outbox.id)
                        .where(
                            Outbox.status.in_(FINISHED),
                            Outbox.created_at < cutoff,
                            # not emptied yet ("{}" on both backends)
                            cast(Outbox.payload, Text) != "{}",
                        )
                        .order_by(Outbox.id)
                        .limit(batch)
                    )
                ).scalars()
            )
            if not ids:
                return emptied
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(ids), Outbox.status.in_(FINISHED))
                .values(payload={})
            )
        emptied += len(ids)
        if len(ids) < batch:
            return emptied

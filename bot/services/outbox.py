"""Delivers outbox rows. A row is leased before it is sent (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, the write lock on SQLite), so two senders never send the same row; a sender that
died leaves a lease that expires and the row is sent later. Telegram's answers decide the
row's fate: 403 marks the person unreachable, 429 waits `retry_after`, network errors retry
with backoff."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.db.models import LinkStatus, Outbox, OutboxStatus, TelegramLink
from bot.documents.service import DocumentMaker

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    attempts: int
    payload: dict[str, Any]
    chat_id: int | None


def keyboard(rows: Sequence[Sequence[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["label"], callback_data=b["data"]) for b in row] for row in rows]
    )


class OutboxSender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        documents: DocumentMaker | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot = bot
        self.clock = clock
        # Builds the files of rows that carry a document (an SKP as PDF, DOCX, ...).
        self.documents = documents

    async def deliver(self, ids: Sequence[int]) -> int:
        """Send these rows now (those just written by a step)."""
        if not ids:
            return 0
        return await self._send_batch(await self._claim(list(ids), len(ids)))

    async def drain(self, batch: int = 50, max_batches: int = 20) -> int:
        """Send whatever is due, batch by batch."""
        sent = 0
        for _ in range(max_batches):
            claimed = await self._claim(None, batch)
            if not claimed:
                break
            sent += await self._send_batch(claimed)
        return sent

    async def _claim(self, ids: list[int] | None, limit: int) -> list[_Claimed]:
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            query = select(Outbox.id).where(
                Outbox.status == OutboxStatus.PENDING,
                Outbox.send_after <= now,
                or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now),
            )
            if ids is not None:
                query = query.where(Outbox.id.in_(ids))
            query = query.order_by(Outbox.id).limit(limit).with_for_update(skip_locked=True)
            claimed_ids = list((await session.execute(query)).scalars())
            if not claimed_ids:
                return []
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(claimed_ids))
                .values(claimed_until=now + LEASE, attempts=Outbox.attempts + 1)
            )
            rows = await session.execute(
                select(Outbox.id, Outbox.attempts, Outbox.payload, TelegramLink.chat_id)
                .outerjoin(
                    TelegramLink,
                    and_(
                        TelegramLink.employee_id == Outbox.recipient_id,
                        TelegramLink.status == LinkStatus.ACTIVE,
                    ),
                )
                .where(Outbox.id.in_(claimed_ids))
                .order_by(Outbox.id)
            )
            return [_Claimed(r[0], r[1], r[2], r[3]) for r in rows]

    async def _send_batch(self, claimed: list[_Claimed]) -> int:
        sent = 0
        for row in claimed:
            sent += await self._send_one(row)
        return sent

    async def _send_one(self, row: _Claimed) -> int:
        if row.chat_id is None:
            await self._finish(row.id, OutboxStatus.FAILED, "no active Telegram link")
            return 0
        if not await self._still_wanted(row.payload):
            await self._finish(row.id, OutboxStatus.SKIPPED, "no longer needed")
            return 0
        try:
            await self._deliver(row.chat_id, row.payload)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._retry_later(row, timedelta(seconds=seconds), "429 retry_after")
            return 0
        except Forbidden as exc:
            await self._unreachable(row, str(exc))
            return 0
        except BadRequest as exc:
            await self._finish(row.id, OutboxStatus.FAILED, f"400 {exc}"[:300])
            return 0
        except NetworkError as exc:
            if row.attempts >= MAX_ATTEMPTS:
                await self._finish(row.id, OutboxStatus.FAILED, f"gave up: {exc}"[:300])
            else:
                await self._retry_later(row, timedelta(seconds=5 * 2**row.attempts), str(exc))
            return 0
        await self._finish(row.id, OutboxStatus.SENT, None)
        return 1

    async def _still_wanted(self, payload: dict[str, Any]) -> bool:
        unless = payload.get("unless")
        if unless is None:
            return True
        from bot.reminders.relevance import still_relevant

        async with self.sessionmaker() as session:
            return await still_relevant(session, unless)

    async def _deliver(self, chat_id: int, payload: dict[str, Any]) -> None:
        if "chart" in payload:
            from bot.reminders.chart import progress_chart

            png = progress_chart(payload["chart"])
            await self.bot.send_photo(
                chat_id,
                InputFile(png, filename="progres.png", attach=True),
                caption=payload["html"][:1024],
            )
            return
        spec = payload.get("document")
        if spec is None:
            await self.bot.send_message(
                chat_id, payload["html"], reply_markup=keyboard(payload.get("buttons", []))
            )
            return
        if self.documents is None:
            raise BadRequest("this sender cannot build documents")
        made = await self.documents.build_spec(spec)
        await self.bot.send_document(
            chat_id,
            InputFile(made.content, filename=made.name, attach=True),
            caption=payload["html"][:1024],
        )

    async def _update_row(self, row_id: int, **values: Any) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))

    async def _finish(self, row_id: int, status: OutboxStatus, error: str | None) -> None:
        sent_at = self.clock() if status is OutboxStatus.SENT else None
        await self._update_row(
            row_id, status=status, sent_at=sent_at, claimed_until=None, last_error=error
        )

    async def _retry_later(self, row: _Claimed, delay: timedelta, error: str) -> None:
        await self._update_row(
            row.id, send_after=self.clock() + delay, claimed_until=None, last_error=error[:300]
        )

    async def _unreachable(self, row: _Claimed, error: str) -> None:
        """403: the person blocked the bot. Keep the row as failed and flag the link."""
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(Outbox)
                .where(Outbox.id == row.id)
                .values(
                    status=OutboxStatus.FAILED, claimed_until=None, last_error=f"403 {error}"[:300]
                )
            )
            await session.execute(
                update(TelegramLink)
                .where(
                    TelegramLink.chat_id == row.chat_id, TelegramLink.status == LinkStatus.ACTIVE
                )
                .values(unreachable_since=self.clock())
            )

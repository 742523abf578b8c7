"""Delivers outbox rows. A row is leased before it is sent (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, the write lock on SQLite), so two senders never send the same row; a sender that
died leaves a lease that expires and the row is sent later. Telegram's answers decide the
row's fate: 403 marks the person unreachable, 429 waits `retry_after`, a text Telegram finds
too long (or cannot parse) goes out shortened with its buttons, other 400s fail the row. Any
other error (the network, a document that cannot be built, a bad payload) is retried with
backoff up to `OUTBOX_MAX_ATTEMPTS` tries and then fails the row with the reason in
`last_error`; one bad row never holds up the rest of the batch.

A step's replies (kind "reply", written with the step's commit) go to the chat that sent the
update, strictly in order: while an earlier reply to a chat waits for another try, the later
ones wait behind it (`behind`). A lease names its sender (`claimed_by`), so the leases of a
process known to be dead are given back at once (`release_leases`) instead of expiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    WebAppInfo,
)
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.db.models import LinkStatus, Outbox, OutboxStatus, TelegramLink
from bot.documents.service import DocumentMaker
from bot.html_fit import CAPTION_LIMIT, MESSAGE_LIMIT, plain_html, shorten_html

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# How long a sent row's record waits for a step's transaction to carry it (see
# `_record_sent`) before it is written on its own.
RECORD_DELAY = 0.05
# The longest pause between tries to write them while the database is away.
RECORD_RETRY_MAX = 5.0
# A step's rows for others up to this many are recorded together once sent (a longer batch,
# a drain, records each row as it goes, so a crash mid-batch sends few of them again).
RECORD_TOGETHER = 5
# Backoff between tries: 5 s · 2^attempts, at most an hour.
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX = timedelta(hours=1)
# A step's own answer to the chat that sent the update (bot.engine.runtime.REPLY_KIND): the
# answer to the button pressed, then its messages ({"answer": ..., "messages": [...]}).
REPLY_KIND = "reply"
# Why a message for someone without an active Telegram link failed: it is sent again when
# they link (bot.usecases.outbox_admin.deliver_waiting).
NO_LINK_ERROR = "no active Telegram link"


@dataclass(slots=True)
class Records:
    """Rows sent (with Telegram's note, if any) and chats' current screens, not yet written."""

    sent: dict[int, str | None]
    screens: dict[int, int | None]


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    attempts: int
    payload: dict[str, Any]
    chat_id: int | None
    kind: str = ""


class _Partly(Exception):
    """A step's reply failed after its first `done` parts went (they are not sent again)."""

    def __init__(self, done: int, error: Exception) -> None:
        super().__init__(str(error))
        self.done = done
        self.error = error


@dataclass(frozen=True, slots=True)
class _Fate:
    """What became of a row: sent, settled otherwise (failed, skipped), or to be tried again
    at `retry_at`."""

    sent: bool = False
    retry_at: datetime | None = None
    note: str | None = None


def inline_button(b: dict[str, str]) -> InlineKeyboardButton:
    if b.get("web_app"):
        return InlineKeyboardButton(b["label"], web_app=WebAppInfo(b["web_app"]))
    return InlineKeyboardButton(b["label"], callback_data=b["data"])


def keyboard(rows: Sequence[Sequence[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[inline_button(b) for b in row] for row in rows])


def _fallback_mode(exc: BadRequest) -> str | None:
    """How to answer a 400: "shorten" a text that is too long, send it "plain" when Telegram
    cannot parse its markup, None when nothing about the text would help."""
    message = str(exc).lower()
    if "can't parse entities" in message or "can't find end" in message:
        return "plain"
    if "too long" in message or "too_long" in message:
        return "shorten"
    return None


def _where(exc: BaseException) -> str:
    """Where an exception was raised (file, line, function): enough to find the bug, with
    none of the exception's message, which may carry personal data."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def _settings_max_attempts() -> int:
    from bot.config import get_settings

    return get_settings().outbox_max_attempts


class OutboxSender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        documents: DocumentMaker | None = None,
        max_attempts: int | None = None,
        holder: str | None = None,
        writing: Callable[[], contextlib.AbstractAsyncContextManager[Any]] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot = bot
        self.clock = clock
        # Who this sender is in `claimed_by` (the run lock's holder id for the bot process).
        self.holder = holder or f"sender:{uuid.uuid4().hex[:12]}"
        # Chats with a reply waiting for another try: their next replies queue behind it.
        self.behind: set[int] = set()
        # Builds the files of rows that carry a document (an SKP as PDF, DOCX, ...).
        self.documents = documents
        # Tries per row before it is marked FAILED (OUTBOX_MAX_ATTEMPTS).
        self.max_attempts = max_attempts if max_attempts is not None else _settings_max_attempts()
        # SQLite's one writer slot (the dialog engine's), taken around every write.
        self.writing = writing or contextlib.nullcontext
        # Replies sent and not yet recorded, recorded together (see `_record_sent`).
        self._unrecorded: dict[int, str | None] = {}
        # chat -> the message showing its current screen, written with the next record.
        self._screens: dict[int, int | None] = {}
        self._recording = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        # Records taken by a transaction not yet ended.
        self._inflight: list[Records] = []
        engine = sessionmaker.kw.get("bind")
        assert engine is not None, "the sessionmaker must be bound to an engine"
        self._engine: AsyncEngine = engine

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        async with self.writing(), self.sessionmaker() as session, session.begin():
            yield session

    def reply_lease(self, chat_id: int) -> tuple[str, datetime] | None:
        """The lease a step writes its replies with, to send them right after its commit
        without claiming them first; None while earlier replies to the chat wait (the new
        ones then queue behind them)."""
        if chat_id in self.behind:
            return None
        return self.holder, self.clock() + LEASE

    async def send_stored(
        self, chat_id: int, rows: Sequence[tuple[int, str, dict[str, Any]]]
    ) -> int:
        """Send the rows (id, kind, payload) a step wrote leased to this sender, in order; those
        sent are recorded together."""
        if chat_id in self.behind:  # something failed meanwhile: keep the order
            async with self._write() as session:
                await session.execute(
                    update(Outbox)
                    .where(Outbox.id.in_([row[0] for row in rows]))
                    .values(claimed_until=None, claimed_by=None, attempts=Outbox.attempts - 1)
                )
            return await self.deliver_replies(chat_id, [row[0] for row in rows])
        claimed = [_Claimed(row_id, 1, payload, chat_id, kind) for row_id, kind, payload in rows]
        return await self._send_batch(claimed, record_together=True)

    async def deliver(self, ids: Sequence[int]) -> int:
        """Send these rows now (the few a step just wrote for others): recorded together,
        with the replies of other steps sent meanwhile."""
        if not ids:
            return 0
        claimed = await self._claim(list(ids), len(ids))
        return await self._send_batch(claimed, record_together=len(claimed) <= RECORD_TOGETHER)

    async def deliver_replies(self, chat_id: int, ids: Sequence[int]) -> int:
        """Send a step's reply (just committed, or still unsent for a redelivered update) now
        and in order. When an earlier reply to this chat is still waiting for another try, the
        waiting ones go first; what cannot go yet waits behind them."""
        if chat_id not in self.behind:
            if not ids:
                return 0
            claimed = await self._claim(list(ids), len(ids))
            return await self._send_batch(claimed)
        claimed, complete = await self._claim_chat(chat_id)
        sent = await self._send_batch(claimed)
        if complete and sent == len(claimed):
            self.behind.discard(chat_id)
        return sent

    async def load_behind(self) -> set[int]:
        """At start: the chats with replies left unsent (by a crash or a failed try)."""
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(Outbox.chat_id)
                .where(
                    Outbox.kind == REPLY_KIND,
                    Outbox.status == OutboxStatus.PENDING,
                    Outbox.chat_id.is_not(None),
                )
                .distinct()
            )
            chats = {int(chat) for chat in rows.scalars() if chat is not None}
        self.behind |= chats
        return chats

    async def release_leases(self, prefix: str) -> int:
        """Give back the leases of the senders known to be gone: those named with `prefix`
        other than this one (the earlier holders of the polling lock this process now holds,
        which died holding them). Their rows are sent now instead of when the lease ends. A
        row that was being sent at the moment one died may reach the person twice; none is
        lost."""
        async with self._write() as session:
            result = await session.execute(
                update(Outbox)
                .where(
                    Outbox.claimed_by.startswith(prefix, autoescape=True),
                    Outbox.claimed_by != self.holder,
                    Outbox.status == OutboxStatus.PENDING,
                )
                .values(claimed_until=None, claimed_by=None)
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drain(self, batch: int = 50, max_batches: int = 20) -> int:
        """Send whatever is due, batch by batch (after writing what was sent and not yet
        recorded, so none of it is taken for unsent)."""
        await self.flush_records()
        sent = 0
        for _ in range(max_batches):
            claimed = await self._claim(None, batch)
            if not claimed:
                break
            sent += await self._send_batch(claimed)
        return sent

    async def _claim(self, ids: list[int] | None, limit: int) -> list[_Claimed]:
        now = self.clock()
        if ids is not None and _RETURNING.get(self._engine.dialect.name, True):
            # One statement: chosen (skipping rows another sender holds), leased, read.
            params = {"ids": ids, "now": now, "until": now + LEASE, "holder": self.holder}
            if self._engine.dialect.name == "postgresql":
                async with self._engine.begin() as connection:
                    rows = list(await connection.execute(_CLAIM_IDS, params))
            else:  # SQLite: this process's writers take turns (RETURNING since SQLite 3.35)
                async with self._write() as session:
                    connection = await session.connection()
                    rows = list(await connection.execute(_CLAIM_IDS, params))
            claimed = [_Claimed(r[0], r[1], r[2], r[3], r[4]) for r in rows]
            return sorted(claimed, key=lambda row: row.id)
        async with self._write() as session:
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
            return await self._lease(session, claimed_ids, now)

    async def _claim_chat(self, chat_id: int) -> tuple[list[_Claimed], bool]:
        """The chat's waiting replies in order, up to the first one that may not go yet (its
        try is later, or another sender has it); the later ones are put behind that one. True
        with them when every waiting reply was claimed."""
        now = self.clock()
        async with self._write() as session:
            rows = (
                await session.execute(
                    select(Outbox.id, Outbox.send_after, Outbox.claimed_until)
                    .where(
                        Outbox.chat_id == chat_id,
                        Outbox.status == OutboxStatus.PENDING,
                        Outbox.kind == REPLY_KIND,
                    )
                    .order_by(Outbox.id)
                    .with_for_update()
                )
            ).all()
            ready: list[int] = []
            for row_id, send_after, claimed_until in rows:
                if send_after > now or (claimed_until is not None and claimed_until >= now):
                    later = [r[0] for r in rows[len(ready) + 1 :]]
                    if later and send_after > now:
                        await session.execute(
                            update(Outbox)
                            .where(Outbox.id.in_(later), Outbox.send_after < send_after)
                            .values(send_after=send_after)
                        )
                    break
                ready.append(row_id)
            complete = len(ready) == len(rows)
            if not ready:
                return [], complete
            return await self._lease(session, ready, now), complete

    async def _lease(self, session: AsyncSession, ids: list[int], now: datetime) -> list[_Claimed]:
        await session.execute(
            update(Outbox)
            .where(Outbox.id.in_(ids))
            .values(claimed_until=now + LEASE, claimed_by=self.holder, attempts=Outbox.attempts + 1)
        )
        rows = await session.execute(
            select(
                Outbox.id,
                Outbox.attempts,
                Outbox.payload,
                func.coalesce(Outbox.chat_id, TelegramLink.chat_id),
                Outbox.kind,
            )
            .outerjoin(
                TelegramLink,
                and_(
                    TelegramLink.employee_id == Outbox.recipient_id,
                    TelegramLink.status == LinkStatus.ACTIVE,
                ),
            )
            .where(Outbox.id.in_(ids))
            .order_by(Outbox.id)
        )
        return [_Claimed(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def _send_batch(self, claimed: list[_Claimed], record_together: bool = False) -> int:
        """Send the rows in order. With `record_together` (a step's few replies) the rows sent
        are recorded in one transaction at the end, not one each."""
        sent = 0
        # chat -> when its replies may go again (an earlier one waits for another try)
        held: dict[int, datetime] = {}
        done: list[tuple[int, str | None]] = []
        for row in claimed:
            try:
                if row.kind == REPLY_KIND and row.chat_id in held:
                    await self._defer(row, held[row.chat_id])
                    continue
                fate = await self._send_one(row, record_sent=not record_together)
            except Exception as exc:
                # Only recording a row's outcome gets here (the database, most likely). Sending
                # on would send messages whose fate cannot be written down; the rows still
                # leased are taken again when their lease ends.
                log.error(
                    "outbox: could not record the outcome of row %d (%s at %s); "
                    "stopping this batch",
                    row.id,
                    type(exc).__name__,
                    _where(exc),
                )
                break
            if fate.sent:
                sent += 1
                done.append((row.id, fate.note))
            elif fate.retry_at is not None and row.kind == REPLY_KIND and row.chat_id is not None:
                held[row.chat_id] = fate.retry_at
                self.behind.add(row.chat_id)
        if record_together and done:
            await self._record_sent(done)
        return sent

    async def _record_sent(self, done: list[tuple[int, str | None]]) -> None:
        """Rows sent, to be recorded as such: carried by the next step's transaction of this
        process (no transaction of their own on the hot path), or written together after
        `RECORD_DELAY` when no step comes. A crash before that sends them again (at least
        once, never lost)."""
        self._unrecorded.update(done)
        self._schedule_records()

    def take_records(self) -> Records | None:
        """What is sent and not yet recorded, for a transaction to write; the transaction's
        end says `done` (committed) or `give_back` (not)."""
        if not self._unrecorded and not self._screens:
            return None
        records = Records(self._unrecorded, self._screens)
        self._unrecorded, self._screens = {}, {}
        self._inflight.append(records)
        return records

    def done(self, records: Records) -> None:
        with contextlib.suppress(ValueError):
            self._inflight.remove(records)

    def give_back(self, records: Records) -> None:
        self._restore(records)
        self._schedule_records()

    def _restore(self, records: Records) -> None:
        """Records whose transaction did not commit wait again (a newer screen wins)."""
        self.done(records)
        for row_id, note in records.sent.items():
            self._unrecorded.setdefault(row_id, note)
        for chat_id, message_id in records.screens.items():
            self._screens.setdefault(chat_id, message_id)

    def pending_screen(self, chat_id: int) -> tuple[bool, int | None]:
        """Where the chat's screen is, when this process knows better than the database (a
        record not committed yet): (True, message id or None); else (False, None)."""
        if chat_id in self._screens:
            return True, self._screens[chat_id]
        for records in reversed(self._inflight):
            if chat_id in records.screens:
                return True, records.screens[chat_id]
        return False, None

    async def write_records(self, connection: AsyncConnection, records: Records) -> None:
        """The records, in the caller's transaction: prebuilt Core statements (this runs
        after every step; the ORM's bookkeeping buys nothing here). A row is marked sent only
        while this sender still holds it (not after another sender took it over)."""
        now = self.clock()
        if records.screens:
            await connection.execute(
                _REMEMBER_SCREEN,
                [{"chat": chat, "message": message} for chat, message in records.screens.items()],
            )
        plain = [row_id for row_id, note in records.sent.items() if note is None]
        if plain:
            await connection.execute(_MARK_SENT, {"ids": plain, "now": now, "holder": self.holder})
        noted = [
            {"row": row_id, "now": now, "note": note[:300], "holder": self.holder}
            for row_id, note in records.sent.items()
            if note is not None
        ]
        if noted:
            await connection.execute(_MARK_SENT_NOTED, noted)

    async def flush_records(self) -> bool:
        """Write what no step carried (after `RECORD_DELAY`, at shutdown, in tests). False
        when it could not be written (it is kept, and tried again)."""
        async with self._recording:
            records = self.take_records()
            if records is None:
                return True
            try:
                async with self.writing(), self._engine.begin() as connection:
                    await self.write_records(connection, records)
            except BaseException as exc:  # still leased: kept for the next round's try
                self._restore(records)
                if not isinstance(exc, Exception):
                    raise
                log.error(
                    "outbox: could not record %d rows as sent (%s at %s)",
                    len(records.sent),
                    type(exc).__name__,
                    _where(exc),
                )
                return False
            self.done(records)
            return True

    def _schedule_records(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        """Until nothing waits: records noted while a flush was writing are written by the
        next round; a failed write is tried again, less and less often."""
        pause = RECORD_DELAY
        while self._unrecorded or self._screens:
            await asyncio.sleep(pause)
            written = await self.flush_records()
            pause = RECORD_DELAY if written else min(pause * 4, RECORD_RETRY_MAX)

    async def _send_one(self, row: _Claimed, record_sent: bool = True) -> _Fate:
        """Send one row and record what happened (a success only with `record_sent`). Raises
        only when the record itself cannot be written."""
        try:
            if row.chat_id is None:
                await self._finish(row.id, OutboxStatus.FAILED, NO_LINK_ERROR)
                return _Fate()
            if not await self._still_wanted(row.payload):
                await self._finish(row.id, OutboxStatus.SKIPPED, "no longer needed")
                return _Fate()
            try:
                note = await self._deliver(row.chat_id, row.payload)
            except _Partly as partly:
                # later tries start after the parts that went
                payload = {**row.payload, "done": partly.done}
                await self._update_row(row.id, payload=payload)
                row = _Claimed(row.id, row.attempts, payload, row.chat_id, row.kind)
                raise partly.error from None
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            when = await self._retry_later(row, timedelta(seconds=seconds), "429 retry_after")
            return _Fate(retry_at=when)
        except Forbidden as exc:
            await self._unreachable(row, str(exc))
            return _Fate()
        except BadRequest as exc:
            log.warning("outbox row %d (%s) refused by Telegram: %s", row.id, row.kind, exc)
            await self._finish(row.id, OutboxStatus.FAILED, f"400 {exc}"[:300])
            return _Fate()
        except Exception as exc:  # the network, a document, a payload: try again, up to a cap
            return _Fate(retry_at=await self._failed_attempt(row, exc))
        if record_sent:
            await self._finish(row.id, OutboxStatus.SENT, note)
        return _Fate(sent=True, note=note)

    async def _defer(self, row: _Claimed, until: datetime) -> None:
        """Not tried: an earlier reply to the same chat waits for its next try; this one goes
        after it (the lease is given back and the try not counted)."""
        await self._update_row(
            row.id,
            send_after=until,
            claimed_until=None,
            claimed_by=None,
            attempts=row.attempts - 1,
        )

    async def _failed_attempt(self, row: _Claimed, exc: Exception) -> datetime | None:
        # Telegram's own descriptions carry no personal data; other messages might (a name in
        # a KeyError, a value in a database error): only their type and place are logged.
        detail = str(exc) if isinstance(exc, TelegramError) else "-"
        reason = self._reason(exc)
        if row.attempts >= self.max_attempts:
            log.error(
                "outbox row %d (%s) failed for good after %d attempts: %s at %s (%s)",
                row.id,
                row.kind,
                row.attempts,
                type(exc).__name__,
                _where(exc),
                detail,
            )
            await self._finish(
                row.id, OutboxStatus.FAILED, f"gave up after {row.attempts} attempts: {reason}"
            )
            return None
        delay = min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2**row.attempts), BACKOFF_MAX)
        log.warning(
            "outbox row %d (%s) attempt %d of %d failed: %s at %s (%s); next try in %ds",
            row.id,
            row.kind,
            row.attempts,
            self.max_attempts,
            type(exc).__name__,
            _where(exc),
            detail,
            delay.total_seconds(),
        )
        return await self._retry_later(row, delay, reason)

    def _reason(self, exc: Exception) -> str:
        """For last_error: the exception's type and message, never the bot token (network
        errors may quote the request URL)."""
        text = f"{type(exc).__name__}: {exc}"
        token = getattr(self.bot, "token", None)
        if token:
            text = text.replace(token, "[REDACTED]")
        return text

    async def _still_wanted(self, payload: dict[str, Any]) -> bool:
        unless = payload.get("unless")
        if unless is None:
            return True
        from bot.reminders.relevance import still_relevant

        async with self.sessionmaker() as session:
            return await still_relevant(session, unless)

    async def _deliver(self, chat_id: int, payload: dict[str, Any]) -> str | None:
        """Send the row's message; None, or a note when its text had to be shortened."""
        if "messages" in payload:
            return await self._deliver_reply(chat_id, payload)
        send = await self._sender_for(chat_id, payload)
        note = None
        try:
            sent = await send(payload["html"], None)
        except BadRequest as exc:
            mode = _fallback_mode(exc)
            if mode is None:
                raise
            how = "shortened" if mode == "shorten" else "without markup"
            log.info("outbox: Telegram refused a text (%s); sending it %s", exc, how)
            sent = await send(payload["html"], mode)
            note = f"400 {exc}; sent {how}"[:300]
        moved = payload.get("edit") is not None and isinstance(sent, Message)
        moved = moved and sent.message_id != payload["edit"]  # the edit fell back to a new one
        if (payload.get("screen") or moved) and isinstance(sent, Message):
            # A screen without buttons has nothing for the next one to take away.
            self._screens[chat_id] = sent.message_id if payload.get("buttons") else None
        return note

    async def _deliver_reply(self, chat_id: int, payload: dict[str, Any]) -> str | None:
        """A step's reply: the answer to the button pressed, then each message, starting after
        the parts an earlier try sent (`done`). An answer Telegram refuses (too late, or given
        already before a crash) never holds the messages up."""
        parts: list[dict[str, Any] | None] = [None] if "answer" in payload else []
        parts += payload["messages"]
        notes = []
        first = int(payload.get("done", 0))
        for index in range(first, len(parts)):
            part = parts[index]
            if part is None:
                answer = payload["answer"]
                try:
                    await self.bot.answer_callback_query(
                        answer["callback_query_id"],
                        text=answer.get("text"),
                        show_alert=bool(answer.get("show_alert")),
                    )
                except TelegramError as exc:
                    log.info("answering a button press failed: %s", exc)
                continue
            try:
                note = await self._deliver(chat_id, part)
            except Exception as exc:
                if index == first:
                    raise  # nothing went in this try
                raise _Partly(index, exc) from exc
            if note:
                notes.append(note)
        return "; ".join(notes)[:300] if notes else None

    async def _sender_for(
        self, chat_id: int, payload: dict[str, Any]
    ) -> Callable[[str, str | None], Awaitable[Any]]:
        """A function sending the row's message with a given text (the file is built once)."""
        if "chart" in payload:
            from bot.reminders.chart import progress_chart

            png = progress_chart(payload["chart"])

            async def photo(html: str, mode: str | None) -> Any:
                return await self.bot.send_photo(
                    chat_id,
                    InputFile(png, filename="progres.png", attach=True),
                    caption=_fit(html, CAPTION_LIMIT, mode),
                )

            return photo
        spec = payload.get("document")
        if spec is None:
            return self._message_sender(chat_id, payload)
        if "file_id" in spec:
            return self._stored_file_sender(chat_id, spec)
        if self.documents is None:
            raise BadRequest("this sender cannot build documents")
        made = await self.documents.build_spec(spec)

        async def document(html: str, mode: str | None) -> Any:
            return await self.bot.send_document(
                chat_id,
                InputFile(made.content, filename=made.name, attach=True),
                caption=_fit(html, CAPTION_LIMIT, mode),
            )

        return document

    def _stored_file_sender(
        self, chat_id: int, spec: dict[str, Any]
    ) -> Callable[[str, str | None], Awaitable[Any]]:
        """A photo or document Telegram already has (evidence sent in chat), sent again by its
        file_id: nothing is downloaded or uploaded."""
        file_id = str(spec["file_id"])

        async def stored(html: str, mode: str | None) -> Any:
            caption = _fit(html, CAPTION_LIMIT, mode)
            if spec.get("kind") == "photo":
                return await self.bot.send_photo(chat_id, file_id, caption=caption)
            return await self.bot.send_document(chat_id, file_id, caption=caption)

        return stored

    def _message_sender(
        self, chat_id: int, payload: dict[str, Any]
    ) -> Callable[[str, str | None], Awaitable[Any]]:
        """A text message: sent new, or (with "edit") written over the screen whose button was
        pressed. The screen an edit cannot reach (deleted, a file) is replaced by a new
        message; a new screen first takes the buttons off the previous one ("clear")."""
        markup = keyboard(payload.get("buttons", []))
        edit: int | None = payload.get("edit")
        clear: int | None = payload.get("clear")

        async def new(text: str) -> Any:
            if clear is not None:
                await self._take_buttons_off(chat_id, clear)
            return await self.bot.send_message(chat_id, text, reply_markup=markup)

        async def message(html: str, mode: str | None) -> Any:
            text = html if mode is None else _fit(html, MESSAGE_LIMIT, mode)
            if edit is None:
                return await new(text)
            try:
                return await self.bot.edit_message_text(
                    text, chat_id=chat_id, message_id=edit, reply_markup=markup
                )
            except BadRequest as exc:
                reason = str(exc).lower()
                if "not modified" in reason:
                    return None  # it says this already (a double tap)
                if _fallback_mode(exc) is not None:
                    raise  # the text itself: shortened or plain, then edited again
                log.info("outbox: a screen could not be edited (%s); sending it anew", exc)
                await self._take_buttons_off(chat_id, edit)
                return await self.bot.send_message(chat_id, text, reply_markup=markup)

        return message

    async def _take_buttons_off(self, chat_id: int, message_id: int) -> None:
        """An older screen's buttons go when a newer screen arrives. Gone already, or too old
        to edit: nothing depends on it (its buttons are refused by their version anyway)."""
        with contextlib.suppress(TelegramError):
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None
            )

    async def _remember_screens(self, session: AsyncSession) -> None:
        """Record where each chat's current screen is (the next new screen clears it)."""
        screens, self._screens = self._screens, {}
        if screens:
            connection = await session.connection()
            await connection.execute(
                _REMEMBER_SCREEN,
                [{"chat": chat, "message": message} for chat, message in screens.items()],
            )

    async def _update_row(self, row_id: int, **values: Any) -> None:
        async with self._write() as session:
            await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))

    async def _finish(self, row_id: int, status: OutboxStatus, error: str | None) -> None:
        sent_at = self.clock() if status is OutboxStatus.SENT else None
        async with self._write() as session:
            if self._screens:
                await self._remember_screens(session)
            await session.execute(
                _FINISH,
                {
                    "row_id": row_id,
                    "new_status": status,
                    "new_sent_at": sent_at,
                    "error": error[:300] if error else error,
                },
            )

    async def _retry_later(self, row: _Claimed, delay: timedelta, error: str) -> datetime:
        when = self.clock() + delay
        await self._update_row(
            row.id, send_after=when, claimed_until=None, claimed_by=None, last_error=error[:300]
        )
        return when

    async def _unreachable(self, row: _Claimed, error: str) -> None:
        """403: the person blocked the bot. Keep the row as failed and flag the link."""
        async with self._write() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id == row.id)
                .values(
                    status=OutboxStatus.FAILED,
                    claimed_until=None,
                    claimed_by=None,
                    last_error=f"403 {error}"[:300],
                )
            )
            await session.execute(
                update(TelegramLink)
                .where(
                    TelegramLink.chat_id == row.chat_id, TelegramLink.status == LinkStatus.ACTIVE
                )
                .values(unreachable_since=self.clock())
            )


# Built once (they run after every step): Core statements on the tables, no ORM bookkeeping.
_OUTBOX: Table = Outbox.__table__  # type: ignore[assignment]
_LINKS: Table = TelegramLink.__table__  # type: ignore[assignment]
_MARK_SENT = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id.in_(bindparam("ids", expanding=True)),
        _OUTBOX.c.claimed_by == bindparam("holder"),
    )
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("now"),
        claimed_until=None,
        claimed_by=None,
        last_error=None,
    )
)
_MARK_SENT_NOTED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row"), _OUTBOX.c.claimed_by == bindparam("holder"))
    .values(
        status=OutboxStatus.SENT,
        sent_at=bindparam("now"),
        claimed_until=None,
        claimed_by=None,
        last_error=bindparam("note"),
    )
)
_PENDING_DUE = (
    select(_OUTBOX.c.id)
    .where(
        _OUTBOX.c.id.in_(bindparam("ids", expanding=True)),
        _OUTBOX.c.status == OutboxStatus.PENDING,
        _OUTBOX.c.send_after <= bindparam("now"),
        or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < bindparam("now")),
    )
    .with_for_update(skip_locked=True)
    .scalar_subquery()
)
# UPDATE … RETURNING: PostgreSQL, and SQLite from 3.35 (Debian 12 has 3.40).
_RETURNING = {"sqlite": sqlite3.sqlite_version_info >= (3, 35)}
_CLAIM_IDS = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(_PENDING_DUE))
    .values(
        claimed_until=bindparam("until"),
        claimed_by=bindparam("holder"),
        attempts=_OUTBOX.c.attempts + 1,
    )
    .returning(
        _OUTBOX.c.id,
        _OUTBOX.c.attempts,
        _OUTBOX.c.payload,
        func.coalesce(
            _OUTBOX.c.chat_id,
            select(_LINKS.c.chat_id)
            .where(
                _LINKS.c.employee_id == _OUTBOX.c.recipient_id,
                _LINKS.c.status == LinkStatus.ACTIVE,
            )
            .limit(1)
            .scalar_subquery(),
        ),
        _OUTBOX.c.kind,
    )
)
_REMEMBER_SCREEN = (
    update(_LINKS)
    .where(_LINKS.c.chat_id == bindparam("chat"), _LINKS.c.status != LinkStatus.REVOKED)
    .values(screen_message_id=bindparam("message"))
)
_FINISH = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=bindparam("new_status"),
        sent_at=bindparam("new_sent_at"),
        claimed_until=None,
        claimed_by=None,
        last_error=bindparam("error"),
    )
)


def _fit(html: str, limit: int, mode: str | None) -> str:
    """A text within `limit`: as it is, shortened, or (mode "plain") without its markup."""
    if mode == "plain":
        html = plain_html(html)
    return shorten_html(html, limit)

"""Delivers outbox rows. A row is leased before it is sent (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, the write lock on SQLite), so two senders never send the same row; a sender that
died leaves a lease that expires and the row is sent later. Telegram's answers decide the
row's fate: 403 marks the person unreachable, 429 waits `retry_after`, a text Telegram finds
too long (or cannot parse) goes out shortened with its buttons, other 400s fail the row. Any
other error (the network, a document that cannot be built, a bad payload) is retried with
backoff up to `OUTBOX_MAX_ATTEMPTS` tries and then fails the row with the reason in
`last_error`; one bad row never holds up the rest of the batch."""

from __future__ import annotations

import html as htmllib
import logging
import re
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.db.models import LinkStatus, Outbox, OutboxStatus, TelegramLink
from bot.documents.service import DocumentMaker

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# Backoff between tries: 5 s · 2^attempts, at most an hour.
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX = timedelta(hours=1)
# Telegram's limits, counted after the HTML is parsed; we count UTF-16 code units (never
# fewer than Telegram's characters) and leave some room.
MESSAGE_LIMIT = 4000
CAPTION_LIMIT = 1000
SHORTENED_NOTE = "\n\n… <i>(pesan dipotong karena terlalu panjang)</i>"


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    attempts: int
    payload: dict[str, Any]
    chat_id: int | None
    kind: str = ""


def keyboard(rows: Sequence[Sequence[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["label"], callback_data=b["data"]) for b in row] for row in rows]
    )


# -- text that Telegram refuses -------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<tag><(?P<close>/?)(?P<name>[a-zA-Z][\w-]*)[^<>]*>)"
    r"|(?P<entity>&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});)"
    r"|(?P<text>[^<&]+)"
    r"|(?P<stray>[<&])"
)


def _units(text: str) -> int:
    """Length in UTF-16 code units (how Telegram measures entities)."""
    return len(text.encode("utf-16-le")) // 2


def _visible(html: str) -> int:
    return _units(htmllib.unescape(re.sub(r"<[^<>]*>", "", html)))


def plain_html(html: str) -> str:
    """The text without any markup, escaped again: what a message Telegram could not parse
    says, safe in HTML parse mode."""
    return htmllib.escape(htmllib.unescape(re.sub(r"<[^<>]*>", "", html)), quote=False)


def shorten_html(html: str, limit: int, note: str = SHORTENED_NOTE) -> str:
    """`html` unchanged when its visible text fits in `limit`; otherwise cut at a word or line
    boundary, never inside a tag or an entity, the open tags closed, `note` appended."""
    if _visible(html) <= limit:
        return html
    budget = max(limit - _visible(note), 0)
    out: list[str] = []
    open_tags: list[str] = []
    used = 0
    for match in _TOKEN.finditer(html):
        if match["tag"]:
            name = match["name"].lower()
            if not match["close"]:
                open_tags.append(name)
                out.append(match["tag"])
            elif name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
                out.append(match["tag"])
            continue
        if match["entity"]:
            piece, size = match["entity"], _units(htmllib.unescape(match["entity"]))
        elif match["stray"]:  # a bare "<" or "&" (Telegram would refuse it): escape it
            piece, size = htmllib.escape(match["stray"]), 1
        else:
            piece, size = match["text"], _units(match["text"])
        if used + size <= budget:
            out.append(piece)
            used += size
            continue
        if match["text"]:
            room, end = budget - used, 0
            for char in piece:
                room -= 2 if ord(char) > 0xFFFF else 1
                if room < 0:
                    break
                end += 1
            cut = piece[:end]
            boundary = max(cut.rfind("\n"), cut.rfind(" "))
            if boundary >= len(cut) // 2:
                cut = cut[:boundary]
            if cut.strip():
                out.append(cut)
        if out and not out[-1].startswith("<"):
            out[-1] = out[-1].rstrip()
        break
    # an element opened just before the cut, with nothing in it, is dropped
    while out and open_tags and out[-1].startswith("<") and not out[-1].startswith("</"):
        out.pop()
        open_tags.pop()
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out) + note


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
    ) -> None:
        self.sessionmaker = sessionmaker
        self.bot = bot
        self.clock = clock
        # Builds the files of rows that carry a document (an SKP as PDF, DOCX, ...).
        self.documents = documents
        # Tries per row before it is marked FAILED (OUTBOX_MAX_ATTEMPTS).
        self.max_attempts = max_attempts if max_attempts is not None else _settings_max_attempts()

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
                select(
                    Outbox.id, Outbox.attempts, Outbox.payload, TelegramLink.chat_id, Outbox.kind
                )
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
            return [_Claimed(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def _send_batch(self, claimed: list[_Claimed]) -> int:
        sent = 0
        for row in claimed:
            try:
                sent += await self._send_one(row)
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
        return sent

    async def _send_one(self, row: _Claimed) -> int:
        """Send one row and record what happened. Raises only when the record itself cannot
        be written."""
        try:
            if row.chat_id is None:
                await self._finish(row.id, OutboxStatus.FAILED, "no active Telegram link")
                return 0
            if not await self._still_wanted(row.payload):
                await self._finish(row.id, OutboxStatus.SKIPPED, "no longer needed")
                return 0
            note = await self._deliver(row.chat_id, row.payload)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._retry_later(row, timedelta(seconds=seconds), "429 retry_after")
            return 0
        except Forbidden as exc:
            await self._unreachable(row, str(exc))
            return 0
        except BadRequest as exc:
            log.warning("outbox row %d (%s) refused by Telegram: %s", row.id, row.kind, exc)
            await self._finish(row.id, OutboxStatus.FAILED, f"400 {exc}"[:300])
            return 0
        except Exception as exc:  # the network, a document, a payload: try again, up to a cap
            await self._failed_attempt(row, exc)
            return 0
        await self._finish(row.id, OutboxStatus.SENT, note)
        return 1

    async def _failed_attempt(self, row: _Claimed, exc: Exception) -> None:
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
            return
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
        await self._retry_later(row, delay, reason)

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
        send = await self._sender_for(chat_id, payload)
        try:
            await send(payload["html"], None)
            return None
        except BadRequest as exc:
            mode = _fallback_mode(exc)
            if mode is None:
                raise
            how = "shortened" if mode == "shorten" else "without markup"
            log.info("outbox: Telegram refused a text (%s); sending it %s", exc, how)
            await send(payload["html"], mode)
            return f"400 {exc}; sent {how}"[:300]

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
            markup = keyboard(payload.get("buttons", []))

            async def message(html: str, mode: str | None) -> Any:
                text = html if mode is None else _fit(html, MESSAGE_LIMIT, mode)
                return await self.bot.send_message(chat_id, text, reply_markup=markup)

            return message
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

    async def _update_row(self, row_id: int, **values: Any) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))

    async def _finish(self, row_id: int, status: OutboxStatus, error: str | None) -> None:
        sent_at = self.clock() if status is OutboxStatus.SENT else None
        await self._update_row(
            row_id,
            status=status,
            sent_at=sent_at,
            claimed_until=None,
            last_error=error[:300] if error else error,
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


def _fit(html: str, limit: int, mode: str | None) -> str:
    """A text within `limit`: as it is, shortened, or (mode "plain") without its markup."""
    if mode == "plain":
        html = plain_html(html)
    return shorten_html(html, limit)

"""Messages the outbox sender gave up on (FAILED), for administrators: the list (who each was
for, what it was, why it failed in plain words) and sending them all again in one go.

Only a message whose recipient can be reached goes again: one for a person whose Telegram link
is marked unreachable (they blocked the bot: a 403) or who has no active link would fail the
same way, and one whose text was emptied by the retention job has nothing left to send. Those
stay FAILED and are counted as skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import Employee, LinkStatus, Outbox, OutboxStatus, TelegramLink
from bot.services.outbox import NO_LINK_ERROR, REPLY_KIND
from bot.texts import Texts
from bot.usecases.base import Tx
from bot.usecases.organisation import require_admin

# Failed messages older than this are history: neither listed nor sent again.
WINDOW = timedelta(days=30)
# At most this many rows are listed (newest first); the count says how many there are.
LIST_MAX = 400
# Re-queued rows sent right after the commit; the others go with the sender's next rounds.
SEND_NOW_MAX = 50

_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}")
_GAVE_UP = re.compile(r"gave up after (\d+) attempts?: (.*)", re.DOTALL)
_TELEGRAM_PREFIX = re.compile(r"^(Bad Request|Forbidden|Conflict|Unauthorized): ", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FailedMessage:
    id: int
    at: datetime  # when the message was written
    kind: str
    # The person it was for (for a step's reply: the person linked to that chat), if any.
    recipient: str | None
    last_error: str | None
    # Whether "send again" would send it (see the module's docstring).
    retryable: bool


@dataclass(frozen=True, slots=True)
class Retried:
    count: int  # put back to PENDING
    skipped: int  # left FAILED: the recipient is still unreachable (or the text is gone)


def _since(now: datetime) -> ColumnElement[bool]:
    return and_(Outbox.status == OutboxStatus.FAILED, Outbox.created_at >= now - WINDOW)


def _retryable() -> ColumnElement[bool]:
    """SQL: the row's recipient can be reached and its text is still there. A step's reply
    goes to its chat (unless that chat's link is marked unreachable); any other message to
    the recipient's active, reachable link."""
    link = aliased(TelegramLink)
    chat_blocked = exists().where(
        link.chat_id == Outbox.chat_id,
        link.status == LinkStatus.ACTIVE,
        link.unreachable_since.is_not(None),
    )
    reachable = exists().where(
        link.employee_id == Outbox.recipient_id,
        link.status == LinkStatus.ACTIVE,
        link.unreachable_since.is_(None),
    )
    return and_(
        or_(
            and_(Outbox.kind == REPLY_KIND, ~chat_blocked),
            and_(Outbox.kind != REPLY_KIND, reachable),
        ),
        cast(Outbox.payload, Text) != "{}",  # emptied by the retention job
    )


async def failed_count(session: AsyncSession, now: datetime) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Outbox).where(_since(now))) or 0
    )


async def failed_messages(
    session: AsyncSession, now: datetime, limit: int = LIST_MAX
) -> list[FailedMessage]:
    """The failed messages of the last `WINDOW`, newest first."""
    chat_person = (
        select(TelegramLink.employee_id)
        .where(TelegramLink.chat_id == Outbox.chat_id, TelegramLink.status != LinkStatus.REVOKED)
        .order_by(TelegramLink.id.desc())
        .limit(1)
        .correlate(Outbox)
        .scalar_subquery()
    )
    person = func.coalesce(Outbox.recipient_id, chat_person)
    rows = await session.execute(
        select(
            Outbox.id,
            Outbox.created_at,
            Outbox.kind,
            Employee.name,
            Outbox.last_error,
            _retryable(),
        )
        .outerjoin(Employee, Employee.id == person)
        .where(_since(now))
        .order_by(Outbox.created_at.desc(), Outbox.id.desc())
        .limit(limit)
    )
    return [
        FailedMessage(row[0], row[1], row[2], row[3], row[4], bool(row[5])) for row in rows.all()
    ]


async def retry_failed(tx: Tx) -> Retried:
    """An administrator sends the failed messages of the last `WINDOW` again: each goes back
    to PENDING from now with its tries counted afresh (the sender's cap applies again); those
    whose recipient is still unreachable are left as they are. Audited with the counts."""
    await require_admin(tx)
    total = await failed_count(tx.session, tx.now)
    ids = await tx.requeue(_since(tx.now), _retryable(), send_now=SEND_NOW_MAX)
    skipped = max(total - len(ids), 0)
    tx.audit("outbox.retried", "outbox", None, count=len(ids), skipped=skipped)
    return Retried(len(ids), skipped)


def reason(last_error: str | None) -> tuple[str, dict[str, Any]]:
    """Why a message failed, as a label key (templates/labels.j2, "outbox_reason_*") and its
    values: short, in plain Indonesian where the sender's note allows, never the bot token."""
    if not last_error:
        return "outbox_reason_unknown", {}
    text = _TOKEN.sub("[token]", " ".join(last_error.split()))
    if text.startswith("403"):
        return "outbox_reason_blocked", {}
    if text.startswith("400 "):
        return "outbox_reason_refused", {"detail": _short(_TELEGRAM_PREFIX.sub("", text[4:]))}
    if text == "no active Telegram link":
        return "outbox_reason_unlinked", {}
    gave_up = _GAVE_UP.match(text)
    if gave_up is not None:
        return "outbox_reason_gave_up", {"n": gave_up[1], "detail": _short(gave_up[2])}
    return "outbox_reason_other", {"detail": _short(text)}


def reason_text(texts: Texts, last_error: str | None) -> str:
    key, values = reason(last_error)
    return texts.label(key, **values)


def kind_label(texts: Texts, kind: str) -> str:
    """What kind of message it was, in Indonesian ("pesan" for a kind without a label)."""
    key = f"outbox_kind_{kind}"
    return texts.label(key) if texts.has_label(key) else texts.label("outbox_kind")


def _short(text: str, limit: int = 90) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def deliver_waiting(tx: Tx, employee_id: int) -> int:
    """A person who just linked Telegram gets what was meant for them while they had no link
    (a cascade's summary, a leader's notice) from the last WINDOW days: those rows are sent
    again now. Returns how many."""
    ids = await tx.requeue(
        _since(tx.now),
        Outbox.recipient_id == employee_id,
        Outbox.kind != REPLY_KIND,
        Outbox.last_error == NO_LINK_ERROR,
        cast(Outbox.payload, Text) != "{}",  # emptied by the retention job
    )
    if ids:
        tx.audit("outbox.delivered_on_link", "employee", employee_id, count=len(ids))
    return len(ids)

"""Durable from receipt (long polling).

Telegram considers an update delivered once a later getUpdates asks for an offset past it.
PTB's Updater computes that offset from the updates it fetched and sends it with its next
getUpdates call, without waiting for them to be processed. Here the transport for getUpdates
(`InboxRequest`, PTB's `get_updates_request`) commits every update of an answer to the inbox
before PTB even sees the answer, so:

    getUpdates(offset=N) is only ever sent after every update below N that this process
    received is committed in the inbox.

If storing fails, PTB gets a NetworkError, retries with backoff and the offset does not move:
Telegram sends the same updates again. An update in the inbox is processed exactly once (its
step marks the row in the step's own transaction); one stored but not processed (the process
died) is taken up again at the next start (`InboxStore.pending`), after its replies still
unsent were sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.db.models import InboxOutcome, InboxUpdate, Outbox, OutboxStatus
from bot.engine.runtime import REPLY_KIND, DialogEngine

log = logging.getLogger(__name__)

# An update taken up after this many starts without being processed is given up (it may be
# what made the process die).
MAX_TAKE_UPS = 3
# A step's replies are kept this long once sent (or given up): only unsent ones are needed
# (a redelivered update sends those), and they carry what the person saw.
KEEP_REPLIES = timedelta(days=1)

Store = Callable[[list[dict[str, Any]]], Awaitable[None]]


def sender_of(raw: dict[str, Any]) -> int | None:
    """The Telegram user an update comes from, read from the raw update."""
    for key, value in raw.items():
        if key != "update_id" and isinstance(value, dict):
            person = value.get("from") or value.get("user")
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return int(person["id"])
    return None


class InboxStore:
    def __init__(self, engine: DialogEngine) -> None:
        self.engine = engine
        self.sessionmaker = engine.sessionmaker
        self.clock = engine.clock

    async def receive(self, raw_updates: list[dict[str, Any]]) -> None:
        """Store updates as Telegram sent them, in one transaction; one stored already
        (Telegram sent it again) is left as it is."""
        now = self.clock()
        rows = [
            {
                "update_id": raw["update_id"],
                "tg_user_id": sender_of(raw),
                "payload": raw,
                "received_at": now,
            }
            for raw in raw_updates
            if isinstance(raw, dict) and isinstance(raw.get("update_id"), int)
        ]
        if not rows:
            return
        async with self.engine.writing(), self.sessionmaker() as session, session.begin():
            postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
            connection = await session.connection()
            await connection.execute(_RECEIVE[postgres], rows)

    async def pending(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """At start: the updates stored and never processed, oldest first. Each is counted;
        one taken up `MAX_TAKE_UPS` times already is given up instead."""
        now = now or self.clock()
        async with self.engine.writing(), self.sessionmaker() as session, session.begin():
            await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.processed_at.is_(None))
                .values(attempts=InboxUpdate.attempts + 1)
            )
            given_up = await session.execute(
                update(InboxUpdate)
                .where(
                    InboxUpdate.processed_at.is_(None),
                    InboxUpdate.attempts > MAX_TAKE_UPS,
                )
                .values(processed_at=now, outcome=InboxOutcome.GAVE_UP.value, payload=null())
                .returning(InboxUpdate.update_id)
            )
            for update_id in given_up.scalars():
                log.error(
                    "update %d was taken up %d times without being processed; given up",
                    update_id,
                    MAX_TAKE_UPS,
                )
            rows = await session.execute(
                select(InboxUpdate.payload)
                .where(InboxUpdate.processed_at.is_(None))
                .order_by(InboxUpdate.update_id)
            )
            return [payload for payload in rows.scalars() if payload]

    async def prune_replies(self, now: datetime, keep: timedelta = KEEP_REPLIES) -> int:
        """Delete the steps' replies sent or given up before `now - keep`."""
        async with self.engine.writing(), self.sessionmaker() as session, session.begin():
            result = await session.execute(
                delete(Outbox).where(
                    Outbox.kind == REPLY_KIND,
                    Outbox.created_at < now - keep,
                    Outbox.status != OutboxStatus.PENDING,
                )
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _receive_statement(postgres: bool) -> Any:
    return (
        (pg_insert if postgres else sqlite_insert)(InboxUpdate)
        .values(
            update_id=bindparam("update_id"),
            tg_user_id=bindparam("tg_user_id"),
            payload=bindparam("payload"),
            received_at=bindparam("received_at"),
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
    )


_RECEIVE = {postgres: _receive_statement(postgres) for postgres in (False, True)}


class InboxRequest(BaseRequest):
    """The transport for getUpdates: the inner transport's answer, its updates committed to
    the inbox before PTB reads them (see the module's docstring)."""

    def __init__(self, inner: BaseRequest, store: Store) -> None:
        self.inner = inner
        self.store = store

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await self.inner.do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if 200 <= code <= 299 and url.rsplit("/", 1)[-1] == "getUpdates":
            result = self.parse_json_payload(payload).get("result")
            if isinstance(result, list) and result:
                try:
                    await self.store(result)
                except Exception as exc:
                    # PTB retries getUpdates with the same offset: Telegram sends them again.
                    log.error(
                        "could not store %d received updates (%s); not confirming them",
                        len(result),
                        type(exc).__name__,
                    )
                    raise NetworkError("received updates could not be stored") from exc
        return code, payload

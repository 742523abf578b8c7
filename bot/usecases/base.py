"""What every use case works with: one transaction (`Tx`: the session, the moment, who acts and
through which channel), refusals, the audit log and idempotent notifications.

A use case loads its rows under a lock, checks the rules (bot.domain.contract), changes state,
audits and writes outbox rows, all inside the caller's transaction; it never commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditLog, Outbox, OutboxStatus
from bot.domain.contract import Refusal
from bot.engine.callback import Callback
from bot.engine.types import Button
from bot.texts import Texts


class Refused(Exception):
    """The action is not allowed now; `reason` is a label key that explains why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(slots=True)
class Tx:
    session: AsyncSession
    now: datetime
    actor_id: int | None
    channel: str
    texts: Texts
    # Outbox rows written in this transaction: delivered right after the commit.
    outbox_ids: list[int] = field(default_factory=list)
    # The process's periods and policies (bot.services.catalog) and the stamp read with this
    # update, when the dialog engine runs it; else periods are read.
    catalog: Any = None
    stamp: int | None = None

    @property
    def postgres(self) -> bool:
        bind = self.session.bind
        return bind is not None and bind.dialect.name == "postgresql"

    def audit(self, action: str, object_type: str, object_id: int | None, **details: Any) -> None:
        self.session.add(
            AuditLog(
                at=self.now,
                actor_id=self.actor_id,
                channel=self.channel,
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details,
            )
        )

    async def notify(
        self,
        recipient_id: int,
        kind: str,
        template: str,
        buttons: list[list[Button]] | None = None,
        dedupe_key: str | None = None,
        document: dict[str, Any] | None = None,
        **context: Any,
    ) -> int | None:
        """Queue a message for someone; the sender delivers it after the commit. A message
        whose dedupe key exists already is not written again (None is returned): the same
        event noticed twice, by a retry or by a second process, is said once."""
        payload = self.payload(template, buttons, document, **context)
        values = {
            "recipient_id": recipient_id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "payload": payload,
            "created_at": self.now,
            "send_after": self.now,
        }
        connection = await self.session.connection()
        row_id = (await connection.execute(_NOTIFY[self.postgres], values)).scalar_one_or_none()
        if row_id is not None:
            self.outbox_ids.append(int(row_id))
        return row_id

    def payload(
        self,
        template: str,
        buttons: list[list[Button]] | None = None,
        document: dict[str, Any] | None = None,
        **context: Any,
    ) -> dict[str, Any]:
        """What an outbox row carries: the message's HTML, its buttons, the file to build."""
        payload: dict[str, Any] = {
            "html": self.texts.message(template, **context),
            "buttons": [[b.as_dict() for b in row] for row in buttons or []],
        }
        if document is not None:
            payload["document"] = document
        return payload

    async def requeue(
        self,
        *where: ColumnElement[bool],
        payload: dict[str, Any] | None = None,
        send_now: int | None = None,
    ) -> list[int]:
        """Send existing outbox rows again (a document asked for again, failed messages an
        administrator sends again): the rows matching `where` become pending from now, their
        tries counted afresh, with a new `payload` when given. The first `send_now` of them
        (all by default) are delivered after the commit like new rows, the others by the
        sender's next rounds. Returns the ids of the rows put back."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "send_after": self.now,
            "attempts": 0,
            "last_error": None,
            "sent_at": None,
            "claimed_until": None,
            "claimed_by": None,
        }
        if payload is not None:
            values["payload"] = payload
        result = await self.session.execute(
            update(Outbox).where(*where).values(**values).returning(Outbox.id)
        )
        ids = sorted(int(row_id) for row_id in result.scalars())
        self.outbox_ids.extend(ids if send_now is None else ids[:send_now])
        return ids

    def button(
        self, label: str, ns: str, action: str, obj: int, version: int = 0, **values: Any
    ) -> Button:
        return Button(
            self.texts.label(label, **values), Callback(ns, action, str(obj), version).encode()
        )


def _notify_statement(postgres: bool) -> Any:
    insert = pg_insert if postgres else sqlite_insert
    table = Outbox.__table__
    return (
        insert(Outbox)
        .values(
            recipient_id=bindparam("recipient_id"),
            kind=bindparam("kind"),
            dedupe_key=bindparam("dedupe_key"),
            payload=bindparam("payload", type_=table.c.payload.type),
            status=OutboxStatus.PENDING.value,
            attempts=0,
            created_at=bindparam("created_at", type_=table.c.created_at.type),
            send_after=bindparam("send_after", type_=table.c.send_after.type),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Outbox.id)
    )


# Built once (statement building costs more than executing a cached one).
_NOTIFY = {postgres: _notify_statement(postgres) for postgres in (False, True)}

"""What a step handler sees: the database session of this update's transaction, the acting
person, the flow's draft data, and ways to say something, audit and notify."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AuditLog,
    Employee,
    RoleGrant,
    RoleName,
    Team,
    TelegramLink,
    Unit,
)
from bot.db.session_memo import note_unit_head
from bot.engine.types import Attachment, Button, Reply
from bot.services.catalog import Catalog
from bot.texts import Texts
from bot.usecases.base import Tx


class Role:
    EMPLOYEE = "employee"
    TEAM_LEAD = "ketua_tim"
    UNIT_HEAD = "unit_head"
    ADMIN = "admin"


def role_flags(employee_id: Any) -> tuple[Any, ...]:
    """Whether the person leads a team, heads a unit, is an administrator: three EXISTS
    columns (`employee_id` a value or a column of the enclosing statement)."""
    return (
        exists().where(Team.leader_id == employee_id),
        exists().where(Unit.head_id == employee_id),
        exists().where(RoleGrant.employee_id == employee_id, RoleGrant.role == RoleName.ADMIN),
    )


def roles_of(flags: Any) -> frozenset[str]:
    team_lead, unit_head, admin = flags
    roles = {Role.EMPLOYEE}
    if team_lead:
        roles.add(Role.TEAM_LEAD)
    if unit_head:
        roles.add(Role.UNIT_HEAD)
    if admin:
        roles.add(Role.ADMIN)
    return frozenset(roles)


@dataclass(slots=True)
class Actor:
    employee: Employee
    link: TelegramLink | None
    session: AsyncSession
    _roles: frozenset[str] | None = None
    # The pejabat penilai read with the person, held for the update: the session keeps its
    # objects only while something refers to them, and an SKP read afresh lets go of the
    # person's reference, so without this the next lookup of the penilai would query again.
    penilai: Employee | None = None

    def __post_init__(self) -> None:
        if self._roles is not None:
            self._note_roles()

    def _note_roles(self) -> None:
        # Use cases applying the unit-head rules to this person then need not ask again.
        assert self._roles is not None
        note_unit_head(self.session, self.employee.id, Role.UNIT_HEAD in self._roles)

    @property
    def id(self) -> int:
        return self.employee.id

    async def roles(self) -> frozenset[str]:
        """Leader roles derive from the organisation; admin is granted. Computed once per
        update (the engine reads them with the person's link)."""
        if self._roles is None:
            row = (await self.session.execute(select(*role_flags(self.employee.id)))).one()
            self._roles = roles_of(row)
            self._note_roles()
        return self._roles

    async def has(self, role: str) -> bool:
        return role in await self.roles()


@dataclass(slots=True)
class Ctx:
    session: AsyncSession
    actor: Actor
    texts: Texts
    now: datetime
    channel: str
    data: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None
    alert: bool = False
    outbox_ids: list[int] = field(default_factory=list)
    # Values a flow looked up once in this update (the period, the policy): a step's handler
    # and the view of the next step often need the same rows.
    memo: dict[str, Any] = field(default_factory=dict)
    # An object button's message keeps its buttons (it offers other decisions still open).
    keep_buttons: bool = False
    # The process's periods and policies, and the stamp read with this update (None: not
    # read; the period is then looked up afresh).
    catalog: Catalog | None = None
    stamp: int | None = None
    # A FILE event's photo or document as Telegram described it (evidence keeps its file_id).
    attachment: Attachment | None = None

    def say(
        self, template: str, /, buttons: list[list[Button]] | None = None, **context: Any
    ) -> None:
        self.replies.append(Reply(self.texts.message(template, **context), buttons or []))

    def notice(self, label_key: str, alert: bool = False, **values: Any) -> None:
        """The short answer to a button press."""
        self.toast = self.texts.label(label_key, **values)
        self.alert = alert

    def audit(self, action: str, object_type: str, object_id: int | None, **details: Any) -> None:
        self.session.add(
            AuditLog(
                at=self.now,
                actor_id=self.actor.id,
                channel=self.channel,
                action=action,
                object_type=object_type,
                object_id=object_id,
                details=details,
            )
        )

    @property
    def tx(self) -> Tx:
        """This update's transaction as the use cases see it (sharing the outbox list)."""
        return Tx(
            self.session,
            self.now,
            self.actor.id,
            self.channel,
            self.texts,
            self.outbox_ids,
            self.catalog,
            self.stamp,
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
    ) -> None:
        """Queue a message to someone (the actor too, for slow work like a document); the
        sender delivers it after this step commits. With `document`, the message is the
        caption of a file the sender builds (e.g. {"skp_id": 5, "format": "pdf"}). A message
        whose dedupe key exists already is not queued twice."""
        await self.tx.notify(recipient_id, kind, template, buttons, dedupe_key, document, **context)

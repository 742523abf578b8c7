"""One-time links into the web dashboard: the bot gives an administrator or unit head a link
that works once, for a few minutes; the web server redeems it for a session cookie. Only the
token's SHA-256 is stored, so a copy of the database opens nothing.

The link's row then stands for the session it opened: once used, its `expires_at` is the
session's end, and logging out moves it to the moment of logout, so the cookie (and any copy
of it) is refused from then on."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import WebLogin
from bot.domain.contract import Refusal
from bot.usecases.base import Refused, Tx
from bot.webapp.scope import dashboard_scope


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(tx: Tx, employee_id: int, minutes: int) -> str:
    """A new login token for someone who may see the dashboard (checked here, not only by
    the menu that offers the button)."""
    if await dashboard_scope(tx.session, employee_id) is None:
        raise Refused(Refusal.NOT_ADMIN)
    token = secrets.token_urlsafe(32)
    row = WebLogin(
        employee_id=employee_id,
        token_hash=token_hash(token),
        created_at=tx.now,
        expires_at=tx.now + timedelta(minutes=minutes),
    )
    tx.session.add(row)
    await tx.session.flush()
    tx.audit("web.login_link", "employee", employee_id, login_id=row.id)
    return token


@dataclass(frozen=True, slots=True)
class Login:
    employee_id: int
    session_id: int


async def redeem(tx: Tx, token: str, session_end: datetime) -> Login | None:
    """Who a token logs in, once, and the session's id (open until `session_end`); None for
    an unknown, used or expired token."""
    if not token or len(token) > 100:
        return None
    row = (
        await tx.session.execute(
            select(WebLogin).where(WebLogin.token_hash == token_hash(token)).with_for_update()
        )
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= tx.now:
        return None
    row.used_at = tx.now
    row.expires_at = session_end
    tx.actor_id = row.employee_id
    tx.audit("web.login", "employee", row.employee_id, login_id=row.id)
    return Login(row.employee_id, row.id)


async def session_open(
    session: AsyncSession, session_id: int, employee_id: int, now: datetime
) -> bool:
    """Whether a dashboard session is still open: its login was used, by this person, and
    has neither ended nor been logged out of."""
    row = await session.get(WebLogin, session_id) if session_id else None
    return (
        row is not None
        and row.employee_id == employee_id
        and row.used_at is not None
        and row.expires_at > now
    )


async def log_out(tx: Tx, session_id: int, employee_id: int) -> None:
    """Close a dashboard session: its cookie, wherever copied, is refused from now on."""
    row = await tx.session.get(WebLogin, session_id, with_for_update=True)
    if row is None or row.employee_id != employee_id or row.used_at is None:
        return
    if row.expires_at > tx.now:
        row.expires_at = tx.now
        tx.actor_id = employee_id
        tx.audit("web.logout", "employee", employee_id, login_id=row.id)

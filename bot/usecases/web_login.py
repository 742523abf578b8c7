"""One-time links into the web dashboard: the bot gives an administrator or unit head a link
that works once, for a few minutes; the web server redeems it for a session cookie. Only the
token's SHA-256 is stored, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

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


async def redeem(tx: Tx, token: str) -> int | None:
    """The employee a token logs in, once; None for an unknown, used or expired token."""
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
    tx.actor_id = row.employee_id
    tx.audit("web.login", "employee", row.employee_id, login_id=row.id)
    return row.employee_id

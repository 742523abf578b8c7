"""One-time invitation codes. Only a hash is stored; a new code for a person revokes their
earlier unused ones."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditLog, Employee, Invitation

CODE_BYTES = 12  # 16 URL-safe characters; Telegram's start parameter allows 64


class CodeProblem(StrEnum):
    UNKNOWN = "invite_unknown"
    EXPIRED = "invite_expired"
    USED = "invite_used"
    REVOKED = "invite_revoked"
    CLAIMED = "invite_claimed"


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def looks_like_code(code: str) -> bool:
    return 8 <= len(code) <= 64 and all(c.isalnum() or c in "-_" for c in code)


@dataclass(frozen=True, slots=True)
class IssuedCode:
    employee: Employee
    code: str
    expires_at: datetime


async def issue(
    session: AsyncSession, employees: list[Employee], now: datetime, validity_days: int, actor: str
) -> list[IssuedCode]:
    """Create a fresh code per employee, revoking any earlier unused code of theirs."""
    ids = [e.id for e in employees]
    if ids:
        await session.execute(
            update(Invitation)
            .where(
                Invitation.employee_id.in_(ids),
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
    issued = []
    expires = now + timedelta(days=validity_days)
    for employee in employees:
        code = secrets.token_urlsafe(CODE_BYTES)
        session.add(
            Invitation(
                employee_id=employee.id,
                code_hash=hash_code(code),
                created_at=now,
                expires_at=expires,
            )
        )
        session.add(
            AuditLog(
                at=now,
                actor_id=None,
                channel="cli",
                action="invitation.issued",
                object_type="employee",
                object_id=employee.id,
                details={"by": actor},
            )
        )
        issued.append(IssuedCode(employee, code, expires))
    return issued


async def find_for_redeem(
    session: AsyncSession, code: str, tg_user_id: int, now: datetime
) -> Invitation | CodeProblem:
    if not looks_like_code(code):
        return CodeProblem.UNKNOWN
    invitation = (
        await session.execute(
            select(Invitation).where(Invitation.code_hash == hash_code(code)).with_for_update()
        )
    ).scalar_one_or_none()
    if invitation is None:
        return CodeProblem.UNKNOWN
    if invitation.used_at is not None:
        return CodeProblem.USED
    if invitation.revoked_at is not None:
        return CodeProblem.REVOKED
    if invitation.expires_at <= now:
        return CodeProblem.EXPIRED
    if invitation.claimed_by_tg_user not in (None, tg_user_id):
        return CodeProblem.CLAIMED
    return invitation

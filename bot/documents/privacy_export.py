""" "Data saya" (UU PDP 27/2022, the right to a copy): everything the product stores about one
person, as one JSON file.

JSON rather than XLSX: the law asks for a copy in a commonly used format that systems can read
(portability); JSON keeps the nesting (an SKP with its items, expectations and resources), the
exact stored values (targets as decimals, moments in UTC, the audit's details as they are) and
every column, including ones added later, without a layout to maintain. Sections and fields
carry the database's table and column names, so the file shows what is stored as it is stored;
the `keterangan` at the top explains them in Indonesian.

What is about the person: their employee row, unit and pejabat penilai (name and position
only), teams, roles, Telegram links, invitations (without the code's hash), their dialog state,
the data reports they filed, every version of their SKP with items, expectations and resources,
the cascade roles assigned to them and the cascades they lead, which messages were sent to them
(not the texts: those may concern other people and are emptied after the retention time), and
the audit entries they made or that are about them, their links, reports, SKPs and cascades.
Other people's rows are never read in full."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import (
    AuditLog,
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeStrategy,
    DataReport,
    DialogState,
    Employee,
    Evaluation,
    Invitation,
    Outbox,
    RoleGrant,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    Team,
    TeamMember,
    TelegramLink,
    Unit,
)
from bot.documents.privacy_progress import progress_of
from bot.texts import Texts

FORMAT = "dialog-kinerja/data-saya@1"
# A secret's hash: of no use to the person, and kept out of files that travel.
OMIT: dict[type[Base], tuple[str, ...]] = {Invitation: ("code_hash",)}


def plain(value: Any) -> Any:
    """A stored value as JSON: moments in ISO 8601 (UTC), decimals as exact strings."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def row(obj: Base | None) -> dict[str, Any] | None:
    """Every stored column of a row (relationships are not followed)."""
    if obj is None:
        return None
    omit = OMIT.get(type(obj), ())
    return {
        attr.key: plain(getattr(obj, attr.key))
        for attr in inspect(type(obj)).column_attrs
        if attr.key not in omit
    }


def rows(objs: Any) -> list[dict[str, Any]]:
    return [r for r in (row(o) for o in objs) if r is not None]


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def _skps(session: AsyncSession, employee_id: int) -> list[dict[str, Any]]:
    skps = await _all(
        session,
        select(Skp).where(Skp.employee_id == employee_id).order_by(Skp.period_id, Skp.number),
    )
    ids = [s.id for s in skps]
    items = await _all(
        session, select(SkpItem).where(SkpItem.skp_id.in_(ids)).order_by(SkpItem.position)
    )
    expectations = await _all(
        session,
        select(SkpExpectation).where(SkpExpectation.skp_id.in_(ids)).order_by(SkpExpectation.id),
    )
    resources = await _all(
        session, select(SkpResource).where(SkpResource.skp_id.in_(ids)).order_by(SkpResource.id)
    )
    evaluations = await _all(
        session, select(Evaluation).where(Evaluation.skp_id.in_(ids)).order_by(Evaluation.id)
    )
    progress = await progress_of(session, ids)  # the year in progress, per version
    result = []
    for skp in skps:
        data = row(skp) or {}
        data["progress"] = progress[skp.id]
        data["evaluations"] = rows(e for e in evaluations if e.skp_id == skp.id)
        data["items"] = rows(i for i in items if i.skp_id == skp.id)
        data["expectations"] = rows(e for e in expectations if e.skp_id == skp.id)
        data["resources"] = rows(r for r in resources if r.skp_id == skp.id)
        result.append(data)
    return result


async def _cascades(session: AsyncSession, employee_id: int) -> list[dict[str, Any]]:
    """The cascades the person leads: their understanding, strategies and activities (who
    else was given which role is the others' data and stays out)."""
    cascades = await _all(
        session, select(Cascade).where(Cascade.leader_id == employee_id).order_by(Cascade.id)
    )
    ids = [c.id for c in cascades]
    strategies = await _all(
        session,
        select(CascadeStrategy)
        .where(CascadeStrategy.cascade_id.in_(ids))
        .order_by(CascadeStrategy.position),
    )
    activities = await _all(
        session,
        select(CascadeActivity)
        .where(CascadeActivity.strategy_id.in_([s.id for s in strategies]))
        .order_by(CascadeActivity.position),
    )
    result = []
    for cascade in cascades:
        data = row(cascade) or {}
        data["strategies"] = []
        for strategy in (s for s in strategies if s.cascade_id == cascade.id):
            entry = row(strategy) or {}
            entry["activities"] = rows(a for a in activities if a.strategy_id == strategy.id)
            data["strategies"].append(entry)
        result.append(data)
    return result


async def _assignments(session: AsyncSession, employee_id: int) -> list[dict[str, Any]]:
    """The roles given to the person in someone's cascade, with the activity they serve."""
    found = (
        await session.execute(
            select(CascadeAssignment, CascadeActivity.text)
            .join(CascadeActivity, CascadeActivity.id == CascadeAssignment.activity_id)
            .where(CascadeAssignment.assignee_id == employee_id)
            .order_by(CascadeAssignment.id)
        )
    ).all()
    return [{**(row(a) or {}), "activity_text": text} for a, text in found]


async def personal_data(
    session: AsyncSession, employee_id: int, texts: Texts, now: datetime
) -> dict[str, Any]:
    employee = await session.get(Employee, employee_id)
    if employee is None:
        raise LookupError(employee_id)
    unit = await session.get(Unit, employee.unit_id)
    penilai = await session.get(Employee, employee.penilai_id) if employee.penilai_id else None
    teams = await _all(
        session,
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.employee_id == employee_id)
        .order_by(Team.name),
    )
    led = await _all(session, select(Team).where(Team.leader_id == employee_id).order_by(Team.id))
    links = await _all(
        session,
        select(TelegramLink)
        .where(TelegramLink.employee_id == employee_id)
        .order_by(TelegramLink.id),
    )
    reports = await _all(
        session,
        select(DataReport).where(DataReport.employee_id == employee_id).order_by(DataReport.id),
    )
    skps = await _skps(session, employee_id)
    cascades = await _cascades(session, employee_id)
    assignments = await _assignments(session, employee_id)
    messages = (
        await session.execute(
            select(Outbox.id, Outbox.kind, Outbox.status, Outbox.created_at, Outbox.sent_at)
            .where(Outbox.recipient_id == employee_id)
            .order_by(Outbox.id)
        )
    ).all()

    about = [
        ("employee", [employee_id]),
        ("telegram_link", [link.id for link in links]),
        ("data_report", [r.id for r in reports]),
        ("skp", [s["id"] for s in skps]),
        ("cascade", [c["id"] for c in cascades]),
        ("cascade_assignment", [a["id"] for a in assignments]),
        ("evaluation", [e["id"] for s in skps for e in s["evaluations"]]),
    ]
    audit = await _all(
        session,
        select(AuditLog)
        .where(
            or_(
                AuditLog.actor_id == employee_id,
                *(
                    and_(AuditLog.object_type == kind, AuditLog.object_id.in_(ids))
                    for kind, ids in about
                    if ids
                ),
            )
        )
        .order_by(AuditLog.id),
    )
    return {
        "keterangan": texts.label("privacy_export_about"),
        "dibuat_pada": plain(now),
        "format": FORMAT,
        "employee": row(employee),
        "unit": row(unit),
        "penilai": (
            {"id": penilai.id, "name": penilai.name, "jabatan": penilai.jabatan}
            if penilai is not None
            else None
        ),
        "teams": rows(teams),
        "teams_led": rows(led),
        "role_grants": rows(
            await _all(session, select(RoleGrant).where(RoleGrant.employee_id == employee_id))
        ),
        "telegram_links": rows(links),
        "invitations": rows(
            await _all(
                session,
                select(Invitation)
                .where(Invitation.employee_id == employee_id)
                .order_by(Invitation.id),
            )
        ),
        "dialog_state": row(await session.get(DialogState, employee_id)),
        "data_reports": rows(reports),
        "skps": skps,
        "cascade_assignments": assignments,
        "cascades": cascades,
        "messages": [
            {
                "id": m.id,
                "kind": m.kind,
                "status": plain(m.status),
                "created_at": plain(m.created_at),
                "sent_at": plain(m.sent_at),
            }
            for m in messages
        ],
        "audit_log": rows(audit),
    }


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")

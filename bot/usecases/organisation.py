"""Organisation matters that are decisions too: closing a data-correction report and setting a
period's deadlines. Locked, checked, audited and notified like the SKP's use cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from bot.db.models import DataReport, Period, ReportStatus, RoleGrant, RoleName
from bot.domain.contract import Refusal
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import valid_id

DEADLINE_FIELDS = ("draft_deadline", "skp_deadline")


async def require_admin(tx: Tx) -> None:
    if tx.actor_id is None:  # the command line: the operator is trusted
        return
    admin = await tx.session.scalar(
        select(
            exists().where(RoleGrant.employee_id == tx.actor_id, RoleGrant.role == RoleName.ADMIN)
        )
    )
    if not admin:
        raise Refused(Refusal.NOT_ADMIN)


async def resolve_report(tx: Tx, report_id: int) -> DataReport:
    """Close a "data saya salah" report once, whoever of the administrators is first; the
    employee is told once."""
    await require_admin(tx)
    if not valid_id(report_id):
        raise Refused(Refusal.NOT_FOUND)
    report = (
        await tx.session.execute(
            select(DataReport)
            .where(DataReport.id == report_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if report is None:
        raise Refused(Refusal.NOT_FOUND)
    if report.status is ReportStatus.RESOLVED:
        raise Refused(Refusal.ALREADY_RESOLVED)
    report.status = ReportStatus.RESOLVED
    report.resolved_at = tx.now
    report.resolved_by_id = tx.actor_id
    tx.audit("data_report.resolved", "data_report", report.id)
    await tx.notify(
        report.employee_id,
        "data_report_resolved",
        "report_resolved_notice",
        dedupe_key=f"data_report_resolved:{report.id}",
        report=report,
        field_label=tx.texts.label(f"field_{report.field}"),
    )
    return report


async def set_deadline(tx: Tx, period_id: int, field: str, day: date) -> Period:
    """Set a period's drafting or SKP deadline (reminders count down to it)."""
    await require_admin(tx)
    if field not in DEADLINE_FIELDS:
        raise ValueError(field)
    period = (
        await tx.session.execute(
            select(Period)
            .where(Period.id == period_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if period is None:
        raise Refused(Refusal.NOT_FOUND)
    old = getattr(period, field)
    setattr(period, field, day)
    tx.audit(
        "period.deadline_changed",
        "period",
        period.id,
        field=field,
        old=old.isoformat() if old else None,
        new=day.isoformat(),
    )
    return period

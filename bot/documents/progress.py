"""The unit progress report (XLSX): every person of a unit (or of all units), where their SKP
stands, its dates, items, totals and open findings."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import Employee, Period, Skp, SkpItem, Unit
from bot.documents import cells
from bot.domain import skp_rules as rules
from bot.services import skp as store
from bot.texts import Texts, tanggal

COLUMNS = (
    "progress_unit",
    "progress_nip",
    "progress_name",
    "progress_jabatan",
    "progress_penilai",
    "progress_status",
    "progress_version",
    "progress_submitted",
    "progress_set",
    "progress_items",
    "progress_core",
    "progress_beyond",
    "progress_errors",
    "progress_warnings",
)


async def progress_rows(
    session: AsyncSession, period: Period, unit_id: int | None, texts: Texts, tz: ZoneInfo
) -> list[list[Any]]:
    policy = await store.policy_for(session, period)
    penilai = aliased(Employee)
    query = (
        select(Employee, Unit.name, penilai.name)
        .join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(penilai, penilai.id == Employee.penilai_id)
        .where(Employee.active.is_(True))
        .order_by(Unit.name, Employee.name)
    )
    if unit_id is not None:
        query = query.where(Employee.unit_id == unit_id)
    people = (await session.execute(query)).all()
    # Joined rather than IN (...): an organisation-wide report covers 100 000 people.
    in_scope = select(Employee.id).where(Employee.active.is_(True))
    if unit_id is not None:
        in_scope = in_scope.where(Employee.unit_id == unit_id)
    skps = select(Skp).where(Skp.period_id == period.id, Skp.employee_id.in_(in_scope))
    latest: dict[int, Skp] = {}
    for version in (await session.execute(skps.order_by(Skp.employee_id, Skp.number))).scalars():
        latest[version.employee_id] = version  # the highest number wins
    items: dict[int, list[SkpItem]] = {}
    item_query = (
        select(SkpItem)
        .join(Skp, Skp.id == SkpItem.skp_id)
        .where(Skp.period_id == period.id, Skp.employee_id.in_(in_scope))
    )
    for item in (await session.execute(item_query)).scalars():
        items.setdefault(item.skp_id, []).append(item)
    heads = set((await session.execute(select(Unit.head_id))).scalars())

    def when(value: datetime | None) -> str:
        return tanggal(value.astimezone(tz)) if value else ""

    rows = []
    for emp, unit_name, penilai_name in people:
        skp = latest.get(emp.id)
        row: list[Any] = [unit_name, emp.nip, emp.name, emp.jabatan, penilai_name or ""]
        if skp is None:
            rows.append([*row, texts.label("progress_not_started"), "", "", "", 0, 0, 0, 0, 0])
            continue
        rule_items = [store.rule_item(i) for i in items.get(skp.id, [])]
        t = rules.totals(policy, rule_items)
        found = rules.check_skp(
            policy, rule_items, policy.rules_for(emp.id in heads), skp.count_note
        )
        rows.append(
            [
                *row,
                texts.label(f"status_{skp.status.value}"),
                skp.number,
                when(skp.submitted_at),
                when(skp.set_at),
                t.count,
                float(t.core),
                float(t.beyond),
                len(rules.errors(found)),
                len(rules.warnings(found)),
            ]
        )
    return rows


def progress_xlsx(rows: list[list[Any]], texts: Texts, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    cells.header(cells.append(ws, [texts.label(c) for c in COLUMNS]))
    for row in rows:
        cells.append(ws, row)  # names, units and jabatan are typed text: never formulas
    for column, width in zip("ABCDEFGHIJKLMN", (34, 20, 28, 36, 28, 24), strict=False):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

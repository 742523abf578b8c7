""" "Data saya salah": an employee reports wrong organisation data (most often the pejabat
penilai); the report is stored and reaches every linked administrator, who can close it with
a button."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.db.models import DataReport, Employee, ReportStatus
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Step, flow
from bot.engine.runtime import HOME
from bot.engine.types import Button
from bot.usecases import organisation
from bot.usecases.base import Refused
from conversations.people import identity_card, linked_admin_ids

REPORT_NS = "rep"
FIELDS = ("atasan", "jabatan", "unit", "nama", "lainnya")
NOTE_MIN, NOTE_MAX = 5, 1000


def field_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("field", f"field_{f}", f)] for f in FIELDS] + [[Choice("back", "back")]]


def note_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("back", "back")]]


def validate_note(text: str) -> Reask | None:
    if len(text) < NOTE_MIN:
        return Reask("report_note_too_short", {"minimum": NOTE_MIN})
    if len(text) > NOTE_MAX:
        return Reask("report_note_too_long", {"maximum": NOTE_MAX, "length": len(text)})
    return None


async def file_report(ctx: Ctx, field: str, note: str) -> DataReport:
    report = DataReport(employee_id=ctx.actor.id, field=field, note=note, created_at=ctx.now)
    ctx.session.add(report)
    await ctx.session.flush()
    ctx.audit("data_report.filed", "data_report", report.id, field=field)
    card = await identity_card(ctx.session, ctx.actor.id)
    button = Button(
        ctx.texts.label("resolve_report"), Callback(REPORT_NS, "done", str(report.id), 0).encode()
    )
    for admin_id in await linked_admin_ids(ctx.session):
        await ctx.notify(
            admin_id,
            "data_report",
            "admin_data_report",
            buttons=[[button]],
            dedupe_key=f"data_report:{report.id}:{admin_id}",
            report=report,
            field_label=ctx.texts.label(f"field_{field}"),
            **card,
        )
    return report


async def on_field(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return HOME
    ctx.data["field"] = arg
    return Goto("note")


async def on_note_back(ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("field")


async def on_note(ctx: Ctx, text: str) -> Next:
    problem = validate_note(text)
    if problem is not None:
        return problem
    await file_report(ctx, ctx.data.get("field", "lainnya"), text)
    ctx.say("report_sent")
    return HOME


async def field_view(ctx: Ctx) -> dict[str, Any]:
    return await identity_card(ctx.session, ctx.actor.id)


async def note_view(ctx: Ctx) -> dict[str, Any]:
    field = ctx.data.get("field", "lainnya")
    return {"field_label": ctx.texts.label(f"field_{field}"), "maximum": NOTE_MAX}


FLOW = flow(
    "koreksi",
    [
        Step("field", "report_field", view=field_view, choices=field_choices, on_choice=on_field),
        Step(
            "note",
            "report_note",
            view=note_view,
            choices=note_choices,
            on_choice=on_note_back,
            on_text=on_note,
            help="help_report_note",
        ),
    ],
    commands=("koreksi",),
)


async def on_report_button(ctx: Ctx, action: str, obj: str, _version: int) -> None:
    """An administrator closes a report from the notification they received."""
    report_id = Callback.object_id(obj)
    if action != "done" or report_id is None:
        ctx.notice("button_invalid", alert=True)
        return
    await resolve(ctx, report_id)


async def resolve(ctx: Ctx, report_id: int) -> bool:
    try:
        report = await organisation.resolve_report(ctx.tx, report_id)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=exc.reason.value != "report_already_resolved")
        return False
    reporter = await ctx.session.get(Employee, report.employee_id)
    ctx.notice(
        "report_resolved",
        name=reporter.name if reporter is not None else "-",
        field=ctx.texts.label(f"field_{report.field}"),
    )
    return True


async def open_reports(ctx: Ctx, limit: int) -> list[DataReport]:
    rows = await ctx.session.execute(
        select(DataReport)
        .options(joinedload(DataReport.employee))
        .where(DataReport.status == ReportStatus.OPEN)
        .order_by(DataReport.created_at, DataReport.id)
        .limit(limit)
    )
    return list(rows.scalars())

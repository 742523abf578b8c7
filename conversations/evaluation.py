"""`/evaluasi` (flow "evaluasi"): the pejabat penilai's quarterly and annual evaluation. The
list of their staff whose SKP is set, for a chosen period (TW1–TW4, tahunan); for one person:
the hasil kerja rated with each IKI's realisation, capaian and evidence in view (a page at a
time) and the weighted capaian; the perilaku kerja per BerAKHLAK value with the agreed
Ekspektasi Khusus Pimpinan in view (a typed message is the leader's note on the value); the
overall perilaku rating (the values' ratings suggest one); the summary with the predikat the
policy's matrix gives, notes, and finalising after a confirmation. The perilaku screens are in
conversations.evaluation_perilaku, the employee's side and the unit head's distribution in
conversations.evaluation_views. Changes go through bot.usecases.evaluation; this flow shows
and asks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.db.models import (
    Employee,
    Evaluation,
    EvaluationState,
    Skp,
    SkpStatus,
)
from bot.engine.callback import Callback
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Stay, Step, flow
from bot.engine.runtime import HOME
from bot.usecases import evaluation as uc
from bot.usecases.base import Refused
from bot.usecases.evaluation_data import standing
from conversations import evaluation_perilaku as perilaku
from conversations import evaluation_views as views
from conversations import paging
from conversations.dialog_text import arg_number, note_problem
from conversations.evaluation_shared import (
    EVAL_KEY,
    VALUE_KEY,
    chosen_period,
    current,
    labels,
    period_row,
    pick_period,
    rating_of,
    rating_row,
    refused,
)
from conversations.period import period_in_force

# The staff listed, a page at a time (a unit head may assess many people directly).
STAFF_MAX = 500
STAFF_PAGE = "eval_staff"
STAFF_PER_PAGE = 10
ITEMS_PAGE = "eval_items"
ITEMS_PER_PAGE = 3
NOTE_KEY = "note_field"


# -- the list ----------------------------------------------------------------------------------


async def list_view(ctx: Ctx) -> dict[str, Any]:
    period = chosen_period(ctx)
    year = await period_in_force(ctx)
    skps = list(
        (
            await ctx.session.execute(
                select(Skp)
                .join(Employee, Employee.id == Skp.employee_id)
                .options(joinedload(Skp.employee))
                .where(
                    Skp.period_id == (year.id if year is not None else -1),
                    Skp.status == SkpStatus.SET,
                    ((Skp.penilai_id == ctx.actor.id) | (Employee.penilai_id == ctx.actor.id)),
                )
                .order_by(Employee.name, Skp.id)
                .limit(STAFF_MAX)
            )
        ).scalars()
    )
    staff = [s for s in skps if uc.evaluator_of(s) == ctx.actor.id]
    page = paging.paged(ctx, STAFF_PAGE, staff, STAFF_PER_PAGE)
    states = dict(
        (
            await ctx.session.execute(
                select(Evaluation.skp_id, Evaluation.state).where(
                    Evaluation.skp_id.in_([s.id for s in page.items]), Evaluation.period == period
                )
            )
        ).all()
    )
    return {
        "period_label": ctx.texts.label(f"eval_period_{period}"),
        "staff": staff,
        "page": page,
        "states": states,
        "unit_head": await ctx.actor.has(Role.UNIT_HEAD),
    }


def list_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows: list[list[Choice]] = [period_row(ctx)]
    for n, skp in enumerate(view["page"].items, start=view["page"].first):
        state = view["states"].get(skp.id)
        mark = "✅" if state is EvaluationState.FINAL else ("✏️" if state is not None else "▫️")
        rows.append(
            [Choice("open", arg=str(skp.employee_id), text=f"{mark} {n}. {skp.employee.name[:40]}")]
        )
    rows.append(paging.page_row(view["page"]))
    rows.append([Choice("mine", "eval_mine")])
    if view["unit_head"]:
        rows.append([Choice("unit", "eval_unit")])
    rows.append([Choice("menu", "skp_menu")])
    return rows


async def on_list(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "menu":
        return HOME
    if action == "period":
        pick_period(ctx, arg)
        return Stay()
    if action == "mine":
        return Goto("mine")
    if action == "unit":
        return Goto("unit")
    employee_id = Callback.object_id(arg)
    try:
        row = await uc.start(ctx.tx, employee_id or -1, chosen_period(ctx))
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Stay()
    ctx.data[EVAL_KEY] = row.id
    paging.reset(ctx, ITEMS_PAGE)
    return Goto("summary" if row.state is EvaluationState.FINAL else "hasil")


# -- hasil kerja -------------------------------------------------------------------------------


async def hasil_view(ctx: Ctx) -> dict[str, Any]:
    row = await current(ctx)
    if row is None:
        return {"evaluation": None, "page": paging.paged(ctx, ITEMS_PAGE, [], ITEMS_PER_PAGE)}
    now = await standing(ctx.session, row.skp, row.period)
    return {
        **labels(ctx, row),
        "weighted": now.weighted,
        "page": paging.paged(ctx, ITEMS_PAGE, now.items, ITEMS_PER_PAGE),
        "count": len(now.items),
    }


def hasil_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row: Evaluation | None = view["evaluation"]
    if row is None:
        return [[Choice("list", "eval_back_to_list")]]
    rows = [rating_row(row.hasil_rating), paging.page_row(view["page"])]
    if row.hasil_rating:
        rows.append([Choice("next", "eval_to_perilaku")])
    return [*rows, [Choice("summary", "eval_to_summary"), Choice("list", "eval_back_to_list")]]


async def on_hasil(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    row = await current(ctx)
    if action == "list" or row is None:
        return Goto("list")
    if action == "summary":
        return Goto("summary")
    if action == "next":
        ctx.data[VALUE_KEY] = 0
        return Goto("perilaku")
    rating = rating_of(arg)
    if action != "rate" or rating is None:
        return Stay()
    try:
        await uc.rate_hasil(ctx.tx, row.id, rating, None)
    except Refused as exc:
        return refused(ctx, exc)
    ctx.data[VALUE_KEY] = 0
    return Goto("perilaku")


# -- summary, notes, finalising ----------------------------------------------------------------


async def summary_view(ctx: Ctx) -> dict[str, Any]:
    row = await current(ctx)
    return {**labels(ctx, row), "final": row is not None and row.state is EvaluationState.FINAL}


def summary_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row: Evaluation | None = view["evaluation"]
    if row is None:
        return [[Choice("list", "eval_back_to_list")]]
    rows: list[list[Choice]] = []
    if not view["final"]:
        if row.hasil_rating and row.perilaku_rating:
            rows.append([Choice("final", "eval_finalise")])
        rows += [[Choice("note", f"eval_note_btn_{f}", f)] for f in uc.NOTE_FIELDS]
        rows.append([Choice("hasil", "eval_edit_hasil"), Choice("values", "eval_edit_perilaku")])
    rows.append([Choice("doc", "eval_pdf", "pdf"), Choice("doc", "eval_docx", "docx")])
    return [*rows, [Choice("list", "eval_back_to_list")]]


async def on_summary(ctx: Ctx, action: str, arg: str) -> Next:
    row = await current(ctx)
    if action == "list" or row is None:
        return Goto("list")
    if action == "hasil":
        return Goto("hasil")
    if action == "values":
        ctx.data[VALUE_KEY] = 0
        return Goto("perilaku")
    if action == "note" and arg in uc.NOTE_FIELDS:
        ctx.data[NOTE_KEY] = arg
        return Goto("note")
    if action == "final":
        return Goto("confirm")
    if action == "doc":
        await views.queue_document(ctx, row, arg)
        return Stay()
    return Stay()


async def note_view(ctx: Ctx) -> dict[str, Any]:
    row = await current(ctx)
    field = ctx.data.get(NOTE_KEY)
    field = field if field in uc.NOTE_FIELDS else uc.NOTE_FIELDS[0]
    return {**labels(ctx, row), "field": field, "text": getattr(row, field) if row else ""}


async def on_note_text(ctx: Ctx, text: str) -> Next:
    problem = note_problem(text)
    if problem is not None:
        return problem
    row = await current(ctx)
    field = ctx.data.get(NOTE_KEY)
    if row is None or field not in uc.NOTE_FIELDS:
        return Goto("list")
    try:
        await uc.set_note(ctx.tx, row.id, field, text, None)
    except Refused as exc:
        return refused(ctx, exc)
    ctx.data.pop(NOTE_KEY, None)
    ctx.say("eval_note_saved")
    return Goto("summary")


async def on_note_choice(ctx: Ctx, _action: str, _arg: str) -> Next:
    ctx.data.pop(NOTE_KEY, None)
    return Goto("summary")


def confirm_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row: Evaluation | None = view["evaluation"]
    rows = []
    if row is not None and not view["final"] and row.hasil_rating and row.perilaku_rating:
        rows.append([Choice("yes", "eval_finalise_yes", str(row.revision))])
    return [*rows, [Choice("cancel", "cancel")]]


async def on_confirm(ctx: Ctx, action: str, arg: str) -> Next:
    row = await current(ctx)
    if row is None:
        return Goto("list")
    if action != "yes":
        return Goto("summary")
    try:
        await uc.finalise(ctx.tx, row.id, arg_number(arg))
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("summary")
    ctx.say("eval_finalised", **labels(ctx, row))
    return Goto("summary")


FLOW = flow(
    "evaluasi",
    [
        Step("list", "eval_list", view=list_view, choices=list_choices, on_choice=on_list),
        Step("hasil", "eval_hasil", view=hasil_view, choices=hasil_choices, on_choice=on_hasil),
        *perilaku.STEPS,
        Step(
            "summary",
            "eval_summary",
            view=summary_view,
            choices=summary_choices,
            on_choice=on_summary,
        ),
        Step(
            "note",
            "eval_note",
            view=note_view,
            choices=lambda _c, _v: [[Choice("back", "back")]],
            on_choice=on_note_choice,
            on_text=on_note_text,
        ),
        Step(
            "confirm",
            "eval_confirm",
            view=summary_view,
            choices=confirm_choices,
            on_choice=on_confirm,
        ),
        *views.STEPS,
    ],
    commands=("evaluasi",),
    help="help_evaluation",
)

"""The evaluation seen by the others: the employee's own results ("Hasil evaluasi saya", or
from the notice) and their response ("Tanggapi", typed text); the unit head's distribution of
predikat in the unit for a period, next to the regulation's guidance for the organisation's
own predikat (a check, never a block); the buttons on evaluation notices (`ev`); and asking
for an evaluation's document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from bot.db.models import Employee, Evaluation, EvaluationState, Skp, Unit
from bot.domain import evaluation as ev
from bot.domain.evaluation import OrgPredikat, Predikat
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.usecases import evaluation as uc
from bot.usecases.base import Refused
from bot.usecases.evaluation_data import predikat_counts
from conversations.dialog_buttons import parse_id
from conversations.dialog_text import NOTE_MAX, note_problem
from conversations.evaluation_shared import (
    EVAL_KEY,
    chosen_period,
    current,
    labels,
    period_row,
    pick_period,
)
from conversations.period import period_in_force, policy_in_force

EV_NS = uc.EV_NS
MINE_SHOWN = 15
ORG_KEY = "org"
DOC_EVERY_SECONDS = 120


async def queue_document(ctx: Ctx, row: Evaluation, fmt: str) -> None:
    """The evaluation's form as a file, built and sent after this step (one per revision,
    format and person; asked again later, it goes again)."""
    if fmt not in ("pdf", "docx"):
        return
    slot = int(ctx.now.timestamp()) // DOC_EVERY_SECONDS
    await ctx.notify(
        ctx.actor.id,
        "evaluation_document",
        "eval_document_caption",
        dedupe_key=f"evaldoc:{row.id}:{row.revision}:{fmt}:{ctx.actor.id}:{slot}",
        document={"report": "evaluation", "evaluation_id": row.id, "format": fmt},
        **labels(ctx, row),
    )
    ctx.notice("documents_queued")


# -- the employee ------------------------------------------------------------------------------


async def mine_view(ctx: Ctx) -> dict[str, Any]:
    rows = list(
        (
            await ctx.session.execute(
                select(Evaluation)
                .options(joinedload(Evaluation.skp).joinedload(Skp.employee))
                .where(
                    Evaluation.employee_id == ctx.actor.id,
                    Evaluation.state == EvaluationState.FINAL,
                )
                .order_by(Evaluation.finalised_at.desc(), Evaluation.id.desc())
                .limit(MINE_SHOWN)
            )
        ).scalars()
    )
    return {
        "evaluations": rows,
        "period_labels": {r.id: ctx.texts.label(f"eval_period_{r.period}") for r in rows},
        "predikat_labels": {r.id: ctx.texts.label(f"predikat_{r.predikat}") for r in rows},
    }


def mine_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "view",
                arg=str(r.id),
                text=f"{view['period_labels'][r.id]} · {view['predikat_labels'][r.id]}"[:60],
            )
        ]
        for r in view["evaluations"]
    ]
    return [*rows, [Choice("list", "back")]]


async def on_mine(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "view":
        ctx.data[EVAL_KEY] = parse_id(arg) or -1
        return Goto("view")
    return Goto("list")


async def view_view(ctx: Ctx) -> dict[str, Any]:
    return {**labels(ctx, await current(ctx, as_employee=True)), "final": True, "mine": True}


def view_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows: list[list[Choice]] = []
    if view["evaluation"] is not None:
        rows.append([Choice("respond", "eval_respond")])
        rows.append([Choice("doc", "eval_pdf", "pdf"), Choice("doc", "eval_docx", "docx")])
    return [*rows, [Choice("mine", "eval_mine")]]


async def on_view(ctx: Ctx, action: str, arg: str) -> Next:
    row = await current(ctx, as_employee=True)
    if action == "respond" and row is not None:
        return Goto("respond")
    if action == "doc" and row is not None:
        await queue_document(ctx, row, arg)
        return Stay()
    return Goto("mine")


async def respond_view(ctx: Ctx) -> dict[str, Any]:
    return {**labels(ctx, await current(ctx, as_employee=True)), "maximum": NOTE_MAX}


async def on_respond_text(ctx: Ctx, text: str) -> Next:
    problem = note_problem(text)
    if problem is not None:
        return problem
    row = await current(ctx, as_employee=True)
    if row is None:
        return Goto("mine")
    try:
        await uc.respond(ctx.tx, row.id, text, None)
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("mine")
    ctx.say("eval_response_saved")
    return Goto("view")


async def on_respond_choice(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("view")


# -- the unit head -----------------------------------------------------------------------------


def chosen_org(ctx: Ctx) -> OrgPredikat:
    value = ctx.data.get(ORG_KEY)
    return OrgPredikat(value) if value in {o.value for o in OrgPredikat} else OrgPredikat.BAIK


async def unit_view(ctx: Ctx) -> dict[str, Any]:
    period = chosen_period(ctx)
    policy = (await policy_in_force(ctx)).evaluation
    year = await period_in_force(ctx)
    org = chosen_org(ctx)
    units = list(
        (
            await ctx.session.execute(
                select(Unit).where(Unit.head_id == ctx.actor.id).order_by(Unit.name)
            )
        ).scalars()
    )
    shown = []
    for unit in units:
        counts = await predikat_counts(
            ctx.session, unit.id, year.id if year is not None else -1, period
        )
        staff = await ctx.session.scalar(
            select(func.count())
            .select_from(Employee)
            .where(Employee.unit_id == unit.id, Employee.active.is_(True))
        )
        shown.append(
            {
                "unit": unit,
                "counts": counts,
                "total": sum(counts.values()),
                "staff": int(staff or 0),
                "findings": ev.distribution_findings(policy, org, counts),
            }
        )
    label = ctx.texts.label
    return {
        "units": shown,
        "period_label": label(f"eval_period_{period}"),
        "org_label": label(f"org_predikat_{org.value}"),
        "predikat_labels": {p: label(f"predikat_{p.value}") for p in Predikat},
        "guidance": policy.distribution.get(org, []),
    }


def unit_choices(ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    org = chosen_org(ctx)
    orgs = [
        Choice(
            "org",
            "eval_org_pick",
            o.value,
            values=(
                ("mark", "• " if o is org else ""),
                ("name", ctx.texts.label(f"org_predikat_{o.value}")),
            ),
        )
        for o in OrgPredikat
    ]
    return [period_row(ctx), orgs[:3], orgs[3:], [Choice("list", "back")]]


async def on_unit(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "period":
        pick_period(ctx, arg)
        return Stay()
    if action == "org" and arg in {o.value for o in OrgPredikat}:
        ctx.data[ORG_KEY] = arg
        return Stay()
    return Goto("list")


# -- buttons on notices ------------------------------------------------------------------------


async def on_ev_button(ctx: Ctx, action: str, obj: str, version: int) -> Next | None:
    evaluation_id = parse_id(obj)
    if evaluation_id is None:
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        row = await uc.load(ctx.tx, evaluation_id, lock=False)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return None
    seed = {EVAL_KEY: row.id}
    if action in ("view", "resp") and row.employee_id == ctx.actor.id:
        if row.state is not EvaluationState.FINAL:
            ctx.notice("evaluation_not_final", alert=True)
            return None
        return Goto("respond" if action == "resp" else "view", "evaluasi", seed=seed)
    if action == "open" and uc.evaluator_of(row.skp) == ctx.actor.id:
        return Goto("summary", "evaluasi", seed=seed)
    ctx.notice("not_authorised", alert=True)
    return None


STEPS = [
    Step("mine", "eval_mine", view=mine_view, choices=mine_choices, on_choice=on_mine),
    Step("view", "eval_summary", view=view_view, choices=view_choices, on_choice=on_view),
    Step(
        "respond",
        "eval_respond",
        view=respond_view,
        choices=lambda _c, _v: [[Choice("back", "back")]],
        on_choice=on_respond_choice,
        on_text=on_respond_text,
    ),
    Step("unit", "eval_unit", view=unit_view, choices=unit_choices, on_choice=on_unit),
]

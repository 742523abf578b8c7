"""The dialog kinerja of one SKP as a list of its own, a page at a time: every expectation
(with the employee's answer) and every resource need. An overview quotes the dialog in full
while it is short (`LOG_INLINE` entries) and otherwise counts it, with a button to this
screen. Both sides use it: /skp for the employee, /persetujuan for the leader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AuditLog,
    CheckIn,
    CheckInStatus,
    Evaluation,
    EvaluationState,
    ExpectationKind,
    Feedback,
    Skp,
    SkpExpectation,
    SkpResource,
    SkpStatus,
)
from bot.domain.evaluation import PERIODS, Predikat
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.services import progress
from bot.services import skp as store
from bot.usecases import agreements
from conversations import paging

# Entries an overview quotes in full; beyond that it shows the counts and offers the log.
LOG_INLINE = 4
# Entries a page of the log shows (each quoted up to ~800 characters).
LOG_PAGE = 4
PAGE_KEY = "log"


def entries(
    expectations: list[SkpExpectation],
    resources: list[SkpResource],
    check_ins: Sequence[CheckIn] = (),
    feedback: Sequence[Feedback] = (),
    evaluations: Sequence[Evaluation] = (),
    plan_events: Sequence[AuditLog] = (),
) -> list[tuple[str, Any]]:
    """What the log lists: expectations (revision notes travel with the revision) and needs,
    then the year's rencana aksi (submitted, a change asked for, agreed), sent check-ins, the
    leader's feedback and final evaluations, in the order they happened."""
    shown = [("exp", e) for e in expectations if e.kind is not ExpectationKind.REVISI]
    later: list[tuple[str, Any]] = [
        ("chk", c) for c in check_ins if c.status is CheckInStatus.SUBMITTED
    ]
    later += [("fb", f) for f in feedback]
    later += [("eval", e) for e in evaluations if e.finalised_at is not None]
    later += [("plan", a) for a in plan_events]
    later.sort(key=_moment)
    return [*shown, *(("res", r) for r in resources), *later]


def _moment(entry: tuple[str, Any]) -> Any:
    kind, row = entry
    if kind == "chk":
        return row.submitted_at
    if kind == "eval":
        return row.finalised_at
    if kind == "plan":
        return row.at
    return row.created_at


PLAN_EVENTS = ("plan.submitted", "plan.change_asked", "plan.agreed")


async def year_entries(session: AsyncSession, skp: Skp) -> list[tuple[str, Any]]:
    """The year's part of the log of an SKP (what the overview's button counts too). Only
    an SKP that was set has one: a draft's or a submission's screens spare the queries."""
    if skp.status not in (SkpStatus.SET, SkpStatus.SUPERSEDED):
        return []
    plan_events = (
        await session.execute(
            select(AuditLog)
            .where(
                AuditLog.object_type == "skp",
                AuditLog.object_id == skp.id,
                AuditLog.action.in_(PLAN_EVENTS),
            )
            .order_by(AuditLog.id)
        )
    ).scalars()
    return entries(
        [],
        [],
        await progress.check_ins_of(session, skp.id),
        list(reversed(await progress.feedback_of(session, skp.id))),
        await final_evaluations(session, skp),
        list(plan_events),
    )


def log_choice(count: int, year_entries: int = 0) -> list[Choice]:
    """The overview's button to the log, when the dialog is too long to quote there or the
    year's check-ins and feedback (which only the log shows) are in it."""
    count += year_entries
    if count <= LOG_INLINE and not year_entries:
        return []
    return [Choice("dialog_log", "dialog_log", values=(("count", count),))]


def log_step(skp_of: Callable[[Ctx], Awaitable[Skp | None]], back: str) -> Step:
    """The "dialog" step of a flow whose SKP `skp_of` finds; "back" returns to step `back`."""

    async def view(ctx: Ctx) -> dict[str, Any]:
        skp = await skp_of(ctx)
        if skp is None:
            return {"skp": None, "page": paging.paged(ctx, PAGE_KEY, [], LOG_PAGE)}
        listed = entries(
            await agreements.expectations_of(ctx.session, skp.id),
            await agreements.resources_of(ctx.session, skp.id),
        ) + await year_entries(ctx.session, skp)
        rows = await store.items_of(ctx.session, skp.id)
        return {
            "skp": skp,
            "employee": skp.employee,
            "page": paging.paged(ctx, PAGE_KEY, listed, LOG_PAGE),
            "positions": {r.id: r.position for r in rows},
            "value_names": {v["code"]: v["name"] for v in ctx.texts.berakhlak},
            "evaluation_periods": {p: ctx.texts.label(f"eval_period_{p}") for p in PERIODS},
            "months": {m: ctx.texts.label(f"month_{m}") for m in range(1, 13)},
            "predikat_names": {p.value: ctx.texts.label(f"predikat_{p.value}") for p in Predikat},
            "categories": {c: ctx.texts.label(f"res_{c}") for c in agreements.RESOURCE_CATEGORIES},
        }

    def choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
        return [paging.page_row(view["page"]), [Choice("back", "back")]]

    async def on_choice(ctx: Ctx, action: str, arg: str) -> Next:
        if paging.turned(ctx, action, arg):
            return Stay()
        paging.reset(ctx, PAGE_KEY)
        return Goto(back)

    return Step("dialog", "dialog_log", view=view, choices=choices, on_choice=on_choice)


async def final_evaluations(session: AsyncSession, skp: Skp) -> list[Evaluation]:
    """The SKP's final evaluations, for the log (their predikat and period)."""
    rows = await session.execute(
        select(Evaluation).where(
            Evaluation.skp_id == skp.id, Evaluation.state == EvaluationState.FINAL
        )
    )
    return list(rows.scalars())

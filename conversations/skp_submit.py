"""The employee's side of the SKP lifecycle in the /skp flow: submitting (after a last look at
the findings, with the adjustment of the IKI count recorded where the policy allows more IKI),
withdrawing before the leader acts, signing (confirmed first, conversations.formal_acts),
answering the leader's open expectations, earlier versions, and starting a change (category
and the person's own words). Every change is a use case; these steps show and ask."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.models import Employee, Skp
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step
from bot.usecases import drafting, notices, skp_lifecycle
from bot.usecases.base import Refused
from bot.usecases.checks import check
from bot.usecases.loading import items_of
from conversations.change_steps import change_steps
from conversations.dialog_text import arg_number, note_problem
from conversations.findings import describe
from conversations.formal_acts import ACT_KEY, check_act, confirm_steps
from conversations.skp_place import place_of

OVERVIEW = Goto("overview")
BACK = Choice("back", "back")
# A short record: why the IKI count was adjusted, and with whom.
COUNT_NOTE_MAX = 300


async def current_skp(ctx: Ctx) -> Skp | None:
    place = await place_of(ctx)
    return place.skp if place is not None else None


def refused(ctx: Ctx, exc: Refused) -> Next:
    ctx.notice(exc.reason.value, alert=True)
    return Stay()


# -- on the overview ---------------------------------------------------------------------------


async def on_lifecycle(ctx: Ctx, action: str, arg: str) -> Next:
    """The overview's lifecycle buttons: sign (after a confirmation), withdraw, answer, start a
    change, documents."""
    skp = await current_skp(ctx)
    if skp is None:
        return OVERVIEW
    version = arg_number(arg)
    try:
        if action == "sign":
            # A formal act: a confirmation first (conversations.formal_acts).
            await check_act(ctx.tx, skp.id, "sign", version)
            ctx.data[ACT_KEY] = "sign"
            return Goto("confirm")
        if action == "withdraw":
            await skp_lifecycle.withdraw(ctx.tx, skp.id, version)
            ctx.notice("skp_withdrawn_short")
            return Stay()
        if action == "answer":
            return Goto("what", "tanggapan", seed={"exp_id": arg_number(arg)})
        if action == "docs":
            asked = await notices.documents(
                ctx.tx,
                skp,
                ctx.actor.id,
                ("pdf", "docx", "xlsx"),
                ctx.texts.label(f"status_{skp.status.value}"),
            )
            ctx.notice(asked.value)  # queued, still being prepared, or just sent
            return Stay()
    except Refused as exc:
        return refused(ctx, exc)
    return Goto("change_reason")  # "change": the use case checks it when the reason is given


# -- submitting --------------------------------------------------------------------------------


async def review_view(ctx: Ctx) -> dict[str, Any]:
    skp = await current_skp(ctx)
    if skp is None:
        return {"findings": [], "errors": 0, "warnings": 0, "penilai": None, "rows": []}
    rows = await items_of(ctx.tx, skp.id)
    checked = await check(ctx.session, skp, rows, ctx.catalog, ctx.stamp)
    employee = ctx.actor.employee
    penilai = await ctx.session.get(Employee, employee.penilai_id) if employee.penilai_id else None
    codes = {f.code: f for f in checked.findings}
    over = codes.get("count_high")
    return {
        "findings": describe(ctx.texts, checked.findings),
        "errors": len(checked.errors),
        "warnings": len(checked.warnings),
        "penilai": penilai,
        "rows": rows,
        "skp": skp,
        # More IKI than the maximum: the policy may let the person record the adjustment.
        "count_note": "count_note_edit"
        if "count_high_noted" in codes
        else "count_note_add"
        if over is not None and over.params.get("adjustable")
        else None,
    }


def review_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if not view["errors"] and view["penilai"] is not None and view["rows"]:
        label = "submit_anyway" if view["warnings"] else "submit_confirm"
        rows.append([Choice("submit", label, str(view["skp"].revision))])
    if view.get("count_note"):
        rows.append([Choice("count_note", view["count_note"])])
    return [*rows, [Choice("back", "back_to_skp")]]


async def on_review(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return OVERVIEW
    if action == "count_note":
        return Goto("count_note")
    skp = await current_skp(ctx)
    if skp is None:
        return OVERVIEW
    try:
        done = await skp_lifecycle.submit(ctx.tx, skp.id, arg_number(arg) if arg else None)
    except Refused as exc:
        if exc.reason.value in ("skp_not_ready", "skp_no_penilai"):
            return Reask("skp_cannot_submit", await review_view(ctx))
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return OVERVIEW
    place = await place_of(ctx)
    penilai = await ctx.session.get(Employee, done.skp.penilai_id)
    ctx.say("skp_submitted", penilai=penilai, period=place.period if place else None)
    return OVERVIEW


# -- the adjustment of the IKI count -----------------------------------------------------------


async def count_note_view(ctx: Ctx) -> dict[str, Any]:
    skp = await current_skp(ctx)
    place = await place_of(ctx)
    rule = place.policy.iki_count if place is not None else None
    rows = await items_of(ctx.tx, skp.id) if skp is not None else []
    return {"skp": skp, "count": len(rows), "maximum": rule.max if rule else None}


def count_note_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    skp = view["skp"]
    rows = [[Choice("clear", "count_note_clear")]] if skp is not None and skp.count_note else []
    return [*rows, [BACK]]


async def _record_count_note(ctx: Ctx, note: str | None) -> Next:
    skp = await current_skp(ctx)
    if skp is None:
        return OVERVIEW
    try:
        await drafting.set_count_note(ctx.tx, skp.id, note)
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return OVERVIEW
    ctx.notice("count_note_saved" if note else "count_note_cleared")
    return Goto("review")


async def on_count_note_text(ctx: Ctx, text: str) -> Next:
    if len(text) > COUNT_NOTE_MAX:
        return Reask("dialog_note_problem", {"problem": "too_long", "maximum": COUNT_NOTE_MAX})
    problem = note_problem(text)
    if problem is not None:
        return problem
    return await _record_count_note(ctx, text)


async def on_count_note(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "clear":
        return await _record_count_note(ctx, None)
    return Goto("review")


# -- versions and changes ----------------------------------------------------------------------


async def versions_view(ctx: Ctx) -> dict[str, Any]:
    skp = await current_skp(ctx)
    versions: list[Skp] = []
    if skp is not None:
        versions = list(
            (
                await ctx.session.execute(
                    select(Skp)
                    .where(Skp.employee_id == skp.employee_id, Skp.period_id == skp.period_id)
                    .order_by(Skp.number)
                )
            ).scalars()
        )
    return {
        "versions": versions,
        "status": {v.id: ctx.texts.label(f"status_{v.status.value}") for v in versions},
        "reasons": {
            v.id: ctx.texts.label(f"change_{v.change_reason}") for v in versions if v.change_reason
        },
    }


def versions_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [Choice("doc", "skp_version_doc", str(v.id), values=(("n", v.number),))]
        for v in view["versions"]
    ]
    return [*rows, [BACK]]


async def on_versions(ctx: Ctx, action: str, arg: str) -> Next:
    """An earlier version, as it stands, arrives as a PDF (the offered ids are the actor's)."""
    if action == "back":
        return OVERVIEW
    version = await ctx.session.get(Skp, arg_number(arg)) if arg_number(arg) > 0 else None
    if version is None or version.employee_id != ctx.actor.id:
        ctx.notice("not_authorised", alert=True)
        return Stay()
    status = ctx.texts.label(f"status_{version.status.value}")
    asked = await notices.documents(ctx.tx, version, ctx.actor.id, ("pdf",), status)
    ctx.notice(asked.value)
    return Stay()


async def _changed_skp(ctx: Ctx) -> tuple[int | None, int | None]:
    skp = await current_skp(ctx)
    return (skp.id if skp is not None else None), None


async def _change_started(ctx: Ctx, new: Skp) -> Next:
    ctx.memo.pop("place", None)  # the new version is the one to show
    reason = ctx.texts.label(f"change_{new.change_reason}")
    ctx.say("skp_change_started", number=new.number, reason=reason)
    return OVERVIEW


async def on_to_overview(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return OVERVIEW


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


async def _signed(ctx: Ctx, _act: str, _skp: Skp) -> Next:
    ctx.notice("skp_signed_short")
    ctx.say("skp_signed_employee")
    return OVERVIEW


STEPS = [
    Step("review", "skp_review", view=review_view, choices=review_choices, on_choice=on_review),
    Step(
        "count_note",
        "skp_count_note",
        view=count_note_view,
        choices=count_note_choices,
        on_choice=on_count_note,
        on_text=on_count_note_text,
    ),
    Step(
        "versions",
        "skp_versions",
        view=versions_view,
        choices=versions_choices,
        on_choice=on_versions,
    ),
    *change_steps("skp_change_reason", OVERVIEW, _changed_skp, _change_started),
    *confirm_steps(current_skp, OVERVIEW, _signed),
]

"""`/persetujuan` (flow "tinjau"): what waits for the leader, oldest first, and the review of
one SKP: what changed since the leader last looked, what is still open (answers to decide,
numbered as on screen, each decision noted on top of the screen), approval and setting (each
confirmed first, conversations.formal_acts), a revision request, and starting a change. This
module holds the list, the SKP's home screen, the revision note and the flow's assembly; the
expectations live in conversations.review_expectations, the lampiran in review_lampiran.
Every change goes through a use case; this flow shows and asks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from bot.db.models import AuditLog, Employee, Skp, SkpStatus
from bot.domain.contract import ITEM_FIELDS
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.usecases import agreements, skp_lifecycle
from bot.usecases.base import Refused
from bot.usecases.loading import items_of
from bot.usecases.summary import skp_summary
from bot.webapp.links import LINKS
from conversations import dialog_log, paging, review_expectations, review_lampiran
from conversations.change_steps import change_steps
from conversations.dialog_text import NOTE_MAX, arg_number, note_problem
from conversations.formal_acts import ACT_KEY, check_act, confirm_steps
from conversations.review_shared import (
    BACK,
    back_choices,
    on_back_home,
    reviewed,
    say_counter_decided,
    say_resource_decided,
)
from conversations.skp_place import jenis_label

LIST_SHOWN = 30
# Items a page of the review lists (each IKI quoted up to 120 characters).
ITEMS_PER_PAGE = 10
# Decisions (counter-proposals, resource needs) shown with their buttons at once: the first
# ones; each decided one makes room for the next.
DECISIONS_SHOWN = 5


async def is_leader(actor: Any) -> bool:
    """Whoever is someone's pejabat penilai (checked again for each SKP)."""
    return bool(await actor.session.scalar(select(exists().where(Employee.penilai_id == actor.id))))


# -- the list ----------------------------------------------------------------------------------


async def list_view(ctx: Ctx) -> dict[str, Any]:
    rows = await ctx.session.execute(
        select(Skp)
        .join(Employee, Employee.id == Skp.employee_id)
        .options(joinedload(Skp.employee))
        .where(
            Employee.penilai_id == ctx.actor.id,
            Skp.status.in_(skp_lifecycle.WAITING_FOR_LEADER),
        )
        .order_by(func.coalesce(Skp.signed_at, Skp.submitted_at), Skp.id)
        .limit(LIST_SHOWN)
    )
    waiting = list(rows.scalars())
    return {
        "waiting": waiting,
        "status": {s.id: ctx.texts.label(f"status_{s.status.value}") for s in waiting},
    }


def list_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [Choice("open", arg=str(s.id), text=f"{n}. {s.employee.name[:40]}")]
        for n, s in enumerate(view["waiting"], start=1)
    ]
    return [*rows, [Choice("menu", "skp_menu")]]


async def on_list(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "menu":
        return HOME
    ctx.data["skp_id"] = arg_number(arg)
    paging.reset(ctx, "items", dialog_log.PAGE_KEY)
    return Goto("home")


# -- one SKP -----------------------------------------------------------------------------------


async def _last_changes(ctx: Ctx, skp: Skp) -> list[dict[str, Any]]:
    """What the latest submission changed since the leader last saw the SKP."""
    row = await ctx.session.scalar(
        select(AuditLog)
        .where(
            AuditLog.object_type == "skp",
            AuditLog.object_id == skp.id,
            AuditLog.action == "skp.submitted",
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    changes = row.details.get("change_list", []) if row is not None else []
    return changes if isinstance(changes, list) else []


async def home_view(ctx: Ctx) -> dict[str, Any]:
    skp = await reviewed(ctx)
    if skp is None:
        return {"skp": None}
    summary = await skp_summary(ctx.tx, skp)
    decisions: list[tuple[str, Any]] = []
    if skp.status is SkpStatus.SUBMITTED:
        decisions = [
            ("exp", e)
            for e in summary["negotiating"]
            if e.response_target is not None and e.counter_decision is None
        ] + [("res", r) for r in summary["proposed"]]
    log_count = len(dialog_log.entries(summary["expectations"], summary["resources"]))
    return {
        **summary,
        "page": paging.paged(ctx, "items", summary["rows"], ITEMS_PER_PAGE),
        "decisions": decisions[:DECISIONS_SHOWN],
        "decisions_total": len(decisions),
        "log_count": log_count,
        "year_entries": len(await dialog_log.year_entries(ctx.session, skp)),
        "log_inline": log_count <= dialog_log.LOG_INLINE,
        "changes": await _last_changes(ctx, skp) if skp.status is SkpStatus.SUBMITTED else [],
        "fields": {f: ctx.texts.label(f"field_{f}") for f in ITEM_FIELDS},
    }


def home_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    skp: Skp | None = view["skp"]
    if skp is None:
        return [[Choice("list", "back_to_list")]]
    rows: list[list[Choice]] = []
    rev = str(skp.revision)
    if skp.status is SkpStatus.SUBMITTED:
        for n, (kind, x) in enumerate(view["decisions"], start=1):
            values = (("n", n),)
            if kind == "exp":
                rows.append(
                    [
                        Choice("accept", "exp_accept_n", str(x.id), values=values),
                        Choice("keep", "exp_keep_n", str(x.id), values=values),
                    ]
                )
            else:
                rows.append(
                    [
                        Choice("res_ok", "res_agree_n", str(x.id), values=values),
                        Choice("res_no", "res_decline_n", str(x.id), values=values),
                    ]
                )
        rows.append([Choice("exp_item", "exp_for_item"), Choice("exp_value", "exp_for_value")])
        rows.append([Choice("lampiran", "lampiran_edit")])
        if not view["violations"]:
            rows.append([Choice("approve", "skp_approve", rev)])
        rows.append([Choice("revise", "skp_revise", rev)])
    elif skp.status is SkpStatus.SIGNED:
        rows.append([Choice("set", "skp_set", rev)])
    elif skp.status is SkpStatus.SET:
        rows.append([Choice("change", "skp_change", rev)])
    if view["rows"]:
        # The review quotes each IKI short: the whole item is one tap away.
        rows.append([Choice("items", "skp_view_items")])
        if LINKS.mini_app:  # the same table the employee edits, read-only for the leader
            rows.append([Choice("", "skp_open_table", web_app=f"{LINKS.mini_app}?skp={skp.id}")])
    rows.append(dialog_log.log_choice(view["log_count"], view["year_entries"]))
    rows.append(paging.page_row(view["page"]))
    return [*rows, [Choice("list", "back_to_list")]]


async def on_home(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "list":
        ctx.data.clear()
        return Goto("list")
    if action == "dialog_log":
        return Goto("dialog")
    if action == "items":
        return Goto("items")
    skp = await reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    tx = ctx.tx
    try:
        if action == "exp_item":
            return Goto("item_pick")
        if action == "exp_value":
            return Goto("value_pick")
        if action == "lampiran":
            return Goto("lampiran")
        if action in ("accept", "keep"):
            row = await agreements.decide_counter(tx, arg_number(arg), action == "accept")
            ctx.notice("decision_saved")
            await say_counter_decided(ctx, row, action == "accept")
            return Stay()
        if action in ("res_ok", "res_no"):
            res = await agreements.decide_resource(tx, arg_number(arg), action == "res_ok")
            ctx.notice("decision_saved")
            say_resource_decided(ctx, res, action == "res_ok")
            return Stay()
        version = arg_number(arg)
        if action in ("approve", "set"):
            # Formal acts: a confirmation first (conversations.formal_acts).
            await check_act(tx, skp.id, action, version)
            ctx.data[ACT_KEY] = action
            return Goto("confirm")
        if action == "revise":
            if version != skp.revision or skp.status is not SkpStatus.SUBMITTED:
                ctx.notice("skp_changed_since", alert=True)
                return Stay()
            ctx.data["seen"] = skp.revision
            return Goto("revise_note")
        if action == "change":
            ctx.data["seen"] = version
            return Goto("change_reason")
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
    return Stay()


# -- an item in full ------------------------------------------------------------------------------


async def items_view(ctx: Ctx) -> dict[str, Any]:
    skp = await reviewed(ctx)
    rows = await items_of(ctx.tx, skp.id) if skp is not None else []
    return {"rows": rows, "editable": False}


def items_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=str(r.position)) for r in view["rows"]]
    return [*grid(numbered, 5), [BACK]]


async def on_items(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "item":
        ctx.data["item_id"] = arg_number(arg)
        return Goto("item")
    return Goto("home")


async def item_view(ctx: Ctx) -> dict[str, Any]:
    skp = await reviewed(ctx)
    rows = await items_of(ctx.tx, skp.id) if skp is not None else []
    row = next((r for r in rows if r.id == ctx.data.get("item_id")), None)
    if row is None:
        return {"row": None}
    return {
        "row": row,
        "count": len(rows),
        "jenis_label": jenis_label(ctx, row.jenis),
        "aspek_label": ctx.texts.label(f"aspek_{row.aspek.value}"),
    }


async def on_item(ctx: Ctx, _action: str, _arg: str) -> Next:
    ctx.data.pop("item_id", None)
    return Goto("items")


# -- revision and change -------------------------------------------------------------------------


async def revise_view(ctx: Ctx) -> dict[str, Any]:
    return {"skp": await reviewed(ctx), "maximum": NOTE_MAX}


async def on_revise_note(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    skp_id = ctx.data.get("skp_id")
    seen = ctx.data.get("seen")
    try:
        skp = await skp_lifecycle.request_revision(
            ctx.tx,
            skp_id if isinstance(skp_id, int) else 0,
            text,
            seen if isinstance(seen, int) else -1,
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    ctx.say("skp_revision_sent", employee=skp.employee)
    return Goto("list")


async def _changed_skp(ctx: Ctx) -> tuple[int | None, int | None]:
    skp_id, seen = ctx.data.get("skp_id"), ctx.data.get("seen")
    return (
        skp_id if isinstance(skp_id, int) else None,
        seen if isinstance(seen, int) else None,
    )


async def _change_started(ctx: Ctx, new: Skp) -> Next:
    ctx.say("skp_change_started_leader", employee=new.employee, number=new.number)
    return Goto("list")


async def _acted(ctx: Ctx, act: str, skp: Skp) -> Next:
    """After a confirmed approval (back to the SKP, now waiting for the signature) or setting
    (back to what still waits)."""
    if act == "approve":
        ctx.notice("skp_approved_short")
        ctx.say("skp_approved_leader", employee=skp.employee)
        return Goto("home")
    ctx.notice("skp_set_short")
    ctx.data.pop("skp_id", None)
    return Goto("list")


REVIEW = flow(
    "tinjau",
    [
        Step("list", "review_list", view=list_view, choices=list_choices, on_choice=on_list),
        Step("home", "review_home", view=home_view, choices=home_choices, on_choice=on_home),
        dialog_log.log_step(reviewed, "home"),
        Step("items", "skp_pick", view=items_view, choices=items_choices, on_choice=on_items),
        Step("item", "skp_item", view=item_view, choices=back_choices, on_choice=on_item),
        *review_expectations.STEPS,
        *review_lampiran.STEPS,
        Step(
            "revise_note",
            "review_revise_note",
            view=revise_view,
            choices=back_choices,
            on_choice=on_back_home,
            on_text=on_revise_note,
        ),
        *change_steps("review_change_reason", Goto("home"), _changed_skp, _change_started),
        *confirm_steps(reviewed, Goto("home"), _acted),
    ],
    commands=("persetujuan",),
    allowed=is_leader,
    help="help_review",
)

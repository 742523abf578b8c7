"""Kaskade (PRIMA), R and I: the leader's strategies and, under each, activities (added,
or deleted with what hangs under them), then who contributes to each activity. The tree is
shown a page at a time (conversations.cascade_shared)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.models import CascadeActivity, CascadeAssignment, CascadeStrategy, Employee
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step, grid
from bot.services import cascade as cas
from conversations import paging
from conversations.cascade_shared import (
    BACK,
    TREE_KEY,
    TREE_LINES,
    TreeLine,
    back_choices,
    current_cascade,
    invalid_button,
    lost,
    strategies_on,
    text_problem,
    tree_lines,
    tree_view,
)

# People a page of "who contributes" offers as buttons.
PEOPLE_PER_PAGE = 20
PEOPLE_KEY = "people"

# -- R -------------------------------------------------------------------------------------------


def rumuskan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [[Choice("strategy", "cascade_add_strategy")]]
    rows += [
        [Choice("activity", "cascade_add_activity_n", str(node.strategy.id), values=(("n", n),))]
        for n, node in strategies_on(view["page"])
    ]
    rows.append(paging.page_row(view["page"]))
    if view["nodes"]:
        rows.append([Choice("delete", "cascade_delete")])
        rows.append([Choice("next", "cascade_to_i")])
    return [*rows, [BACK]]


async def on_rumuskan(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("pahami")
    if action == "next":
        return Goto("identifikasi")
    if action == "delete":
        return Goto("delete_pick")
    if action == "activity":
        if (strategy_id := Callback.object_id(arg)) is None:
            return invalid_button(ctx)
        ctx.data["strategy_id"] = strategy_id
        return Goto("activity_text")
    return Goto("strategy_text")


async def on_strategy_text(ctx: Ctx, text: str) -> Next:
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    cascade = await current_cascade(ctx)
    if cascade is None:
        return lost(ctx)
    row = await cas.add_strategy(ctx.session, cascade, text)
    ctx.audit("cascade.strategy_added", "cascade", cascade.id, strategy_id=row.id, text=text[:200])
    await _show_line(ctx, cascade.id, row.id, None)
    return Goto("rumuskan")


async def on_activity_text(ctx: Ctx, text: str) -> Next:
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    cascade = await current_cascade(ctx)
    strategy = await ctx.session.get(CascadeStrategy, ctx.data.get("strategy_id"))
    if cascade is None or strategy is None or strategy.cascade_id != cascade.id:
        return lost(ctx)
    row = await cas.add_activity(ctx.session, strategy, text)
    ctx.audit("cascade.activity_added", "cascade", cascade.id, activity_id=row.id, text=text[:200])
    await _show_line(ctx, cascade.id, strategy.id, row.id)
    return Goto("rumuskan")


async def _show_line(ctx: Ctx, cascade_id: int, strategy_id: int, activity_id: int | None) -> None:
    """Turn the tree to the page where a strategy or activity just added shows."""
    lines = tree_lines(await cas.tree(ctx.session, cascade_id), {})
    for index, line in enumerate(lines):
        found = line.activity.activity.id if line.activity is not None else None
        if line.strategy.strategy.id == strategy_id and found == activity_id:
            paging.show(ctx, TREE_KEY, index, TREE_LINES)
            return


async def on_back_rumuskan(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("rumuskan")


# -- R: deleting a strategy or an activity -------------------------------------------------------


def _delete_arg(line: TreeLine) -> str:
    """What a delete button names: "s<id>" a strategy, "a<id>" an activity."""
    if line.activity is not None:
        return f"a{line.activity.activity.id}"
    return f"s{line.strategy.strategy.id}"


def delete_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    picks = [
        Choice("pick", arg=_delete_arg(line), text=f"🗑 {line.label}") for line in view["page"].items
    ]
    return [*grid(picks, 4), paging.page_row(view["page"]), [BACK]]


async def on_delete_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("rumuskan")
    if Callback.object_id(arg[1:]) is None or arg[:1] not in ("s", "a"):
        return invalid_button(ctx)
    ctx.data["delete"] = arg
    return Goto("delete_confirm")


async def _to_delete(ctx: Ctx) -> tuple[str, CascadeStrategy, CascadeActivity | None] | None:
    """What was picked for deletion, if it is still part of the actor's cascade."""
    cascade = await current_cascade(ctx)
    picked = ctx.data.get("delete")
    if cascade is None or not isinstance(picked, str):
        return None
    kind, row_id = picked[:1], Callback.object_id(picked[1:])
    if row_id is None:
        return None
    activity = await ctx.session.get(CascadeActivity, row_id) if kind == "a" else None
    strategy_id = activity.strategy_id if activity is not None else row_id
    strategy = await ctx.session.get(CascadeStrategy, strategy_id) if kind in ("s", "a") else None
    if strategy is None or strategy.cascade_id != cascade.id or (kind == "a" and not activity):
        return None
    return kind, strategy, activity


async def delete_confirm_view(ctx: Ctx) -> dict[str, Any]:
    found = await _to_delete(ctx)
    if found is None:
        return {"kind": None}
    kind, strategy, activity = found
    nodes = await cas.tree(ctx.session, strategy.cascade_id)
    s_no, node = next((n, s) for n, s in enumerate(nodes, 1) if s.strategy.id == strategy.id)
    acts = node.activities
    if activity is not None:
        a_no, act = next((n, a) for n, a in enumerate(acts, 1) if a.activity.id == activity.id)
        return {
            "kind": kind,
            "label": f"{s_no}.{a_no}",
            "text": activity.text,
            "activities": 0,
            "roles": len(act.assignments),
        }
    return {
        "kind": kind,
        "label": str(s_no),
        "text": strategy.text,
        "activities": len(acts),
        "roles": sum(len(a.assignments) for a in acts),
    }


def delete_confirm_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["kind"] is None:
        return [[BACK]]
    return [[Choice("confirm", "item_delete_confirm")], [Choice("back", "cancel")]]


async def on_delete_confirm(ctx: Ctx, action: str, _arg: str) -> Next:
    found = await _to_delete(ctx)
    ctx.data.pop("delete", None)
    if action == "back":
        return Goto("rumuskan")
    if found is None:
        return lost(ctx)
    kind, strategy, activity = found
    try:
        if activity is not None:
            text = activity.text
            await cas.delete_activity(ctx.session, activity)
            ctx.audit(
                "cascade.activity_deleted",
                "cascade",
                strategy.cascade_id,
                activity_id=activity.id,
                strategy_id=strategy.id,
                text=text[:200],
            )
        else:
            text = strategy.text
            removed = await cas.delete_strategy(ctx.session, strategy)
            ctx.audit(
                "cascade.strategy_deleted",
                "cascade",
                strategy.cascade_id,
                strategy_id=strategy.id,
                activities=removed,
                text=text[:200],
            )
    except cas.AlreadySent:
        ctx.notice("cascade_delete_sent", alert=True)
        return Goto("rumuskan")
    ctx.notice("cascade_deleted_strategy" if kind == "s" else "cascade_deleted_activity")
    return Goto("rumuskan")


# -- I -------------------------------------------------------------------------------------------


def identifikasi_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "activity",
                "cascade_who_n",
                str(line.activity.activity.id),
                values=(("n", line.label),),
            )
        ]
        for line in view["page"].items
        if line.activity is not None
    ]
    return [*rows, paging.page_row(view["page"]), [Choice("next", "cascade_to_m")], [BACK]]


async def on_identifikasi(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("rumuskan")
    if action == "next":
        return Goto("jabarkan")
    if (activity_id := Callback.object_id(arg)) is None:
        return invalid_button(ctx)
    ctx.data["activity_id"] = activity_id
    paging.reset(ctx, PEOPLE_KEY)
    return Goto("assign")


async def _activity(ctx: Ctx) -> CascadeActivity | None:
    cascade = await current_cascade(ctx)
    activity = await ctx.session.get(CascadeActivity, ctx.data.get("activity_id"))
    if cascade is None or activity is None:
        return None
    strategy = await ctx.session.get(CascadeStrategy, activity.strategy_id)
    return activity if strategy is not None and strategy.cascade_id == cascade.id else None


async def assign_view(ctx: Ctx) -> dict[str, Any]:
    activity = await _activity(ctx)
    if activity is None:
        return {
            "activity": None,
            "people": paging.paged(ctx, PEOPLE_KEY, [], PEOPLE_PER_PAGE),
            "chosen": set(),
        }
    chosen = set(
        (
            await ctx.session.execute(
                select(CascadeAssignment.assignee_id).where(
                    CascadeAssignment.activity_id == activity.id
                )
            )
        ).scalars()
    )
    people = await cas.reports_of(ctx.session, ctx.actor.id)
    return {
        "activity": activity,
        "people": paging.paged(ctx, PEOPLE_KEY, people, PEOPLE_PER_PAGE),
        "chosen": chosen,
    }


def assign_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "toggle",
                arg=str(p.id),
                text=("✅ " if p.id in view["chosen"] else "▫️ ") + p.name[:40],
            )
        ]
        for p in view["people"].items
    ]
    return [*rows, paging.page_row(view["people"]), [Choice("done", "cascade_done")]]


async def on_assign(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "done":
        return Goto("identifikasi")
    cascade = await current_cascade(ctx)
    activity = await _activity(ctx)
    person_id = Callback.object_id(arg)
    person = await ctx.session.get(Employee, person_id) if person_id is not None else None
    if cascade is None or activity is None:
        return lost(ctx)
    if person is None or person.penilai_id != ctx.actor.id:
        ctx.notice("not_authorised", alert=True)
        return Stay()
    added = await cas.toggle_assignee(ctx.session, activity, person.id)
    ctx.audit(
        "cascade.assignee_added" if added else "cascade.assignee_removed",
        "cascade",
        cascade.id,
        activity_id=activity.id,
        assignee_id=person.id,
    )
    return Stay()


STEPS = [
    Step(
        "rumuskan",
        "cascade_rumuskan",
        view=tree_view,
        choices=rumuskan_choices,
        on_choice=on_rumuskan,
    ),
    Step(
        "strategy_text",
        "cascade_strategy_text",
        choices=back_choices,
        on_choice=on_back_rumuskan,
        on_text=on_strategy_text,
    ),
    Step(
        "activity_text",
        "cascade_activity_text",
        choices=back_choices,
        on_choice=on_back_rumuskan,
        on_text=on_activity_text,
    ),
    Step(
        "delete_pick",
        "cascade_delete_pick",
        view=tree_view,
        choices=delete_pick_choices,
        on_choice=on_delete_pick,
    ),
    Step(
        "delete_confirm",
        "cascade_delete_confirm",
        view=delete_confirm_view,
        choices=delete_confirm_choices,
        on_choice=on_delete_confirm,
    ),
    Step(
        "identifikasi",
        "cascade_identifikasi",
        view=tree_view,
        choices=identifikasi_choices,
        on_choice=on_identifikasi,
    ),
    Step("assign", "cascade_assign", view=assign_view, choices=assign_choices, on_choice=on_assign),
]

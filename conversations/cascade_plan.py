"""Kaskade (PRIMA), R — Rumuskan: the leader's strategies and, under each, activities. A
strategy typed on the R screen is added at once (its activities may follow on the next lines,
one a line; otherwise they are asked for next); several activities may be typed in one message.
Strategies and activities can be renamed, or deleted with what hangs under them. The tree is
shown a page at a time (conversations.cascade_shared)."""

from __future__ import annotations

from typing import Any

from bot.db.models import CascadeActivity, CascadeStrategy
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, grid
from bot.services import cascade as cas
from conversations import cascade_people, paging
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
    typed_lines,
)

# -- R -------------------------------------------------------------------------------------------


def rumuskan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [[Choice("strategy", "cascade_add_strategy")]]
    rows += [
        [Choice("activity", "cascade_add_activity_n", str(node.strategy.id), values=(("n", n),))]
        for n, node in strategies_on(view["page"])
    ]
    rows.append(paging.page_row(view["page"]))
    if view["nodes"]:
        rows.append([Choice("edit", "cascade_edit")])
        rows.append([Choice("delete", "cascade_delete")])
        rows.append([Choice("next", "cascade_to_i")])
    return [*rows, [BACK]]


async def on_rumuskan(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("pahami")
    if action == "next":
        return await cascade_people.start(ctx)
    if action in ("edit", "delete"):
        ctx.data["line_action"] = action
        return Goto("line_pick")
    if action == "activity":
        if (strategy_id := Callback.object_id(arg)) is None:
            return invalid_button(ctx)
        ctx.data["strategy_id"] = strategy_id
        return Goto("activity_text")
    return Goto("strategy_text")


async def on_strategy_text(ctx: Ctx, text: str) -> Next:
    """A strategy (the first line) and, on the lines after it, its activities; without
    them, its activities are asked for next."""
    lines = typed_lines(text)
    if isinstance(lines, Reask):
        return lines
    cascade = await current_cascade(ctx)
    if cascade is None:
        return lost(ctx)
    row = await cas.add_strategy(ctx.session, cascade, lines[0])
    ctx.audit(
        "cascade.strategy_added", "cascade", cascade.id, strategy_id=row.id, text=lines[0][:200]
    )
    if len(lines) == 1:
        ctx.data["strategy_id"] = row.id
        await _show_line(ctx, cascade.id, row.id, None)
        return Goto("activity_text")
    return await _add_activities(ctx, cascade.id, row, lines[1:])


async def _strategy(ctx: Ctx) -> CascadeStrategy | None:
    cascade = await current_cascade(ctx)
    strategy_id = ctx.data.get("strategy_id")
    strategy = (
        await ctx.session.get(CascadeStrategy, strategy_id)
        if isinstance(strategy_id, int)
        else None
    )
    if cascade is None or strategy is None or strategy.cascade_id != cascade.id:
        return None
    return strategy


async def activity_text_view(ctx: Ctx) -> dict[str, Any]:
    strategy = await _strategy(ctx)
    nodes = await cas.tree(ctx.session, strategy.cascade_id) if strategy is not None else []
    number = next(
        (n for n, s in enumerate(nodes, 1) if s.strategy.id == ctx.data.get("strategy_id")), 0
    )
    count = len(nodes[number - 1].activities) if number else 0
    return {"strategy": strategy, "number": number, "count": count}


async def on_activity_text(ctx: Ctx, text: str) -> Next:
    lines = typed_lines(text)
    if isinstance(lines, Reask):
        return lines
    strategy = await _strategy(ctx)
    if strategy is None:
        return lost(ctx)
    return await _add_activities(ctx, strategy.cascade_id, strategy, lines)


async def _add_activities(
    ctx: Ctx, cascade_id: int, strategy: CascadeStrategy, texts: list[str]
) -> Next:
    row = None
    for text in texts:
        row = await cas.add_activity(ctx.session, strategy, text)
        ctx.audit(
            "cascade.activity_added", "cascade", cascade_id, activity_id=row.id, text=text[:200]
        )
    ctx.data.pop("strategy_id", None)
    await _show_line(ctx, cascade_id, strategy.id, row.id if row is not None else None)
    return Goto("rumuskan")


async def _show_line(ctx: Ctx, cascade_id: int, strategy_id: int, activity_id: int | None) -> None:
    """Turn the tree to the page where a strategy or activity just added shows."""
    lines = tree_lines(await cas.tree(ctx.session, cascade_id), {})
    for index, line in enumerate(lines):
        found = line.activity.activity.id if line.activity is not None else None
        if line.strategy.strategy.id == strategy_id and found == activity_id:
            paging.show(ctx, TREE_KEY, index, TREE_LINES)
            return


async def on_back_rumuskan(ctx: Ctx, _action: str, _arg: str) -> Next:
    ctx.data.pop("strategy_id", None)
    return Goto("rumuskan")


# -- R: renaming or deleting a strategy or an activity -------------------------------------------


def _line_arg(line: TreeLine) -> str:
    """What a pick button names: "s<id>" a strategy, "a<id>" an activity."""
    if line.activity is not None:
        return f"a{line.activity.activity.id}"
    return f"s{line.strategy.strategy.id}"


def line_pick_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    icon = "🗑" if ctx.data.get("line_action") == "delete" else "✏️"
    picks = [
        Choice("pick", arg=_line_arg(line), text=f"{icon} {line.label}")
        for line in view["page"].items
    ]
    return [*grid(picks, 4), paging.page_row(view["page"]), [BACK]]


async def line_pick_view(ctx: Ctx) -> dict[str, Any]:
    return {**await tree_view(ctx), "deleting": ctx.data.get("line_action") == "delete"}


async def on_line_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("rumuskan")
    if Callback.object_id(arg[1:]) is None or arg[:1] not in ("s", "a"):
        return invalid_button(ctx)
    ctx.data["line"] = arg
    return Goto("delete_confirm" if ctx.data.get("line_action") == "delete" else "edit_line")


async def _picked(ctx: Ctx) -> tuple[str, CascadeStrategy, CascadeActivity | None] | None:
    """The strategy or activity picked, if it is still part of the actor's cascade."""
    cascade = await current_cascade(ctx)
    picked = ctx.data.get("line")
    if cascade is None or not isinstance(picked, str):
        return None
    kind, row_id = picked[:1], Callback.object_id(picked[1:])
    if row_id is None or kind not in ("s", "a"):
        return None
    activity = await ctx.session.get(CascadeActivity, row_id) if kind == "a" else None
    strategy_id = activity.strategy_id if activity is not None else row_id
    strategy = await ctx.session.get(CascadeStrategy, strategy_id)
    if strategy is None or strategy.cascade_id != cascade.id or (kind == "a" and not activity):
        return None
    return kind, strategy, activity


async def line_view(ctx: Ctx) -> dict[str, Any]:
    """The picked line: its number, its text, and what hangs under it."""
    found = await _picked(ctx)
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


def edit_line_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["kind"] is None:
        return [[BACK]]
    return [[Choice("delete", "cascade_delete_this")], [BACK]]


async def on_edit_line(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "delete":
        return Goto("delete_confirm")
    ctx.data.pop("line", None)
    return Goto("rumuskan")


async def on_edit_text(ctx: Ctx, text: str) -> Next:
    text = " ".join(text.split())
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    found = await _picked(ctx)
    if found is None:
        return lost(ctx)
    kind, strategy, activity = found
    row: CascadeStrategy | CascadeActivity = activity if activity is not None else strategy
    before, row.text = row.text, text
    ctx.audit(
        "cascade.activity_renamed" if kind == "a" else "cascade.strategy_renamed",
        "cascade",
        strategy.cascade_id,
        **({"activity_id": row.id} if kind == "a" else {"strategy_id": row.id}),
        before=before[:200],
        text=text[:200],
    )
    ctx.data.pop("line", None)
    return Goto("rumuskan")


def delete_confirm_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["kind"] is None:
        return [[BACK]]
    return [[Choice("confirm", "item_delete_confirm")], [Choice("back", "cancel")]]


async def on_delete_confirm(ctx: Ctx, action: str, _arg: str) -> Next:
    found = await _picked(ctx)
    ctx.data.pop("line", None)
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


STEPS = [
    Step(
        "rumuskan",
        "cascade_rumuskan",
        view=tree_view,
        choices=rumuskan_choices,
        on_choice=on_rumuskan,
        on_text=on_strategy_text,
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
        view=activity_text_view,
        choices=back_choices,
        on_choice=on_back_rumuskan,
        on_text=on_activity_text,
    ),
    Step(
        "line_pick",
        "cascade_line_pick",
        view=line_pick_view,
        choices=line_pick_choices,
        on_choice=on_line_pick,
    ),
    Step(
        "edit_line",
        "cascade_edit_line",
        view=line_view,
        choices=edit_line_choices,
        on_choice=on_edit_line,
        on_text=on_edit_text,
    ),
    Step(
        "delete_confirm",
        "cascade_delete_confirm",
        view=line_view,
        choices=delete_confirm_choices,
        on_choice=on_delete_confirm,
    ),
]

"""Kaskade (PRIMA), M — Mulai jabarkan: for each contribution the method, the IKI and the
target, with the SMART-C lint. The roles are listed a page at a time."""

from __future__ import annotations

from typing import Any

from bot.db.models import (
    CascadeActivity,
    CascadeAssignment,
    CascadeMethod,
    CascadeStrategy,
    Employee,
)
from bot.domain import skp_rules as rules
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, grid
from conversations import paging
from conversations.cascade_shared import (
    BACK,
    back_choices,
    current_cascade,
    invalid_button,
    lost,
    period_policy,
    text_problem,
    tree_view,
)
from conversations.findings import describe

ROLES_KEY = "roles"
# Roles a page lists: each with its IKI quoted short and at most two lint notes.
ROLES_PER_PAGE = 8
NOTES_SHOWN = 2


def assignments(view: dict[str, Any]) -> list[tuple[str, CascadeActivity, CascadeAssignment]]:
    return [
        (f"{s_no}.{a_no}", act.activity, a)
        for s_no, node in enumerate(view["nodes"], start=1)
        for a_no, act in enumerate(node.activities, start=1)
        for a in act.assignments
    ]


async def jabarkan_view(ctx: Ctx) -> dict[str, Any]:
    view = await tree_view(ctx)
    _period, policy = await period_policy(ctx)
    page = paging.paged(ctx, ROLES_KEY, assignments(view), ROLES_PER_PAGE)
    lint: dict[int, list[str]] = {}
    for _label, activity, a in page.items:
        if not a.iki or policy is None:
            continue
        item = rules.Item("", activity.text, a.iki, "kuantitas", a.target_value, a.satuan, None)
        relevant = [
            f
            for f in rules.lint_item(policy, item)
            if f.code.startswith(("iki_", "percent", "count_with", "vague"))
        ]
        lint[a.id] = [d["text"] for d in describe(ctx.texts, relevant)][:NOTES_SHOWN]
    methods = {m.value: ctx.texts.label(f"method_{m.value}") for m in CascadeMethod}
    return {**view, "roles": page, "lint": lint, "methods": methods}


def jabarkan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    page = view["roles"]
    numbered = [
        Choice("edit", arg=str(a.id), text=f"✏️ {n}")
        for n, (_label, _act, a) in enumerate(page.items, start=page.first)
    ]
    rows = grid(numbered, 5)
    return [*rows, paging.page_row(page), [Choice("next", "cascade_to_a")], [BACK]]


async def on_jabarkan(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("identifikasi")
    if action == "next":
        return Goto("ajak")
    if (assignment_id := Callback.object_id(arg)) is None:
        return invalid_button(ctx)
    ctx.data["assignment_id"] = assignment_id
    return Goto("method")


async def _assignment(ctx: Ctx) -> CascadeAssignment | None:
    cascade = await current_cascade(ctx)
    row = await ctx.session.get(CascadeAssignment, ctx.data.get("assignment_id"))
    if cascade is None or row is None:
        return None
    activity = await ctx.session.get(CascadeActivity, row.activity_id)
    strategy = await ctx.session.get(CascadeStrategy, activity.strategy_id) if activity else None
    return row if strategy is not None and strategy.cascade_id == cascade.id else None


async def method_view(ctx: Ctx) -> dict[str, Any]:
    row = await _assignment(ctx)
    person = await ctx.session.get(Employee, row.assignee_id) if row is not None else None
    activity = await ctx.session.get(CascadeActivity, row.activity_id) if row else None
    return {"row": row, "person": person, "activity": activity}


def method_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("method", f"method_{m.value}", m.value)] for m in CascadeMethod] + [[BACK]]


async def on_method(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("jabarkan")
    row = await _assignment(ctx)
    if row is None:
        return lost(ctx)
    row.method = CascadeMethod(arg)
    return Goto("iki_text")


async def on_iki_text(ctx: Ctx, text: str) -> Next:
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    row = await _assignment(ctx)
    if row is None:
        return lost(ctx)
    row.iki = " ".join(text.split())
    return Goto("target_text")


async def on_target_text(ctx: Ctx, text: str) -> Next:
    row = await _assignment(ctx)
    _period, policy = await period_policy(ctx)
    if row is None or policy is None:
        return lost(ctx)
    parsed = rules.parse_target(text, policy)
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    row.target_value = parsed.value
    row.satuan = parsed.satuan or row.satuan
    cascade = await current_cascade(ctx)
    ctx.audit(
        "cascade.assignment_set",
        "cascade",
        cascade.id if cascade else None,
        assignment_id=row.id,
        iki=row.iki[:200],
        target=str(row.target_value),
        method=row.method.value if row.method else None,
    )
    return Goto("jabarkan")


async def on_back_jabarkan(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("jabarkan")


STEPS = [
    Step(
        "jabarkan",
        "cascade_jabarkan",
        view=jabarkan_view,
        choices=jabarkan_choices,
        on_choice=on_jabarkan,
    ),
    Step(
        "method",
        "cascade_method",
        view=method_view,
        choices=method_choices,
        on_choice=on_method,
    ),
    Step(
        "iki_text",
        "cascade_iki_text",
        view=method_view,
        choices=back_choices,
        on_choice=on_back_jabarkan,
        on_text=on_iki_text,
    ),
    Step(
        "target_text",
        "cascade_target_text",
        view=method_view,
        choices=back_choices,
        on_choice=on_back_jabarkan,
        on_text=on_target_text,
    ),
]

"""Kaskade (PRIMA), I — Identifikasi: who contributes to each activity (the leader's own
staff). Ticking a person gives them a role in the activity; from one activity the next one is
a tap away, and the last one leads on to M."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.models import CascadeActivity, CascadeAssignment, CascadeStrategy, Employee
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Quiet, Stay, Step
from bot.services import cascade as cas
from conversations import cascade_roles, paging
from conversations.cascade_shared import (
    BACK,
    current_cascade,
    invalid_button,
    lost,
    tree_view,
)

# People a page of "who contributes" offers as buttons.
PEOPLE_PER_PAGE = 20
PEOPLE_KEY = "people"


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
        return await cascade_roles.start(ctx)
    return _open(ctx, arg)


async def start(ctx: Ctx) -> Next:
    """Into I: straight to the first activity while nobody has a role yet (the overview
    would only repeat the tree R just showed), otherwise the overview."""
    cascade = await current_cascade(ctx)
    nodes = await cas.tree(ctx.session, cascade.id) if cascade is not None else []
    activities = [act for node in nodes for act in node.activities]
    if activities and not any(act.assignments for act in activities):
        return _open(ctx, str(activities[0].activity.id))
    return Goto("identifikasi")


def _open(ctx: Ctx, arg: str) -> Next:
    if (activity_id := Callback.object_id(arg)) is None:
        return invalid_button(ctx)
    ctx.data["activity_id"] = activity_id
    paging.reset(ctx, PEOPLE_KEY)
    return Goto("assign")


async def _activity(ctx: Ctx) -> CascadeActivity | None:
    cascade = await current_cascade(ctx)
    activity_id = ctx.data.get("activity_id")
    activity = (
        await ctx.session.get(CascadeActivity, activity_id)
        if isinstance(activity_id, int)
        else None
    )
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
            "label": "",
            "following": None,
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
    strategy = await ctx.session.get(CascadeStrategy, activity.strategy_id)
    nodes = await cas.tree(ctx.session, strategy.cascade_id) if strategy is not None else []
    numbered = [
        (f"{s_no}.{a_no}", act.activity)
        for s_no, node in enumerate(nodes, start=1)
        for a_no, act in enumerate(node.activities, start=1)
    ]
    index = next((i for i, (_l, a) in enumerate(numbered) if a.id == activity.id), -1)
    following = numbered[index + 1] if 0 <= index < len(numbered) - 1 else None
    people = await cas.reports_of(ctx.session, ctx.actor.id)
    return {
        "activity": activity,
        "label": numbered[index][0] if index >= 0 else "",
        "people": paging.paged(ctx, PEOPLE_KEY, people, PEOPLE_PER_PAGE),
        "chosen": chosen,
        "following": following,
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
    rows.append(paging.page_row(view["people"]))
    if view["following"] is not None:
        label, activity = view["following"]
        rows.append(
            [Choice("open", "cascade_next_activity", str(activity.id), values=(("n", label),))]
        )
    elif view["activity"] is not None:
        rows.append([Choice("to_m", "cascade_to_m")])
    return [*rows, [Choice("done", "cascade_done")]]


async def on_assign(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "done":
        return Goto("identifikasi")
    if action == "to_m":
        return await cascade_roles.start(ctx)
    if action == "open":
        return _open(ctx, arg)
    cascade = await current_cascade(ctx)
    activity = await _activity(ctx)
    person_id = Callback.object_id(arg)
    person = await ctx.session.get(Employee, person_id) if person_id is not None else None
    if cascade is None or activity is None:
        return lost(ctx)
    if person is None or person.penilai_id != ctx.actor.id:
        ctx.notice("not_authorised", alert=True)
        return Stay()
    outcome = await cas.toggle_assignee(ctx.session, activity, person.id)
    if outcome == "sent":
        ctx.notice("cascade_role_sent_kept", alert=True)
        return Quiet()
    ctx.audit(
        f"cascade.assignee_{outcome}",
        "cascade",
        cascade.id,
        activity_id=activity.id,
        assignee_id=person.id,
    )
    return Stay()


STEPS = [
    Step(
        "identifikasi",
        "cascade_identifikasi",
        view=tree_view,
        choices=identifikasi_choices,
        on_choice=on_identifikasi,
    ),
    Step("assign", "cascade_assign", view=assign_view, choices=assign_choices, on_choice=on_assign),
]

"""Kaskade (PRIMA): a leader cascades one of their SKP items to the team, step by step.

P — Pahami: the item in its organisational cascade (IT → ISS → IKP → IKK) and the deck's
    guiding questions; R — Rumuskan: strategies and, under each, activities; I — Identifikasi:
    who contributes to each activity (the leader's own staff); M — Mulai jabarkan: for each
    contribution the method, the IKI and the target, with the SMART-C lint; A — Ajak dialog:
    the checks, then one action sends every proposal as a pre-filled draft item in each
    assignee's SKP. The MPPH shows who contributes what, in chat and as XLSX."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.db.models import (
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeMethod,
    CascadeStrategy,
    Employee,
    Indicator,
    SkpItem,
)
from bot.domain import skp_rules as rules
from bot.engine.callback import Callback
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Quiet, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.services import cascade as cas
from bot.services import skp as store
from bot.texts import angka
from bot.usecases import cascade as cascade_cases
from bot.usecases.base import Refused
from conversations.findings import describe
from conversations.period import period_in_force, policy_in_force

CAS_NS = "cas"
BACK = Choice("back", "back")
TEXT_MAX = 500


async def _period_policy(ctx: Ctx) -> tuple[Any, Any]:
    period = await period_in_force(ctx)
    return period, (await policy_in_force(ctx) if period is not None else None)


async def _cascade(ctx: Ctx) -> Cascade | None:
    """The cascade being worked on, if it is the actor's."""
    cascade_id = ctx.data.get("cascade_id")
    cascade = await ctx.session.get(Cascade, cascade_id) if isinstance(cascade_id, int) else None
    if cascade is None or cascade.leader_id != ctx.actor.id:
        return None
    return cascade


def _lost(ctx: Ctx) -> Next:
    ctx.say("cascade_lost")
    return Goto("pick")


def _invalid_button(ctx: Ctx) -> Next:
    """A button whose id cannot be one (forged or garbled): said the way the runtime says it."""
    ctx.notice("button_invalid", alert=True)
    return Quiet()


def _text_problem(ctx: Ctx, text: str) -> Reask | None:
    problem = rules.text_problem(text)
    if problem is None and len(text) <= TEXT_MAX:
        return None
    return Reask("dialog_note_problem", {"problem": problem or "too_long", "maximum": TEXT_MAX})


# -- pick an item, P ---------------------------------------------------------------------------


async def pick_view(ctx: Ctx) -> dict[str, Any]:
    period, _policy = await _period_policy(ctx)
    skp = await store.latest_skp(ctx.session, ctx.actor.id, period.id) if period else None
    rows = await store.items_of(ctx.session, skp.id) if skp is not None else []
    return {"rows": rows}


def pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=f"RHK {r.position}") for r in view["rows"]]
    rows = grid(numbered, 4)
    if view["rows"]:
        rows.append([Choice("mpph", "cascade_mpph")])
    return [*rows, [Choice("menu", "skp_menu")]]


async def on_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "menu":
        return HOME
    if action == "mpph":
        return Goto("mpph")
    period, _policy = await _period_policy(ctx)
    item_id = Callback.object_id(arg)
    item = await ctx.session.get(SkpItem, item_id) if item_id is not None else None
    skp = await store.latest_skp(ctx.session, ctx.actor.id, period.id) if period else None
    if item is None or skp is None or item.skp_id != skp.id:
        return Reask("skp_item_gone")
    cascade = await cas.open_cascade(ctx.session, ctx.actor.id, period, item, ctx.now)
    ctx.data.clear()
    ctx.data["cascade_id"] = cascade.id
    return Goto("pahami")


async def _chain(ctx: Ctx, iki: str) -> list[Indicator]:
    """The organisational indicator with this name and its ancestors, top first."""
    found = (
        await ctx.session.execute(select(Indicator).where(Indicator.name == iki).limit(1))
    ).scalar_one_or_none()
    chain: list[Indicator] = []
    while found is not None and len(chain) < 8:
        chain.append(found)
        found = await ctx.session.get(Indicator, found.parent_id) if found.parent_id else None
    return list(reversed(chain))


async def pahami_view(ctx: Ctx) -> dict[str, Any]:
    cascade = await _cascade(ctx)
    if cascade is None:
        return {"item": None}
    item = await ctx.session.get(SkpItem, cascade.source_item_id)
    assert item is not None
    return {"item": item, "chain": await _chain(ctx, item.iki), "cascade": cascade}


def pahami_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("next", "cascade_to_r")], [Choice("back", "cascade_other_item")]]


async def on_pahami(ctx: Ctx, action: str, _arg: str) -> Next:
    return Goto("rumuskan") if action == "next" else Goto("pick")


async def on_pahami_text(ctx: Ctx, text: str) -> Next:
    if (problem := _text_problem(ctx, text)) is not None:
        return problem
    cascade = await _cascade(ctx)
    if cascade is None:
        return _lost(ctx)
    cascade.understanding = text
    ctx.audit("cascade.understanding", "cascade", cascade.id)
    return Goto("rumuskan")


# -- R -------------------------------------------------------------------------------------------


async def tree_view(ctx: Ctx) -> dict[str, Any]:
    cascade = await _cascade(ctx)
    if cascade is None:
        return {"nodes": [], "names": {}, "item": None}
    nodes = await cas.tree(ctx.session, cascade.id)
    ids = {a.assignee_id for s in nodes for act in s.activities for a in act.assignments}
    names = {}
    if ids:
        rows = await ctx.session.execute(
            select(Employee.id, Employee.name).where(Employee.id.in_(ids))
        )
        names = {i: n for i, n in rows}
    item = await ctx.session.get(SkpItem, cascade.source_item_id)
    return {"nodes": nodes, "names": names, "item": item, "cascade": cascade}


def rumuskan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [[Choice("strategy", "cascade_add_strategy")]]
    rows += [
        [Choice("activity", "cascade_add_activity_n", str(n.strategy.id), values=(("n", i),))]
        for i, n in enumerate(view["nodes"], start=1)
    ]
    if view["nodes"]:
        rows.append([Choice("next", "cascade_to_i")])
    return [*rows, [BACK]]


async def on_rumuskan(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("pahami")
    if action == "next":
        return Goto("identifikasi")
    if action == "activity":
        if (strategy_id := Callback.object_id(arg)) is None:
            return _invalid_button(ctx)
        ctx.data["strategy_id"] = strategy_id
        return Goto("activity_text")
    return Goto("strategy_text")


async def on_strategy_text(ctx: Ctx, text: str) -> Next:
    if (problem := _text_problem(ctx, text)) is not None:
        return problem
    cascade = await _cascade(ctx)
    if cascade is None:
        return _lost(ctx)
    row = await cas.add_strategy(ctx.session, cascade, text)
    ctx.audit("cascade.strategy_added", "cascade", cascade.id, strategy_id=row.id, text=text[:200])
    return Goto("rumuskan")


async def on_activity_text(ctx: Ctx, text: str) -> Next:
    if (problem := _text_problem(ctx, text)) is not None:
        return problem
    cascade = await _cascade(ctx)
    strategy = await ctx.session.get(CascadeStrategy, ctx.data.get("strategy_id"))
    if cascade is None or strategy is None or strategy.cascade_id != cascade.id:
        return _lost(ctx)
    row = await cas.add_activity(ctx.session, strategy, text)
    ctx.audit("cascade.activity_added", "cascade", cascade.id, activity_id=row.id, text=text[:200])
    return Goto("rumuskan")


async def on_back_rumuskan(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("rumuskan")


# -- I -------------------------------------------------------------------------------------------


def identifikasi_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "activity",
                "cascade_who_n",
                str(act.activity.id),
                values=(("n", f"{s_no}.{a_no}"),),
            )
        ]
        for s_no, node in enumerate(view["nodes"], start=1)
        for a_no, act in enumerate(node.activities, start=1)
    ]
    return [*rows, [Choice("next", "cascade_to_m")], [BACK]]


async def on_identifikasi(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("rumuskan")
    if action == "next":
        return Goto("jabarkan")
    if (activity_id := Callback.object_id(arg)) is None:
        return _invalid_button(ctx)
    ctx.data["activity_id"] = activity_id
    return Goto("assign")


async def _activity(ctx: Ctx, cascade: Cascade) -> CascadeActivity | None:
    activity = await ctx.session.get(CascadeActivity, ctx.data.get("activity_id"))
    if activity is None:
        return None
    strategy = await ctx.session.get(CascadeStrategy, activity.strategy_id)
    return activity if strategy is not None and strategy.cascade_id == cascade.id else None


async def assign_view(ctx: Ctx) -> dict[str, Any]:
    cascade = await _cascade(ctx)
    activity = await _activity(ctx, cascade) if cascade is not None else None
    if cascade is None or activity is None:
        return {"activity": None, "people": [], "chosen": set()}
    chosen = set(
        (
            await ctx.session.execute(
                select(CascadeAssignment.assignee_id).where(
                    CascadeAssignment.activity_id == activity.id
                )
            )
        ).scalars()
    )
    return {
        "activity": activity,
        "people": await cas.reports_of(ctx.session, ctx.actor.id),
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
        for p in view["people"]
    ]
    return [*rows, [Choice("done", "cascade_done")]]


async def on_assign(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "done":
        return Goto("identifikasi")
    cascade = await _cascade(ctx)
    activity = await _activity(ctx, cascade) if cascade is not None else None
    person_id = Callback.object_id(arg)
    person = await ctx.session.get(Employee, person_id) if person_id is not None else None
    if cascade is None or activity is None:
        return _lost(ctx)
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


# -- M -------------------------------------------------------------------------------------------


def _assignments(view: dict[str, Any]) -> list[tuple[str, CascadeActivity, CascadeAssignment]]:
    return [
        (f"{s_no}.{a_no}", act.activity, a)
        for s_no, node in enumerate(view["nodes"], start=1)
        for a_no, act in enumerate(node.activities, start=1)
        for a in act.assignments
    ]


async def jabarkan_view(ctx: Ctx) -> dict[str, Any]:
    view = await tree_view(ctx)
    _period, policy = await _period_policy(ctx)
    listed = _assignments(view)
    lint: dict[int, list[str]] = {}
    for _label, activity, a in listed:
        if not a.iki or policy is None:
            continue
        item = rules.Item("", activity.text, a.iki, "kuantitas", a.target_value, a.satuan, None)
        relevant = [
            f
            for f in rules.lint_item(policy, item)
            if f.code.startswith(("iki_", "percent", "count_with", "vague"))
        ]
        lint[a.id] = [d["text"] for d in describe(ctx.texts, relevant)]
    methods = {m.value: ctx.texts.label(f"method_{m.value}") for m in CascadeMethod}
    return {**view, "listed": listed, "lint": lint, "methods": methods}


def jabarkan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [
        Choice("edit", arg=str(a.id), text=f"✏️ {n}")
        for n, (_label, _act, a) in enumerate(view["listed"], start=1)
    ]
    rows = grid(numbered, 5)
    return [*rows, [Choice("next", "cascade_to_a")], [BACK]]


async def on_jabarkan(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("identifikasi")
    if action == "next":
        return Goto("ajak")
    if (assignment_id := Callback.object_id(arg)) is None:
        return _invalid_button(ctx)
    ctx.data["assignment_id"] = assignment_id
    return Goto("method")


async def _assignment(ctx: Ctx) -> CascadeAssignment | None:
    cascade = await _cascade(ctx)
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
        return _lost(ctx)
    row.method = CascadeMethod(arg)
    return Goto("iki_text")


async def on_iki_text(ctx: Ctx, text: str) -> Next:
    if (problem := _text_problem(ctx, text)) is not None:
        return problem
    row = await _assignment(ctx)
    if row is None:
        return _lost(ctx)
    row.iki = " ".join(text.split())
    return Goto("target_text")


async def on_target_text(ctx: Ctx, text: str) -> Next:
    row = await _assignment(ctx)
    _period, policy = await _period_policy(ctx)
    if row is None or policy is None:
        return _lost(ctx)
    parsed = rules.parse_target(text, policy)
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    row.target_value = parsed.value
    row.satuan = parsed.satuan or row.satuan
    cascade = await _cascade(ctx)
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


# -- A -------------------------------------------------------------------------------------------


def _describe(ctx: Ctx, findings: list[cas.CascadeFinding]) -> list[dict[str, str]]:
    out = []
    for f in findings:
        params = {k: angka(v) if isinstance(v, Decimal) else v for k, v in f.params.items()}
        text, hint = ctx.texts.finding(f"cascade_{f.code}", **params)
        out.append({"text": text, "hint": hint})
    return out


async def ajak_view(ctx: Ctx) -> dict[str, Any]:
    view = await tree_view(ctx)
    cascade = await _cascade(ctx)
    findings = await cas.check(ctx.session, cascade, view["nodes"]) if cascade else []
    listed = _assignments(view)
    ready = [a for _l, _act, a in listed if a.iki and a.target_value is not None]
    unsent = [a for a in ready if a.draft_item_id is None]
    return {**view, "findings": _describe(ctx, findings), "ready": ready, "unsent": unsent}


def ajak_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["ready"]:
        rows.append([Choice("send", "cascade_send")])
    return [*rows, [Choice("mpph", "cascade_mpph")], [BACK]]


async def on_ajak(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "back":
        return Goto("jabarkan")
    if action == "mpph":
        return Goto("mpph")
    cascade = await _cascade(ctx)
    period, policy = await _period_policy(ctx)
    if cascade is None or period is None:
        return _lost(ctx)
    try:
        sent = await cascade_cases.send_cascade(ctx.tx, cascade.id, period, policy)
    except Refused:
        return _lost(ctx)
    ctx.say(
        "cascade_sent",
        created=len(sent.created),
        changed=len(sent.changed),
        skipped=len(sent.skipped),
    )
    return Goto("ajak")


async def on_cas_button(ctx: Ctx, action: str, obj: str, _version: int) -> Next | None:
    """The assignee answers a changed proposal: take it into their draft, or keep theirs."""
    row_id = Callback.object_id(obj)
    row = await ctx.session.get(CascadeAssignment, row_id) if row_id is not None else None
    if row is None or row.assignee_id != ctx.actor.id or action not in ("apply", "keep"):
        ctx.notice("button_invalid", alert=True)
        return None
    if action == "keep":
        ctx.audit("cascade.change_declined", "cascade_assignment", row.id)
        ctx.notice("decision_saved")
        return None
    try:
        await cascade_cases.apply_change(ctx.tx, row.id)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return None
    ctx.notice("item_saved")
    return None


# -- MPPH -----------------------------------------------------------------------------------------


async def mpph_view(ctx: Ctx) -> dict[str, Any]:
    period, _policy = await _period_policy(ctx)
    if period is None:
        return {"m": None}
    return {"m": await cas.mpph(ctx.session, ctx.actor.employee, period)}


def mpph_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("xlsx", "cascade_mpph_xlsx")], [BACK]]


async def on_mpph(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "back":
        return Goto("pick")
    period, _policy = await _period_policy(ctx)
    if period is None:
        return Stay()
    await ctx.notify(
        ctx.actor.id,
        "mpph",
        "mpph_caption",
        document={"report": "mpph", "leader_id": ctx.actor.id, "period_id": period.id},
        period=period,
    )
    ctx.notice("documents_queued")
    return Stay()


async def is_leader(actor: Any) -> bool:
    return bool({Role.TEAM_LEAD, Role.UNIT_HEAD} & await actor.roles())


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


FLOW = flow(
    "kaskade",
    [
        Step("pick", "cascade_pick", view=pick_view, choices=pick_choices, on_choice=on_pick),
        Step(
            "pahami",
            "cascade_pahami",
            view=pahami_view,
            choices=pahami_choices,
            on_choice=on_pahami,
            on_text=on_pahami_text,
        ),
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
            "identifikasi",
            "cascade_identifikasi",
            view=tree_view,
            choices=identifikasi_choices,
            on_choice=on_identifikasi,
        ),
        Step(
            "assign",
            "cascade_assign",
            view=assign_view,
            choices=assign_choices,
            on_choice=on_assign,
        ),
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
        Step("ajak", "cascade_ajak", view=ajak_view, choices=ajak_choices, on_choice=on_ajak),
        Step("mpph", "cascade_mpph", view=mpph_view, choices=mpph_choices, on_choice=on_mpph),
    ],
    commands=("kaskade",),
    allowed=is_leader,
    resumable=True,
    help="help_cascade",
)

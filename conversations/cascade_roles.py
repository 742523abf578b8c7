"""Kaskade (PRIMA), M — Mulai jabarkan: each role's method, RHK (output + qualifier), IKI and
target, with the SMART-C lint of drafting (bot.domain.skp_rules). The roles are listed a page
at a time; one role is spelled out in three screens (conversations.cascade_role), and the next
role not spelled out yet follows at once. A person may get another IKI under the same activity
(the deck's activities 2.1 and 3.1 carry two each), its RHK one tap away."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from bot.db.models import (
    CascadeActivity,
    CascadeAssignment,
    CascadeMethod,
    CascadeStrategy,
    Unit,
)
from bot.domain import skp_rules as rules
from bot.domain.policy import Policy
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step, grid
from bot.services import cascade as cas
from bot.services.cascade_checks import target_sums
from bot.services.cascade_send import jenis_for
from conversations import paging
from conversations.cascade_shared import (
    BACK,
    current_cascade,
    invalid_button,
    period_policy,
    to_mpph,
    tree_view,
)
from conversations.findings import describe

ROLES_KEY = "roles"
# Roles a page lists: each with its RHK and IKI quoted short and at most two lint notes.
ROLES_PER_PAGE = 6
NOTES_SHOWN = 2
# The lint of drafting that speaks about an RHK or an IKI as the leader writes them (not
# about the aspek: the assignee sets it in their draft).
LINT_CODES = ("iki_", "percent", "count_with", "vague", "rhk_")
NOT_LINTED = ("percent_kuantitas",)


Listed = tuple[str, CascadeActivity, CascadeAssignment]


def assignments(view: dict[str, Any]) -> list[Listed]:
    """Every role of the tree in order, with its activity's number ("2.1")."""
    return [
        (f"{s_no}.{a_no}", act.activity, a)
        for s_no, node in enumerate(view["nodes"], start=1)
        for a_no, act in enumerate(node.activities, start=1)
        for a in act.assignments
    ]


async def unit_heads(ctx: Ctx, roles: Iterable[CascadeAssignment]) -> set[int]:
    """Who among the roles' assignees heads a unit (their SKP follows the unit-head profile)."""
    ids = {a.assignee_id for a in roles}
    if not ids:
        return set()
    rows = await ctx.session.execute(select(Unit.head_id).where(Unit.head_id.in_(ids)))
    return {i for i in rows.scalars() if i is not None}


def notes(
    ctx: Ctx,
    policy: Policy | None,
    role: CascadeAssignment,
    about: str = "",
    heads: set[int] | None = None,
) -> list[dict[str, Any]]:
    """The drafting lint for the role's RHK and IKI ("rhk" or "iki": only about that one),
    each with its icon. The severity is the one /skp will give the draft item: the role
    becomes an item in the assignee's SKP, judged under the assignee's profile (`heads`: the
    assignees who head a unit), so ⛔ here is ⛔ there."""
    if policy is None or not (role.rhk or role.iki):
        return []
    profile = policy.rules_for(role.assignee_id in (heads or set()))
    item = rules.Item(
        jenis=jenis_for(role, policy),
        rhk=role.rhk,
        iki=role.iki,
        aspek=rules.aspek_of(policy, role.iki, role.satuan).value,
        target=role.target_value,
        satuan=role.satuan,
        bobot=None,
    )
    found = [
        f
        for f in rules.lint_item(policy, item, profile=profile)
        if f.code.startswith(LINT_CODES) and f.code not in NOT_LINTED
    ]
    if about:
        found = [
            f
            for f in found
            if (f.code.startswith("rhk_") or f.params.get("field") == "rhk") == (about == "rhk")
        ]
    return describe(ctx.texts, found)[:NOTES_SHOWN]


async def role_of(ctx: Ctx, role_id: Any) -> CascadeAssignment | None:
    """The role, if it is part of the actor's cascade."""
    cascade = await current_cascade(ctx)
    row = await ctx.session.get(CascadeAssignment, role_id) if isinstance(role_id, int) else None
    if cascade is None or row is None:
        return None
    activity = await ctx.session.get(CascadeActivity, row.activity_id)
    strategy = await ctx.session.get(CascadeStrategy, activity.strategy_id) if activity else None
    return row if strategy is not None and strategy.cascade_id == cascade.id else None


def enter(ctx: Ctx, row: CascadeAssignment) -> Next:
    """Spell out this role next; a role without a method takes the one used last."""
    ctx.data["assignment_id"] = row.id
    last = ctx.data.get("last_method")
    if row.method is None and last in {m.value for m in CascadeMethod}:
        row.method = CascadeMethod(last)
    return Goto("role_rhk")


async def add_for(ctx: Ctx, origin: CascadeAssignment) -> Next:
    """Another IKI for the person of `origin`, under the same activity."""
    row = await cas.add_role(ctx.session, origin.activity_id, origin.assignee_id, origin.method)
    cascade = await current_cascade(ctx)
    ctx.audit(
        "cascade.role_added",
        "cascade",
        cascade.id if cascade else None,
        assignment_id=row.id,
        activity_id=row.activity_id,
        assignee_id=row.assignee_id,
    )
    ctx.data.pop("saved_id", None)
    return enter(ctx, row)


def saved_view(ctx: Ctx, listed: list[Listed], names: dict[int, str]) -> dict[str, Any] | None:
    """The role just spelled out (shown above the next one, and offered another IKI)."""
    saved_id = ctx.data.get("saved_id")
    for number, (label, _act, a) in enumerate(listed, start=1):
        if a.id == saved_id:
            name = names.get(a.assignee_id, "?")
            return {"number": number, "label": label, "role": a, "name": name}
    return None


def more_saved(saved: dict[str, Any] | None) -> list[list[Choice]]:
    if saved is None:
        return []
    # the first word of the name that is not a title ("dr.", "Ns.")
    words = [w for w in saved["name"].split() if not w.endswith(".")] or ["?"]
    values = (("name", words[0][:20]), ("n", saved["label"]))
    return [[Choice("more_saved", "cascade_more_for", values=values)]]


async def start(ctx: Ctx) -> Next:
    """Into M: straight to the first role when none is spelled out yet (a list of roles all
    "not yet" shows nothing new), otherwise the list."""
    listed = assignments(await tree_view(ctx))
    if listed and not any(cas.complete(a) or a.rhk or a.iki for _l, _act, a in listed):
        return enter(ctx, listed[0][2])
    return Goto("jabarkan")


# -- the list ------------------------------------------------------------------------------------


async def jabarkan_view(ctx: Ctx) -> dict[str, Any]:
    view = await tree_view(ctx)
    _period, policy = await period_policy(ctx)
    listed = assignments(view)
    page = paging.paged(ctx, ROLES_KEY, listed, ROLES_PER_PAGE)
    heads = await unit_heads(ctx, [a for _label, _act, a in page.items])
    lint = {a.id: notes(ctx, policy, a, heads=heads) for _label, _act, a in page.items}
    done = [a for _l, _act, a in listed if cas.complete(a)]
    return {
        **view,
        "roles": page,
        "lint": lint,
        "methods": {m.value: ctx.texts.label(f"method_{m.value}") for m in CascadeMethod},
        "incomplete": len(listed) - len(done),
        "sums": target_sums(done),
        "saved": saved_view(ctx, listed, view["names"]),
    }


def jabarkan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    page = view["roles"]
    numbered = [
        Choice("edit", arg=str(a.id), text=f"✏️ {n}")
        for n, (_label, _act, a) in enumerate(page.items, start=page.first)
    ]
    rows = []
    if view["incomplete"]:
        rows.append([Choice("start", "cascade_spell_next", values=(("n", view["incomplete"]),))])
    rows += grid(numbered, 5)
    rows += more_saved(view["saved"])
    if page.items:
        rows.append([Choice("more", "cascade_more_iki")])
    rows.append(paging.page_row(page))
    rows += [[Choice("next", "cascade_to_a")], [Choice("mpph", "cascade_mpph")], [BACK]]
    return rows


async def on_jabarkan(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    saved = await role_of(ctx, ctx.data.pop("saved_id", None))
    if action == "back":
        return Goto("identifikasi")
    if action == "next":
        return Goto("ajak")
    if action == "mpph":
        return to_mpph(ctx, "jabarkan")
    if action == "more":
        return Goto("more_pick")
    if action == "more_saved":
        return await add_for(ctx, saved) if saved is not None else Stay()
    if action == "start":
        listed = assignments(await tree_view(ctx))
        first = next((a for _l, _act, a in listed if not cas.complete(a)), None)
        return enter(ctx, first) if first is not None else Stay()
    if (row_id := Callback.object_id(arg)) is None:
        return invalid_button(ctx)
    row = await role_of(ctx, row_id)
    return enter(ctx, row) if row is not None else Stay()


# -- another IKI for someone -----------------------------------------------------------------


async def more_pick_view(ctx: Ctx) -> dict[str, Any]:
    view = await tree_view(ctx)
    return {**view, "roles": paging.paged(ctx, ROLES_KEY, assignments(view), ROLES_PER_PAGE)}


def more_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    page = view["roles"]
    picks = [
        Choice("pick", arg=str(a.id), text=f"➕ {n}")
        for n, (_label, _act, a) in enumerate(page.items, start=page.first)
    ]
    return [*grid(picks, 5), paging.page_row(page), [BACK]]


async def on_more_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("jabarkan")
    if (row_id := Callback.object_id(arg)) is None:
        return invalid_button(ctx)
    origin = await role_of(ctx, row_id)
    return await add_for(ctx, origin) if origin is not None else Goto("jabarkan")


STEPS = [
    Step(
        "jabarkan",
        "cascade_jabarkan",
        view=jabarkan_view,
        choices=jabarkan_choices,
        on_choice=on_jabarkan,
    ),
    Step(
        "more_pick",
        "cascade_more_pick",
        view=more_pick_view,
        choices=more_pick_choices,
        on_choice=on_more_pick,
    ),
]

"""Kaskade (PRIMA): a leader cascades one of their SKP items to the team, step by step.

P — Pahami: the item in its organisational cascade (IT → ISS → IKP → IKK) and the deck's
    guiding questions; R — Rumuskan: strategies and, under each, activities; I — Identifikasi:
    who contributes to each activity (the leader's own staff); M — Mulai jabarkan: for each
    role the method, the RHK the leader writes, the IKI and the target, with the SMART-C lint
    (a person may hold several roles, one IKI each, under one activity); A — Ajak dialog: the
    checks and the team's targets per satuan, then one action sends every role as a
    pre-filled draft item in each assignee's SKP, with one summary message per assignee. The
    MPPH shows who contributes what, in chat and as XLSX; its "back" returns where the leader
    was.

This module holds the choice of an item, P, A, the MPPH, the assignee's buttons and the flow's
assembly; R lives in conversations.cascade_plan, I in cascade_people, M in cascade_roles (the
list) and cascade_role (one role), what they share in cascade_shared. Long trees, role lists
and matrices are shown a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.db.models import CascadeAssignment, Employee, Indicator, SkpItem, SkpStatus
from bot.domain.contract import Refusal
from bot.engine.callback import Callback
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.services import cascade as cas
from bot.services import cascade_send as cas_send
from bot.services import skp as store
from bot.services.cascade_checks import CascadeFinding, check, target_sums
from bot.texts import angka
from bot.usecases import cascade as cascade_cases
from bot.usecases.base import Refused
from conversations import cascade_people, cascade_plan, cascade_role, cascade_roles, paging
from conversations.cascade_shared import (
    BACK,
    MPPH_FROM,
    MPPH_KEY,
    TEXT_MAX,
    current_cascade,
    lost,
    period_policy,
    text_problem,
    to_mpph,
    tree_view,
)

__all__ = ["CAS_NS", "FLOW", "TEXT_MAX", "on_cas_button"]

CAS_NS = "cas"
# Findings the A screen explains: every kind once before any kind twice, then the next ones
# as the shown ones are fixed.
FINDINGS_SHOWN = 6
# Lines of the MPPH a page shows: an RHK or a person's roles under it, each quoted short.
MPPH_LINES = 12


# -- pick an item, P ---------------------------------------------------------------------------


async def pick_view(ctx: Ctx) -> dict[str, Any]:
    period, _policy = await period_policy(ctx)
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
        return to_mpph(ctx, "pick")
    period, _policy = await period_policy(ctx)
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
    cascade = await current_cascade(ctx)
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
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    cascade = await current_cascade(ctx)
    if cascade is None:
        return lost(ctx)
    cascade.understanding = text
    ctx.audit("cascade.understanding", "cascade", cascade.id)
    return Goto("rumuskan")


# -- A -------------------------------------------------------------------------------------------


def _describe(ctx: Ctx, findings: list[CascadeFinding]) -> list[dict[str, str]]:
    """The findings explained, the kinds interleaved (one of each kind, then the next of
    each) so that the first ones shown name every kind of problem; a kind's hint is given
    with its first finding only."""
    by_code: dict[str, list[CascadeFinding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    rounds = max((len(group) for group in by_code.values()), default=0)
    out = []
    for n in range(rounds):
        for code, group in by_code.items():
            if n >= len(group):
                continue
            f = group[n]
            params = {k: angka(v) if isinstance(v, Decimal) else v for k, v in f.params.items()}
            text, hint = ctx.texts.finding(f"cascade_{code}", **params)
            out.append({"text": text, "hint": hint if n == 0 else ""})
    return out


def _held(names: dict[int, str], held: list[tuple[int, SkpStatus, int]]) -> list[dict[str, Any]]:
    return [
        {"name": names.get(who, "?"), "status": status.value, "count": n} for who, status, n in held
    ]


async def _names(ctx: Ctx, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await ctx.session.execute(select(Employee.id, Employee.name).where(Employee.id.in_(ids)))
    return {i: n for i, n in rows}


async def ajak_view(ctx: Ctx) -> dict[str, Any]:
    """The checks, and what a send would do now: the complete roles not sent yet go out, but
    not into an SKP that is no longer a draft (those are named per person, with the reason,
    by the same rule the send applies)."""
    view = await tree_view(ctx)
    cascade = await current_cascade(ctx)
    period, _policy = await period_policy(ctx)
    findings = await check(ctx.session, cascade, view["nodes"]) if cascade else []
    listed = cascade_roles.assignments(view)
    complete = [a for _l, _act, a in listed if cas.complete(a)]
    waiting = {a.assignee_id for a in complete if a.draft_item_id is None}
    holds = await cas_send.holds(ctx.session, waiting, period) if period is not None else {}
    held = [a for a in complete if a.draft_item_id is None and a.assignee_id in holds]
    ready = [a for a in complete if a not in held]
    counts: dict[int, int] = {}
    for a in held:
        counts[a.assignee_id] = counts.get(a.assignee_id, 0) + 1
    return {
        **view,
        "findings": _describe(ctx, findings),
        "findings_shown": FINDINGS_SHOWN,
        "ready": ready,
        "unsent": [a for a in ready if a.draft_item_id is None],
        "held": _held(view["names"], [(w, holds[w], n) for w, n in counts.items()]),
        "people": len({a.assignee_id for a in ready}),
        "sums": target_sums(complete),
    }


def ajak_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["ready"]:
        rows.append([Choice("send", "cascade_send")])
    return [*rows, paging.page_row(view["page"]), [Choice("mpph", "cascade_mpph")], [BACK]]


async def on_ajak(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        return Goto("jabarkan")
    if action == "mpph":
        return to_mpph(ctx, "ajak")
    cascade = await current_cascade(ctx)
    period, policy = await period_policy(ctx)
    if cascade is None or period is None:
        return lost(ctx)
    try:
        sent = await cascade_cases.send_cascade(ctx.tx, cascade.id, period, policy)
    except Refused:
        return lost(ctx)
    held = sent.held_by_person()
    names = await _names(ctx, {who for who, _s, _n in held} | set(sent.unlinked))
    ctx.say(
        "cascade_sent",
        created=len(sent.created),
        changed=sent.newly_changed,
        waiting=len(sent.asked_before),
        incomplete=len(sent.incomplete),
        held=_held(names, held),
        unlinked=[names.get(who, "?") for who in sent.unlinked],
    )
    return Goto("ajak")


async def on_cas_button(ctx: Ctx, action: str, obj: str, version: int) -> Next | None:
    """The assignee answers the changed proposals of a summary: take them into their draft
    ("take"), or keep theirs to discuss ("leave"); both name the cascade and carry the
    proposals' version. "apply"/"keep" name one role (summaries written before)."""
    object_id = Callback.object_id(obj)
    if object_id is None or action not in ("take", "leave", "apply", "keep"):
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        if action == "take":
            applied = await cascade_cases.apply_changes(ctx.tx, object_id, version)
            ctx.notice("cascade_changes_applied" if applied else "cascade_nothing_to_apply")
        elif action == "leave":
            await cascade_cases.keep_drafts(ctx.tx, object_id, version)
            ctx.notice("decision_saved")
        elif action == "apply":
            await cascade_cases.apply_change(ctx.tx, object_id)
            ctx.notice("item_saved")
        else:
            row = await ctx.session.get(CascadeAssignment, object_id)
            if row is None or row.assignee_id != ctx.actor.id:
                ctx.notice("button_invalid", alert=True)
                return None
            ctx.audit("cascade.change_declined", "cascade_assignment", row.id)
            ctx.notice("decision_saved")
    except Refused as exc:
        not_theirs = exc.reason is Refusal.NOT_FOUND and action in ("take", "leave")
        ctx.notice("button_invalid" if not_theirs else exc.reason.value, alert=True)
    return None


# -- MPPH -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MpphLine:
    """One line of the MPPH in chat: an RHK of the leader, or a person's roles under it."""

    column: SkpItem
    person: Employee | None = None
    roles: tuple[str, ...] = ()


def mpph_lines(m: cas.Mpph) -> list[MpphLine]:
    lines = []
    for column in m.columns:
        lines.append(MpphLine(column))
        lines += [MpphLine(column, p, tuple(m.cells.get((p.id, column.id), ()))) for p in m.rows]
    return lines


async def mpph_view(ctx: Ctx) -> dict[str, Any]:
    period, _policy = await period_policy(ctx)
    if period is None:
        return {"m": None, "page": paging.paged(ctx, MPPH_KEY, [], MPPH_LINES)}
    m = await cas.mpph(ctx.session, ctx.actor.employee, period)
    return {"m": m, "page": paging.paged(ctx, MPPH_KEY, mpph_lines(m), MPPH_LINES)}


def mpph_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [paging.page_row(view["page"]), [Choice("xlsx", "cascade_mpph_xlsx")], [BACK]]


async def on_mpph(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "back":
        back = ctx.data.pop("mpph_back", "pick")
        # back where the leader was; a place that needs a cascade, only with one
        if back not in MPPH_FROM or (back != "pick" and await current_cascade(ctx) is None):
            back = "pick"
        return Goto(back)
    period, _policy = await period_policy(ctx)
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
        *cascade_plan.STEPS,
        *cascade_people.STEPS,
        *cascade_roles.STEPS,
        *cascade_role.STEPS,
        Step("ajak", "cascade_ajak", view=ajak_view, choices=ajak_choices, on_choice=on_ajak),
        Step("mpph", "cascade_mpph", view=mpph_view, choices=mpph_choices, on_choice=on_mpph),
    ],
    commands=("kaskade",),
    allowed=is_leader,
    resumable=True,
    help="help_cascade",
)

"""Rencana aksi (the /rencana flow): once the SKP is set, the employee breaks each IKI into a
few actions with their months, typed in one message per IKI ("Jan–Mar: menyusun instrumen;
Apr: uji coba"), and optionally a cumulative target per quarter ("25% 50% 75% 100%"); then
submits the plan. The leader agrees or asks for a change from the notice (flow
"rencana_tinjau"); a change after that makes it a draft to be agreed again."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import joinedload

from bot.db.models import Period, PlanStatus, Skp
from bot.domain import progress as rules
from bot.domain.numbers import parse_number
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.services import progress as read
from bot.usecases import progress
from bot.usecases.base import Refused
from conversations import checkin
from conversations.checkin_place import confirm, where
from conversations.period import policy_in_force

FLOW_NAME, REVIEW_FLOW = "rencana", "rencana_tinjau"
PLAN_NS = progress.PLAN_NS
CHANGE_NOTE_MAX = 1000
_NUMBER = re.compile(r"[0-9][0-9.]*(?:,[0-9]+)?")
_WORDS_ONLY = re.compile(r"[^\W\d_]*", re.UNICODE)


async def plan_view(ctx: Ctx, skp: Skp | None) -> dict[str, Any]:
    if skp is None:
        return {"skp": None}
    rows = await read.standings(
        ctx.session, [skp], (await _key(ctx)), (await policy_in_force(ctx)).progress
    )
    actions = await read.actions_of(ctx.session, skp.id)
    agreed = (await read.agreed_plans(ctx.session, read.scope_of([skp.id]))).get(skp.id)
    changed: set[int] = set()
    if agreed is not None:
        for line in rows[0].lines:
            now = [(a.month_from, a.month_to, a.text) for a in actions.get(line.item.id, [])]
            was = [(a.month_from, a.month_to, a.text) for a in agreed.actions.get(line.item.id, [])]
            if now != was or line.proposed is not None:
                changed.add(line.item.id)
    return {
        "agreed": agreed,
        "changed": changed,
        "skp": skp,
        "year": (await ctx.session.get(Period, skp.period_id) or Period(year=0)).year,
        "employee": skp.employee,
        "lines": rows[0].lines,
        "actions": actions,
        "plan": await read.plan_state(ctx.session, skp.id),
        "months": {m: ctx.texts.label(f"month_short_{m}") for m in range(1, 13)},
    }


async def _key(ctx: Ctx) -> str:
    policy = await policy_in_force(ctx)
    today = ctx.now.astimezone(ctx.texts.tz).date()
    return rules.period_key(today, policy.progress.checkin_interval_months)


async def home_view(ctx: Ctx) -> dict[str, Any]:
    place = await where(ctx)
    return await plan_view(ctx, place[2] if place else None)


def home_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["skp"] is None:
        return [[Choice("menu", "skp_menu")]]
    numbers = [
        Choice("item", arg=str(ln.item.id), text=str(ln.item.position)) for ln in view["lines"]
    ]
    plan = view["plan"]
    rows = [*grid(numbers, 5)]
    if plan is None or plan.status in (PlanStatus.DRAFT, PlanStatus.REVISION):
        rows.append([Choice("submit", "plan_submit")])
    rows.append([Choice("checkin", "plan_checkin"), Choice("menu", "skp_menu")])
    return rows


async def on_home(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "menu":
        return HOME
    if action == "checkin":
        return Goto("home", checkin.FLOW_NAME)
    place = await where(ctx)
    if place is None:
        return Stay()
    if action == "item":
        item_id = Callback.object_id(arg)
        if item_id is None:
            ctx.notice("button_invalid", alert=True)
            return Stay()
        ctx.data["item"] = item_id
        return Goto("item")
    if action == "submit":
        view = await plan_view(ctx, place[2])
        if _without_actions(view) and view["actions"]:
            return Goto("submit")  # some items have no plan yet: asked first
        return await _submit(ctx, place[2].id)
    return Stay()


def _without_actions(view: dict[str, Any]) -> list[Any]:
    return [ln for ln in view.get("lines", []) if not view["actions"].get(ln.item.id)]


async def _submit(ctx: Ctx, skp_id: int) -> Next:
    try:
        await progress.submit_plan(ctx.tx, skp_id)
    except Refused as exc:
        reason = exc.reason.value
        ctx.notice("plan_empty" if reason == "skp_not_ready" else reason, alert=True)
        return Goto("home")
    ctx.notice("plan_submitted")
    return Goto("home")


async def submit_view(ctx: Ctx) -> dict[str, Any]:
    view = await home_view(ctx)
    return {**view, "missing": _without_actions(view) if view["skp"] is not None else []}


def submit_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("submit", "plan_submit_anyway"), Choice("back", "back")]]


async def on_submit(ctx: Ctx, action: str, _arg: str) -> Next:
    place = await where(ctx)
    if action != "submit" or place is None:
        return Goto("home")
    return await _submit(ctx, place[2].id)


async def item_view(ctx: Ctx) -> dict[str, Any]:
    view = await home_view(ctx)
    wanted = ctx.data.get("item")
    line = next((ln for ln in view.get("lines", []) if ln.item.id == wanted), None)
    return {**view, "line": line}


async def on_item(ctx: Ctx, _action: str, _arg: str) -> Next:
    ctx.data.pop("item", None)
    return Goto("home")


def read_trajectory(text: str) -> list[Decimal] | None:
    """Four cumulative values typed the Indonesian way ("25% 50% 75% 100%", "1 2 3 4 kali",
    "TW1 25%, TW2 50% …"); None when the text is not that."""
    cleaned = re.sub(r"\b(?:tw|triwulan|q)\s*[1-4]\b[:.]?", " ", text, flags=re.I)
    numbers = _NUMBER.findall(cleaned)
    rest = _NUMBER.sub(" ", cleaned).replace("%", " ").replace(";", " ")
    if any(not _WORDS_ONLY.fullmatch(w) for w in rest.split()):
        return None
    values = [parse_number(n) for n in numbers]
    if len(values) != rules.QUARTERS or any(v is None for v in values):
        return None
    return [v for v in values if v is not None]


async def on_item_text(ctx: Ctx, text: str) -> Next:
    place = await where(ctx)
    view = await item_view(ctx)
    line = view.get("line")
    if place is None or line is None:
        return Goto("home")
    skp_id = place[2].id
    try:
        if ":" not in text:
            values = read_trajectory(text)
            problem = (
                rules.trajectory_problem(values, line.item.target_value, line.direction)
                if values is not None
                else "count"
            )
            if problem is not None:
                return Reask("plan_trajectory_problem", {"problem": problem, "line": line})
            assert values is not None
            await progress.set_trajectory(ctx.tx, skp_id, line.item.id, values)
            await _saved(ctx, skp_id, "plan_trajectory_saved")
            return Stay()
        actions = rules.parse_actions(text)
        if isinstance(actions, str):
            return Reask("plan_actions_problem", {"problem": actions})
        await progress.set_actions(ctx.tx, skp_id, line.item.id, actions)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Stay()
    await _saved(ctx, skp_id, "plan_actions_saved", count=len(actions))
    return Stay()


async def _saved(ctx: Ctx, skp_id: int, label: str, **values: Any) -> None:
    """Saved; a change of an agreed plan says that the agreed one stays in force until the
    leader agrees the change, which is sent with "Ajukan ke atasan"."""
    await ctx.session.flush()
    if await read.agreed_plans(ctx.session, read.scope_of([skp_id])):
        label = f"{label}_change"
    confirm(ctx, label, **values)


def back_only(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("back", "back")]]


FLOW = flow(
    FLOW_NAME,
    [
        Step(
            "home",
            "plan_home",
            view=home_view,
            choices=home_choices,
            on_choice=on_home,
            help="help_plan",
        ),
        Step(
            "submit",
            "plan_submit_confirm",
            view=submit_view,
            choices=submit_choices,
            on_choice=on_submit,
            help="help_plan",
        ),
        Step(
            "item",
            "plan_item",
            view=item_view,
            choices=back_only,
            on_choice=on_item,
            on_text=on_item_text,
            help="help_plan",
        ),
    ],
    commands=("rencana",),
    help="help_plan",
)


# -- the leader's side -------------------------------------------------------------------------


async def _reviewed(ctx: Ctx) -> Skp | None:
    from bot.usecases.loading import valid_id

    skp_id = ctx.data.get("skp")
    if not valid_id(skp_id):
        return None
    skp = await ctx.session.get(Skp, skp_id, options=[joinedload(Skp.employee)])
    if skp is None or skp.employee.penilai_id != ctx.actor.id:
        return None
    return skp


async def review_view(ctx: Ctx) -> dict[str, Any]:
    return await plan_view(ctx, await _reviewed(ctx))


def review_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    plan = view.get("plan")
    rows = []
    if view["skp"] is not None and plan is not None and plan.status is PlanStatus.SUBMITTED:
        rows.append([Choice("agree", "plan_agree"), Choice("change", "plan_change")])
    rows.append([Choice("menu", "skp_menu")])
    return rows


async def _decide(
    ctx: Ctx, skp_id: int, version: int | None, agree: bool, note: str | None = None
) -> bool:
    try:
        await progress.decide_plan(ctx.tx, skp_id, agree, note, version)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return False
    confirm(ctx, "plan_agreed_done" if agree else "plan_change_sent")
    return True


async def on_review(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "agree":
        await _decide(ctx, _skp_id(ctx), ctx.data.get("version"), True)
        return Stay()
    if action == "change":
        return Goto("change")
    return HOME


async def on_change_text(ctx: Ctx, text: str) -> Next:
    note = text.strip()
    problem = rules.text_problem(note, CHANGE_NOTE_MAX)
    if problem is not None:
        return Reask(
            "plan_change_problem",
            {"maximum": CHANGE_NOTE_MAX, "problem": problem, "length": len(note)},
        )
    await _decide(ctx, _skp_id(ctx), ctx.data.get("version"), False, note)
    return Goto("view")


def _skp_id(ctx: Ctx) -> int:
    value = ctx.data.get("skp")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


async def on_change(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("view")


REVIEW = flow(
    REVIEW_FLOW,
    [
        Step("view", "plan_review", view=review_view, choices=review_choices, on_choice=on_review),
        Step(
            "change",
            "plan_change_note",
            view=review_view,
            choices=back_only,
            on_choice=on_change,
            on_text=on_change_text,
        ),
    ],
)


async def on_plan_button(ctx: Ctx, action: str, obj: str, version: int) -> Next | None:
    """The buttons under a submitted plan's notice: agree, ask for a change, see it."""
    skp_id = Callback.object_id(obj)
    if skp_id is None:
        ctx.notice("button_invalid", alert=True)
        return None
    seed = {"skp": skp_id, "version": version}
    if action == "ok":
        await _decide(ctx, skp_id, version, True)
        return None
    if action == "chg":
        return Goto("change", REVIEW_FLOW, seed=seed)
    if action == "view":
        return Goto("view", REVIEW_FLOW, seed=seed)
    ctx.notice("button_invalid", alert=True)
    return None

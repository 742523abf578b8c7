"""Capaian tim (the /umpan flow, and the leader's digest's button): the round's check-ins of
the people the leader assesses, a page at a time, items behind their trajectory pointed out;
one person's check-in in full (realisations, capaian, note, evidence); feedback on the person
or on one item by buttons ("Sesuai rencana", "Perlu perhatian", "Perlu dialog") with an
optional message. The employee receives it; it is recorded."""

from __future__ import annotations

from typing import Any

from bot.db.models import FeedbackKind
from bot.domain import progress as rules
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.services import progress as read
from bot.usecases import progress
from bot.usecases.base import Refused
from conversations import paging, review
from conversations.checkin_place import confirm, month_name
from conversations.period import period_in_force, policy_in_force

FLOW_NAME = "umpan"
PEOPLE_PER_PAGE = 6
TEXT_MAX_CHARS = 1000
KINDS = (FeedbackKind.ON_TRACK, FeedbackKind.ATTENTION, FeedbackKind.DIALOG)


async def _round(ctx: Ctx) -> tuple[str, Any] | None:
    period = await period_in_force(ctx)
    if period is None:
        return None
    policy = await policy_in_force(ctx)
    today = ctx.now.astimezone(ctx.texts.tz).date()
    return rules.period_key(today, policy.progress.checkin_interval_months), policy


async def team_view(ctx: Ctx) -> dict[str, Any]:
    period = await period_in_force(ctx)
    found = await _round(ctx)
    if period is None or found is None:
        return {"standings": None}
    key, policy = found
    skps = (await read.team_skps(ctx.session, period.id, [ctx.actor.id])).get(ctx.actor.id, [])
    standings = await read.standings(
        ctx.session,
        skps,
        key,
        policy.progress,
        scope=read.team_scope(period.id, [ctx.actor.id]),
        with_evidence=False,
    )
    return {
        "standings": standings,
        "month": month_name(ctx, key),
        "page": paging.paged(ctx, "tim", standings, PEOPLE_PER_PAGE),
        "sent": sum(1 for s in standings if s.submitted),
    }


def team_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["standings"] is None:
        return [[Choice("menu", "skp_menu")]]
    page = view["page"]
    rows = [
        [
            Choice(
                "person",
                arg=str(s.skp.id),
                text=f"{n}. {s.skp.employee.name[:40]}",
            )
        ]
        for n, s in enumerate(page.items, start=page.first)
    ]
    return [*rows, paging.page_row(page), [Choice("menu", "skp_menu")]]


async def on_team(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "person":
        skp_id = Callback.object_id(arg)
        if skp_id is None:
            ctx.notice("button_invalid", alert=True)
            return Stay()
        ctx.data["skp"] = skp_id
        ctx.data.pop("item", None)
        return Goto("person")
    return HOME


async def _standing(ctx: Ctx) -> read.Standing | None:
    skp_id = ctx.data.get("skp")
    found = await _round(ctx)
    if not isinstance(skp_id, int) or found is None:
        return None
    key, policy = found
    skp = await read.set_skp_by_id(ctx.session, skp_id)
    if skp is None or skp.employee.penilai_id != ctx.actor.id:
        return None
    [standing] = await read.standings(ctx.session, [skp], key, policy.progress)
    return standing


async def person_view(ctx: Ctx) -> dict[str, Any]:
    standing = await _standing(ctx)
    item = ctx.data.get("item")
    return {
        "standing": standing,
        "month": month_name(ctx, standing.key) if standing else "",
        "line": next((ln for ln in standing.lines if ln.item.id == item), None)
        if standing
        else None,
    }


def person_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    standing = view["standing"]
    if standing is None:
        return [[Choice("back", "back")]]
    kinds = [Choice("kind", f"feedback_{k.value}", k.value) for k in KINDS]
    rows = [kinds[:2], kinds[2:]]
    if view["line"] is None:
        numbers = [
            Choice("item", arg=str(ln.item.id), text=f"Butir {ln.item.position}")
            for ln in standing.lines
        ]
        rows.extend(grid(numbers, 4))
    else:
        rows.append([Choice("whole", "feedback_whole")])
    files = sum(1 for e in standing.evidence if e.file_id)
    if files:
        rows.append([Choice("files", "feedback_files", values=(("n", files),))])
    rows.append([Choice("back", "feedback_team")])
    return rows


async def on_person(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "item":
        item_id = Callback.object_id(arg)
        if item_id is None:
            ctx.notice("button_invalid", alert=True)
            return Stay()
        ctx.data["item"] = item_id
        return Stay()
    if action == "whole":
        ctx.data.pop("item", None)
        return Stay()
    if action == "files":
        standing = await _standing(ctx)
        if standing is None:
            ctx.notice("button_invalid", alert=True)
            return Stay()
        try:
            sent = await progress.send_evidence(ctx.tx, standing.skp.id, standing.key)
        except Refused as exc:
            ctx.notice(exc.reason.value, alert=True)
            return Stay()
        ctx.notice("feedback_files_sent" if sent else "feedback_files_none")
        return Stay()
    if action == "kind" and arg in {k.value for k in KINDS}:
        ctx.data["kind"] = arg
        return Goto("text")
    ctx.data.pop("item", None)
    ctx.data.pop("skp", None)
    return Goto("team")


async def text_view(ctx: Ctx) -> dict[str, Any]:
    view = await person_view(ctx)
    return {**view, "kind": ctx.data.get("kind", "")}


def text_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("send", "feedback_send_plain")], [Choice("back", "back")]]


async def _give(ctx: Ctx, text: str) -> Next:
    standing = await _standing(ctx)
    kind = ctx.data.get("kind")
    if standing is None or kind not in {k.value for k in KINDS}:
        return Goto("team")
    item = ctx.data.get("item")
    try:
        await progress.give_feedback(
            ctx.tx,
            standing.skp.id,
            FeedbackKind(kind),
            text,
            item_id=item if isinstance(item, int) else None,
            check_in_id=standing.check_in.id if standing.check_in else None,
        )
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Goto("person")
    ctx.data.pop("kind", None)
    confirm(ctx, "feedback_sent", name=standing.skp.employee.name[:40])
    return Goto("person")


async def on_text_choice(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "send":
        return await _give(ctx, "")
    return Goto("person")


async def on_text(ctx: Ctx, text: str) -> Next:
    message = text.strip()
    if not message or len(message) > TEXT_MAX_CHARS or rules.TAG.search(message):
        return Reask("feedback_text_problem", {"maximum": TEXT_MAX_CHARS})
    return await _give(ctx, message)


async def leaders_only(actor: Any) -> bool:
    return await review.is_leader(actor)


FLOW = flow(
    FLOW_NAME,
    [
        Step("team", "feedback_team", view=team_view, choices=team_choices, on_choice=on_team),
        Step(
            "person",
            "feedback_person",
            view=person_view,
            choices=person_choices,
            on_choice=on_person,
        ),
        Step(
            "text",
            "feedback_text",
            view=text_view,
            choices=text_choices,
            on_choice=on_text_choice,
            on_text=on_text,
        ),
    ],
    commands=("umpan",),
    allowed=leaders_only,
    help="help_feedback",
)

"""What the /kaskade (PRIMA) modules share: the cascade being worked on, its tree as lines a
page at a time, and the small answers every step gives (lost, a forged button, a text that
cannot be taken, several lines typed at once)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.db.models import Cascade, Employee, SkpItem
from bot.domain import skp_rules as rules
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Quiet, Reask
from bot.services import cascade as cas
from conversations import paging
from conversations.period import period_in_force, policy_in_force

BACK = Choice("back", "back")
TEXT_MAX = 500
# Strategies or activities one message may add, one a line.
MAX_LINES = 10
# A list marker a pasted line may start with: "-", "•", "1.", "1.1", "2)".
_MARKER = re.compile(r"^(?:[-•*–·]+|\d+(?:\.\d+)+\.?|\d+[.)])\s+")
TREE_KEY = "tree"
MPPH_KEY = "mpph"
# The steps the MPPH may be opened from: its "back" returns there.
MPPH_FROM = ("pick", "jabarkan", "ajak")
# Lines of the tree a page shows: a strategy or an activity each, quoted short (≤ ~160
# characters), so a page stays far within Telegram's limit whatever the plan's size.
TREE_LINES = 8


async def period_policy(ctx: Ctx) -> tuple[Any, Any]:
    period = await period_in_force(ctx)
    return period, (await policy_in_force(ctx) if period is not None else None)


async def current_cascade(ctx: Ctx) -> Cascade | None:
    """The cascade being worked on, if it is the actor's."""
    cascade_id = ctx.data.get("cascade_id")
    cascade = await ctx.session.get(Cascade, cascade_id) if isinstance(cascade_id, int) else None
    if cascade is None or cascade.leader_id != ctx.actor.id:
        return None
    return cascade


def lost(ctx: Ctx) -> Next:
    ctx.say("cascade_lost")
    return Goto("pick")


def to_mpph(ctx: Ctx, back_to: str) -> Next:
    """Open the MPPH; its "back" leads to `back_to`, where the leader was."""
    paging.reset(ctx, MPPH_KEY)
    ctx.data["mpph_back"] = back_to
    return Goto("mpph")


def invalid_button(ctx: Ctx) -> Next:
    """A button whose id cannot be one (forged or garbled): said the way the runtime says it."""
    ctx.notice("button_invalid", alert=True)
    return Quiet()


def text_problem(ctx: Ctx, text: str) -> Reask | None:
    problem = rules.text_problem(text)
    if problem is None and len(text) <= TEXT_MAX:
        return None
    return Reask("dialog_note_problem", {"problem": problem or "too_long", "maximum": TEXT_MAX})


def typed_lines(text: str) -> list[str] | Reask:
    """The lines of a message (a strategy and its activities, or several activities), each
    without a list marker; or why they cannot be taken (the first line that fails, by its
    number when there are several): then nothing is added."""
    lines = [_MARKER.sub("", line.strip(), count=1).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_LINES:
        return Reask("cascade_line_problem", {"problem": "too_many", "maximum": MAX_LINES})
    if not lines:
        lines = [""]
    for number, line in enumerate(lines, start=1):
        problem = rules.text_problem(line)
        if problem is None and len(line) > TEXT_MAX:
            problem = "too_long"
        if problem is not None:
            return Reask(
                "cascade_line_problem",
                {
                    "problem": problem,
                    "line": number if len(lines) > 1 else None,
                    "maximum": TEXT_MAX,
                },
            )
    return lines


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


# -- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeLine:
    """One line of the tree: a strategy ("2") or one of its activities ("2.1")."""

    label: str
    strategy: cas.StrategyNode
    activity: cas.ActivityNode | None = None
    people: str = ""  # who contributes to the activity, by name

    @property
    def number(self) -> str:
        """The strategy's number (for an activity line too)."""
        return self.label.split(".", 1)[0]


def tree_lines(nodes: list[cas.StrategyNode], names: dict[int, str]) -> list[TreeLine]:
    lines = []
    for s_no, node in enumerate(nodes, start=1):
        lines.append(TreeLine(str(s_no), node))
        for a_no, act in enumerate(node.activities, start=1):
            roles = Counter(a.assignee_id for a in act.assignments)
            people = ", ".join(
                names.get(who, "?") + (f" ({count} IKI)" if count > 1 else "")
                for who, count in roles.items()
            )
            lines.append(TreeLine(f"{s_no}.{a_no}", node, act, people))
    return lines


async def tree_view(ctx: Ctx) -> dict[str, Any]:
    cascade = await current_cascade(ctx)
    if cascade is None:
        return {
            "nodes": [],
            "names": {},
            "item": None,
            "page": paging.paged(ctx, TREE_KEY, [], TREE_LINES),
        }
    nodes = await cas.tree(ctx.session, cascade.id)
    ids = {a.assignee_id for s in nodes for act in s.activities for a in act.assignments}
    names = {}
    if ids:
        rows = await ctx.session.execute(
            select(Employee.id, Employee.name).where(Employee.id.in_(ids))
        )
        names = {i: n for i, n in rows}
    item = await ctx.session.get(SkpItem, cascade.source_item_id)
    lines = tree_lines(nodes, names)
    return {
        "nodes": nodes,
        "names": names,
        "item": item,
        "cascade": cascade,
        "page": paging.paged(ctx, TREE_KEY, lines, TREE_LINES),
    }


def strategies_on(page: paging.Page[TreeLine]) -> list[tuple[str, cas.StrategyNode]]:
    """The strategies a page of the tree shows (a continued one too), in order."""
    seen: dict[str, cas.StrategyNode] = {}
    for line in page.items:
        seen.setdefault(line.number, line.strategy)
    return list(seen.items())

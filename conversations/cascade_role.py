"""Kaskade (PRIMA), M for one role: the division method and the RHK the leader writes for
the person (output + qualifier; the RHK of the person's other IKI in the same activity one tap
away), then the IKI, then the target with its satuan. Each screen shows the drafting lint of
what was just typed; a value already set is kept with one tap. After the target the next role
not spelled out yet follows, with the one just saved shown above it (and another IKI for that
person one tap away); when none is left, the list."""

from __future__ import annotations

from typing import Any

from bot.db.models import CascadeAssignment, CascadeMethod
from bot.domain import skp_rules as rules
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step
from bot.services import cascade as cas
from conversations import paging
from conversations.cascade_roles import (
    ROLES_KEY,
    ROLES_PER_PAGE,
    add_for,
    assignments,
    enter,
    more_saved,
    notes,
    role_of,
    saved_view,
    unit_heads,
)
from conversations.cascade_shared import (
    current_cascade,
    invalid_button,
    lost,
    period_policy,
    text_problem,
    tree_view,
)

LIST = Choice("list", "cascade_roles_list")


async def _role(ctx: Ctx) -> CascadeAssignment | None:
    return await role_of(ctx, ctx.data.get("assignment_id"))


async def role_view(ctx: Ctx) -> dict[str, Any]:
    row = await _role(ctx)
    if row is None:
        return {"row": None, "saved": None}
    view = await tree_view(ctx)
    listed = assignments(view)
    number, (label, activity, _row) = next(
        (n, entry) for n, entry in enumerate(listed, start=1) if entry[2].id == row.id
    )
    siblings = [
        a
        for _l, act, a in listed
        if act.id == activity.id and a.assignee_id == row.assignee_id and a.id != row.id
    ]
    _period, policy = await period_policy(ctx)
    saved = saved_view(ctx, listed, view["names"])
    heads = await unit_heads(ctx, [row] + ([saved["role"]] if saved is not None else []))
    if saved is not None:
        saved["notes"] = notes(ctx, policy, saved["role"], heads=heads)
    return {
        "row": row,
        "name": view["names"].get(row.assignee_id, "?"),
        "activity": activity,
        "label": label,
        "number": number,
        "total": len(listed),
        "method": ctx.texts.label(f"method_{row.method.value}") if row.method else "",
        "same_rhk": next((a.rhk for a in siblings if a.rhk and a.rhk != row.rhk), ""),
        "deletable": row.sent_at is None and bool(siblings),
        "saved": saved,
        "rhk_notes": notes(ctx, policy, row, "rhk", heads),
        "iki_notes": notes(ctx, policy, row, "iki", heads),
    }


def _method_first(row: CascadeAssignment) -> Reask | None:
    return Reask("cascade_method_first") if row.method is None else None


# -- method and RHK --------------------------------------------------------------------------------


def role_rhk_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row = view["row"]
    if row is None:
        return [[LIST]]
    rows = [
        [
            Choice(
                "method",
                arg=m.value,
                text=("✅ " if row.method is m else "") + ctx.texts.label(f"method_{m.value}"),
            )
        ]
        for m in CascadeMethod
    ]
    if view["same_rhk"]:
        rows.append([Choice("same", "cascade_same_rhk")])
    if row.rhk:
        rows.append([Choice("keep", "cascade_keep_rhk")])
    rows += more_saved(view["saved"])
    if view["deletable"]:
        rows.append([Choice("delete", "cascade_delete_role")])
    return [*rows, [LIST]]


async def on_role_rhk(ctx: Ctx, action: str, arg: str) -> Next:
    saved = await role_of(ctx, ctx.data.pop("saved_id", None))
    if action == "list":
        return Goto("jabarkan")
    row = await _role(ctx)
    if row is None:
        return lost(ctx)
    if action == "method":
        if arg not in {m.value for m in CascadeMethod}:
            return invalid_button(ctx)
        row.method = CascadeMethod(arg)
        ctx.data["last_method"] = arg
        if saved is not None:
            ctx.data["saved_id"] = saved.id  # still the one just saved
        return Stay()
    if action == "more_saved":
        return await add_for(ctx, saved) if saved is not None else Stay()
    if action == "delete":
        try:
            await cas.delete_role(ctx.session, row)
        except cas.AlreadySent:
            ctx.notice("cascade_delete_sent", alert=True)
            return Stay()
        ctx.notice("cascade_role_deleted")
        return Goto("jabarkan")
    if (problem := _method_first(row)) is not None:
        return problem
    if action == "same":
        view = await role_view(ctx)
        row.rhk = view["same_rhk"] or row.rhk
    return Goto("role_iki")


async def on_rhk_text(ctx: Ctx, text: str) -> Next:
    text = " ".join(text.split())
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    row = await _role(ctx)
    if row is None:
        return lost(ctx)
    if (problem := _method_first(row)) is not None:
        return problem
    ctx.data.pop("saved_id", None)
    row.rhk = text
    return Goto("role_iki")


# -- IKI -------------------------------------------------------------------------------------------


def role_iki_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row = view["row"]
    rows = [[Choice("keep", "cascade_keep_iki")]] if row is not None and row.iki else []
    return [*rows, [Choice("rhk", "cascade_back_rhk")], [LIST]]


async def on_role_iki(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "list":
        return Goto("jabarkan")
    if action == "rhk":
        return Goto("role_rhk")
    return Goto("role_target")


async def on_iki_text(ctx: Ctx, text: str) -> Next:
    text = " ".join(text.split())
    if (problem := text_problem(ctx, text)) is not None:
        return problem
    row = await _role(ctx)
    if row is None:
        return lost(ctx)
    row.iki = text
    return Goto("role_target")


# -- target ----------------------------------------------------------------------------------------


def role_target_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row = view["row"]
    keep = row is not None and row.target_value is not None
    rows = [[Choice("keep", "cascade_keep_target")]] if keep else []
    return [*rows, [Choice("iki", "cascade_back_iki")], [LIST]]


async def on_role_target(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "list":
        return Goto("jabarkan")
    if action == "iki":
        return Goto("role_iki")
    row = await _role(ctx)
    if row is None:
        return lost(ctx)
    return await _advance(ctx, row)


async def on_target_text(ctx: Ctx, text: str) -> Next:
    row = await _role(ctx)
    _period, policy = await period_policy(ctx)
    if row is None or policy is None:
        return lost(ctx)
    parsed = rules.parse_target(text, policy)
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    if not (parsed.satuan or row.satuan):
        return Reask("cascade_target_no_satuan", {"typed": text[:60]})
    row.target_value = parsed.value
    row.satuan = parsed.satuan or row.satuan
    cascade = await current_cascade(ctx)
    ctx.audit(
        "cascade.assignment_set",
        "cascade",
        cascade.id if cascade else None,
        assignment_id=row.id,
        rhk=row.rhk[:200],
        iki=row.iki[:200],
        target=str(row.target_value),
        satuan=row.satuan,
        method=row.method.value if row.method else None,
    )
    return await _advance(ctx, row)


async def _advance(ctx: Ctx, row: CascadeAssignment) -> Next:
    """On to the next role not spelled out yet (after this one, then from the top), with
    this one shown as saved; none left: the list, on the page of this one."""
    ctx.data["saved_id"] = row.id
    listed = [a for _l, _act, a in assignments(await tree_view(ctx))]
    index = next((i for i, a in enumerate(listed) if a.id == row.id), 0)
    following = [a for a in listed[index + 1 :] + listed[:index] if not cas.complete(a)]
    if following:
        return enter(ctx, following[0])
    paging.show(ctx, ROLES_KEY, index, ROLES_PER_PAGE)
    return Goto("jabarkan")


STEPS = [
    Step(
        "role_rhk",
        "cascade_role_rhk",
        view=role_view,
        choices=role_rhk_choices,
        on_choice=on_role_rhk,
        on_text=on_rhk_text,
    ),
    Step(
        "role_iki",
        "cascade_role_iki",
        view=role_view,
        choices=role_iki_choices,
        on_choice=on_role_iki,
        on_text=on_iki_text,
    ),
    Step(
        "role_target",
        "cascade_role_target",
        view=role_view,
        choices=role_target_choices,
        on_choice=on_role_target,
        on_text=on_target_text,
    ),
]

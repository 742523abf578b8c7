"""The perilaku kerja of an evaluation (flow "evaluasi"): one BerAKHLAK value a screen, with
its three indicators and the Ekspektasi Khusus Pimpinan the dialog agreed for it in view,
rated Di atas / Sesuai / Di bawah ekspektasi (or skipped); a typed message is the leader's
note on the value. Then the overall perilaku rating, the values' ratings suggesting one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.models import Evaluation, ExpectationKind, ExpectationStatus, SkpExpectation
from bot.domain import evaluation as ev
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.usecases import evaluation as uc
from bot.usecases.base import Refused
from conversations.dialog_text import note_problem
from conversations.evaluation_shared import (
    VALUE_KEY,
    current,
    labels,
    rating_of,
    rating_row,
    refused,
)


def _value_index(ctx: Ctx) -> int:
    index = ctx.data.get(VALUE_KEY)
    count = len(ctx.texts.berakhlak)
    return index if isinstance(index, int) and 0 <= index < count else 0


async def perilaku_view(ctx: Ctx) -> dict[str, Any]:
    row = await current(ctx)
    if row is None:
        return {"evaluation": None}
    index = _value_index(ctx)
    value = ctx.texts.berakhlak[index]
    expectations = (
        (
            await ctx.session.execute(
                select(SkpExpectation.text)
                .where(
                    SkpExpectation.skp_id == row.skp_id,
                    SkpExpectation.kind == ExpectationKind.PERILAKU,
                    SkpExpectation.value_code == value["code"],
                    SkpExpectation.status == ExpectationStatus.SETTLED,
                )
                .order_by(SkpExpectation.id)
            )
        )
        .scalars()
        .all()
    )
    return {
        **labels(ctx, row),
        "value": value,
        "index": index,
        "count": len(ctx.texts.berakhlak),
        "expectations": list(expectations),
        "rating": row.value_ratings.get(value["code"]),
        "note": row.value_notes.get(value["code"], ""),
    }


def perilaku_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["evaluation"] is None:
        return [[Choice("list", "eval_back_to_list")]]
    nav = []
    if view["index"] > 0:
        nav.append(Choice("prev", "eval_value_prev"))
    nav.append(Choice("skip", "eval_value_skip"))
    return [rating_row(view["rating"]), nav, [Choice("hasil", "eval_to_hasil")]]


async def on_perilaku(ctx: Ctx, action: str, arg: str) -> Next:
    row = await current(ctx)
    if row is None:
        return Goto("list")
    index = _value_index(ctx)
    if action == "hasil":
        return Goto("hasil")
    if action == "prev":
        ctx.data[VALUE_KEY] = max(index - 1, 0)
        return Stay()
    rating = rating_of(arg)
    if action == "rate" and rating is not None:
        code = ctx.texts.berakhlak[index]["code"]
        try:
            await uc.rate_value(ctx.tx, row.id, code, rating, None)
        except Refused as exc:
            return refused(ctx, exc)
    elif action != "skip":
        return Stay()
    if index + 1 >= len(ctx.texts.berakhlak):
        return Goto("perilaku_total")
    ctx.data[VALUE_KEY] = index + 1
    return Stay()


async def on_perilaku_text(ctx: Ctx, text: str) -> Next:
    """A typed message on a value's screen is the leader's note on that value."""
    problem = note_problem(text)
    if problem is not None:
        return problem
    row = await current(ctx)
    if row is None:
        return Goto("list")
    code = ctx.texts.berakhlak[_value_index(ctx)]["code"]
    try:
        await uc.set_value_note(ctx.tx, row.id, code, text, None)
    except Refused as exc:
        return refused(ctx, exc)
    ctx.say("eval_note_saved")
    return Stay()


async def total_view(ctx: Ctx) -> dict[str, Any]:
    row = await current(ctx)
    if row is None:
        return {"evaluation": None}
    ratings = [ev.Rating(r) for r in row.value_ratings.values() if r in set(ev.Rating)]
    suggested = ev.suggest_perilaku(ratings)
    return {**labels(ctx, row), "suggested": suggested.value if suggested else None}


def total_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row: Evaluation | None = view["evaluation"]
    if row is None:
        return [[Choice("list", "eval_back_to_list")]]
    return [
        rating_row(row.perilaku_rating, view["suggested"]),
        [Choice("values", "eval_to_values")],
    ]


async def on_total(ctx: Ctx, action: str, arg: str) -> Next:
    row = await current(ctx)
    if row is None:
        return Goto("list")
    if action == "values":
        ctx.data[VALUE_KEY] = 0
        return Goto("perilaku")
    rating = rating_of(arg)
    if action != "rate" or rating is None:
        return Stay()
    try:
        await uc.rate_perilaku(ctx.tx, row.id, rating, None)
    except Refused as exc:
        return refused(ctx, exc)
    return Goto("summary")


STEPS = [
    Step(
        "perilaku",
        "eval_perilaku",
        view=perilaku_view,
        choices=perilaku_choices,
        on_choice=on_perilaku,
        on_text=on_perilaku_text,
    ),
    Step(
        "perilaku_total",
        "eval_perilaku_total",
        view=total_view,
        choices=total_choices,
        on_choice=on_total,
    ),
]

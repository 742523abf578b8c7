"""What the evaluation screens share: the evaluation the person is on (read afresh, only for
its evaluator or its employee), the period chosen, the rating buttons, and the context every
evaluation template gets (labels of ratings, predikat and period)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.db.models import Evaluation
from bot.domain import evaluation as ev
from bot.domain.evaluation import Rating
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next
from bot.usecases import evaluation as uc
from bot.usecases.base import Refused

EVAL_KEY = "eval_id"
PERIOD_KEY = "period"
VALUE_KEY = "value"


def refused(ctx: Ctx, exc: Refused) -> Next:
    """A use case said no: why, and back to the list."""
    ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
    return Goto("list")


def default_period(today: date) -> str:
    """The quarter an evaluation made today most likely is about: the one that ended within
    the last weeks or is ending now (evaluations run at and just after a quarter's end)."""
    day = today - timedelta(days=15)
    return ev.QUARTERS[(day.month - 1) // 3]


def chosen_period(ctx: Ctx) -> str:
    period = ctx.data.get(PERIOD_KEY)
    return (
        period
        if isinstance(period, str) and ev.is_period(period)
        else default_period(ctx.now.date())
    )


def period_row(ctx: Ctx) -> list[Choice]:
    chosen = chosen_period(ctx)
    return [
        Choice(
            "period",
            "eval_period_pick",
            p,
            values=(
                ("mark", "• " if p == chosen else ""),
                ("name", ctx.texts.label(f"eval_period_short_{p}")),
            ),
        )
        for p in ev.PERIODS
    ]


def pick_period(ctx: Ctx, arg: str) -> None:
    if ev.is_period(arg):
        ctx.data[PERIOD_KEY] = arg


async def current(ctx: Ctx, as_employee: bool = False) -> Evaluation | None:
    """The evaluation on screen, if the actor is its evaluator (or, `as_employee`, its
    employee, once final)."""
    evaluation_id = ctx.data.get(EVAL_KEY)
    if not isinstance(evaluation_id, int):
        return None
    try:
        row = await uc.load(ctx.tx, evaluation_id, lock=False)
    except Refused:
        return None
    if as_employee:
        final = row.state.value == "final"
        return row if row.employee_id == ctx.actor.id and final else None
    return row if uc.evaluator_of(row.skp) == ctx.actor.id else None


def rating_row(chosen: str | None, suggested: str | None = None) -> list[Choice]:
    return [
        Choice(
            "rate",
            f"eval_rate_{r.value}",
            r.value,
            values=(
                ("mark", "✅ " if r.value == chosen else ""),
                ("hint", " (saran)" if r.value == suggested else ""),
            ),
        )
        for r in Rating
    ]


def rating_of(arg: str) -> Rating | None:
    return Rating(arg) if arg in {r.value for r in Rating} else None


def labels(ctx: Ctx, row: Evaluation | None) -> dict[str, Any]:
    label = ctx.texts.label
    if row is None:
        return {"evaluation": None}
    return {
        "evaluation": row,
        "employee": row.skp.employee,
        "period_label": label(f"eval_period_{row.period}"),
        "predikat_label": label(f"predikat_{row.predikat}") if row.predikat else "",
        "hasil_label": label(f"rating_{row.hasil_rating}") if row.hasil_rating else "",
        "perilaku_label": label(f"rating_{row.perilaku_rating}") if row.perilaku_rating else "",
        "rating_labels": {r.value: label(f"rating_{r.value}") for r in Rating},
        "value_names": {v["code"]: v["name"] for v in ctx.texts.berakhlak},
        "values": ctx.texts.berakhlak,
        "note_labels": {f: label(f"eval_note_{f}") for f in uc.NOTE_FIELDS},
    }

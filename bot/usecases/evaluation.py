"""The quarterly and annual evaluation of an SKP (PermenPANRB 6/2022), one use case per
decision: start (or reopen) an evaluation of the SKP in force, rate the hasil kerja, rate a
BerAKHLAK value, rate the perilaku kerja, write a note, finalise, and the employee's
response. Only the SKP's pejabat penilai evaluates, only a set SKP is evaluated, a final
evaluation no longer changes; the predikat always comes from the policy's matrix.

Each loads the evaluation under a lock, checks, changes, audits and notifies in the caller's
transaction (never commits), like bot.usecases.skp_lifecycle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import Employee, Evaluation, EvaluationState, Skp, SkpStatus
from bot.domain import evaluation as ev
from bot.domain.contract import Refusal
from bot.domain.evaluation import Rating
from bot.engine.types import Button
from bot.usecases.base import Refused, Tx
from bot.usecases.evaluation_data import Standing, snapshot, standing
from bot.usecases.loading import valid_id

EV_NS = "ev"
NOTE_FIELDS = ("hasil_note", "training_needs", "recognition", "follow_up")
NOTE_MAX = 1000
RESPONSE_MAX = 1500


def evaluator_of(skp: Skp) -> int | None:
    """The SKP's pejabat penilai: whoever set it, else the owner's current penilai."""
    return skp.penilai_id or skp.employee.penilai_id


async def skp_in_force(tx: Tx, employee_id: int, period_id: int | None = None) -> Skp | None:
    """The employee's set SKP (the latest set version) in the period, or None."""
    stmt = (
        select(Skp)
        .options(joinedload(Skp.employee))
        .where(Skp.employee_id == employee_id, Skp.status == SkpStatus.SET)
        .order_by(Skp.period_id.desc(), Skp.number.desc())
        .limit(1)
    )
    if period_id is not None:
        stmt = stmt.where(Skp.period_id == period_id)
    return (await tx.session.execute(stmt)).scalar_one_or_none()


async def has_final(session: AsyncSession, employee_id: int) -> bool:
    """Whether the employee has a final evaluation to look at."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Evaluation.employee_id == employee_id,
                    Evaluation.state == EvaluationState.FINAL,
                )
            )
        )
    )


async def load(tx: Tx, evaluation_id: int, lock: bool = True) -> Evaluation:
    if not valid_id(evaluation_id):
        raise Refused(Refusal.EVAL_NOT_FOUND)
    await tx.session.flush()
    stmt = (
        select(Evaluation)
        .options(joinedload(Evaluation.skp).joinedload(Skp.employee))
        .where(Evaluation.id == evaluation_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        stmt = stmt.with_for_update(of=Evaluation)
    row = (await tx.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise Refused(Refusal.EVAL_NOT_FOUND)
    return row


def _as_evaluator(tx: Tx, row: Evaluation, version: int | None) -> None:
    if tx.actor_id is None or tx.actor_id != evaluator_of(row.skp):
        raise Refused(Refusal.NOT_PENILAI)
    if row.state is EvaluationState.FINAL:
        raise Refused(Refusal.EVAL_FINAL)
    if version is not None and version != row.revision:
        raise Refused(Refusal.STALE)


async def _refresh(tx: Tx, row: Evaluation) -> Standing:
    """Recompute the weighted capaian and the predikat from the current data."""
    now = await standing(tx.session, row.skp, row.period)
    row.capaian_total = now.weighted.total
    row.capaian_core = now.weighted.core
    row.capaian_beyond = now.weighted.beyond
    row.capaian_items = snapshot(now.items)
    row.predikat = (
        ev.predikat(
            now.policy.evaluation, Rating(row.hasil_rating), Rating(row.perilaku_rating)
        ).value
        if row.hasil_rating and row.perilaku_rating
        else None
    )
    return now


def _touch(tx: Tx, row: Evaluation) -> None:
    row.revision += 1
    row.updated_at = tx.now


async def start(tx: Tx, employee_id: int, period: str) -> Evaluation:
    """The evaluation of the employee's SKP in force for `period`: a new draft, or the one
    already there (a second press opens the same one)."""
    if not ev.is_period(period) or not valid_id(employee_id):
        raise Refused(Refusal.EVAL_NOT_FOUND)
    skp = await skp_in_force(tx, employee_id)
    if skp is None:
        raise Refused(Refusal.EVAL_NO_SKP)
    if tx.actor_id is None or tx.actor_id != evaluator_of(skp):
        raise Refused(Refusal.NOT_PENILAI)
    found = await tx.session.scalar(
        select(Evaluation.id).where(Evaluation.skp_id == skp.id, Evaluation.period == period)
    )
    if found is not None:
        return await load(tx, found)
    row = Evaluation(
        skp_id=skp.id,
        employee_id=skp.employee_id,
        period=period,
        state=EvaluationState.DRAFT,
        value_ratings={},
        value_notes={},
        capaian_items=[],
        evaluator_id=tx.actor_id,
        created_at=tx.now,
        updated_at=tx.now,
    )
    tx.session.add(row)
    await tx.session.flush()
    row = await load(tx, row.id)
    await _refresh(tx, row)
    tx.audit("evaluation.started", "evaluation", row.id, skp_id=skp.id, period=period)
    return row


async def rate_hasil(tx: Tx, evaluation_id: int, rating: Rating, version: int | None) -> Evaluation:
    row = await load(tx, evaluation_id)
    _as_evaluator(tx, row, version)
    row.hasil_rating = Rating(rating).value
    await _refresh(tx, row)
    _touch(tx, row)
    tx.audit("evaluation.hasil_rated", "evaluation", row.id, rating=row.hasil_rating)
    return row


async def rate_value(
    tx: Tx, evaluation_id: int, code: str, rating: Rating, version: int | None
) -> Evaluation:
    if code not in {v["code"] for v in tx.texts.berakhlak}:
        raise Refused(Refusal.EVAL_NOT_FOUND)
    row = await load(tx, evaluation_id)
    _as_evaluator(tx, row, version)
    row.value_ratings = {**row.value_ratings, code: Rating(rating).value}
    _touch(tx, row)
    tx.audit("evaluation.value_rated", "evaluation", row.id, value=code, rating=rating.value)
    return row


async def set_value_note(
    tx: Tx, evaluation_id: int, code: str, text: str, version: int | None
) -> Evaluation:
    """The leader's note on one BerAKHLAK value."""
    if code not in {v["code"] for v in tx.texts.berakhlak}:
        raise Refused(Refusal.EVAL_NOT_FOUND)
    row = await load(tx, evaluation_id)
    _as_evaluator(tx, row, version)
    row.value_notes = {**row.value_notes, code: text.strip()[:NOTE_MAX]}
    _touch(tx, row)
    tx.audit("evaluation.value_noted", "evaluation", row.id, value=code, chars=len(text))
    return row


async def rate_perilaku(
    tx: Tx, evaluation_id: int, rating: Rating, version: int | None
) -> Evaluation:
    row = await load(tx, evaluation_id)
    _as_evaluator(tx, row, version)
    row.perilaku_rating = Rating(rating).value
    await _refresh(tx, row)
    _touch(tx, row)
    tx.audit("evaluation.perilaku_rated", "evaluation", row.id, rating=row.perilaku_rating)
    return row


async def set_note(
    tx: Tx, evaluation_id: int, field: str, text: str, version: int | None
) -> Evaluation:
    if field not in NOTE_FIELDS:
        raise ValueError(field)
    row = await load(tx, evaluation_id)
    _as_evaluator(tx, row, version)
    setattr(row, field, text.strip()[:NOTE_MAX])
    _touch(tx, row)
    tx.audit("evaluation.note_set", "evaluation", row.id, field=field, chars=len(text))
    return row


async def finalise(tx: Tx, evaluation_id: int, version: int | None) -> Evaluation:
    """Final: the ratings and predikat stand, the employee is told and may respond."""
    row = await load(tx, evaluation_id)
    _as_evaluator(tx, row, version)
    if not (row.hasil_rating and row.perilaku_rating):
        raise Refused(Refusal.EVAL_INCOMPLETE)
    await _refresh(tx, row)
    row.state = EvaluationState.FINAL
    row.finalised_at = tx.now
    _touch(tx, row)
    tx.audit(
        "evaluation.finalised",
        "evaluation",
        row.id,
        period=row.period,
        predikat=row.predikat,
        hasil=row.hasil_rating,
        perilaku=row.perilaku_rating,
        capaian=str(row.capaian_total),
    )
    await _tell_employee(tx, row)
    return row


async def respond(tx: Tx, evaluation_id: int, text: str, version: int | None) -> Evaluation:
    """The employee's response to a final evaluation (a later one replaces it)."""
    row = await load(tx, evaluation_id)
    if tx.actor_id is None or tx.actor_id != row.employee_id:
        raise Refused(Refusal.NOT_OWNER)
    if row.state is not EvaluationState.FINAL:
        raise Refused(Refusal.EVAL_NOT_FINAL)
    if version is not None and version != row.revision:
        raise Refused(Refusal.STALE)
    row.employee_response = text.strip()[:RESPONSE_MAX]
    row.responded_at = tx.now
    _touch(tx, row)
    tx.audit("evaluation.responded", "evaluation", row.id, chars=len(text))
    await tx.notify(
        row.evaluator_id,
        "evaluation_response",
        "eval_response_leader",
        buttons=[[tx.button("eval_open", EV_NS, "open", row.id)]],
        dedupe_key=f"eval-response:{row.id}:{row.revision}",
        evaluation=row,
        employee=row.skp.employee,
        period_label=tx.texts.label(f"eval_period_{row.period}"),
    )
    return row


def result_context(tx: Tx, row: Evaluation) -> dict[str, Any]:
    labels = tx.texts.label
    return {
        "evaluation": row,
        "employee": row.skp.employee,
        "period_label": labels(f"eval_period_{row.period}"),
        "predikat_label": labels(f"predikat_{row.predikat}") if row.predikat else "",
        "hasil_label": labels(f"rating_{row.hasil_rating}") if row.hasil_rating else "",
        "perilaku_label": labels(f"rating_{row.perilaku_rating}") if row.perilaku_rating else "",
    }


async def _tell_employee(tx: Tx, row: Evaluation) -> None:
    buttons: list[list[Button]] = [
        [tx.button("eval_respond", EV_NS, "resp", row.id, row.revision)],
        [tx.button("eval_view", EV_NS, "view", row.id)],
    ]
    await tx.notify(
        row.employee_id,
        "evaluation_final",
        "eval_final_employee",
        buttons=buttons,
        dedupe_key=f"eval-final:{row.id}",
        evaluator=await tx.session.get(Employee, row.evaluator_id),
        **result_context(tx, row),
    )

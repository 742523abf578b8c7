"""A Perubahan SKP keeps the year's progress: when the new version is set, the check-ins of
the version it supersedes (realisations, evidence) and its action plan, trajectory and
feedback follow the items it carried over (SkpItem.carried_from_id). A round the new version
has a check-in of already keeps its own."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect, select

from bot.db.models import (
    ActionPlan,
    CheckIn,
    Evidence,
    Feedback,
    ItemTrajectory,
    PlanAgreement,
    Realisation,
    Skp,
    SkpItem,
)
from bot.services.progress import agreed_plans, scope_of
from bot.usecases.base import Tx

T = TypeVar("T")


async def carry_progress(tx: Tx, old: Skp, new: Skp) -> int:
    """Copy `old`'s progress onto `new`'s carried items; returns the check-ins copied."""
    items = (await tx.session.execute(select(SkpItem).where(SkpItem.skp_id == new.id))).scalars()
    twin: dict[int, int] = {i.carried_from_id: i.id for i in items if i.carried_from_id is not None}
    if not twin:
        return 0
    have = set(
        (
            await tx.session.execute(select(CheckIn.period_key).where(CheckIn.skp_id == new.id))
        ).scalars()
    )
    copied = 0
    for check_in in (
        await tx.session.execute(select(CheckIn).where(CheckIn.skp_id == old.id))
    ).scalars():
        if check_in.period_key in have:
            continue
        copy = _copied(check_in, skp_id=new.id)
        tx.session.add(copy)
        await tx.session.flush()
        copied += 1
        for r in (
            await tx.session.execute(
                select(Realisation).where(Realisation.check_in_id == check_in.id)
            )
        ).scalars():
            if r.item_id in twin:
                tx.session.add(_copied(r, check_in_id=copy.id, item_id=twin[r.item_id]))
        for e in (
            await tx.session.execute(select(Evidence).where(Evidence.check_in_id == check_in.id))
        ).scalars():
            if e.item_id is not None and e.item_id not in twin:
                continue
            item = twin.get(e.item_id) if e.item_id is not None else None
            tx.session.add(_copied(e, check_in_id=copy.id, item_id=item))
    await _carry_plan(tx, old, new, twin)
    for f in (
        await tx.session.execute(select(Feedback).where(Feedback.skp_id == old.id))
    ).scalars():
        if f.item_id is not None and f.item_id not in twin:
            continue
        item = twin.get(f.item_id) if f.item_id is not None else None
        tx.session.add(_copied(f, skp_id=new.id, item_id=item, check_in_id=None))
    await tx.session.flush()
    tx.audit("progress.carried", "skp", new.id, previous=old.id, check_ins=copied)
    return copied


def _copied(row: T, **changes: Any) -> T:
    """A new row of the same kind with `row`'s values but `changes` (and without its
    surrogate id): every column follows, including ones added later."""
    mapper = inspect(type(row))
    surrogate = {c.key for c in mapper.primary_key} if len(mapper.primary_key) == 1 else set()
    values = {
        a.key: getattr(row, a.key)
        for a in mapper.column_attrs
        if a.key not in surrogate and a.key not in changes
    }
    return type(row)(**values, **changes)


async def _carry_plan(tx: Tx, old: Skp, new: Skp, twin: dict[int, int]) -> None:
    """The action plan and trajectory of carried items, unless the new version has its own."""
    own = await tx.session.scalar(
        select(ActionPlan.id)
        .join(SkpItem, SkpItem.id == ActionPlan.item_id)
        .where(SkpItem.skp_id == new.id)
        .limit(1)
    )
    if own is not None:
        return
    for a in (
        await tx.session.execute(select(ActionPlan).where(ActionPlan.item_id.in_(list(twin))))
    ).scalars():
        tx.session.add(_copied(a, item_id=twin[a.item_id]))
    for t in (
        await tx.session.execute(
            select(ItemTrajectory).where(ItemTrajectory.item_id.in_(list(twin)))
        )
    ).scalars():
        tx.session.add(_copied(t, item_id=twin[t.item_id]))
    state = await tx.session.get(PlanAgreement, old.id)
    if state is not None and await tx.session.get(PlanAgreement, new.id) is None:
        carried = PlanAgreement(
            skp_id=new.id,
            status=state.status,
            revision=1,
            submitted_at=state.submitted_at,
            decided_at=state.decided_at,
            decided_by_id=state.decided_by_id,
            change_note=state.change_note,
        )
        tx.session.add(carried)
        # a change of the agreed plan in progress: the agreed plan stays in force there too
        agreed = (await agreed_plans(tx.session, scope_of([old.id]))).get(old.id)
        if agreed is not None:
            carried.agreed = {
                "actions": {
                    str(twin[i]): [[a.month_from, a.month_to, a.text] for a in rows]
                    for i, rows in agreed.actions.items()
                    if i in twin
                },
                "trajectory": {
                    str(twin[i]): {str(q): str(v) for q, v in values.items()}
                    for i, values in agreed.trajectory.items()
                    if i in twin
                },
            }

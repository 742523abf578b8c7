"""The year in progress, one use case per decision: the employee writes the rencana aksi and
trajectory of a set SKP and submits it, the leader agrees or asks for a change; the employee
checks in (a realisation per item, a note, evidence) and sends it; the leader gives feedback.
Each loads and locks the SKP, checks who acts and that the SKP is set, changes, audits and
notifies, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from bot.db.models import (
    ActionPlan,
    CheckIn,
    CheckInStatus,
    Evidence,
    EvidenceKind,
    Feedback,
    FeedbackKind,
    ItemTrajectory,
    PlanAgreement,
    PlanStatus,
    Realisation,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.domain.contract import Party, Refusal
from bot.domain.progress import PlannedAction, Realised
from bot.services.progress import agreed_plans, scope_of
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import load_skp, party

PLAN_NS = "rap"
# What a leader's feedback notice quotes of the text.
QUOTE = 300


def _require(tx: Tx, skp: Skp, who: Party) -> None:
    """Only the owner (or the leader) of a set SKP; anything else is refused."""
    actual = party(tx, skp)
    if actual is not who:
        raise Refused(Refusal.NOT_OWNER if who is Party.EMPLOYEE else Refusal.NOT_PENILAI)
    if skp.status is not SkpStatus.SET:
        raise Refused(Refusal.WRONG_STATUS)


async def _item(tx: Tx, skp: Skp, item_id: int) -> SkpItem:
    item = await tx.session.get(SkpItem, item_id)
    if item is None or item.skp_id != skp.id:
        raise Refused(Refusal.NOT_FOUND)
    return item


# -- rencana aksi and trajectory ---------------------------------------------------------------


async def plan_of(tx: Tx, skp_id: int) -> PlanAgreement:
    plan = await tx.session.get(PlanAgreement, skp_id)
    if plan is None:
        plan = PlanAgreement(skp_id=skp_id, status=PlanStatus.DRAFT, revision=1)
        tx.session.add(plan)
        await tx.session.flush()
    return plan


async def _reopen(tx: Tx, plan: PlanAgreement) -> None:
    """A change of an agreed or submitted plan makes it a draft again, to be agreed anew.
    The first change after an agreement keeps the plan as agreed (its actions and
    trajectories, `PlanAgreement.agreed`): that plan stays in force, for the warnings and the
    evaluations, until the leader agrees the change."""
    if plan.status is PlanStatus.AGREED:
        plan.agreed = await agreed_snapshot(tx, plan.skp_id)
        tx.audit("plan.reopened", "skp", plan.skp_id)
    plan.status = PlanStatus.DRAFT
    plan.revision += 1
    await tx.session.flush()


async def agreed_snapshot(tx: Tx, skp_id: int) -> dict[str, Any]:
    """The SKP's plan as it stands (actions and trajectories per item id), as JSON."""
    actions: dict[str, list[list[Any]]] = {}
    for row in (
        await tx.session.execute(
            select(ActionPlan)
            .join(SkpItem, SkpItem.id == ActionPlan.item_id)
            .where(SkpItem.skp_id == skp_id)
            .order_by(ActionPlan.item_id, ActionPlan.position)
        )
    ).scalars():
        actions.setdefault(str(row.item_id), []).append([row.month_from, row.month_to, row.text])
    trajectory: dict[str, dict[str, str]] = {}
    for item_id, quarter, value in await tx.session.execute(
        select(ItemTrajectory.item_id, ItemTrajectory.quarter, ItemTrajectory.value)
        .join(SkpItem, SkpItem.id == ItemTrajectory.item_id)
        .where(SkpItem.skp_id == skp_id)
    ):
        trajectory.setdefault(str(item_id), {})[str(quarter)] = str(value)
    return {"actions": actions, "trajectory": trajectory}


async def set_actions(
    tx: Tx, skp_id: int, item_id: int, actions: Sequence[PlannedAction]
) -> list[ActionPlan]:
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    item = await _item(tx, skp, item_id)
    await _reopen(tx, await plan_of(tx, skp.id))
    await tx.session.execute(delete(ActionPlan).where(ActionPlan.item_id == item.id))
    rows = [
        ActionPlan(
            item_id=item.id, position=n, text=a.text, month_from=a.month_from, month_to=a.month_to
        )
        for n, a in enumerate(actions, start=1)
    ]
    tx.session.add_all(rows)
    tx.audit("plan.actions_set", "skp", skp.id, item=item.position, actions=len(rows))
    return rows


async def set_trajectory(tx: Tx, skp_id: int, item_id: int, values: Sequence[Decimal]) -> None:
    """The item's cumulative target by the end of each quarter (empty: none)."""
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    item = await _item(tx, skp, item_id)
    await _reopen(tx, await plan_of(tx, skp.id))
    await tx.session.execute(delete(ItemTrajectory).where(ItemTrajectory.item_id == item.id))
    tx.session.add_all(
        ItemTrajectory(item_id=item.id, quarter=q, value=v) for q, v in enumerate(values, 1)
    )
    tx.audit(
        "plan.trajectory_set", "skp", skp.id, item=item.position, values=[str(v) for v in values]
    )


async def submit_plan(tx: Tx, skp_id: int) -> PlanAgreement:
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    plan = await plan_of(tx, skp.id)
    if plan.status in (PlanStatus.SUBMITTED, PlanStatus.AGREED):
        raise Refused(Refusal.WRONG_STATUS)
    has_actions = await tx.session.scalar(
        select(ActionPlan.id)
        .join(SkpItem, SkpItem.id == ActionPlan.item_id)
        .where(SkpItem.skp_id == skp.id)
        .limit(1)
    )
    if has_actions is None:
        raise Refused(Refusal.NOT_READY)
    change = bool(await agreed_plans(tx.session, scope_of([skp.id])))
    plan.status = PlanStatus.SUBMITTED
    plan.revision += 1
    plan.submitted_at = tx.now
    tx.audit("plan.submitted", "skp", skp.id, revision=plan.revision, change=change)
    leader_id = skp.employee.penilai_id
    if leader_id is not None:
        await tx.notify(
            leader_id,
            "plan_submitted",
            "plan_submitted_leader",
            buttons=[
                [
                    tx.button("plan_agree", PLAN_NS, "ok", skp.id, plan.revision),
                    tx.button("plan_change", PLAN_NS, "chg", skp.id, plan.revision),
                ],
                [tx.button("plan_view", PLAN_NS, "view", skp.id, plan.revision)],
            ],
            dedupe_key=f"plan:{skp.id}:{plan.revision}",
            employee=skp.employee,
            change=change,
        )
    return plan


async def decide_plan(
    tx: Tx, skp_id: int, agree: bool, note: str | None = None, version: int | None = None
) -> PlanAgreement:
    """The leader agrees with the submitted plan, or asks for a change (with a note)."""
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.PENILAI)
    plan = await plan_of(tx, skp.id)
    if plan.status is not PlanStatus.SUBMITTED:
        raise Refused(Refusal.WRONG_STATUS)
    if version is not None and version != plan.revision:
        raise Refused(Refusal.STALE)
    plan.status = PlanStatus.AGREED if agree else PlanStatus.REVISION
    if agree:
        plan.agreed = None  # the plan as it is now is the agreed one
    plan.revision += 1
    plan.decided_at = tx.now
    plan.decided_by_id = tx.actor_id
    plan.change_note = None if agree else note
    tx.audit(
        "plan.agreed" if agree else "plan.change_asked",
        "skp",
        skp.id,
        revision=plan.revision,
        note=(note or "")[:300],
    )
    await tx.notify(
        skp.employee_id,
        "plan_decided",
        "plan_decided_employee",
        buttons=[[tx.button("plan_open", "go", "rencana", 0)]],
        dedupe_key=f"plan-decided:{skp.id}:{plan.revision}",
        agreed=agree,
        note=note or "",
    )
    return plan


# -- check-ins ---------------------------------------------------------------------------------


async def check_in_of(tx: Tx, skp: Skp, key: str) -> CheckIn:
    """The SKP's check-in of the round `key`, created (as a draft) on first use."""
    found = await tx.session.scalar(
        select(CheckIn).where(CheckIn.skp_id == skp.id, CheckIn.period_key == key)
    )
    if found is None:
        found = CheckIn(
            skp_id=skp.id,
            employee_id=skp.employee_id,
            period_key=key,
            note="",
            status=CheckInStatus.DRAFT,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.session.add(found)
        await tx.session.flush()
    return found


async def record(tx: Tx, skp_id: int, key: str, item_id: int, realised: Realised) -> CheckIn:
    """One item's realisation so far in the round's check-in (replacing what was there)."""
    return await record_many(tx, skp_id, key, {item_id: realised})


async def record_many(tx: Tx, skp_id: int, key: str, realised: dict[int, Realised]) -> CheckIn:
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    check_in = await check_in_of(tx, skp, key)
    existing = {
        r.item_id: r
        for r in (
            await tx.session.execute(
                select(Realisation).where(Realisation.check_in_id == check_in.id)
            )
        ).scalars()
    }
    for item_id, value in realised.items():
        item = await _item(tx, skp, item_id)
        row = existing.get(item.id)
        if row is None:
            row = Realisation(check_in_id=check_in.id, item_id=item.id)
            tx.session.add(row)
        row.value, row.typed, row.note, row.updated_at = (
            value.value,
            value.typed,
            value.note,
            tx.now,
        )
    check_in.updated_at = tx.now
    tx.audit(
        "checkin.recorded",
        "skp",
        skp.id,
        period=key,
        items=len(realised),
    )
    return check_in


async def set_note(tx: Tx, skp_id: int, key: str, note: str) -> CheckIn:
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    check_in = await check_in_of(tx, skp, key)
    check_in.note = note
    check_in.updated_at = tx.now
    tx.audit("checkin.note", "skp", skp.id, period=key)
    return check_in


@dataclass(frozen=True, slots=True)
class Attachment:
    """Evidence as it arrived: a photo or document's Telegram ids and metadata, or a link."""

    kind: EvidenceKind
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str = ""
    mime: str = ""
    size: int | None = None
    url: str | None = None
    caption: str = ""


async def add_evidence(
    tx: Tx, skp_id: int, key: str, item_id: int | None, attachment: Attachment
) -> Evidence:
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    if item_id is not None:
        item_id = (await _item(tx, skp, item_id)).id
    check_in = await check_in_of(tx, skp, key)
    row = Evidence(
        check_in_id=check_in.id,
        item_id=item_id,
        kind=attachment.kind,
        file_id=attachment.file_id,
        file_unique_id=attachment.file_unique_id,
        file_name=attachment.file_name[:255],
        mime=attachment.mime[:100],
        size=attachment.size,
        url=attachment.url,
        caption=attachment.caption,
        sender_id=skp.employee_id,
        created_at=tx.now,
    )
    tx.session.add(row)
    check_in.updated_at = tx.now
    tx.audit("checkin.evidence", "skp", skp.id, period=key, kind=attachment.kind.value)
    return row


async def submit_check_in(
    tx: Tx, skp_id: int, key: str, notify_leader: bool = False, **context: Any
) -> CheckIn:
    """Sent to the leader: it is in the team's digest of the round (sent again after a
    change, it stands as changed). With `notify_leader` (the round's digest went already)
    the leader is told at once, once per check-in."""
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.EMPLOYEE)
    check_in = await check_in_of(tx, skp, key)
    recorded = await tx.session.scalar(
        select(Realisation.id).where(Realisation.check_in_id == check_in.id).limit(1)
    )
    if recorded is None and not check_in.note:
        raise Refused(Refusal.NOT_READY)
    resent = check_in.status is CheckInStatus.SUBMITTED
    check_in.status = CheckInStatus.SUBMITTED
    check_in.submitted_at = tx.now
    tx.audit("checkin.submitted", "skp", skp.id, period=key, resent=resent)
    leader_id = skp.employee.penilai_id
    if notify_leader and leader_id is not None:
        await tx.notify(
            leader_id,
            "checkin_sent",
            "checkin_sent_leader",
            buttons=[[tx.button("digest_open_team", "go", "tim", 0)]],
            dedupe_key=f"checkin-sent:{check_in.id}",
            employee=skp.employee,
            **context,
        )
    return check_in


# -- feedback ---------------------------------------------------------------------------------


async def give_feedback(
    tx: Tx,
    skp_id: int,
    kind: FeedbackKind,
    text: str = "",
    item_id: int | None = None,
    check_in_id: int | None = None,
) -> Feedback:
    """The leader's feedback on the person or one item; the employee receives it."""
    skp = await load_skp(tx, skp_id)
    _require(tx, skp, Party.PENILAI)
    item = await _item(tx, skp, item_id) if item_id is not None else None
    if check_in_id is not None:
        check_in = await tx.session.get(CheckIn, check_in_id)
        if check_in is None or check_in.skp_id != skp.id:
            raise Refused(Refusal.NOT_FOUND)
    assert tx.actor_id is not None
    row = Feedback(
        skp_id=skp.id,
        item_id=item.id if item is not None else None,
        check_in_id=check_in_id,
        kind=kind,
        text=text,
        author_id=tx.actor_id,
        created_at=tx.now,
    )
    tx.session.add(row)
    await tx.session.flush()
    tx.audit(
        "feedback.given",
        "skp",
        skp.id,
        kind=kind.value,
        item=item.position if item is not None else None,
    )
    await tx.notify(
        skp.employee_id,
        "feedback",
        "feedback_employee",
        buttons=[[tx.button("checkin_open", "go", "capaian", 0)]],
        dedupe_key=f"feedback:{row.id}",
        feedback_kind=kind.value,
        item=item,
        text=text,
        quote=QUOTE,
    )
    return row


# Files a press of "Buka bukti" sends at most (the rest by pressing again after a while).
EVIDENCE_AT_ONCE = 10


async def send_evidence(tx: Tx, skp_id: int, key: str) -> int:
    """The round's evidence files (photos and documents sent in chat) sent again to the
    person asking, by their Telegram file_id: the SKP's owner or their pejabat penilai only.
    How many were queued (a file asked for again within the minute is not sent twice)."""
    skp = await load_skp(tx, skp_id, lock=False)
    if party(tx, skp) not in (Party.EMPLOYEE, Party.PENILAI):
        raise Refused(Refusal.NOT_PENILAI)
    rows = (
        await tx.session.execute(
            select(Evidence, SkpItem.position)
            .join(CheckIn, CheckIn.id == Evidence.check_in_id)
            .outerjoin(SkpItem, SkpItem.id == Evidence.item_id)
            .where(
                CheckIn.skp_id == skp.id,
                CheckIn.period_key == key,
                Evidence.file_id.is_not(None),
                Evidence.kind.in_((EvidenceKind.PHOTO, EvidenceKind.DOCUMENT)),
            )
            .order_by(Evidence.id)
            .limit(EVIDENCE_AT_ONCE)
        )
    ).all()
    assert tx.actor_id is not None
    for evidence, position in rows:
        await tx.notify(
            tx.actor_id,
            "evidence_file",
            "evidence_file_caption",
            dedupe_key=f"evidence:{evidence.id}:{tx.actor_id}:{tx.now:%Y%m%d%H%M}",
            document={"file_id": evidence.file_id, "kind": evidence.kind.value},
            owner=skp.employee.name,
            item=position,
            name=evidence.file_name,
            caption=evidence.caption,
        )
    tx.audit("progress.evidence_opened", "skp", skp.id, round=key, files=len(rows))
    return len(rows)

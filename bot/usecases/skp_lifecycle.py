"""The SKP's lifecycle, one use case per transition: submit, withdraw, request a revision,
approve, sign, set (superseding the version it replaces) and start a change (perubahan SKP,
a new version that carries the set one's items, agreements and lampiran).

Each loads the SKP under a lock, checks the transition table (bot.domain.contract) and the
agreement invariant, changes state, audits and notifies, in the caller's transaction. Nothing
else in the code changes an SKP's status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AuditLog,
    Employee,
    ExpectationKind,
    ExpectationStatus,
    Period,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
)
from bot.db.session_memo import note_submitted, submitted_here
from bot.domain import contract
from bot.domain import skp_rules as rules
from bot.domain.contract import Action, Party, Refusal
from bot.services import skp as store
from bot.usecases import checks, notices
from bot.usecases.agreements import expectations_of, require_agreement_holds, resources_of
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import authorise, employee, items_of, load_skp, touch
from bot.usecases.progress_carry import carry_progress
from bot.usecases.summary import skp_summary

CHANGE_REASONS = ("strategi", "struktur", "direktif")
# What a leader has to decide about, oldest first in /persetujuan.
WAITING_FOR_LEADER = (SkpStatus.SUBMITTED, SkpStatus.SIGNED)


def snapshot(rows: Sequence[SkpItem]) -> list[dict[str, str]]:
    """The items as plain strings: what the leader saw, to show later what changed."""
    return [
        {
            "position": str(r.position),
            "rhk": r.rhk,
            "iki": r.iki,
            "aspek": r.aspek.value,
            "target": str(r.target_value.normalize()) if r.target_value is not None else "",
            "satuan": r.satuan,
            "jenis": r.jenis,
            "bobot": str(r.bobot.normalize()) if r.bobot is not None else "",
        }
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Submitted:
    skp: Skp
    resubmitted: bool
    changes: list[contract.Change]
    warnings: int


async def submit(tx: Tx, skp_id: int, version: int | None = None) -> Submitted:
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, Action.SUBMIT, version)
    rows = await items_of(tx, skp.id)
    checked = await checks.check(tx.session, skp, rows, tx.catalog, tx.stamp)
    penilai = await employee(tx, skp.employee.penilai_id)
    if not rows or checked.errors:
        raise Refused(Refusal.NOT_READY)
    if penilai is None:
        raise Refused(Refusal.NO_PENILAI)
    resubmitted = skp.status is SkpStatus.REVISION
    before = skp.seen_items if resubmitted else await _previous_version_items(tx, skp)
    now_items = snapshot(rows)
    changes = contract.diff_items(before, now_items) if before is not None else []
    if resubmitted:
        await _settle_revision_notes(tx, skp.id)
    skp.status = contract.next_status(Action.SUBMIT, skp.status)
    skp.penilai_id = penilai.id
    skp.submitted_at = tx.now
    skp.seen_items = now_items
    touch(skp, tx)
    note_submitted(tx.session, skp.id)
    totals = rules.totals(checked.policy, [store.rule_item(r) for r in rows])
    tx.audit(
        "skp.submitted",
        "skp",
        skp.id,
        penilai_id=penilai.id,
        items=len(rows),
        warnings=len(checked.warnings),
        revision=skp.revision,
        resubmitted=resubmitted,
        change_list=[
            {"kind": c.kind, "position": c.position, "iki": c.iki[:120], "fields": list(c.fields)}
            for c in changes
        ],
    )
    period = await tx.session.get(Period, skp.period_id)
    await notices.submitted(
        tx,
        skp,
        resubmitted=resubmitted,
        period=period,
        rows=rows,
        totals=totals,
        warnings=len(checked.warnings),
        show_weights=not checked.unit_head or any(r.bobot for r in rows),
        changes=changes,
        changed_fields={f: tx.texts.label(f"field_{f}") for f in contract.ITEM_FIELDS},
        open_answers=await _open_answers(tx, skp.id),
    )
    return Submitted(skp, resubmitted, changes, len(checked.warnings))


async def _open_answers(tx: Tx, skp_id: int) -> int:
    return sum(
        1
        for e in await expectations_of(tx.session, skp_id)
        if e.status is ExpectationStatus.NEGOTIATING
    )


async def _previous_version_items(tx: Tx, skp: Skp) -> list[dict[str, str]] | None:
    """For a first submission of a new version: the items of the version it changes."""
    if skp.number <= 1 or skp.seen_items is not None:
        return skp.seen_items
    previous = await tx.session.scalar(
        select(Skp).where(
            Skp.employee_id == skp.employee_id,
            Skp.period_id == skp.period_id,
            Skp.number == skp.number - 1,
        )
    )
    return snapshot(await items_of(tx, previous.id)) if previous is not None else None


async def _settle_revision_notes(tx: Tx, skp_id: int) -> None:
    """Item-level revision notes are answered by resubmitting."""
    await tx.session.execute(
        update(SkpExpectation)
        .where(
            SkpExpectation.skp_id == skp_id,
            SkpExpectation.kind == ExpectationKind.REVISI,
            SkpExpectation.status != ExpectationStatus.SETTLED,
        )
        .values(status=ExpectationStatus.SETTLED, settled_at=tx.now)
        .execution_options(synchronize_session=False)
    )


async def withdraw(tx: Tx, skp_id: int, version: int | None = None) -> Skp:
    """The employee takes a submission back before the leader has done anything with it."""
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, Action.WITHDRAW)
    if await leader_has_acted(tx.session, skp):  # said first: it explains more than "changed"
        raise Refused(Refusal.LEADER_ACTED)
    authorise(tx, skp, Action.WITHDRAW, version)
    skp.status = contract.next_status(Action.WITHDRAW, skp.status)
    touch(skp, tx)
    tx.audit("skp.withdrawn", "skp", skp.id, revision=skp.revision)
    await notices.withdrawn(tx, skp)
    return skp


async def leader_has_acted(session: AsyncSession, skp: Skp) -> bool:
    """Whether anyone but the employee did something about this submission (an expectation,
    a decision, the lampiran): then it is the leader's to answer, not the employee's to take
    back."""
    if skp.submitted_at is None or submitted_here(session, skp.id):
        # Submitted in this very transaction, which holds the SKP's lock: nobody has yet.
        return False
    params = {"skp_id": skp.id, "employee_id": skp.employee_id, "since": skp.submitted_at}
    return bool(await session.scalar(_LEADER_ACTED, params))


_LEADER_ACTED = select(
    exists().where(
        AuditLog.object_type == "skp",
        AuditLog.object_id == bindparam("skp_id"),
        AuditLog.actor_id != bindparam("employee_id"),
        AuditLog.at >= bindparam("since"),
    )
)


async def request_revision(tx: Tx, skp_id: int, note: str, version: int | None = None) -> Skp:
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, Action.REQUEST_REVISION, version)
    rows = await items_of(tx, skp.id)
    skp.status = contract.next_status(Action.REQUEST_REVISION, skp.status)
    skp.revision_note = note
    skp.seen_items = snapshot(rows)
    touch(skp, tx)
    tx.audit("skp.revision_requested", "skp", skp.id, note=note[:300])
    notes = [
        e
        for e in await expectations_of(tx.session, skp.id)
        if e.kind is ExpectationKind.REVISI and e.status is not ExpectationStatus.SETTLED
    ]
    await notices.revision_requested(
        tx, skp, note=note, notes=notes, positions={r.id: r.position for r in rows}
    )
    return skp


async def _binding(tx: Tx, skp_id: int, action: Action, version: int | None) -> Skp:
    """Approving, signing and setting make the SKP binding: allowed only while it says what
    the dialog agreed and nothing is open."""
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, action, version)
    await require_agreement_holds(tx, skp)
    skp.status = contract.next_status(action, skp.status)
    touch(skp, tx)
    return skp


async def approve(tx: Tx, skp_id: int, version: int | None = None) -> Skp:
    skp = await _binding(tx, skp_id, Action.APPROVE, version)
    skp.agreed_at = tx.now
    tx.audit("skp.approved", "skp", skp.id, revision=skp.revision)
    await notices.approved(tx, skp)
    return skp


async def sign(tx: Tx, skp_id: int, version: int | None = None) -> Skp:
    skp = await _binding(tx, skp_id, Action.SIGN, version)
    skp.signed_at = tx.now
    tx.audit("skp.signed", "skp", skp.id, revision=skp.revision)
    await notices.signed(tx, skp)
    return skp


async def set_skp(tx: Tx, skp_id: int, version: int | None = None) -> Skp:
    """Set (tetapkan) the SKP; the version it replaces, if any, is superseded."""
    skp = await _binding(tx, skp_id, Action.SET, version)
    replaced = list(
        (
            await tx.session.execute(
                select(Skp)
                .where(
                    Skp.employee_id == skp.employee_id,
                    Skp.period_id == skp.period_id,
                    Skp.id != skp.id,
                    Skp.status == SkpStatus.SET,
                )
                .with_for_update()
            )
        ).scalars()
    )
    for old in replaced:
        if contract.check(Action.SUPERSEDE, Party.SYSTEM, old.status) is None:
            old.status = contract.next_status(Action.SUPERSEDE, old.status)
            old.updated_at = tx.now
            tx.audit("skp.superseded", "skp", old.id, by=skp.id)
            # The year's check-ins, plan and feedback follow the items carried over.
            await carry_progress(tx, old, skp)
    skp.set_at = tx.now
    skp.set_by_id = tx.actor_id
    skp.penilai_id = tx.actor_id
    tx.audit("skp.set", "skp", skp.id, revision=skp.revision, number=skp.number)
    await notices.set_final(tx, skp, await skp_summary(tx, skp))
    return skp


async def start_change(
    tx: Tx, skp_id: int, reason: str, note: str | None = None, version: int | None = None
) -> Skp:
    """Perubahan SKP: a new draft version with the set one's items, its settled agreements
    (expectations with their agreed targets, agreed resource lines) and lampiran. The set
    version stays in force, and on record, until the new one is set."""
    if reason not in CHANGE_REASONS:
        raise ValueError(reason)
    skp = await load_skp(tx, skp_id)
    who = authorise(tx, skp, Action.START_CHANGE, version)
    latest = await store.latest_skp(tx.session, skp.employee_id, skp.period_id)
    if latest is None or latest.id != skp.id:
        raise Refused(Refusal.WRONG_STATUS)
    period = await tx.session.get(Period, skp.period_id)
    assert period is not None
    new = store.new_skp(
        skp.employee_id,
        skp.period_id,
        tx.now,
        await checks.policy_of(tx.session, skp, tx.catalog, tx.stamp),
        number=skp.number + 1,
        change_reason=reason,
        change_note=note,
        count_note=skp.count_note,
        skema_periodik=skp.skema_periodik,
        skema_insidental=skp.skema_insidental,
        konsekuensi_positif=skp.konsekuensi_positif,
        konsekuensi_negatif=skp.konsekuensi_negatif,
    )
    tx.session.add(new)
    await tx.session.flush()
    await _copy_agreed_content(tx, skp, new)
    tx.audit(
        "skp.change_started",
        "skp",
        new.id,
        previous=skp.id,
        reason=reason,
        note=(note or "")[:300],
        by="leader" if who is Party.PENILAI else "employee",
    )
    await notices.change_started(
        tx,
        new,
        by_leader=who is Party.PENILAI,
        reason=tx.texts.label(f"change_{reason}"),
        note=note,
    )
    return new


async def _copy_agreed_content(tx: Tx, old: Skp, new: Skp) -> None:
    ids: dict[int, SkpItem] = {}
    for row in await items_of(tx, old.id):
        copy = SkpItem(
            skp_id=new.id,
            position=row.position,
            leader_item_id=row.leader_item_id,
            leader_rhk=row.leader_rhk,
            jenis=row.jenis,
            rhk=row.rhk,
            aspek=row.aspek,
            iki=row.iki,
            target_value=row.target_value,
            satuan=row.satuan,
            bobot=row.bobot,
            perspective=row.perspective,
            mandatory_key=row.mandatory_key,
            carried_from_id=row.id,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.session.add(copy)
        ids[row.id] = copy
    await tx.session.flush()
    copied: dict[int, SkpExpectation] = {}
    for e in await expectations_of(tx.session, old.id):
        if e.kind is ExpectationKind.REVISI or e.status is not ExpectationStatus.SETTLED:
            continue
        item = ids.get(e.item_id) if e.item_id is not None else None
        if e.item_id is not None and item is None:
            continue
        twin = SkpExpectation(
            skp_id=new.id,
            item_id=item.id if item is not None else None,
            kind=e.kind,
            value_code=e.value_code,
            text=e.text,
            target_value=e.target_value,
            target_satuan=e.target_satuan,
            status=ExpectationStatus.SETTLED,
            author_id=e.author_id,
            created_at=e.created_at,
            response_text=e.response_text,
            response_target=e.response_target,
            response_satuan=e.response_satuan,
            counter_decision=e.counter_decision,
            agreed_value=e.agreed_value,
            agreed_satuan=e.agreed_satuan,
            responded_at=e.responded_at,
            settled_at=e.settled_at,
        )
        tx.session.add(twin)
        copied[e.id] = twin
    await tx.session.flush()
    for res in await resources_of(tx.session, old.id):
        if res.status is not ResourceStatus.AGREED:
            continue
        linked = copied.get(res.expectation_id) if res.expectation_id is not None else None
        tx.session.add(
            SkpResource(
                skp_id=new.id,
                category=res.category,
                text=res.text,
                status=ResourceStatus.AGREED,
                proposed_by_id=res.proposed_by_id,
                expectation_id=linked.id if linked is not None else None,
                created_at=tx.now,
                decided_at=res.decided_at,
            )
        )
    await tx.session.flush()


# -- what waits --------------------------------------------------------------------------------


async def waiting_count(session: AsyncSession, leader_id: int) -> int:
    """How many SKPs of the leader's staff wait for their decision (the menu's counter)."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Skp)
            .join(Employee, Employee.id == Skp.employee_id)
            .where(Employee.penilai_id == leader_id, Skp.status.in_(WAITING_FOR_LEADER))
        )
        or 0
    )

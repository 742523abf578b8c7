"""The dialog kinerja's agreements: the leader sets expectations (hasil, target, revisi,
perilaku), the employee answers (agree; counter-propose a target; ask for resource support;
a counter and needs in one answer), the leader decides counters and resource lines, and edits
the lampiran. Settling applies its effect to the item: the agreed target becomes the item's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    ExpectationKind,
    ExpectationStatus,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
)
from bot.db.session_memo import skp_rows
from bot.domain import contract
from bot.domain.contract import Action, CounterDecision, Refusal, TargetValue
from bot.usecases import notices
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import (
    authorise,
    expectation_and_skp,
    fresh,
    items_of,
    load_skp,
    resource_and_skp,
    touch,
)

RESOURCE_CATEGORIES = (
    "sdm",
    "anggaran",
    "peralatan",
    "sarana",
    "sistem_informasi",
    "pendampingan",
    "lainnya",
)
SKEMA_PERIODIK = ("bulanan", "triwulanan")


def expected_of(row: SkpExpectation) -> TargetValue | None:
    if row.target_value is None:
        return None
    return TargetValue(row.target_value, row.target_satuan or "")


def counter_of(row: SkpExpectation) -> TargetValue | None:
    if row.response_target is None:
        return None
    return TargetValue(row.response_target, row.response_satuan or "")


def agreed_of(row: SkpExpectation) -> TargetValue | None:
    if row.agreed_value is None:
        return None
    return TargetValue(row.agreed_value, row.agreed_satuan or "")


def counter_pending(row: SkpExpectation) -> bool:
    return row.response_target is not None and row.counter_decision is None


# -- reading ---------------------------------------------------------------------------------


# Built once: the overview and the review read these on every step.
_EXPECTATIONS_OF = (
    select(SkpExpectation)
    .where(SkpExpectation.skp_id == bindparam("skp_id"))
    .order_by(SkpExpectation.id)
)
_RESOURCES_OF = (
    select(SkpResource).where(SkpResource.skp_id == bindparam("skp_id")).order_by(SkpResource.id)
)


async def expectations_of(session: AsyncSession, skp_id: int) -> list[SkpExpectation]:
    return await skp_rows(session, SkpExpectation, skp_id, _EXPECTATIONS_OF)


async def resources_of(session: AsyncSession, skp_id: int) -> list[SkpResource]:
    return await skp_rows(session, SkpResource, skp_id, _RESOURCES_OF)


def as_agreements(rows: Sequence[SkpExpectation]) -> list[contract.Agreement]:
    ordered = sorted(rows, key=lambda r: (r.settled_at is None, r.settled_at or r.created_at, r.id))
    return [
        contract.Agreement(r.kind, r.status, r.item_id, agreed_of(r), seq)
        for seq, r in enumerate(ordered)
    ]


def item_targets(rows: Sequence[SkpItem]) -> list[contract.ItemTarget]:
    return [
        contract.ItemTarget(
            r.id,
            r.position,
            TargetValue(r.target_value, r.satuan) if r.target_value is not None else None,
        )
        for r in rows
    ]


async def violations(tx: Tx, skp: Skp) -> list[contract.Violation]:
    """What keeps this SKP from saying what its dialog agreed (empty: nothing)."""
    await tx.session.flush()  # judged on what this transaction wrote so far, all of it
    resources = await resources_of(tx.session, skp.id)
    return contract.violations(
        item_targets(await items_of(tx, skp.id)),
        as_agreements(await expectations_of(tx.session, skp.id)),
        sum(1 for r in resources if r.status is ResourceStatus.PROPOSED),
    )


async def require_agreement_holds(tx: Tx, skp: Skp) -> None:
    found = await violations(tx, skp)
    if any(v.code == "target_differs" for v in found):
        raise Refused(Refusal.CONTRADICTS)
    if found:
        raise Refused(Refusal.OPEN_MATTERS)


# -- applying an agreement -------------------------------------------------------------------


async def _apply_target(tx: Tx, skp: Skp, row: SkpExpectation, agreed: TargetValue | None) -> None:
    """Record the target the expectation binds and make it the item's target."""
    row.agreed_value = agreed.value if agreed is not None else None
    row.agreed_satuan = agreed.satuan if agreed is not None else None
    if agreed is None or row.item_id is None:
        return
    item = await tx.session.get(SkpItem, row.item_id)
    if item is None or item.skp_id != skp.id:
        return
    if item.target_value != agreed.value or item.satuan != agreed.satuan:
        item.target_value = agreed.value
        item.satuan = agreed.satuan or item.satuan
        item.updated_at = tx.now


async def _pending_needs(tx: Tx, expectation_id: int) -> int:
    return int(
        await tx.session.scalar(
            select(func.count())
            .select_from(SkpResource)
            .where(
                SkpResource.expectation_id == expectation_id,
                SkpResource.status == ResourceStatus.PROPOSED,
            )
        )
        or 0
    )


async def has_open_needs(tx: Tx, expectation_id: int) -> bool:
    return await _pending_needs(tx, expectation_id) > 0


async def has_open_parts(tx: Tx, expectation_id: int) -> bool:
    """Whether an answer still has a counter or a need waiting for the leader."""
    row = await fresh(tx, SkpExpectation, expectation_id)
    return row is not None and (counter_pending(row) or await has_open_needs(tx, row.id))


async def _settle_if_done(tx: Tx, row: SkpExpectation) -> None:
    if contract.settles(counter_pending(row), await _pending_needs(tx, row.id)):
        row.status = ExpectationStatus.SETTLED
        row.settled_at = tx.now


# -- the leader sets expectations ------------------------------------------------------------


async def set_expectation(
    tx: Tx,
    skp_id: int,
    kind: ExpectationKind,
    text: str,
    item_id: int | None = None,
    value_code: str | None = None,
    target: TargetValue | None = None,
) -> SkpExpectation:
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, Action.SET_EXPECTATION)
    item = None
    if kind is not ExpectationKind.PERILAKU:
        item = await fresh(tx, SkpItem, item_id) if item_id is not None else None
        if item is None or item.skp_id != skp.id:
            raise Refused(Refusal.NOT_FOUND)
    if kind is ExpectationKind.TARGET and target is None:
        raise ValueError("a target expectation needs a target")
    if target is not None and item is not None and not target.satuan:
        target = TargetValue(target.value, item.satuan)
    row = SkpExpectation(
        skp_id=skp.id,
        item_id=item.id if item is not None else None,
        kind=kind,
        value_code=value_code,
        text=text,
        target_value=target.value if target is not None else None,
        target_satuan=target.satuan if target is not None else None,
        status=ExpectationStatus.OPEN,
        author_id=tx.actor_id,
        created_at=tx.now,
    )
    tx.session.add(row)
    await tx.session.flush()
    touch(skp, tx)
    tx.audit(
        "skp.expectation_added",
        "skp",
        skp.id,
        expectation_id=row.id,
        kind=kind.value,
        item_id=row.item_id,
        value=value_code,
        target=str(target.value) if target is not None else None,
        satuan=target.satuan if target is not None else None,
        text=text[:300],
    )
    if kind is not ExpectationKind.REVISI:  # revision notes travel with the revision request
        await notices.expectation_to_employee(tx, skp, row, item)
    return row


# -- the employee answers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Need:
    category: str
    text: str


async def answerable(tx: Tx, expectation_id: int) -> tuple[SkpExpectation, Skp]:
    """The expectation and its SKP, if the actor may answer it now (read, not locked: for
    showing the answer screen; `answer` checks again)."""
    row = await fresh(tx, SkpExpectation, expectation_id)
    if row is None:
        raise Refused(Refusal.NOT_FOUND)
    skp = await load_skp(tx, row.skp_id, lock=False)
    authorise(tx, skp, Action.ANSWER)
    if row.kind is ExpectationKind.REVISI or row.status is not ExpectationStatus.OPEN:
        raise Refused(Refusal.ALREADY_ANSWERED)
    return row, skp


@dataclass(frozen=True, slots=True)
class Answered:
    expectation: SkpExpectation
    skp: Skp
    resources: list[SkpResource]
    settled: bool


async def answer(
    tx: Tx,
    expectation_id: int,
    counter: TargetValue | None = None,
    reason: str | None = None,
    needs: Sequence[Need] = (),
) -> Answered:
    """Agree (no counter, no needs), counter-propose a target (with a reason), ask for
    resource support, or a counter and needs together: one answer, one decision for the leader
    per proposal. Without a counter the leader's target is agreed at once."""
    row, skp = await expectation_and_skp(tx, expectation_id)
    authorise(tx, skp, Action.ANSWER)
    if row.kind is ExpectationKind.REVISI or row.status is not ExpectationStatus.OPEN:
        raise Refused(Refusal.ALREADY_ANSWERED)
    if counter is not None and row.item_id is None:
        raise Refused(Refusal.NOT_FOUND)
    item = await fresh(tx, SkpItem, row.item_id) if row.item_id is not None else None
    if counter is not None and not counter.satuan and item is not None:
        counter = TargetValue(counter.value, item.satuan)
    row.responded_at = tx.now
    row.response_text = reason
    if counter is None:
        await _apply_target(
            tx, skp, row, contract.agreed_target(row.kind, expected_of(row), None, None)
        )
    else:
        row.response_target, row.response_satuan = counter.value, counter.satuan
    resources = []
    for need in needs:
        category = need.category if need.category in RESOURCE_CATEGORIES else "lainnya"
        resource = SkpResource(
            skp_id=skp.id,
            category=category,
            text=need.text,
            status=ResourceStatus.PROPOSED,
            proposed_by_id=tx.actor_id,
            expectation_id=row.id,
            created_at=tx.now,
        )
        tx.session.add(resource)
        resources.append(resource)
    await tx.session.flush()
    settled = contract.settles(counter is not None, len(resources))
    row.status = ExpectationStatus.SETTLED if settled else ExpectationStatus.NEGOTIATING
    if settled:
        row.settled_at = tx.now
    touch(skp, tx)
    if settled:
        tx.audit("skp.expectation_agreed", "skp", skp.id, expectation_id=row.id)
    if counter is not None:
        tx.audit(
            "skp.counter_proposed",
            "skp",
            skp.id,
            expectation_id=row.id,
            target=str(counter.value),
            satuan=counter.satuan,
            reason=(reason or "")[:300],
        )
    for resource in resources:
        tx.audit(
            "skp.resource_proposed",
            "skp",
            skp.id,
            resource_id=resource.id,
            expectation_id=row.id,
            category=resource.category,
            text=resource.text[:300],
        )
    await notices.answer_to_leader(tx, skp, row, item, resources)
    return Answered(row, skp, resources, settled)


# -- the leader decides ------------------------------------------------------------------------


async def decide_counter(tx: Tx, expectation_id: int, accept: bool) -> SkpExpectation:
    row, skp = await expectation_and_skp(tx, expectation_id)
    authorise(tx, skp, Action.DECIDE)
    if not counter_pending(row):
        raise Refused(Refusal.ALREADY_SETTLED)
    decision = CounterDecision.ACCEPTED if accept else CounterDecision.KEPT
    row.counter_decision = decision.value
    agreed = contract.agreed_target(row.kind, expected_of(row), counter_of(row), decision)
    await _apply_target(tx, skp, row, agreed)
    await _settle_if_done(tx, row)
    touch(skp, tx)
    tx.audit(
        "skp.counter_accepted" if accept else "skp.expectation_kept",
        "skp",
        skp.id,
        expectation_id=row.id,
        target=str(agreed.value) if agreed is not None else None,
        satuan=agreed.satuan if agreed is not None else None,
    )
    await notices.counter_decided(tx, skp, row, accept)
    return row


async def decide_resource(tx: Tx, resource_id: int, agree: bool) -> SkpResource:
    row, skp = await resource_and_skp(tx, resource_id)
    authorise(tx, skp, Action.DECIDE)
    if row.status is not ResourceStatus.PROPOSED:
        raise Refused(Refusal.ALREADY_DECIDED)
    row.status = ResourceStatus.AGREED if agree else ResourceStatus.DECLINED
    row.decided_at = tx.now
    await tx.session.flush()
    if row.expectation_id is not None:
        expectation = await fresh(tx, SkpExpectation, row.expectation_id)
        if expectation is not None and expectation.status is ExpectationStatus.NEGOTIATING:
            await _settle_if_done(tx, expectation)
    touch(skp, tx)
    tx.audit(
        "skp.resource_agreed" if agree else "skp.resource_declined",
        "skp",
        skp.id,
        resource_id=row.id,
    )
    await notices.resource_decided(tx, skp, row, agree)
    return row


async def edit_lampiran(
    tx: Tx,
    skp_id: int,
    skema_periodik: str | None = None,
    toggle_insidental: bool = False,
    konsekuensi_positif: str | None = None,
    konsekuensi_negatif: str | None = None,
) -> Skp:
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, Action.EDIT_LAMPIRAN)
    if skema_periodik is not None:
        if skema_periodik not in SKEMA_PERIODIK:
            raise ValueError(skema_periodik)
        skp.skema_periodik = skema_periodik
    if toggle_insidental:
        skp.skema_insidental = not skp.skema_insidental
    if konsekuensi_positif is not None:
        skp.konsekuensi_positif = konsekuensi_positif
    if konsekuensi_negatif is not None:
        skp.konsekuensi_negatif = konsekuensi_negatif
    touch(skp, tx)
    tx.audit(
        "skp.lampiran_changed",
        "skp",
        skp.id,
        skema=skp.skema_periodik,
        insidental=skp.skema_insidental,
        konsekuensi=[
            k
            for k, v in (("positif", konsekuensi_positif), ("negatif", konsekuensi_negatif))
            if v is not None
        ],
    )
    return skp


# -- item edits against agreements -------------------------------------------------------------


async def reopen_if_target_changed(
    tx: Tx, skp: Skp, item: SkpItem, old: TargetValue | None, new: TargetValue | None
) -> None:
    """The employee changed an item's target after it was agreed (in a revision or a new
    version): the change becomes their counter-proposal, for the leader to accept or to keep
    the agreed target. Nothing silently contradicts an agreement."""
    if contract.same_target(old, new) or new is None:
        return
    rows = [
        r
        for r in await expectations_of(tx.session, skp.id)
        if r.item_id == item.id and r.status is ExpectationStatus.SETTLED and r.agreed_value
    ]
    if not rows:
        return
    latest = max(rows, key=lambda r: (r.settled_at or r.created_at, r.id))
    agreed = agreed_of(latest)
    if agreed is None or contract.same_target(agreed, new):
        return
    latest.target_value, latest.target_satuan = agreed.value, agreed.satuan
    latest.response_target, latest.response_satuan = new.value, new.satuan
    latest.response_text = tx.texts.label("counter_from_edit")
    latest.counter_decision = None
    latest.status = ExpectationStatus.NEGOTIATING
    latest.settled_at = None
    latest.responded_at = tx.now
    tx.audit(
        "skp.counter_proposed",
        "skp",
        skp.id,
        expectation_id=latest.id,
        target=str(new.value),
        satuan=new.satuan,
        reason="item edited",
    )

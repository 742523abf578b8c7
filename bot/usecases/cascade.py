"""The cascade's decisions: a leader sends their cascade (each complete role becomes a draft
item in the assignee's SKP; a changed proposal already sent is asked about, never applied
silently), and an assignee takes the changed proposals into their draft. Each assignee gets
one summary per send listing all their proposed items, with its buttons; it is written once
(its dedupe key names what it lists). The cascade row is locked while it is sent, so two
presses, or two processes, send it once."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from sqlalchemy import select

from bot.db.models import (
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeStrategy,
    Employee,
    LinkStatus,
    Period,
    SkpItem,
    TelegramLink,
)
from bot.domain.contract import Refusal
from bot.domain.policy import Policy
from bot.engine.callback import Callback
from bot.engine.types import Button
from bot.services import cascade as cas
from bot.services import skp as store
from bot.services.cascade_send import Sent, differs, send
from bot.usecases import drafting
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import fresh, valid_id

CAS_NS = "cas"
# Items a summary lists one by one (each quoted short); more are counted, /skp shows them.
SUMMARY_ITEMS = 12


async def send_cascade(tx: Tx, cascade_id: int, period: Period, policy: Policy) -> Sent:
    if not valid_id(cascade_id):
        raise Refused(Refusal.NOT_FOUND)
    await tx.session.flush()
    cascade = (
        await tx.session.execute(
            select(Cascade)
            .where(Cascade.id == cascade_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if cascade is None or cascade.leader_id != tx.actor_id:
        raise Refused(Refusal.NOT_FOUND)
    nodes = await cas.tree(tx.session, cascade.id)
    sent = await send(tx.session, cascade, nodes, period, policy, tx.now)
    source = await tx.session.get(SkpItem, cascade.source_item_id)
    leader = await tx.session.get(Employee, tx.actor_id)
    assignees = sent.assignees()
    linked = await _linked(tx, assignees)
    for assignee_id in assignees:
        created = [(a, item) for a, item in sent.created if a.assignee_id == assignee_id]
        changed = [(a, item) for a, item in sent.changed if a.assignee_id == assignee_id]
        written = await _summary(tx, cascade, leader, source, assignee_id, created, changed)
        if written is None:  # the same summary was written by an earlier send
            sent.asked_before += [a for a, _item in changed]
        elif assignee_id not in linked:
            # the items are in their SKP; the summary waits in the outbox until they link
            sent.unlinked.append(assignee_id)
    tx.audit(
        "cascade.sent",
        "cascade",
        cascade.id,
        created=len(sent.created),
        changed=sent.newly_changed,
        skipped=len(sent.skipped),
        held=len(sent.held),
    )
    return sent


async def _linked(tx: Tx, employee_ids: list[int]) -> set[int]:
    """Which of these people have an active Telegram link."""
    if not employee_ids:
        return set()
    rows = await tx.session.execute(
        select(TelegramLink.employee_id).where(
            TelegramLink.employee_id.in_(employee_ids),
            TelegramLink.status == LinkStatus.ACTIVE,
        )
    )
    return set(rows.scalars())


def changes_version(changed: list[tuple[CascadeAssignment, SkpItem]]) -> int:
    """The version the buttons under a set of changed proposals carry: a press is taken only
    while the same proposals still differ from the same draft items."""
    return cas.digest_version(*(f"{a.id}:{cas.proposal_digest(a)}" for a, _item in changed))


async def _summary(
    tx: Tx,
    cascade: Cascade,
    leader: Employee | None,
    source: SkpItem | None,
    assignee_id: int,
    created: list[tuple[CascadeAssignment, SkpItem]],
    changed: list[tuple[CascadeAssignment, SkpItem]],
) -> int | None:
    """One message to the assignee: the new draft items and the changed proposals of this
    send, with a button to open the SKP and, for changes, to take or leave them. None when
    the same summary was written before (nothing new for them)."""
    open_skp = Button(tx.texts.label("reminder_open_skp"), Callback("go", "skp", "", 0).encode())
    buttons = [[open_skp]]
    if changed:
        version = changes_version(changed)
        count = len(changed)
        buttons.insert(
            0,
            [
                tx.button(
                    "cascade_apply" if count == 1 else "cascade_apply_n",
                    CAS_NS,
                    "take",
                    cascade.id,
                    version,
                    n=count,
                ),
                tx.button("cascade_keep", CAS_NS, "leave", cascade.id, version),
            ],
        )
    listed = [("new", a, item) for a, item in created] + [
        ("changed", a, item) for a, item in changed
    ]
    what = ",".join(
        [str(item.id) for _a, item in created]
        + [f"{a.id}:{cas.proposal_digest(a)}" for a, _item in changed]
    )
    digest = hashlib.sha1(what.encode()).hexdigest()[:16]
    return await tx.notify(
        assignee_id,
        "cascade_proposal",
        "cascade_proposal",
        buttons=buttons,
        # the same proposals are said once, however often the leader presses "send"
        dedupe_key=f"cascade_proposal:{cascade.id}:{assignee_id}:{digest}",
        leader=leader,
        source=source,
        listed=listed[:SUMMARY_ITEMS],
        more=max(0, len(listed) - SUMMARY_ITEMS),
        created=len(created),
        changed=len(changed),
    )


async def pending_changes(
    tx: Tx, cascade_id: int, assignee_id: int
) -> list[tuple[CascadeAssignment, SkpItem]]:
    """The assignee's sent roles in the cascade whose draft item says something else now.
    `Refused(NOT_FOUND)` when they have no sent role in it (a button that is not theirs)."""
    rows = await tx.session.execute(
        select(CascadeAssignment, SkpItem)
        .join(SkpItem, SkpItem.id == CascadeAssignment.draft_item_id)
        .join(CascadeActivity, CascadeActivity.id == CascadeAssignment.activity_id)
        .join(CascadeStrategy, CascadeStrategy.id == CascadeActivity.strategy_id)
        .where(
            CascadeStrategy.cascade_id == cascade_id,
            CascadeAssignment.assignee_id == assignee_id,
        )
        .order_by(CascadeAssignment.id)
        .execution_options(populate_existing=True)
    )
    drafted = rows.all()
    if not drafted:
        raise Refused(Refusal.NOT_FOUND)
    return [(a, item) for a, item in drafted if differs(a, item)]


async def apply_changes(tx: Tx, cascade_id: int, version: int) -> list[SkpItem]:
    """The assignee takes the leader's changed proposals, as the summary listed them, into
    their draft items (all or none). Nothing differs any more: nothing to do (an empty list).
    The proposals or the drafts changed since the summary: `Refused(STALE)`."""
    if not valid_id(cascade_id):
        raise Refused(Refusal.NOT_FOUND)
    await tx.session.flush()
    changed = await pending_changes(tx, cascade_id, tx.actor_id or 0)
    if not changed:
        return []
    if changes_version(changed) != version:
        raise Refused(Refusal.STALE)
    return [await _apply(tx, a, item) for a, item in changed]


async def keep_drafts(tx: Tx, cascade_id: int, version: int) -> int:
    """The assignee keeps their drafts as they are (to discuss with the leader): recorded."""
    if not valid_id(cascade_id):
        raise Refused(Refusal.NOT_FOUND)
    await tx.session.flush()
    changed = await pending_changes(tx, cascade_id, tx.actor_id or 0)
    if changed and changes_version(changed) != version:
        raise Refused(Refusal.STALE)
    for a, _item in changed:
        tx.audit("cascade.change_declined", "cascade_assignment", a.id)
    return len(changed)


async def apply_change(tx: Tx, assignment_id: int) -> SkpItem:
    """The assignee takes one role's current proposal into their draft item (the buttons of
    summaries written before they listed several changes)."""
    row = await fresh(tx, CascadeAssignment, assignment_id)
    if row is None or row.assignee_id != tx.actor_id or row.draft_item_id is None:
        raise Refused(Refusal.NOT_FOUND)
    item = await fresh(tx, SkpItem, row.draft_item_id)
    if item is None:
        raise Refused(Refusal.NOT_FOUND)
    return await _apply(tx, row, item)


async def _apply(tx: Tx, row: CascadeAssignment, item: SkpItem) -> SkpItem:
    fields = store.ItemFields(
        jenis=item.jenis,
        rhk=row.rhk or item.rhk,
        aspek=item.aspek,
        iki=row.iki,
        target=next(v for v in (row.target_value, item.target_value, Decimal(0)) if v is not None),
        satuan=row.satuan,
        bobot=item.bobot,
        leader_item_id=item.leader_item_id,
        leader_rhk=item.leader_rhk,
        mandatory_key=item.mandatory_key,
        perspective=item.perspective,
    )
    return await drafting.update_item(tx, item.skp_id, item.id, fields, source="cascade")

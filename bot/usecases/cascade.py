"""The cascade's decisions: a leader sends their cascade (each role becomes a draft item in the
assignee's SKP; a changed proposal already sent is asked about, never applied silently), and an
assignee takes a changed proposal into their draft. The cascade row is locked while it is sent,
so two presses, or two processes, send it once."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from bot.db.models import Cascade, CascadeAssignment, Employee, Period, SkpItem
from bot.domain.contract import Refusal
from bot.domain.policy import Policy
from bot.engine.callback import Callback
from bot.engine.types import Button
from bot.services import cascade as cas
from bot.services import skp as store
from bot.usecases import drafting
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import fresh, valid_id

CAS_NS = "cas"


async def send_cascade(tx: Tx, cascade_id: int, period: Period, policy: Policy) -> cas.Sent:
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
    sent = await cas.send(tx.session, cascade, nodes, period, policy, tx.now)
    source = await tx.session.get(SkpItem, cascade.source_item_id)
    leader = await tx.session.get(Employee, tx.actor_id)
    open_skp = Button(tx.texts.label("reminder_open_skp"), Callback("go", "skp", "", 0).encode())
    for assignment, item in sent.created:
        await tx.notify(
            assignment.assignee_id,
            "cascade_proposal",
            "cascade_proposal",
            buttons=[[open_skp]],
            dedupe_key=f"cascade_proposal:{assignment.id}:{item.id}",
            leader=leader,
            source=source,
            item=item,
        )
    for assignment in sent.changed:
        digest = hashlib.sha1(f"{assignment.iki}|{assignment.target_value}".encode()).hexdigest()
        await tx.notify(
            assignment.assignee_id,
            "cascade_change",
            "cascade_change",
            buttons=[
                [
                    tx.button("cascade_apply", CAS_NS, "apply", assignment.id),
                    tx.button("cascade_keep", CAS_NS, "keep", assignment.id),
                ]
            ],
            # the same changed proposal is asked about once
            dedupe_key=f"cascade_change:{assignment.id}:{digest[:16]}",
            leader=leader,
            assignment=assignment,
        )
    tx.audit(
        "cascade.sent",
        "cascade",
        cascade.id,
        created=len(sent.created),
        changed=len(sent.changed),
        skipped=len(sent.skipped),
    )
    return sent


async def apply_change(tx: Tx, assignment_id: int) -> SkpItem:
    """The assignee takes the leader's changed proposal into their draft item."""
    row = await fresh(tx, CascadeAssignment, assignment_id)
    if row is None or row.assignee_id != tx.actor_id or row.draft_item_id is None:
        raise Refused(Refusal.NOT_FOUND)
    item = await fresh(tx, SkpItem, row.draft_item_id)
    if item is None:
        raise Refused(Refusal.NOT_FOUND)
    fields = store.ItemFields(
        jenis=item.jenis,
        rhk=item.rhk,
        aspek=item.aspek,
        iki=row.iki,
        target=row.target_value if row.target_value is not None else item.target_value,
        satuan=row.satuan,
        bobot=item.bobot,
        leader_item_id=item.leader_item_id,
        leader_rhk=item.leader_rhk,
        mandatory_key=item.mandatory_key,
        perspective=item.perspective,
    )
    return await drafting.update_item(tx, item.skp_id, item.id, fields, source="cascade")

"""Changes to the hasil kerja of an SKP by its owner, while the SKP is a draft or back for
revision: add, update, delete and reorder items, add the policy's mandatory IKI in one tap,
record the adjustment of the IKI count. A changed target that contradicts an earlier
agreement becomes a counter-proposal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import bindparam, func, select, update

from bot.db.models import Skp, SkpItem
from bot.domain.contract import Action, Refusal, TargetValue
from bot.domain.policy import MandatoryIki
from bot.services import skp as store
from bot.usecases.agreements import reopen_if_target_changed
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import authorise, fresh, items_of, load_skp, touch

# A hard stop well above any policy's maximum: the rules explain counts, this only keeps a
# runaway list (or a script) from growing without bound.
MAX_ITEMS = store.MAX_ITEMS


class TooMany(Refused):
    def __init__(self) -> None:
        super().__init__(Refusal.NOT_READY)


async def editable(tx: Tx, skp_id: int) -> Skp:
    skp = await load_skp(tx, skp_id)
    authorise(tx, skp, Action.EDIT_ITEMS)
    return skp


async def _item_of(tx: Tx, skp: Skp, item_id: int) -> SkpItem:
    row = await fresh(tx, SkpItem, item_id)
    if row is None or row.skp_id != skp.id:
        raise Refused(Refusal.NOT_FOUND)
    return row


_COUNT_AND_LAST = select(func.count(), func.coalesce(func.max(SkpItem.position), 0)).where(
    SkpItem.skp_id == bindparam("skp")
)


async def add_items(
    tx: Tx, skp_id: int, fields: Sequence[store.ItemFields], source: str = "chat"
) -> list[SkpItem]:
    skp = await editable(tx, skp_id)
    # How many there are and the last position, in one statement.
    row_count, last = (await tx.session.execute(_COUNT_AND_LAST, {"skp": skp.id})).one()
    if int(row_count) + len(fields) > MAX_ITEMS:
        raise TooMany()
    position = int(last or 0)
    created = []
    for f in fields:
        position += 1
        row = SkpItem(skp_id=skp.id, position=position, created_at=tx.now)
        store.fill(row, f, tx.now)
        tx.session.add(row)
        created.append(row)
    await tx.session.flush()
    touch(skp, tx)
    for row, f in zip(created, fields, strict=True):
        tx.audit(
            "skp.item_added", "skp", skp.id, item_id=row.id, source=source, **f.audit_details()
        )
    return created


async def add_item(tx: Tx, skp_id: int, fields: store.ItemFields) -> SkpItem:
    [row] = await add_items(tx, skp_id, [fields])
    return row


async def update_item(
    tx: Tx, skp_id: int, item_id: int, fields: store.ItemFields, source: str = "chat"
) -> SkpItem:
    skp = await editable(tx, skp_id)
    row = await _item_of(tx, skp, item_id)
    old = TargetValue(row.target_value, row.satuan) if row.target_value is not None else None
    store.fill(row, fields, tx.now)
    touch(skp, tx)
    tx.audit(
        "skp.item_updated", "skp", skp.id, item_id=row.id, source=source, **fields.audit_details()
    )
    await reopen_if_target_changed(tx, skp, row, old, TargetValue(fields.target, fields.satuan))
    return row


async def delete_item(tx: Tx, skp_id: int, item_id: int) -> None:
    skp = await editable(tx, skp_id)
    row = await _item_of(tx, skp, item_id)
    position = row.position
    tx.audit("skp.item_deleted", "skp", skp.id, item_id=row.id, iki=row.iki[:200])
    await tx.session.delete(row)
    await tx.session.flush()
    await tx.session.execute(
        update(SkpItem)
        .where(SkpItem.skp_id == skp.id, SkpItem.position > position)
        .values(position=SkpItem.position - 1)
        .execution_options(synchronize_session=False)
    )
    touch(skp, tx)


async def move_item(tx: Tx, skp_id: int, item_id: int, delta: int) -> SkpItem:
    """Swap the item with its neighbour (delta -1: up, +1: down); at either end nothing moves."""
    skp = await editable(tx, skp_id)
    row = await _item_of(tx, skp, item_id)
    ordered = await items_of(tx, skp.id)
    index = next(i for i, r in enumerate(ordered) if r.id == row.id)
    other = index + delta
    if 0 <= other < len(ordered) and delta in (-1, 1):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        touch(skp, tx)
        tx.audit("skp.item_moved", "skp", skp.id, item_id=row.id, position=row.position)
    return row


async def set_count_note(tx: Tx, skp_id: int, note: str | None) -> Skp:
    """Record (or, with None or blank, remove) the owner's note of the adjustment of the IKI
    count with the eselon-1 unit; the rules then treat more IKI than the maximum as a note the
    leader sees (where the policy allows it)."""
    skp = await editable(tx, skp_id)
    text = " ".join((note or "").split()) or None
    if text == skp.count_note:
        return skp
    skp.count_note = text
    touch(skp, tx)
    tx.audit("skp.count_note", "skp", skp.id, note=(text or "")[:300], cleared=text is None)
    return skp


def fields_of(spec: MandatoryIki) -> store.ItemFields:
    return store.ItemFields(
        jenis=spec.jenis,
        rhk=spec.rhk,
        aspek=spec.aspek,
        iki=spec.iki,
        target=spec.target,
        satuan=spec.satuan,
        bobot=spec.bobot,
        mandatory_key=spec.key,
        perspective=spec.perspective,
    )


async def add_listed(tx: Tx, skp_id: int, spec: MandatoryIki) -> SkpItem | None:
    """A policy-listed IKI (the mandatory IPASN, a unit head's directive IKI) in one tap;
    None when the SKP has it already."""
    skp = await editable(tx, skp_id)
    rows = await items_of(tx, skp.id)
    if any(r.mandatory_key == spec.key or r.iki.casefold() == spec.iki.casefold() for r in rows):
        return None
    return await add_item(tx, skp.id, fields_of(spec))


class WeightCount(Refused):
    """Weights given for a different number of items than the SKP has."""

    def __init__(self, have: int) -> None:
        super().__init__(Refusal.NOT_READY)
        self.have = have


async def set_weights(
    tx: Tx, skp_id: int, weights: Sequence[Decimal], source: str = "chat"
) -> list[SkpItem]:
    """All weights in one message: item 1..n take weights[0..n-1]. Every weight must already be
    a valid one (the flow parses them); the count must match the items."""
    skp = await editable(tx, skp_id)
    rows = await items_of(tx, skp.id)
    if len(weights) != len(rows):
        raise WeightCount(len(rows))
    for row, weight in zip(rows, weights, strict=True):
        if row.bobot != weight:
            row.bobot = weight
            row.updated_at = tx.now
    touch(skp, tx)
    tx.audit(
        "skp.weights_set",
        "skp",
        skp.id,
        source=source,
        weights=[str(w) for w in weights],
    )
    return rows

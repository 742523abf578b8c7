"""A quick edit typed on the /skp overview: "3 target 90%", "5 bobot 15", "2 iki Persentase …"
changes one field of item n through the drafting use case and shows that item. A value that
cannot be taken gets the same answer the wizard gives for it, and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.db.models import SkpItem
from bot.domain import paste
from bot.domain import skp_rules as rules
from bot.domain.policy import Policy
from bot.engine.context import Ctx
from bot.engine.flow import Goto, Next, Reask
from bot.services import skp as store
from bot.usecases import drafting
from conversations.skp_place import OVERVIEW, editable_or_refuse, place_of


async def quick_edit(ctx: Ctx, edit: paste.QuickEdit) -> Next:
    place = await place_of(ctx)
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    assert place is not None
    rows = await store.items_of(ctx.session, place.skp.id)
    if not 1 <= edit.position <= len(rows):
        return Reask("skp_quick_no_item", {"position": edit.position, "count": len(rows)})
    row = rows[edit.position - 1]
    changed = _changed(ctx, place.policy, row, edit.field, edit.value)
    if isinstance(changed, Reask):
        return changed
    await drafting.update_item(ctx.tx, place.skp.id, row.id, changed, source="quick_edit")
    ctx.data["sel"] = row.id
    ctx.say(
        "skp_quick_edited",
        position=edit.position,
        field=ctx.texts.label(f"item_field_{edit.field}"),
    )
    return Goto("item")


def _changed(
    ctx: Ctx, policy: Policy, row: SkpItem, field: str, value: str
) -> store.ItemFields | Reask:
    """The item with one field changed, or why the value cannot be taken."""
    fields = _fields_of(row)
    if field in ("iki", "rhk"):
        problem = rules.text_problem(value)
        if problem is not None:
            return Reask(
                "skp_text_problem",
                {
                    "problem": problem,
                    "field": ctx.texts.label(f"item_field_{field}"),
                    "minimum": rules.TEXT_MIN_CHARS,
                    "maximum": rules.TEXT_MAX_CHARS,
                    "length": len(value),
                },
            )
        text = " ".join(value.split())
        return replace(fields, iki=text) if field == "iki" else replace(fields, rhk=text)
    if field == "target":
        target = rules.parse_target(value, policy)
        if isinstance(target, str):
            return Reask("skp_target_problem", {"problem": target, "typed": value[:60]})
        return replace(fields, target=target.value, satuan=target.satuan or fields.satuan)
    if field == "bobot":
        weight = rules.parse_weight(value)
        if isinstance(weight, str):
            return Reask("skp_weight_problem", {"problem": weight, "typed": value[:60]})
        return replace(fields, bobot=weight)
    if field == "satuan":
        if rules.satuan_problem(value):
            return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
        return replace(fields, satuan=paste.normalise_satuan(value, policy))
    if field == "aspek":
        aspek, understood = paste.read_aspek(value)
        if aspek is None or not understood:
            return Reask("skp_quick_aspek", {"typed": value[:60]})
        return replace(fields, aspek=aspek)
    if field == "jenis":
        code, understood = paste.read_jenis(value, policy)
        if code is None or not understood:
            names = ", ".join(policy.jenis)
            return Reask("skp_quick_jenis", {"typed": value[:60], "codes": names})
        return replace(fields, jenis=code)
    return Reask("skp_overview_typed")


def _fields_of(row: SkpItem) -> store.ItemFields:
    values: dict[str, Any] = {
        "jenis": row.jenis,
        "rhk": row.rhk,
        "aspek": row.aspek,
        "iki": row.iki,
        "target": row.target_value if row.target_value is not None else 0,
        "satuan": row.satuan,
        "bobot": row.bobot,
        "leader_item_id": row.leader_item_id,
        "leader_rhk": row.leader_rhk,
        "mandatory_key": row.mandatory_key,
        "perspective": row.perspective,
    }
    return store.ItemFields(**values)

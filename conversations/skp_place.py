"""What the /skp flow's modules share: the actor's place (the period in force, its policy and
their SKP), the item draft kept in the dialog data, and the labels and checks the steps use."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.db.models import Period, Skp, SkpItem
from bot.domain import skp_rules as rules
from bot.domain.policy import Policy, RuleProfile
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto
from bot.services import skp as store
from conversations.period import period_in_force, policy_in_force

OVERVIEW = Goto("overview")
BACK = Choice("back", "back")


@dataclass(slots=True)
class Place:
    period: Period
    policy: Policy
    skp: Skp


async def place_of(ctx: Ctx) -> Place | None:
    """The period in force, its policy and the actor's current SKP (created on first use)."""
    if "place" not in ctx.memo:
        period = await period_in_force(ctx)
        place = None
        if period is not None:
            policy = await policy_in_force(ctx)
            skp = await store.open_skp(ctx.session, ctx.actor.id, period, ctx.now, policy)
            place = Place(period, policy, skp)
        ctx.memo["place"] = place
    result: Place | None = ctx.memo["place"]
    return result


def draft_of(ctx: Ctx) -> dict[str, Any]:
    """The item being written (created empty on first use)."""
    item: dict[str, Any] = ctx.data.setdefault("item", {})
    return item


# What templates may read of a draft item, whether or not it was answered yet.
EMPTY_ITEM = dict.fromkeys(
    ("leader_rhk", "jenis", "rhk", "aspek", "iki", "target", "satuan", "bobot"), ""
)


def shown(draft: dict[str, Any]) -> dict[str, Any]:
    return {**EMPTY_ITEM, **draft}


def as_decimal(raw: Any) -> Decimal | None:
    return Decimal(raw) if raw not in (None, "") else None


def draft_item(draft: dict[str, Any]) -> rules.Item:
    """The item being written as the rules see it (what is not answered yet is empty)."""
    return rules.Item(
        jenis=draft.get("jenis", ""),
        rhk=draft.get("rhk", ""),
        iki=draft.get("iki", ""),
        aspek=draft.get("aspek", ""),
        target=as_decimal(draft.get("target")),
        satuan=draft.get("satuan", ""),
        bobot=as_decimal(draft.get("bobot")),
        leader_rhk=draft.get("leader_rhk", ""),
    )


def row_to_draft(row: SkpItem) -> dict[str, Any]:
    return {
        "leader_item_id": row.leader_item_id,
        "leader_rhk": row.leader_rhk,
        "jenis": row.jenis,
        "rhk": row.rhk,
        "aspek": row.aspek.value,
        "iki": row.iki,
        "target": str(row.target_value) if row.target_value is not None else "",
        "satuan": row.satuan,
        "bobot": str(row.bobot) if row.bobot is not None else "",
        "mandatory_key": row.mandatory_key,
        "perspective": row.perspective,
    }


def jenis_label(ctx: Ctx, code: str) -> str:
    key = f"jenis_{code}"
    return ctx.texts.label(key) if ctx.texts.has_label(key) else code


async def rules_of(ctx: Ctx, policy: Policy) -> RuleProfile:
    # A unit head's IKI come from their PK: the policy gives them their own profile.
    return policy.rules_for(await ctx.actor.has(Role.UNIT_HEAD))


def leave_wizard(ctx: Ctx) -> None:
    for key in ("item", "item_id", "return"):
        ctx.data.pop(key, None)


async def editable_or_refuse(ctx: Ctx, place: Place | None) -> bool:
    if place is None:
        ctx.say("skp_no_period")
        return False
    if not store.is_editable(place.skp):
        ctx.say("skp_locked", status=ctx.texts.label(f"status_{place.skp.status.value}"))
        return False
    return True


async def other_items(ctx: Ctx, place: Place) -> list[tuple[int, rules.Item]]:
    """The SKP's other items with their positions (all but the one being edited)."""
    editing = ctx.data.get("item_id")
    rows = await store.items_of(ctx.session, place.skp.id)
    return [(r.position, store.rule_item(r)) for r in rows if r.id != editing]


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]

"""Susun SKP: an employee builds the hasil kerja of their SKP item by item (the leader's RHK
they support or the type, RHK, aspek, IKI, target, satuan, jenis, bobot), sees each item's
findings on a summary card, manages the list (edit, delete, reorder, the mandatory IKI in one
tap) and submits it to the pejabat penilai.

The item being written lives in the dialog draft, so every answer is committed as it is given
and the flow resumes where it stopped; the SKP rows change only on "Simpan"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    Period,
    Skp,
    SkpItem,
    SkpStatus,
)
from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek, Policy, RuleProfile
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.services import skp as store
from bot.texts import angka
from bot.usecases import agreements, drafting, skp_lifecycle
from bot.usecases.base import Refused
from conversations import skp_submit
from conversations.findings import describe
from conversations.period import period_in_force, policy_in_force

FLOW_NAME = "skp"
WIZARD = ("link", "rhk", "aspek", "iki", "target", "satuan", "jenis", "bobot")
OVERVIEW = Goto("overview")
BACK = Choice("back", "back")
LEADER_ITEMS_SHOWN = 12


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


def _draft(ctx: Ctx) -> dict[str, Any]:
    item: dict[str, Any] = ctx.data.setdefault("item", {})
    return item


# What templates may read of a draft item, whether or not it was answered yet.
EMPTY_ITEM = dict.fromkeys(
    ("leader_rhk", "jenis", "rhk", "aspek", "iki", "target", "satuan", "bobot"), ""
)


def _shown(draft: dict[str, Any]) -> dict[str, Any]:
    return {**EMPTY_ITEM, **draft}


def _progress(step: str) -> dict[str, Any]:
    return {"step_no": WIZARD.index(step) + 1, "step_total": len(WIZARD)}


def _decimal(raw: Any) -> Decimal | None:
    return Decimal(raw) if raw not in (None, "") else None


def _draft_item(draft: dict[str, Any]) -> rules.Item:
    return rules.Item(
        jenis=draft.get("jenis", ""),
        rhk=draft.get("rhk", ""),
        iki=draft.get("iki", ""),
        aspek=draft.get("aspek", ""),
        target=_decimal(draft.get("target")),
        satuan=draft.get("satuan", ""),
        bobot=_decimal(draft.get("bobot")),
        leader_rhk=draft.get("leader_rhk", ""),
    )


def _fields(draft: dict[str, Any]) -> store.ItemFields | None:
    """The draft as a complete item, or None while something is missing."""
    try:
        target, bobot = _decimal(draft.get("target")), _decimal(draft.get("bobot"))
        # A missing bobot is the rules' to judge: a unit head's profile may require none.
        if target is None:
            return None
        return store.ItemFields(
            jenis=draft["jenis"],
            rhk=draft["rhk"],
            aspek=Aspek(draft["aspek"]),
            iki=draft["iki"],
            target=target,
            satuan=draft["satuan"],
            bobot=bobot,
            leader_item_id=draft.get("leader_item_id"),
            leader_rhk=draft.get("leader_rhk", ""),
            mandatory_key=draft.get("mandatory_key"),
            perspective=draft.get("perspective"),
        )
    except (KeyError, ValueError):
        return None


def _row_to_draft(row: SkpItem) -> dict[str, Any]:
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


def _jenis_label(ctx: Ctx, code: str) -> str:
    key = f"jenis_{code}"
    return ctx.texts.label(key) if ctx.texts.has_label(key) else code


async def _rules(ctx: Ctx, policy: Policy) -> RuleProfile:
    # A unit head's IKI come from their PK: the policy gives them their own profile.
    return policy.rules_for(await ctx.actor.has(Role.UNIT_HEAD))


def _leaving_wizard(ctx: Ctx) -> None:
    for key in ("item", "item_id", "return"):
        ctx.data.pop(key, None)


def _advance(ctx: Ctx, current: str) -> Next:
    if ctx.data.pop("return", None) == "card":
        return Goto("card")
    index = WIZARD.index(current) + 1
    nxt = WIZARD[index] if index < len(WIZARD) else "card"
    if nxt == "satuan" and _draft(ctx).get("satuan_from_target"):
        nxt = "jenis"
    return Goto(nxt)


async def _retreat(ctx: Ctx, current: str) -> Next:
    if ctx.data.pop("return", None) == "card":
        return Goto("card")
    index = WIZARD.index(current) - 1
    if index < 0:
        _leaving_wizard(ctx)
        return OVERVIEW
    previous = WIZARD[index]
    if previous == "satuan" and _draft(ctx).get("satuan_from_target"):
        previous = "target"
    return Goto(previous)


async def _editable_or_refuse(ctx: Ctx, place: Place | None) -> bool:
    if place is None:
        ctx.say("skp_no_period")
        return False
    if not store.is_editable(place.skp):
        ctx.say("skp_locked", status=ctx.texts.label(f"status_{place.skp.status.value}"))
        return False
    return True


# -- overview ----------------------------------------------------------------------------------


async def overview_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    if place is None:
        return {"period": None}
    rows = await store.items_of(ctx.session, place.skp.id)
    items = [store.rule_item(r) for r in rows]
    policy = place.policy
    profile = await _rules(ctx, policy)
    findings = rules.check_skp(policy, items, profile)
    present = {r.mandatory_key for r in rows} | {r.iki.casefold() for r in rows}
    # The mandatory IKI and, for a unit head, the directive IKI: one tap each.
    missing = [
        m for m in profile.listed if m.key not in present and m.iki.casefold() not in present
    ]
    penilai = (
        await ctx.session.get(Employee, ctx.actor.employee.penilai_id)
        if ctx.actor.employee.penilai_id
        else None
    )
    expectations = await agreements.expectations_of(ctx.session, place.skp.id)
    return {
        "period": place.period,
        "skp": place.skp,
        "expectations": expectations,
        "to_answer": [
            e
            for e in expectations
            if e.status is ExpectationStatus.OPEN and e.kind is not ExpectationKind.REVISI
        ]
        if place.skp.status is SkpStatus.SUBMITTED
        else [],
        "resources": await agreements.resources_of(ctx.session, place.skp.id),
        "leader_acted": place.skp.status is SkpStatus.SUBMITTED
        and await skp_lifecycle.leader_has_acted(ctx.session, place.skp),
        "value_names": {v["code"]: v["name"] for v in ctx.texts.berakhlak},
        "categories": {c: ctx.texts.label(f"res_{c}") for c in agreements.RESOURCE_CATEGORIES},
        "positions": {r.id: r.position for r in rows},
        "change_reason": ctx.texts.label(f"change_{place.skp.change_reason}")
        if place.skp.change_reason
        else None,
        "status": ctx.texts.label(f"status_{place.skp.status.value}"),
        "editable": store.is_editable(place.skp),
        "rows": rows,
        "jenis": {r.id: _jenis_label(ctx, r.jenis) for r in rows},
        "core": {r.id: policy.is_core(r.jenis) for r in rows},
        "totals": rules.totals(policy, items),
        "policy": policy,
        "errors": len(rules.errors(findings)),
        "warnings": len(rules.warnings(findings)),
        "missing": missing,
        "penilai": penilai,
        "max_items": store.MAX_ITEMS,
        "unit_head": profile.unit_head,
        # The owner's rules (a unit head's count, totals and weights may be None: not checked).
        "rules": profile,
        # The PK fills an SKP holding nothing but listed IKI (see bot.usecases.unit_head).
        "pk_fillable": profile.unit_head and all(r.mandatory_key for r in rows),
    }


def overview_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["period"] is None:
        return [[Choice("menu", "skp_menu")]]
    rows: list[list[Choice]] = []
    if view["editable"]:
        if view["pk_fillable"]:
            rows.append([Choice("prefill", "skp_prefill_pk")])
        if len(view["rows"]) < store.MAX_ITEMS:
            rows.append([Choice("add", "skp_add")])
        for m in view["missing"]:
            rows.append([Choice("mandatory", "skp_add_mandatory", m.key, values=(("iki", m.iki),))])
        if view["rows"]:
            rows.append([Choice("manage", "skp_manage")])
    if view["errors"] or view["warnings"]:
        count = view["errors"] + view["warnings"]
        rows.append([Choice("findings", "skp_findings", values=(("count", count),))])
    if view["editable"] and view["rows"]:
        rows.append([Choice("submit", "skp_submit")])
    skp: Skp = view["skp"]
    for e in view["to_answer"]:
        if e.value_code:
            what = view["value_names"].get(e.value_code, e.value_code)
        else:
            what = f"butir {view['positions'].get(e.item_id, '-')}"
        rows.append([Choice("answer", "exp_answer_n", str(e.id), values=(("what", what),))])
    if skp.status is SkpStatus.SUBMITTED and not view["leader_acted"]:
        rows.append([Choice("withdraw", "skp_withdraw", str(skp.revision))])
    if skp.status is SkpStatus.AGREED:
        rows.append([Choice("sign", "skp_sign", str(skp.revision))])
    if skp.status is SkpStatus.SET:
        rows.append([Choice("change", "skp_change_employee")])
    if skp.number > 1:
        rows.append([Choice("versions", "skp_versions")])
    if view["rows"]:
        rows.append([Choice("docs", "skp_documents")])
    rows.append([Choice("menu", "skp_menu")])
    return rows


async def on_overview(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "menu":
        _leaving_wizard(ctx)
        return HOME
    if action == "findings":
        return Goto("findings")
    if action == "versions":
        return Goto("versions")
    if action in ("sign", "change", "withdraw", "answer", "docs"):
        return await skp_submit.on_lifecycle(ctx, action, arg)
    place = await place_of(ctx)
    if not await _editable_or_refuse(ctx, place):
        return OVERVIEW
    assert place is not None
    if action == "add":
        _leaving_wizard(ctx)
        return Goto("link")
    if action == "manage":
        return Goto("pick")
    if action == "submit":
        return Goto("review")
    if action == "mandatory":
        return await _add_mandatory(ctx, place, arg)
    if action == "prefill":
        from bot.usecases.unit_head import AlreadyFilled, fill_from_pk

        try:
            created = await fill_from_pk(ctx.tx, ctx.actor.id, place.period, place.policy)
        except AlreadyFilled:
            ctx.notice("pk_already_filled", alert=True)
            return Stay()
        except Refused as exc:
            ctx.notice(exc.reason.value, alert=True)
            return Stay()
        ctx.notice("pk_filled" if created else "pk_empty", count=len(created))
        return Stay()
    return Stay()


async def _add_mandatory(ctx: Ctx, place: Place, key: str) -> Next:
    # The mandatory IKI, or a unit head's directive IKI (their profile lists both).
    spec = (await _rules(ctx, place.policy)).listed_iki(key)
    if spec is None:
        ctx.notice("mandatory_present")
        return Stay()
    try:
        row = await drafting.add_listed(ctx.tx, place.skp.id, spec)
    except drafting.TooMany:
        return Reask("skp_too_many", {"maximum": store.MAX_ITEMS})
    if row is None:
        ctx.notice("mandatory_present")
        return Stay()
    ctx.notice("mandatory_added")
    return Stay()


async def findings_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    if place is None:
        return {"findings": []}
    rows = await store.items_of(ctx.session, place.skp.id)
    items = [store.rule_item(r) for r in rows]
    findings = rules.check_skp(place.policy, items, await _rules(ctx, place.policy))
    return {"findings": describe(ctx.texts, findings)}


async def on_to_overview(ctx: Ctx, _action: str, _arg: str) -> Next:
    return OVERVIEW


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


# -- the item wizard ---------------------------------------------------------------------------


async def link_view(ctx: Ctx) -> dict[str, Any]:
    period = await period_in_force(ctx)
    leader, items = (
        await store.leader_items(ctx.session, ctx.actor.employee, period.id)
        if period is not None
        else (None, [])
    )
    policy = await policy_in_force(ctx)
    return {
        **_progress("link"),
        "leader": leader,
        "leader_items": items[:LEADER_ITEMS_SHOWN],
        "chosen": _draft(ctx).get("leader_item_id"),
        # Every other type of the policy is a way of saying "not a direct cascade".
        "types": {
            code: ctx.texts.label(f"link_{code}")
            if ctx.texts.has_label(f"link_{code}")
            else _jenis_label(ctx, code)
            for code in policy.jenis
            if code != policy.cascade_jenis
        },
    }


def link_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [
        Choice("leader", arg=str(item.id), text=f"RHK {n}")
        for n, item in enumerate(view["leader_items"], start=1)
    ]
    rows = grid(numbered, 4)
    rows += [[Choice("type", arg=code, text=label)] for code, label in view["types"].items()]
    return [*rows, [BACK]]


async def on_link(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "link")
    draft = _draft(ctx)
    if action == "leader":
        view = await link_view(ctx)
        chosen = next((i for i in view["leader_items"] if str(i.id) == arg), None)
        if chosen is None:
            return Reask("skp_leader_item_gone")
        policy = await policy_in_force(ctx)
        draft.update(leader_item_id=chosen.id, leader_rhk=chosen.rhk, jenis=policy.cascade_jenis)
    else:
        draft.update(leader_item_id=None, leader_rhk="", jenis=arg)
    return _advance(ctx, "link")


def _text_step(field: str, step: str) -> Any:
    async def on_text(ctx: Ctx, text: str) -> Next:
        problem = rules.text_problem(text)
        if problem is not None:
            return Reask(
                "skp_text_problem",
                {
                    "problem": problem,
                    "field": ctx.texts.label(f"item_field_{field}"),
                    "minimum": rules.TEXT_MIN_CHARS,
                    "maximum": rules.TEXT_MAX_CHARS,
                    "length": len(text),
                },
            )
        _draft(ctx)[field] = " ".join(text.split())
        return _advance(ctx, step)

    return on_text


def _back_handler(step: str) -> Any:
    async def on_choice(ctx: Ctx, action: str, arg: str) -> Next:
        return await _retreat(ctx, step)

    return on_choice


def _draft_view(step: str) -> Any:
    async def view(ctx: Ctx) -> dict[str, Any]:
        draft = _draft(ctx)
        return {**_progress(step), "item": _shown(draft)}

    return view


def aspek_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("aspek", f"aspek_{a.value}", a.value) for a in Aspek]
    return [buttons[:2], buttons[2:], [BACK]]


async def on_aspek(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "aspek")
    _draft(ctx)["aspek"] = Aspek(arg).value
    return _advance(ctx, "aspek")


async def on_target(ctx: Ctx, text: str) -> Next:
    policy = await policy_in_force(ctx)
    parsed = rules.parse_target(text, policy)
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    draft = _draft(ctx)
    draft["target"] = str(parsed.value)
    if parsed.satuan:
        draft["satuan"] = parsed.satuan
        draft["satuan_from_target"] = True
    else:
        draft.pop("satuan_from_target", None)
        if ctx.data.get("return") != "card":
            draft.pop("satuan", None)
    return _advance(ctx, "target")


async def satuan_view(ctx: Ctx) -> dict[str, Any]:
    return {
        **_progress("satuan"),
        "item": _shown(_draft(ctx)),
        "policy": await policy_in_force(ctx),
    }


def satuan_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    units = [Choice("satuan", arg=str(i), text=u) for i, u in enumerate(view["policy"].satuan)]
    return [*grid(units, 3), [BACK]]


async def on_satuan_choice(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "satuan")
    policy = await policy_in_force(ctx)
    index = int(arg) if arg.isdigit() else len(policy.satuan)
    if index >= len(policy.satuan):  # the policy changed since the buttons were drawn
        return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
    _draft(ctx)["satuan"] = policy.satuan[index]
    return _advance(ctx, "satuan")


async def on_satuan_text(ctx: Ctx, text: str) -> Next:
    if rules.satuan_problem(text):
        return Reask("skp_satuan_problem", {"maximum": rules.SATUAN_MAX_CHARS})
    policy = await policy_in_force(ctx)
    _draft(ctx)["satuan"] = policy.canonical_satuan(text)
    return _advance(ctx, "satuan")


async def jenis_view(ctx: Ctx) -> dict[str, Any]:
    policy = await policy_in_force(ctx)
    draft = _draft(ctx)
    return {
        **_progress("jenis"),
        "item": _shown(draft),
        "labels": {code: _jenis_label(ctx, code) for code in policy.jenis},
        "current": draft.get("jenis"),
    }


def jenis_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "jenis",
                arg=code,
                text=("✅ " if code == view["current"] else "") + label,
            )
        ]
        for code, label in view["labels"].items()
    ]
    return [*rows, [BACK]]


async def on_jenis(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "jenis")
    _draft(ctx)["jenis"] = arg
    return _advance(ctx, "jenis")


async def _others(ctx: Ctx, place: Place) -> list[tuple[int, rules.Item]]:
    """The SKP's other items with their positions (all but the one being edited)."""
    editing = ctx.data.get("item_id")
    rows = await store.items_of(ctx.session, place.skp.id)
    return [(r.position, store.rule_item(r)) for r in rows if r.id != editing]


async def bobot_view(ctx: Ctx) -> dict[str, Any]:
    draft = _draft(ctx)
    place = await place_of(ctx)
    suggestion = Decimal(0)
    optional = False
    if place is not None:
        profile = await _rules(ctx, place.policy)
        optional = not profile.weights_required
        others = [item for _, item in await _others(ctx, place)]
        if profile.composition is not None or not profile.unit_head:
            suggestion = rules.suggest_weight(place.policy, others, draft.get("jenis", ""))
    return {
        **_progress("bobot"),
        "item": _shown(draft),
        "jenis_label": _jenis_label(ctx, draft.get("jenis", "")),
        "suggestion": suggestion,
        "optional": optional,
    }


def bobot_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["suggestion"] > 0:
        value = view["suggestion"]
        label_value = (("value", angka(value)),)
        rows.append([Choice("weight", "weight_suggest", str(value), values=label_value)])
    if view["optional"]:
        rows.append([Choice("weight", "weight_none", "")])
    return [*rows, [BACK]]


async def on_bobot_choice(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return await _retreat(ctx, "bobot")
    _draft(ctx)["bobot"] = arg
    return _advance(ctx, "bobot")


async def on_bobot_text(ctx: Ctx, text: str) -> Next:
    parsed = rules.parse_weight(text)
    if isinstance(parsed, str):
        return Reask("skp_weight_problem", {"problem": parsed, "typed": text[:60]})
    _draft(ctx)["bobot"] = str(parsed)
    return _advance(ctx, "bobot")


# -- the summary card --------------------------------------------------------------------------


async def card_view(ctx: Ctx) -> dict[str, Any]:
    draft = _draft(ctx)
    place = await place_of(ctx)
    findings: list[dict[str, Any]] = []
    projected = None
    perspective = None
    if place is not None:
        item = _draft_item(draft)
        others = await _others(ctx, place)
        profile = await _rules(ctx, place.policy)
        findings = describe(ctx.texts, rules.item_findings(place.policy, item, others, profile))
        chosen = store.perspectives(place.policy)
        perspective = next((p.label for p in chosen if p.code == draft.get("perspective")), None)
        projected = rules.totals(place.policy, [*(i for _, i in others), item])
    return {
        "item": _shown(draft),
        "target": _decimal(draft.get("target")),
        "bobot": _decimal(draft.get("bobot")),
        "aspek_label": ctx.texts.label(f"aspek_{draft['aspek']}") if draft.get("aspek") else "",
        "jenis_label": _jenis_label(ctx, draft.get("jenis", "")),
        "findings": findings,
        "projected": projected,
        "complete": _fields(draft) is not None,
        "editing": ctx.data.get("item_id") is not None,
        "perspective": perspective,
    }


def card_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["complete"]:
        rows.append([Choice("save", "item_save")])
    rows.append([Choice("edit", "item_edit_field")])
    rows.append([Choice("discard", "item_discard")])
    return rows


async def on_card(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "edit":
        return Goto("field")
    if action == "discard":
        _leaving_wizard(ctx)
        ctx.notice("item_discarded")
        return OVERVIEW
    place = await place_of(ctx)
    if not await _editable_or_refuse(ctx, place):
        _leaving_wizard(ctx)
        return OVERVIEW
    assert place is not None
    fields = _fields(_draft(ctx))
    if fields is None:
        return Reask("skp_item_incomplete")
    editing = ctx.data.get("item_id")
    try:
        if editing is None:
            await drafting.add_item(ctx.tx, place.skp.id, fields)
        else:
            await drafting.update_item(ctx.tx, place.skp.id, int(editing), fields)
    except drafting.TooMany:
        return Reask("skp_too_many", {"maximum": store.MAX_ITEMS})
    except Refused:
        _leaving_wizard(ctx)
        ctx.say("skp_item_gone")
        return OVERVIEW
    _leaving_wizard(ctx)
    ctx.notice("item_saved")
    ctx.say("skp_item_saved")
    return OVERVIEW


EDITABLE_FIELDS = ("link", "rhk", "aspek", "iki", "target", "satuan", "jenis", "bobot")


async def field_view(ctx: Ctx) -> dict[str, Any]:
    return {"unit_head": await ctx.actor.has(Role.UNIT_HEAD)}


def field_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    fields = (*EDITABLE_FIELDS, "perspective") if view["unit_head"] else EDITABLE_FIELDS
    buttons = [Choice("field", f"item_field_{f}", f) for f in fields]
    return [*grid(buttons, 2), [Choice("back", "back_to_card")]]


async def on_field(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("card")
    if arg == "perspective":
        return Goto("perspective")
    ctx.data["return"] = "card"
    return Goto(arg)


async def perspective_view(ctx: Ctx) -> dict[str, Any]:
    # The perspectives of the policy in force (its unit-head profile).
    return {"perspectives": store.perspectives(await policy_in_force(ctx))}


def perspective_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("set", arg=p.code, text=p.label)] for p in view["perspectives"]] + [
        [Choice("back", "back_to_card")]
    ]


async def on_perspective(ctx: Ctx, action: str, arg: str) -> Next:
    known = {p.code for p in store.perspectives(await policy_in_force(ctx))}
    if action == "set" and arg in known:
        _draft(ctx)["perspective"] = arg
    return Goto("card")


# -- managing the list -------------------------------------------------------------------------


async def pick_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    rows = await store.items_of(ctx.session, place.skp.id) if place is not None else []
    return {"rows": rows}


def pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=str(r.position)) for r in view["rows"]]
    return [*grid(numbered, 5), [BACK]]


async def on_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return OVERVIEW
    ctx.data["sel"] = int(arg)
    return Goto("item")


async def _selected(ctx: Ctx) -> tuple[Place, SkpItem, list[SkpItem]] | None:
    place = await place_of(ctx)
    if place is None:
        return None
    rows = await store.items_of(ctx.session, place.skp.id)
    row = next((r for r in rows if r.id == ctx.data.get("sel")), None)
    return (place, row, rows) if row is not None else None


async def item_view(ctx: Ctx) -> dict[str, Any]:
    found = await _selected(ctx)
    if found is None:
        return {"row": None}
    _, row, rows = found
    return {
        "row": row,
        "count": len(rows),
        "jenis_label": _jenis_label(ctx, row.jenis),
        "aspek_label": ctx.texts.label(f"aspek_{row.aspek.value}"),
    }


def item_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    row = view["row"]
    if row is None:
        return [[BACK]]
    rows = [[Choice("edit", "item_edit"), Choice("delete", "item_delete")]]
    moves = []
    if row.position > 1:
        moves.append(Choice("up", "item_up"))
    if row.position < view["count"]:
        moves.append(Choice("down", "item_down"))
    if moves:
        rows.append(moves)
    return [*rows, [BACK]]


async def on_item(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        ctx.data.pop("sel", None)
        return Goto("pick")
    found = await _selected(ctx)
    if found is None:
        ctx.say("skp_item_gone")
        return OVERVIEW
    place, row, _rows = found
    if not await _editable_or_refuse(ctx, place):
        return OVERVIEW
    if action == "edit":
        ctx.data["item"] = _row_to_draft(row)
        ctx.data["item_id"] = row.id
        return Goto("card")
    if action == "delete":
        return Goto("delete")
    moved = await drafting.move_item(ctx.tx, place.skp.id, row.id, -1 if action == "up" else 1)
    ctx.notice("item_moved", position=moved.position)
    return Stay()


def delete_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("confirm", "item_delete_confirm")], [Choice("back", "cancel")]]


async def on_delete(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("item")
    found = await _selected(ctx)
    if found is None:
        ctx.say("skp_item_gone")
        return OVERVIEW
    place, row, _rows = found
    if not await _editable_or_refuse(ctx, place):
        return OVERVIEW
    await drafting.delete_item(ctx.tx, place.skp.id, row.id)
    ctx.data.pop("sel", None)
    ctx.notice("item_deleted")
    return OVERVIEW


FLOW = flow(
    FLOW_NAME,
    [
        Step(
            "overview",
            "skp_overview",
            view=overview_view,
            choices=overview_choices,
            on_choice=on_overview,
            help="help_skp",
        ),
        Step(
            "findings",
            "skp_findings",
            view=findings_view,
            choices=back_choices,
            on_choice=on_to_overview,
            help="help_skp",
        ),
        Step(
            "link",
            "skp_link",
            view=link_view,
            choices=link_choices,
            on_choice=on_link,
            help="help_skp_link",
        ),
        Step(
            "rhk",
            "skp_rhk",
            view=_draft_view("rhk"),
            choices=back_choices,
            on_choice=_back_handler("rhk"),
            on_text=_text_step("rhk", "rhk"),
            help="help_skp_rhk",
        ),
        Step(
            "aspek",
            "skp_aspek",
            view=_draft_view("aspek"),
            choices=aspek_choices,
            on_choice=on_aspek,
            help="help_skp_aspek",
        ),
        Step(
            "iki",
            "skp_iki",
            view=_draft_view("iki"),
            choices=back_choices,
            on_choice=_back_handler("iki"),
            on_text=_text_step("iki", "iki"),
            help="help_skp_iki",
        ),
        Step(
            "target",
            "skp_target",
            view=_draft_view("target"),
            choices=back_choices,
            on_choice=_back_handler("target"),
            on_text=on_target,
            help="help_skp_target",
        ),
        Step(
            "satuan",
            "skp_satuan",
            view=satuan_view,
            choices=satuan_choices,
            on_choice=on_satuan_choice,
            on_text=on_satuan_text,
            help="help_skp_target",
        ),
        Step(
            "jenis",
            "skp_jenis",
            view=jenis_view,
            choices=jenis_choices,
            on_choice=on_jenis,
            help="help_skp_jenis",
        ),
        Step(
            "bobot",
            "skp_bobot",
            view=bobot_view,
            choices=bobot_choices,
            on_choice=on_bobot_choice,
            on_text=on_bobot_text,
            help="help_skp_jenis",
        ),
        Step("card", "skp_card", view=card_view, choices=card_choices, on_choice=on_card),
        Step("field", "skp_field", view=field_view, choices=field_choices, on_choice=on_field),
        Step(
            "perspective",
            "skp_perspective",
            view=perspective_view,
            choices=perspective_choices,
            on_choice=on_perspective,
        ),
        Step("pick", "skp_pick", view=pick_view, choices=pick_choices, on_choice=on_pick),
        Step("item", "skp_item", view=item_view, choices=item_choices, on_choice=on_item),
        Step("delete", "skp_delete", view=item_view, choices=delete_choices, on_choice=on_delete),
        *skp_submit.STEPS,
    ],
    commands=("skp",),
    resumable=True,
    help="help_skp",
)

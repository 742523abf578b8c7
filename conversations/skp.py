"""Susun SKP (the /skp flow): an employee builds the hasil kerja of their SKP item by item,
sees the findings, manages the list and submits it to the pejabat penilai. This module holds
the overview, the findings and the flow's assembly; the steps live in
conversations.skp_wizard (writing an item), skp_card (its summary card), skp_items (managing
the list) and skp_submit (the lifecycle), the shared place and draft in skp_place.

The item being written lives in the dialog draft, so every answer is committed as it is given
and the flow resumes where it stopped; the SKP rows change only on "Simpan"."""

from __future__ import annotations

from typing import Any

from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    Skp,
    SkpStatus,
)
from bot.domain import skp_rules as rules
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow
from bot.engine.runtime import HOME
from bot.services import skp as store
from bot.usecases import agreements, drafting, skp_lifecycle
from bot.usecases.base import Refused
from bot.webapp.links import LINKS
from conversations import (
    dialog_log,
    paging,
    skp_card,
    skp_items,
    skp_paste,
    skp_submit,
    skp_wizard,
)
from conversations.findings import describe, grouped
from conversations.skp_place import (
    OVERVIEW,
    Place,
    back_choices,
    editable_or_refuse,
    jenis_label,
    leave_wizard,
    place_of,
    rules_of,
)

FLOW_NAME = "skp"
# Items a page of the overview lists (each IKI quoted up to 120 characters).
ITEMS_PER_PAGE = 10
# Expectations waiting for an answer that get a button of their own (the first ones: an
# answered one makes room for the next).
ANSWER_BUTTONS = 5
# Findings a page of the findings list explains (each at most ~650 characters).
FINDINGS_PER_PAGE = 6


# -- overview ----------------------------------------------------------------------------------


async def overview_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    if place is None:
        return {"period": None}
    rows = await store.items_of(ctx.session, place.skp.id)
    items = [store.rule_item(r) for r in rows]
    policy = place.policy
    profile = await rules_of(ctx, policy)
    findings = rules.check_skp(policy, items, profile, place.skp.count_note)
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
    resources = await agreements.resources_of(ctx.session, place.skp.id)
    log_count = len(dialog_log.entries(expectations, resources))
    year_entries = len(await dialog_log.year_entries(ctx.session, place.skp))
    return {
        "period": place.period,
        "skp": place.skp,
        "page": paging.paged(ctx, "items", rows, ITEMS_PER_PAGE),
        "expectations": expectations,
        "log_count": log_count,
        "year_entries": year_entries,
        "log_inline": log_count <= dialog_log.LOG_INLINE,
        "to_answer": [
            e
            for e in expectations
            if e.status is ExpectationStatus.OPEN and e.kind is not ExpectationKind.REVISI
        ]
        if place.skp.status is SkpStatus.SUBMITTED
        else [],
        "resources": resources,
        "answer_buttons": ANSWER_BUTTONS,
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
        "jenis": {r.id: jenis_label(ctx, r.jenis) for r in rows},
        "core": {r.id: policy.is_core(r.jenis) for r in rows},
        "totals": rules.totals(policy, items),
        "policy": policy,
        "errors": len(rules.errors(findings)),
        "warnings": len(rules.warnings(findings)),
        "count_noted": any(f.code == "count_high_noted" for f in findings),
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
    elif view["rows"]:
        # Overviews quote each IKI short: the whole item is one tap away.
        rows.append([Choice("view", "skp_view_items")])
    if view["errors"] or view["warnings"]:
        count = view["errors"] + view["warnings"]
        rows.append([Choice("findings", "skp_findings", values=(("count", count),))])
    if view["editable"] and view["rows"]:
        rows.append([Choice("submit", "skp_submit")])
    skp: Skp = view["skp"]
    for e in view["to_answer"][:ANSWER_BUTTONS]:
        if e.value_code:
            what = view["value_names"].get(e.value_code, e.value_code)
        else:
            what = f"butir {view['positions'].get(e.item_id, '-')}"
        rows.append([Choice("answer", "exp_answer_n", str(e.id), values=(("what", what),))])
    rows.append(dialog_log.log_choice(view["log_count"], view["year_entries"]))
    if skp.status is SkpStatus.SUBMITTED and not view["leader_acted"]:
        rows.append([Choice("withdraw", "skp_withdraw", str(skp.revision))])
    if skp.status is SkpStatus.AGREED:
        rows.append([Choice("sign", "skp_sign", str(skp.revision))])
    if skp.status is SkpStatus.SET:
        rows.append([Choice("checkin", "skp_checkin"), Choice("plan", "skp_plan")])
        rows.append([Choice("change", "skp_change_employee")])
    if skp.number > 1:
        rows.append([Choice("versions", "skp_versions")])
    if view["rows"]:
        rows.append([Choice("docs", "skp_documents")])
        if LINKS.mini_app:  # the same items as a table (optional: the chat does it all)
            rows.append([Choice("", "skp_open_table", web_app=LINKS.mini_app)])
    rows.append(paging.page_row(view["page"]))
    rows.append([Choice("menu", "skp_menu")])
    return rows


async def on_overview(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "menu":
        leave_wizard(ctx)
        paging.reset(ctx, "items", "findings")
        return HOME
    if action == "findings":
        paging.reset(ctx, "findings")
        return Goto("findings")
    if action == "versions":
        return Goto("versions")
    if action == "dialog_log":
        return Goto("dialog")
    if action == "view":
        return Goto("pick")
    if action in ("checkin", "plan"):
        return Goto("home", "capaian" if action == "checkin" else "rencana")
    if action in ("sign", "change", "withdraw", "answer", "docs"):
        return await skp_submit.on_lifecycle(ctx, action, arg)
    place = await place_of(ctx)
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    assert place is not None
    if action == "add":
        leave_wizard(ctx)
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
    spec = (await rules_of(ctx, place.policy)).listed_iki(key)
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
    described: list[dict[str, Any]] = []
    if place is not None:
        rows = await store.items_of(ctx.session, place.skp.id)
        items = [store.rule_item(r) for r in rows]
        profile = await rules_of(ctx, place.policy)
        findings = rules.check_skp(place.policy, items, profile, place.skp.count_note)
        described = grouped(describe(ctx.texts, findings))
    return {
        "findings": described,
        "page": paging.paged(ctx, "findings", described, FINDINGS_PER_PAGE),
    }


def findings_choices(ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [paging.page_row(view["page"]), *back_choices(ctx, view)]


async def on_findings(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    return OVERVIEW


async def _overview_skp(ctx: Ctx) -> Skp | None:
    place = await place_of(ctx)
    return place.skp if place is not None else None


FLOW = flow(
    FLOW_NAME,
    [
        Step(
            "overview",
            "skp_overview",
            view=overview_view,
            choices=overview_choices,
            on_choice=on_overview,
            on_text=skp_paste.on_overview_text,
            on_file=skp_paste.on_overview_file,
            help="help_skp",
        ),
        Step(
            "findings",
            "skp_findings",
            view=findings_view,
            choices=findings_choices,
            on_choice=on_findings,
            on_text=skp_paste.on_overview_text,
            help="help_skp",
        ),
        dialog_log.log_step(_overview_skp, "overview"),
        *skp_wizard.STEPS,
        *skp_card.STEPS,
        *skp_items.STEPS,
        *skp_submit.STEPS,
        *skp_paste.STEPS,
    ],
    commands=("skp",),
    resumable=True,
    help="help_skp",
)

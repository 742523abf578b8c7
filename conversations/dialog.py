"""The dialog kinerja, leader side and the answers to it.

- Buttons on the messages people receive are bound to objects: `skp` (approve, ask for a
  revision, discuss, sign, set), `exp` (answer an expectation, or decide on the answer) and
  `res` (decide on a resource line). Each press is checked on the server: who pressed, may they,
  and is the SKP still the version the button was made for.
- `/persetujuan` (flow "tinjau"): what waits for the leader, oldest first, and the review of
  one SKP: expectations for results, targets and BerAKHLAK behaviour, the lampiran, approval,
  a revision request, setting, and starting a change.
- Flow "tanggapan": the employee answers an expectation with another target and a reason, or
  with what they need (a dukungan sumber daya line)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    Period,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpResource,
    SkpStatus,
)
from bot.domain import skp_rules as rules
from bot.engine.callback import Callback
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.engine.types import Button
from bot.services import dialog_kinerja as dk
from bot.services import skp as store
from conversations.period import policy_in_force

SKP_NS, EXP_NS, RES_NS = "skp", "exp", "res"
NOTE_MAX = 1000
BACK = Choice("back", "back")


def _button(ctx: Ctx, label: str, ns: str, action: str, obj: int, version: int = 0) -> Button:
    return Button(ctx.texts.label(label), Callback(ns, action, str(obj), version).encode())


def leader_buttons(ctx: Ctx, skp: Skp) -> list[list[Button]]:
    """Under a submission: approve, ask for a revision, discuss, see the details."""
    return [
        [
            _button(ctx, "skp_approve", SKP_NS, "ok", skp.id, skp.revision),
            _button(ctx, "skp_revise", SKP_NS, "rev", skp.id, skp.revision),
        ],
        [
            _button(ctx, "skp_discuss", SKP_NS, "dis", skp.id, skp.revision),
            _button(ctx, "skp_detail", SKP_NS, "det", skp.id, skp.revision),
        ],
    ]


def queue_documents(
    ctx: Ctx,
    skp: Skp,
    employee: Employee,
    recipient_id: int,
    formats: tuple[str, ...],
    occasion: str | None = None,
) -> None:
    """The SKP's files, built and sent by the outbox sender once this step has committed.
    With an `occasion` (e.g. "set") they are sent once for it; a request on demand is sent
    every time it is made (the screen's version check already stops a double tap)."""
    for fmt in formats:
        key = f"doc:{skp.id}:{skp.revision}:{fmt}:{recipient_id}:{occasion}" if occasion else None
        ctx.notify(
            recipient_id,
            "skp_document",
            "skp_document_caption",
            dedupe_key=key,
            document={"skp_id": skp.id, "format": fmt},
            skp=skp,
            employee=employee,
            status=ctx.texts.label(f"status_{skp.status.value}"),
        )


def _refuse(ctx: Ctx, exc: dk.Decision) -> None:
    ctx.notice(exc.reason.value, alert=True)


async def _summary(ctx: Ctx, skp: Skp) -> dict[str, Any]:
    """What both sides see of an SKP: items, totals, findings, the dialog so far."""
    # the SKP's own period: an SKP of last year is judged by last year's policy
    period = await ctx.session.get(Period, skp.period_id)
    policy = await store.policy_for(ctx.session, period) if period is not None else None
    rows = await store.items_of(ctx.session, skp.id)
    items = [store.rule_item(r) for r in rows]
    findings = rules.check_skp(policy, items) if policy is not None else []
    expectations = await dk.expectations_of(ctx.session, skp.id)
    values = {v["code"]: v["name"] for v in ctx.texts.berakhlak}
    return {
        "skp": skp,
        "employee": skp.employee,
        "status": ctx.texts.label(f"status_{skp.status.value}"),
        "rows": rows,
        "positions": {r.id: r.position for r in rows},
        "totals": rules.totals(policy, items) if policy is not None else None,
        "warnings": len(rules.warnings(findings)),
        "errors": len(rules.errors(findings)),
        "expectations": expectations,
        "value_names": values,
        "resources": await dk.resources_of(ctx.session, skp.id),
        "categories": {c: ctx.texts.label(f"res_{c}") for c in dk.RESOURCE_CATEGORIES},
        "open": await dk.open_matters(ctx.session, skp.id),
    }


def _notify_employee(ctx: Ctx, skp: Skp, kind: str, template: str, **context: Any) -> None:
    ctx.notify(
        skp.employee_id,
        kind,
        template,
        buttons=context.pop("buttons", None),
        dedupe_key=f"{kind}:{skp.id}:{skp.revision}:{context.pop('key', '')}",
        skp=skp,
        leader=ctx.actor.employee,
        **context,
    )


# -- decisions about an SKP --------------------------------------------------------------------


async def _approve(ctx: Ctx, skp: Skp) -> None:
    await dk.approve(ctx.session, skp, ctx.now)
    ctx.audit("skp.approved", "skp", skp.id, revision=skp.revision)
    _notify_employee(
        ctx,
        skp,
        "skp_approved",
        "skp_approved_employee",
        buttons=[[_button(ctx, "skp_sign", SKP_NS, "sign", skp.id, skp.revision)]],
    )
    ctx.notice("skp_approved_short")


async def _set(ctx: Ctx, skp: Skp) -> None:
    await dk.set_skp(ctx.session, skp, ctx.actor.id, ctx.now)
    ctx.audit("skp.set", "skp", skp.id, revision=skp.revision, number=skp.number)
    summary = await _summary(ctx, skp)
    rest = {k: v for k, v in summary.items() if k != "skp"}
    _notify_employee(ctx, skp, "skp_set", "skp_set_final", **rest)
    ctx.say("skp_set_final", leader=ctx.actor.employee, **summary)
    for recipient in (skp.employee_id, ctx.actor.id):
        queue_documents(ctx, skp, skp.employee, recipient, ("pdf", "docx"), occasion="set")
    ctx.notice("skp_set_short")


def sign(ctx: Ctx, skp: Skp) -> None:
    """The employee signs the agreed SKP; the leader is asked to set it."""
    dk.sign(skp, ctx.now)
    ctx.audit("skp.signed", "skp", skp.id, revision=skp.revision)
    leader_id = skp.employee.penilai_id
    if leader_id is not None:
        ctx.notify(
            leader_id,
            "skp_signed",
            "skp_signed_leader",
            buttons=[[_button(ctx, "skp_set", SKP_NS, "set", skp.id, skp.revision)]],
            dedupe_key=f"skp_signed:{skp.id}:{skp.revision}",
            skp=skp,
            employee=skp.employee,
        )
    ctx.notice("skp_signed_short")
    ctx.say("skp_signed_employee", skp=skp)


async def on_skp_button(ctx: Ctx, action: str, obj: str, version: int) -> Next | None:
    if not obj.isdigit():
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        if action in ("sign", "open"):
            skp = await dk.load(ctx.session, int(obj), lock=action == "sign")
            dk.check_owner(skp, ctx.actor.id)
            if action == "open":
                return Goto("overview", "skp")
            dk.check_current(skp, version, SkpStatus.AGREED)
            sign(ctx, skp)
            return None
        skp = await dk.load(ctx.session, int(obj), lock=action in ("ok", "set"))
        dk.check_penilai(skp, ctx.actor.id)
        seed = {"skp_id": skp.id}
        if action in ("dis", "det"):
            return Goto("home", "tinjau", seed=seed)
        if action == "rev":
            dk.check_current(skp, version, SkpStatus.SUBMITTED)
            return Goto("revise_note", "tinjau", seed={**seed, "seen": skp.revision})
        if action == "ok":
            dk.check_current(skp, version, SkpStatus.SUBMITTED)
            await _approve(ctx, skp)
            return None
        if action == "set":
            dk.check_current(skp, version, SkpStatus.SIGNED)
            await _set(ctx, skp)
            return None
    except dk.Decision as exc:
        _refuse(ctx, exc)
        return None
    ctx.notice("button_invalid", alert=True)
    return None


# -- the leader's review -----------------------------------------------------------------------


async def list_view(ctx: Ctx) -> dict[str, Any]:
    waiting = await dk.waiting_for(ctx.session, ctx.actor.id)
    return {
        "waiting": waiting,
        "status": {s.id: ctx.texts.label(f"status_{s.status.value}") for s in waiting},
    }


def list_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [Choice("open", arg=str(s.id), text=f"{n}. {s.employee.name[:40]}")]
        for n, s in enumerate(view["waiting"], start=1)
    ]
    return [*rows, [Choice("menu", "skp_menu")]]


async def on_list(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "menu":
        return HOME
    ctx.data["skp_id"] = int(arg)
    return Goto("home")


async def _reviewed(ctx: Ctx, lock: bool = False) -> Skp | None:
    """The SKP under review, if the actor is (still) its employee's pejabat penilai."""
    skp_id = ctx.data.get("skp_id")
    if not isinstance(skp_id, int):
        return None
    try:
        skp = await dk.load(ctx.session, skp_id, lock)
        dk.check_penilai(skp, ctx.actor.id)
    except dk.Decision:
        return None
    return skp


async def home_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    if skp is None:
        return {"skp": None}
    return await _summary(ctx, skp)


def home_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    skp: Skp | None = view["skp"]
    if skp is None:
        return [[Choice("list", "back_to_list")]]
    rows: list[list[Choice]] = []
    rev = str(skp.revision)
    if skp.status is SkpStatus.SUBMITTED:
        rows.append([Choice("exp_item", "exp_for_item"), Choice("exp_value", "exp_for_value")])
        rows.append([Choice("lampiran", "lampiran_edit")])
        for e in view["expectations"]:
            if e.status is ExpectationStatus.NEGOTIATING and e.response_target is not None:
                rows.append(
                    [
                        Choice("accept", "exp_accept_n", str(e.id), values=(("n", e.id),)),
                        Choice("keep", "exp_keep_n", str(e.id), values=(("n", e.id),)),
                    ]
                )
        for r in view["resources"]:
            if r.status is ResourceStatus.PROPOSED:
                rows.append(
                    [
                        Choice("res_ok", "res_agree_n", str(r.id), values=(("n", r.id),)),
                        Choice("res_no", "res_decline_n", str(r.id), values=(("n", r.id),)),
                    ]
                )
        if not view["open"].any:
            rows.append([Choice("approve", "skp_approve", rev)])
        rows.append([Choice("revise", "skp_revise", rev)])
    elif skp.status is SkpStatus.SIGNED:
        rows.append([Choice("set", "skp_set", rev)])
    elif skp.status is SkpStatus.SET:
        rows.append([Choice("change", "skp_change", rev)])
    return [*rows, [Choice("list", "back_to_list")]]


async def on_home(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "list":
        ctx.data.clear()
        return Goto("list")
    skp = await _reviewed(ctx, lock=True)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        if action == "exp_item":
            return Goto("item_pick")
        if action == "exp_value":
            return Goto("value_pick")
        if action == "lampiran":
            return Goto("lampiran")
        if action in ("accept", "keep"):
            await _decide_counter(ctx, skp, int(arg), action == "accept")
            return Stay()
        if action in ("res_ok", "res_no"):
            await _decide_resource(ctx, skp, int(arg), action == "res_ok")
            return Stay()
        version = int(arg) if arg.isdigit() else -1
        if action == "approve":
            dk.check_current(skp, version, SkpStatus.SUBMITTED)
            await _approve(ctx, skp)
            ctx.say("skp_approved_leader", employee=skp.employee)
            return Stay()
        if action == "revise":
            dk.check_current(skp, version, SkpStatus.SUBMITTED)
            ctx.data["seen"] = skp.revision
            return Goto("revise_note")
        if action == "set":
            dk.check_current(skp, version, SkpStatus.SIGNED)
            await _set(ctx, skp)
            return Goto("list")
        if action == "change":
            dk.check_current(skp, version, SkpStatus.SET)
            return Goto("change_reason")
    except dk.Decision as exc:
        _refuse(ctx, exc)
        return Stay()
    return Stay()


async def item_pick_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    rows = await store.items_of(ctx.session, skp.id) if skp is not None else []
    return {"rows": rows}


def item_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=str(r.position)) for r in view["rows"]]
    return [*grid(numbered, 5), [BACK]]


async def on_item_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    ctx.data["item_id"] = int(arg)
    return Goto("exp_kind")


def exp_kind_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    kinds = (ExpectationKind.HASIL, ExpectationKind.TARGET, ExpectationKind.REVISI)
    return [[Choice("kind", f"exp_kind_{k.value}", k.value)] for k in kinds] + [[BACK]]


async def exp_kind_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    rows = await store.items_of(ctx.session, skp.id) if skp is not None else []
    item = next((r for r in rows if r.id == ctx.data.get("item_id")), None)
    return {"item": item}


async def on_exp_kind(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("item_pick")
    ctx.data["kind"] = ExpectationKind(arg).value
    return Goto("exp_text")


async def exp_text_view(ctx: Ctx) -> dict[str, Any]:
    view = await exp_kind_view(ctx)
    return {**view, "kind": ctx.data.get("kind", "hasil"), "maximum": NOTE_MAX}


def _note_problem(text: str) -> Reask | None:
    problem = rules.text_problem(text)
    if problem == "too_long" or len(text) > NOTE_MAX:
        return Reask("dialog_note_problem", {"problem": "too_long", "maximum": NOTE_MAX})
    if problem is not None:
        return Reask("dialog_note_problem", {"problem": problem, "maximum": NOTE_MAX})
    return None


async def on_exp_text(ctx: Ctx, text: str) -> Next:
    if (problem := _note_problem(text)) is not None:
        return problem
    skp = await _reviewed(ctx, lock=True)
    if skp is None or skp.status is not SkpStatus.SUBMITTED:
        ctx.say("skp_review_gone")
        return Goto("list")
    item = await ctx.session.get(store.SkpItem, ctx.data.get("item_id"))
    if item is None or item.skp_id != skp.id:
        ctx.say("skp_item_gone")
        return Goto("home")
    kind = ExpectationKind(ctx.data.get("kind", "hasil"))
    await _expect(ctx, skp, kind, text, item_id=item.id, position=item.position, iki=item.iki)
    return Goto("home")


async def _expect(
    ctx: Ctx,
    skp: Skp,
    kind: ExpectationKind,
    text: str,
    item_id: int | None = None,
    value_code: str | None = None,
    **context: Any,
) -> None:
    row = dk.add_expectation(
        ctx.session, skp, ctx.actor.id, kind, text, ctx.now, item_id=item_id, value_code=value_code
    )
    await ctx.session.flush()
    ctx.audit(
        "skp.expectation_added",
        "skp",
        skp.id,
        expectation_id=row.id,
        kind=kind.value,
        item_id=item_id,
        value=value_code,
        text=text[:300],
    )
    context = {"position": None, "iki": None, "value": None, **context}
    buttons = None
    if kind is not ExpectationKind.REVISI:
        buttons = [
            [
                _button(ctx, "exp_agree", EXP_NS, "ok", row.id),
                _button(ctx, "exp_respond", EXP_NS, "re", row.id),
            ]
        ]
        _notify_employee(
            ctx,
            skp,
            "skp_expectation",
            "expectation_employee",
            buttons=buttons,
            key=row.id,
            expectation=row,
            kind_label=ctx.texts.label(f"exp_kind_{kind.value}"),
            **context,
        )
    ctx.notice("expectation_saved")


async def value_pick_view(ctx: Ctx) -> dict[str, Any]:
    return {"values": ctx.texts.berakhlak}


def value_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("value", arg=v["code"], text=v["name"]) for v in view["values"]]
    return [*grid(buttons, 2), [BACK]]


async def on_value_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    ctx.data["value"] = arg
    return Goto("value_text")


async def value_text_view(ctx: Ctx) -> dict[str, Any]:
    value = next(v for v in ctx.texts.berakhlak if v["code"] == ctx.data.get("value"))
    return {"value": value, "maximum": NOTE_MAX}


def value_text_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    examples = [
        [Choice("example", "use_example_n", str(i), values=(("n", i + 1),))]
        for i in range(len(view["value"]["examples"]))
    ]
    return [*examples, [BACK]]


async def _save_value_expectation(ctx: Ctx, text: str) -> Next:
    skp = await _reviewed(ctx, lock=True)
    if skp is None or skp.status is not SkpStatus.SUBMITTED:
        ctx.say("skp_review_gone")
        return Goto("list")
    value = next(v for v in ctx.texts.berakhlak if v["code"] == ctx.data.get("value"))
    await _expect(ctx, skp, ExpectationKind.PERILAKU, text, value_code=value["code"], value=value)
    return Goto("home")


async def on_value_example(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("value_pick")
    value = next(v for v in ctx.texts.berakhlak if v["code"] == ctx.data.get("value"))
    return await _save_value_expectation(ctx, value["examples"][int(arg)])


async def on_value_text(ctx: Ctx, text: str) -> Next:
    if (problem := _note_problem(text)) is not None:
        return problem
    return await _save_value_expectation(ctx, text)


async def lampiran_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    return {"skp": skp}


def lampiran_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    skp: Skp | None = view["skp"]
    if skp is None:
        return [[BACK]]
    other = "triwulanan" if skp.skema_periodik == "bulanan" else "bulanan"
    return [
        [Choice("skema", f"skema_{other}", other)],
        [Choice("insidental", "skema_insidental_toggle")],
        [Choice("kons", "kons_positif", "positif"), Choice("kons", "kons_negatif", "negatif")],
        [BACK],
    ]


async def on_lampiran(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    skp = await _reviewed(ctx, lock=True)
    if skp is None or skp.status is not SkpStatus.SUBMITTED:
        ctx.say("skp_review_gone")
        return Goto("list")
    if action == "kons":
        ctx.data["kons"] = arg
        return Goto("kons_text")
    if action == "skema":
        skp.skema_periodik = arg
    else:
        skp.skema_insidental = not skp.skema_insidental
    store.touch(skp, ctx.now)
    ctx.audit(
        "skp.lampiran_changed",
        "skp",
        skp.id,
        skema=skp.skema_periodik,
        insidental=skp.skema_insidental,
    )
    return Stay()


async def kons_text_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    which = ctx.data.get("kons", "positif")
    current = ""
    if skp is not None:
        current = skp.konsekuensi_positif if which == "positif" else skp.konsekuensi_negatif
    return {"which": which, "current": current, "maximum": NOTE_MAX}


async def on_kons_text(ctx: Ctx, text: str) -> Next:
    if (problem := _note_problem(text)) is not None:
        return problem
    skp = await _reviewed(ctx, lock=True)
    if skp is None or skp.status is not SkpStatus.SUBMITTED:
        ctx.say("skp_review_gone")
        return Goto("list")
    if ctx.data.get("kons") == "negatif":
        skp.konsekuensi_negatif = text
    else:
        skp.konsekuensi_positif = text
    store.touch(skp, ctx.now)
    ctx.audit("skp.lampiran_changed", "skp", skp.id, konsekuensi=ctx.data.get("kons"))
    return Goto("lampiran")


async def on_back_home(ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("home")


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


async def revise_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    return {"skp": skp, "maximum": NOTE_MAX}


async def on_revise_note(ctx: Ctx, text: str) -> Next:
    if (problem := _note_problem(text)) is not None:
        return problem
    skp = await _reviewed(ctx, lock=True)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        dk.check_current(skp, int(ctx.data.get("seen", -1)), SkpStatus.SUBMITTED)
    except dk.Decision as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    await dk.ask_revision(ctx.session, skp, text, ctx.now)
    ctx.audit("skp.revision_requested", "skp", skp.id, note=text[:300])
    notes = [
        e
        for e in await dk.expectations_of(ctx.session, skp.id)
        if e.kind is ExpectationKind.REVISI and e.status is not ExpectationStatus.SETTLED
    ]
    positions = {r.id: r.position for r in await store.items_of(ctx.session, skp.id)}
    _notify_employee(
        ctx,
        skp,
        "skp_revision",
        "skp_revision_employee",
        buttons=[[_button(ctx, "skp_open", SKP_NS, "open", skp.id)]],
        note=text,
        notes=notes,
        positions=positions,
    )
    ctx.say("skp_revision_sent", employee=skp.employee)
    return Goto("list")


def change_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("reason", f"change_{r}", r)] for r in dk.CHANGE_REASONS] + [[BACK]]


async def on_change_reason(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    skp = await _reviewed(ctx, lock=True)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        new = await dk.start_change(ctx.session, skp, arg, ctx.now)
    except dk.Decision as exc:
        _refuse(ctx, exc)
        return Goto("home")
    ctx.audit("skp.change_started", "skp", new.id, previous=skp.id, reason=arg, by="leader")
    _notify_employee(
        ctx,
        new,
        "skp_change",
        "skp_change_employee",
        buttons=[[_button(ctx, "skp_open", SKP_NS, "open", new.id)]],
        reason=ctx.texts.label(f"change_{arg}"),
    )
    ctx.say("skp_change_started_leader", employee=skp.employee, number=new.number)
    return Goto("list")


# -- answers to expectations -------------------------------------------------------------------


async def _decide_counter(ctx: Ctx, skp: Skp, expectation_id: int, accept: bool) -> None:
    row = await ctx.session.get(SkpExpectation, expectation_id)
    if row is None or row.skp_id != skp.id or row.status is not ExpectationStatus.NEGOTIATING:
        ctx.notice("expectation_already_settled")
        return
    if accept:
        await dk.accept_counter(ctx.session, row, skp, ctx.now)
    else:
        dk.keep_expectation(row, ctx.now)
    ctx.audit(
        "skp.counter_accepted" if accept else "skp.expectation_kept",
        "skp",
        skp.id,
        expectation_id=row.id,
        target=str(row.response_target) if row.response_target is not None else None,
    )
    _notify_employee(
        ctx,
        skp,
        "skp_counter_decided",
        "counter_decided_employee",
        key=row.id,
        expectation=row,
        accepted=accept,
    )
    ctx.notice("decision_saved")


async def _decide_resource(ctx: Ctx, skp: Skp, resource_id: int, agreed: bool) -> None:
    row = await ctx.session.get(SkpResource, resource_id)
    if row is None or row.skp_id != skp.id or row.status is not ResourceStatus.PROPOSED:
        ctx.notice("resource_already_decided")
        return
    await dk.decide_resource(ctx.session, row, agreed, ctx.now)
    ctx.audit(
        "skp.resource_agreed" if agreed else "skp.resource_declined",
        "skp",
        skp.id,
        resource_id=row.id,
    )
    _notify_employee(
        ctx,
        skp,
        "skp_resource_decided",
        "resource_decided_employee",
        key=row.id,
        resource=row,
        agreed=agreed,
        category=ctx.texts.label(f"res_{row.category}"),
    )
    ctx.notice("decision_saved")


async def on_exp_button(ctx: Ctx, action: str, obj: str, _version: int) -> Next | None:
    if not obj.isdigit():
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        row, skp = await dk.expectation_with_skp(ctx.session, int(obj), lock=True)
        if action in ("ok", "re"):
            dk.check_owner(skp, ctx.actor.id)
            if skp.status is not SkpStatus.SUBMITTED or row.status is not ExpectationStatus.OPEN:
                ctx.notice("expectation_already_answered", alert=True)
                return None
            if action == "re":
                return Goto("what", "tanggapan", seed={"exp_id": row.id})
            dk.agree(row, ctx.now)
            ctx.audit("skp.expectation_agreed", "skp", skp.id, expectation_id=row.id)
            _notify_leader(ctx, skp, "expectation_agreed_leader", row)
            ctx.notice("expectation_agreed")
            return None
        if action in ("acc", "keep"):
            dk.check_penilai(skp, ctx.actor.id)
            await _decide_counter(ctx, skp, row.id, action == "acc")
            return None
    except dk.Decision as exc:
        _refuse(ctx, exc)
        return None
    ctx.notice("button_invalid", alert=True)
    return None


async def on_res_button(ctx: Ctx, action: str, obj: str, _version: int) -> Next | None:
    row = await ctx.session.get(SkpResource, int(obj)) if obj.isdigit() else None
    if row is None or action not in ("ok", "no"):
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        skp = await dk.load(ctx.session, row.skp_id, lock=True)
        dk.check_penilai(skp, ctx.actor.id)
    except dk.Decision as exc:
        _refuse(ctx, exc)
        return None
    await _decide_resource(ctx, skp, row.id, action == "ok")
    return None


def _notify_leader(ctx: Ctx, skp: Skp, template: str, row: SkpExpectation, **context: Any) -> None:
    leader_id = skp.employee.penilai_id
    if leader_id is None:
        return
    ctx.notify(
        leader_id,
        template,
        template,
        buttons=context.pop("buttons", None),
        dedupe_key=f"{template}:{row.id}:{context.pop('key', '')}",
        skp=skp,
        employee=skp.employee,
        expectation=row,
        **context,
    )


async def _answered(ctx: Ctx) -> tuple[SkpExpectation, Skp] | None:
    """The expectation being answered, while the actor may still answer it."""
    exp_id = ctx.data.get("exp_id")
    if not isinstance(exp_id, int):
        return None
    try:
        row, skp = await dk.expectation_with_skp(ctx.session, exp_id)
        dk.check_owner(skp, ctx.actor.id)
    except dk.Decision:
        return None
    if skp.status is not SkpStatus.SUBMITTED or row.status is not ExpectationStatus.OPEN:
        return None
    return row, skp


async def on_back_what(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("what")


async def what_view(ctx: Ctx) -> dict[str, Any]:
    found = await _answered(ctx)
    if found is None:
        return {"expectation": None}
    row, _skp = found
    return {
        "expectation": row,
        "kind_label": ctx.texts.label(f"exp_kind_{row.kind.value}"),
        "can_counter": row.item_id is not None,
    }


def what_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["expectation"] is None:
        return [[Choice("done", "skp_menu")]]
    rows = []
    if view["can_counter"]:
        rows.append([Choice("counter", "respond_counter")])
    rows.append([Choice("need", "respond_need")])
    return [*rows, [Choice("done", "cancel")]]


async def on_what(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "done":
        return HOME
    if await _answered(ctx) is None:
        ctx.say("expectation_closed")
        return HOME
    return Goto("counter" if action == "counter" else "need_cat")


async def on_counter(ctx: Ctx, text: str) -> Next:
    if await _answered(ctx) is None:
        ctx.say("expectation_closed")
        return HOME
    parsed = rules.parse_target(text, await policy_in_force(ctx))
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    ctx.data["target"] = str(parsed.value)
    return Goto("reason")


async def on_reason(ctx: Ctx, text: str) -> Next:
    if (problem := _note_problem(text)) is not None:
        return problem
    found = await _answered(ctx)
    if found is None:
        ctx.say("expectation_closed")
        return HOME
    row, skp = found
    target = Decimal(ctx.data["target"]) if ctx.data.get("target") else None
    dk.counter(row, target, text, ctx.now)
    ctx.audit(
        "skp.counter_proposed",
        "skp",
        skp.id,
        expectation_id=row.id,
        target=str(target) if target is not None else None,
        reason=text[:300],
    )
    _notify_leader(
        ctx,
        skp,
        "counter_leader",
        row,
        buttons=[
            [
                _button(ctx, "exp_accept", EXP_NS, "acc", row.id),
                _button(ctx, "exp_keep", EXP_NS, "keep", row.id),
            ]
        ],
        key="counter",  # an expectation is countered once; the leader then settles it
    )
    ctx.say("counter_sent")
    return HOME


def need_cat_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    buttons = [Choice("cat", f"res_{c}", c) for c in dk.RESOURCE_CATEGORIES]
    return [*grid(buttons, 2), [BACK]]


async def on_need_cat(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("what")
    ctx.data["category"] = arg
    return Goto("need_text")


async def need_text_view(ctx: Ctx) -> dict[str, Any]:
    return {
        "category": ctx.texts.label(f"res_{ctx.data.get('category', 'lainnya')}"),
        "maximum": NOTE_MAX,
    }


async def on_need_text(ctx: Ctx, text: str) -> Next:
    if (problem := _note_problem(text)) is not None:
        return problem
    found = await _answered(ctx)
    if found is None:
        ctx.say("expectation_closed")
        return HOME
    row, skp = found
    category = ctx.data.get("category", "lainnya")
    if category not in dk.RESOURCE_CATEGORIES:
        category = "lainnya"
    resource = dk.propose_resource(ctx.session, skp, ctx.actor.id, category, text, ctx.now, row)
    await ctx.session.flush()
    ctx.audit(
        "skp.resource_proposed",
        "skp",
        skp.id,
        resource_id=resource.id,
        category=category,
        text=text[:300],
    )
    _notify_leader(
        ctx,
        skp,
        "resource_leader",
        row,
        buttons=[
            [
                _button(ctx, "res_agree", RES_NS, "ok", resource.id),
                _button(ctx, "res_decline", RES_NS, "no", resource.id),
            ]
        ],
        key=resource.id,
        resource=resource,
        category=ctx.texts.label(f"res_{category}"),
    )
    ctx.say("resource_sent")
    return HOME


async def is_leader(actor: Any) -> bool:
    """Whoever is someone's pejabat penilai (checked again for each SKP)."""
    from sqlalchemy import exists, select

    return bool(await actor.session.scalar(select(exists().where(Employee.penilai_id == actor.id))))


REVIEW = flow(
    "tinjau",
    [
        Step("list", "review_list", view=list_view, choices=list_choices, on_choice=on_list),
        Step("home", "review_home", view=home_view, choices=home_choices, on_choice=on_home),
        Step(
            "item_pick",
            "review_item_pick",
            view=item_pick_view,
            choices=item_pick_choices,
            on_choice=on_item_pick,
        ),
        Step(
            "exp_kind",
            "review_exp_kind",
            view=exp_kind_view,
            choices=exp_kind_choices,
            on_choice=on_exp_kind,
        ),
        Step(
            "exp_text",
            "review_exp_text",
            view=exp_text_view,
            choices=back_choices,
            on_choice=on_back_home,
            on_text=on_exp_text,
        ),
        Step(
            "value_pick",
            "review_value_pick",
            view=value_pick_view,
            choices=value_pick_choices,
            on_choice=on_value_pick,
        ),
        Step(
            "value_text",
            "review_value_text",
            view=value_text_view,
            choices=value_text_choices,
            on_choice=on_value_example,
            on_text=on_value_text,
        ),
        Step(
            "lampiran",
            "review_lampiran",
            view=lampiran_view,
            choices=lampiran_choices,
            on_choice=on_lampiran,
        ),
        Step(
            "kons_text",
            "review_kons_text",
            view=kons_text_view,
            choices=back_choices,
            on_choice=on_back_home,
            on_text=on_kons_text,
        ),
        Step(
            "revise_note",
            "review_revise_note",
            view=revise_view,
            choices=back_choices,
            on_choice=on_back_home,
            on_text=on_revise_note,
        ),
        Step(
            "change_reason",
            "review_change_reason",
            choices=change_choices,
            on_choice=on_change_reason,
        ),
    ],
    commands=("persetujuan",),
    allowed=is_leader,
    help="help_review",
)

ANSWER = flow(
    "tanggapan",
    [
        Step("what", "answer_what", view=what_view, choices=what_choices, on_choice=on_what),
        Step(
            "counter",
            "answer_counter",
            choices=back_choices,
            on_choice=on_back_what,
            on_text=on_counter,
        ),
        Step(
            "reason",
            "answer_reason",
            choices=back_choices,
            on_choice=on_back_what,
            on_text=on_reason,
        ),
        Step(
            "need_cat",
            "answer_need_cat",
            choices=need_cat_choices,
            on_choice=on_need_cat,
        ),
        Step(
            "need_text",
            "answer_need_text",
            view=need_text_view,
            choices=back_choices,
            on_choice=on_back_what,
            on_text=on_need_text,
        ),
    ],
    help="help_answer",
)

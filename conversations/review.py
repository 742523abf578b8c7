"""`/persetujuan` (flow "tinjau"): what waits for the leader, oldest first, and the review of
one SKP: what changed since the leader last looked, what is still open (answers to decide,
numbered as on screen), expectations for results, targets and BerAKHLAK behaviour, the
lampiran, approval, a revision request, setting, and starting a change. Every change goes
through a use case; this flow shows and asks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from bot.db.models import AuditLog, Employee, ExpectationKind, Skp, SkpStatus
from bot.domain import skp_rules as rules
from bot.domain.contract import TargetValue
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow, grid
from bot.engine.runtime import HOME
from bot.usecases import agreements, skp_lifecycle
from bot.usecases.base import Refused
from bot.usecases.loading import items_of, load_skp, party
from bot.usecases.summary import skp_summary
from conversations.change_steps import change_steps
from conversations.dialog_text import NOTE_MAX, note_problem
from conversations.period import policy_in_force

BACK = Choice("back", "back")
LIST_SHOWN = 30


async def is_leader(actor: Any) -> bool:
    """Whoever is someone's pejabat penilai (checked again for each SKP)."""
    return bool(await actor.session.scalar(select(exists().where(Employee.penilai_id == actor.id))))


# -- the list ----------------------------------------------------------------------------------


async def list_view(ctx: Ctx) -> dict[str, Any]:
    rows = await ctx.session.execute(
        select(Skp)
        .join(Employee, Employee.id == Skp.employee_id)
        .options(joinedload(Skp.employee))
        .where(
            Employee.penilai_id == ctx.actor.id,
            Skp.status.in_(skp_lifecycle.WAITING_FOR_LEADER),
        )
        .order_by(func.coalesce(Skp.signed_at, Skp.submitted_at), Skp.id)
        .limit(LIST_SHOWN)
    )
    waiting = list(rows.scalars())
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


# -- one SKP -----------------------------------------------------------------------------------


async def _reviewed(ctx: Ctx) -> Skp | None:
    """The SKP under review, if the actor is (still) its employee's pejabat penilai."""
    skp_id = ctx.data.get("skp_id")
    if not isinstance(skp_id, int):
        return None
    try:
        skp = await load_skp(ctx.tx, skp_id, lock=False)
    except Refused:
        return None
    return skp if party(ctx.tx, skp).value == "penilai" else None


async def _last_changes(ctx: Ctx, skp: Skp) -> list[dict[str, Any]]:
    """What the latest submission changed since the leader last saw the SKP."""
    row = await ctx.session.scalar(
        select(AuditLog)
        .where(
            AuditLog.object_type == "skp",
            AuditLog.object_id == skp.id,
            AuditLog.action == "skp.submitted",
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    changes = row.details.get("change_list", []) if row is not None else []
    return changes if isinstance(changes, list) else []


async def home_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    if skp is None:
        return {"skp": None}
    summary = await skp_summary(ctx.tx, skp)
    return {
        **summary,
        "changes": await _last_changes(ctx, skp) if skp.status is SkpStatus.SUBMITTED else [],
        "fields": {f: ctx.texts.label(f"field_{f}") for f in rules_fields()},
    }


def rules_fields() -> tuple[str, ...]:
    from bot.domain.contract import ITEM_FIELDS

    return ITEM_FIELDS


def home_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    skp: Skp | None = view["skp"]
    if skp is None:
        return [[Choice("list", "back_to_list")]]
    rows: list[list[Choice]] = []
    rev = str(skp.revision)
    if skp.status is SkpStatus.SUBMITTED:
        n = 0
        for e in view["negotiating"]:
            if e.response_target is not None and e.counter_decision is None:
                n += 1
                values = (("n", n),)
                rows.append(
                    [
                        Choice("accept", "exp_accept_n", str(e.id), values=values),
                        Choice("keep", "exp_keep_n", str(e.id), values=values),
                    ]
                )
        for r in view["proposed"]:
            n += 1
            values = (("n", n),)
            rows.append(
                [
                    Choice("res_ok", "res_agree_n", str(r.id), values=values),
                    Choice("res_no", "res_decline_n", str(r.id), values=values),
                ]
            )
        rows.append([Choice("exp_item", "exp_for_item"), Choice("exp_value", "exp_for_value")])
        rows.append([Choice("lampiran", "lampiran_edit")])
        if not view["violations"]:
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
    skp = await _reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    tx = ctx.tx
    try:
        if action == "exp_item":
            return Goto("item_pick")
        if action == "exp_value":
            return Goto("value_pick")
        if action == "lampiran":
            return Goto("lampiran")
        if action in ("accept", "keep"):
            await agreements.decide_counter(tx, int(arg), action == "accept")
            ctx.notice("decision_saved")
            return Stay()
        if action in ("res_ok", "res_no"):
            await agreements.decide_resource(tx, int(arg), action == "res_ok")
            ctx.notice("decision_saved")
            return Stay()
        version = int(arg) if arg.isdigit() else -1
        if action == "approve":
            await skp_lifecycle.approve(tx, skp.id, version)
            ctx.notice("skp_approved_short")
            ctx.say("skp_approved_leader", employee=skp.employee)
            return Stay()
        if action == "revise":
            if version != skp.revision or skp.status is not SkpStatus.SUBMITTED:
                ctx.notice("skp_changed_since", alert=True)
                return Stay()
            ctx.data["seen"] = skp.revision
            return Goto("revise_note")
        if action == "set":
            await skp_lifecycle.set_skp(tx, skp.id, version)
            ctx.notice("skp_set_short")
            return Goto("list")
        if action == "change":
            ctx.data["seen"] = version
            return Goto("change_reason")
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
    return Stay()


# -- expectations ------------------------------------------------------------------------------


async def item_pick_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    return {"rows": await items_of(ctx.tx, skp.id) if skp is not None else []}


def item_pick_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    numbered = [Choice("item", arg=str(r.id), text=str(r.position)) for r in view["rows"]]
    return [*grid(numbered, 5), [BACK]]


async def on_item_pick(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    ctx.data["item_id"] = int(arg)
    return Goto("exp_kind")


async def exp_kind_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    rows = await items_of(ctx.tx, skp.id) if skp is not None else []
    item = next((r for r in rows if r.id == ctx.data.get("item_id")), None)
    return {"item": item}


def exp_kind_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    kinds = (ExpectationKind.HASIL, ExpectationKind.TARGET, ExpectationKind.REVISI)
    return [[Choice("kind", f"exp_kind_{k.value}", k.value)] for k in kinds] + [[BACK]]


async def on_exp_kind(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("item_pick")
    ctx.data["kind"] = ExpectationKind(arg).value
    return Goto("exp_target" if arg == ExpectationKind.TARGET.value else "exp_text")


async def on_exp_target(ctx: Ctx, text: str) -> Next:
    parsed = rules.parse_target(text, await policy_in_force(ctx))
    if isinstance(parsed, str):
        return Reask("skp_target_problem", {"problem": parsed, "typed": text[:60]})
    view = await exp_kind_view(ctx)
    item = view["item"]
    if item is not None and parsed.satuan and parsed.satuan.casefold() != item.satuan.casefold():
        return Reask("unit_differs", {"typed": text[:60], "satuan": item.satuan})
    satuan = item.satuan if item is not None else parsed.satuan
    ctx.data["target"] = {"value": str(parsed.value), "satuan": satuan}
    return Goto("exp_text")


async def exp_text_view(ctx: Ctx) -> dict[str, Any]:
    view = await exp_kind_view(ctx)
    target = ctx.data.get("target")
    return {
        **view,
        "kind": ctx.data.get("kind", "hasil"),
        "target": target if isinstance(target, dict) else None,
        "maximum": NOTE_MAX,
    }


def exp_text_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = []
    if view["kind"] == ExpectationKind.TARGET.value and view["target"] is not None:
        rows.append([Choice("plain", "exp_target_no_text")])
    return [*rows, [BACK]]


async def on_exp_text_choice(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "plain":
        return await _save_item_expectation(ctx, "")
    ctx.data.pop("target", None)
    return Goto("home")


async def on_exp_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    return await _save_item_expectation(ctx, text)


async def _save_item_expectation(ctx: Ctx, text: str) -> Next:
    skp = await _reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    kind = ExpectationKind(ctx.data.get("kind", "hasil"))
    raw = ctx.data.pop("target", None)
    target = None
    if kind is ExpectationKind.TARGET and isinstance(raw, dict):
        from decimal import Decimal

        target = TargetValue(Decimal(raw["value"]), raw.get("satuan", ""))
    if kind is ExpectationKind.TARGET and target is None:
        return Goto("exp_target")
    item_id = ctx.data.get("item_id")
    try:
        await agreements.set_expectation(
            ctx.tx,
            skp.id,
            kind,
            text,
            item_id=item_id if isinstance(item_id, int) else None,
            target=target,
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    ctx.notice("expectation_saved")
    return Goto("home")


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


def _value(ctx: Ctx) -> dict[str, Any]:
    code = ctx.data.get("value")
    return next((v for v in ctx.texts.berakhlak if v["code"] == code), ctx.texts.berakhlak[0])


async def value_text_view(ctx: Ctx) -> dict[str, Any]:
    return {"value": _value(ctx), "maximum": NOTE_MAX}


def value_text_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    examples = [
        [Choice("example", "use_example_n", str(i), values=(("n", i + 1),))]
        for i in range(len(view["value"]["examples"]))
    ]
    return [*examples, [BACK]]


async def _save_value_expectation(ctx: Ctx, text: str) -> Next:
    skp = await _reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        await agreements.set_expectation(
            ctx.tx, skp.id, ExpectationKind.PERILAKU, text, value_code=_value(ctx)["code"]
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    ctx.notice("expectation_saved")
    return Goto("home")


async def on_value_example(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("value_pick")
    return await _save_value_expectation(ctx, _value(ctx)["examples"][int(arg)])


async def on_value_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    return await _save_value_expectation(ctx, text)


# -- lampiran ------------------------------------------------------------------------------------


async def lampiran_view(ctx: Ctx) -> dict[str, Any]:
    return {"skp": await _reviewed(ctx)}


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
    if action == "kons":
        ctx.data["kons"] = arg
        return Goto("kons_text")
    skp = await _reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        if action == "skema":
            await agreements.edit_lampiran(ctx.tx, skp.id, skema_periodik=arg)
        else:
            await agreements.edit_lampiran(ctx.tx, skp.id, toggle_insidental=True)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
    return Stay()


async def kons_text_view(ctx: Ctx) -> dict[str, Any]:
    skp = await _reviewed(ctx)
    which = ctx.data.get("kons", "positif")
    current = ""
    if skp is not None:
        current = skp.konsekuensi_positif if which == "positif" else skp.konsekuensi_negatif
    return {"which": which, "current": current, "maximum": NOTE_MAX}


async def on_kons_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    skp = await _reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    negative = ctx.data.get("kons") == "negatif"
    try:
        await agreements.edit_lampiran(
            ctx.tx,
            skp.id,
            konsekuensi_positif=None if negative else text,
            konsekuensi_negatif=text if negative else None,
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
    return Goto("lampiran")


async def on_back_home(ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("home")


def back_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[BACK]]


# -- revision and change -------------------------------------------------------------------------


async def revise_view(ctx: Ctx) -> dict[str, Any]:
    return {"skp": await _reviewed(ctx), "maximum": NOTE_MAX}


async def on_revise_note(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    skp_id = ctx.data.get("skp_id")
    seen = ctx.data.get("seen")
    try:
        skp = await skp_lifecycle.request_revision(
            ctx.tx,
            skp_id if isinstance(skp_id, int) else 0,
            text,
            seen if isinstance(seen, int) else -1,
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
        return Goto("home")
    ctx.say("skp_revision_sent", employee=skp.employee)
    return Goto("list")


async def _changed_skp(ctx: Ctx) -> tuple[int | None, int | None]:
    skp_id, seen = ctx.data.get("skp_id"), ctx.data.get("seen")
    return (
        skp_id if isinstance(skp_id, int) else None,
        seen if isinstance(seen, int) else None,
    )


async def _change_started(ctx: Ctx, new: Skp) -> Next:
    ctx.say("skp_change_started_leader", employee=new.employee, number=new.number)
    return Goto("list")


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
            "exp_target",
            "review_exp_target",
            view=exp_kind_view,
            choices=back_choices,
            on_choice=on_back_home,
            on_text=on_exp_target,
        ),
        Step(
            "exp_text",
            "review_exp_text",
            view=exp_text_view,
            choices=exp_text_choices,
            on_choice=on_exp_text_choice,
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
        *change_steps("review_change_reason", Goto("home"), _changed_skp, _change_started),
    ],
    commands=("persetujuan",),
    allowed=is_leader,
    help="help_review",
)

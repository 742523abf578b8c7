"""Drafting by message on the /skp overview: a table pasted from Excel, Google Sheets, Word or
e-Kinerja (or sent as an .xlsx / .csv file) becomes one preview of every row with its findings,
stored only on "Simpan semua"; "20 5 5 20 …" sets all weights at once; "3 target 90%" changes
one field of item 3. Reading the table is bot.domain.paste's; every change goes through the
drafting use cases.

The table waits in the dialog draft as rows of cells, so a paste that Telegram split into
several messages is joined as the pieces arrive, and a row can be typed again on its own."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from bot.domain import paste
from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek, Policy, RuleProfile
from bot.domain.skp_input import weight_problem
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, grid
from bot.services import skp as store
from bot.texts import angka
from bot.usecases import drafting
from conversations import paging
from conversations.findings import describe
from conversations.skp_place import (
    OVERVIEW,
    Place,
    editable_or_refuse,
    place_of,
    rules_of,
)
from conversations.skp_quick import quick_edit

# Rows of the preview on one page (each with up to two findings quoted short).
ROWS_PER_PAGE = 10
# Buttons "Perbaiki baris n" offered at once (the first rows with problems).
FIX_BUTTONS = 6
# Cells kept in the dialog draft: a table far beyond any SKP is refused, not stored.
MAX_CELLS_CHARS = 60_000
PASTE = Goto("paste")


# -- typed on the overview -----------------------------------------------------------------


async def on_overview_text(ctx: Ctx, text: str) -> Next:
    """What can be typed on the overview: a table, all weights, or a quick edit."""
    if paste.looks_like_table(text):
        place = await place_of(ctx)
        if not await editable_or_refuse(ctx, place):
            return OVERVIEW
        return _start(ctx, paste.split_cells(text))
    weights = paste.parse_weights(text)
    if weights is not None:
        return await _weights(ctx, weights)
    edit = paste.parse_quick_edit(text)
    if edit is not None:
        return await quick_edit(ctx, edit)
    place = await place_of(ctx)
    if place is not None and not store.is_editable(place.skp):
        # Nothing can be typed into an SKP that is not a draft: say so, not how to edit it.
        status = ctx.texts.label(f"status_{place.skp.status.value}")
        return Reask("skp_overview_typed_locked", {"status": status})
    return Reask("skp_overview_typed")


async def on_overview_file(ctx: Ctx, name: str, content: bytes | None) -> Next:
    place = await place_of(ctx)
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    if content is None:
        return Reask("skp_paste_file_too_large")
    assert place is not None
    table = paste.parse_file(name, content, place.policy)
    if not table.rows:
        return Reask("skp_paste_unreadable", {"reasons": _reasons(ctx, table.all_problems())})
    text_file = name.casefold().endswith((".csv", ".tsv", ".txt"))
    return _start(ctx, paste.read_csv(content) if text_file else paste.read_xlsx(content))


def _start(ctx: Ctx, cells: list[list[str]]) -> Next:
    # A file's cells may hold what a message cannot (a NUL, other control characters): the
    # draft keeps what typed text would (and PostgreSQL stores no NUL).
    cells = [
        ["".join(ch for ch in c if ch in "\n\t" or ch.isprintable()) for c in row] for row in cells
    ]
    if _size(cells) > MAX_CELLS_CHARS:
        return Reask("skp_paste_too_big")
    ctx.data["paste"] = {"cells": cells}
    paging.reset(ctx, "paste")
    return PASTE


async def _weights(ctx: Ctx, weights: list[Decimal]) -> Next:
    place = await place_of(ctx)
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    assert place is not None
    for weight in weights:
        problem = weight_problem(weight)
        if problem is not None:
            typed = angka(weight)
            return Reask("skp_weight_problem", {"problem": problem, "typed": typed})
    try:
        await drafting.set_weights(ctx.tx, place.skp.id, weights)
    except drafting.WeightCount as exc:
        return Reask("skp_weights_count", {"given": len(weights), "have": exc.have})
    ctx.say("skp_weights_set", count=len(weights))
    return OVERVIEW


# -- the preview -----------------------------------------------------------------------------


def _cells(ctx: Ctx) -> list[list[str]]:
    stored = ctx.data.get("paste") or {}
    cells: list[list[str]] = stored.get("cells") or []
    return cells


def _size(cells: list[list[str]]) -> int:
    return sum(len(c) for row in cells for c in row)


async def preview_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    if place is None:
        return {"table": None}
    table = paste.parse_rows(_cells(ctx), place.policy)
    profile = await rules_of(ctx, place.policy)
    existing = await store.items_of(ctx.session, place.skp.id)
    fields = await _fields(ctx, place, profile, table)
    # The totals and findings the SKP would have with the rows that can be read and are new.
    present = _ikis(existing)
    readable = [
        (i, f) for i, f in enumerate(fields) if f is not None and _key(f.iki) not in present
    ]
    items = [store.rule_item(r) for r in existing] + [f.as_item() for _, f in readable]
    findings = describe(
        ctx.texts, rules.check_skp(place.policy, items, profile, place.skp.count_note)
    )
    row_of = {len(existing) + n: i for n, (i, _f) in enumerate(readable, start=1)}
    per_row: dict[int, list[dict[str, Any]]] = {}
    for f in findings:
        if f["item"] in row_of:
            per_row.setdefault(row_of[f["item"]], []).append(f)
    shown: list[dict[str, Any]] = []
    for i, (row, item) in enumerate(zip(table.rows, fields, strict=True)):
        shown.append(
            {
                "row": row,
                "jenis": item.jenis if item is not None else (row.jenis or "-"),
                "problems": _reasons(ctx, row.problems),
                "findings": per_row.get(i, []),
            }
        )
    # Rows with a lot to say take more room: fewer of them on a page.
    heaviest = max(
        (min(len(s["problems"]), 2) + min(len(s["findings"]), 2) for s in shown), default=0
    )
    per_page = ROWS_PER_PAGE if heaviest <= 1 else 6 if heaviest <= 3 else 4
    return {
        "table": table,
        "page": paging.paged(ctx, "paste", shown, per_page),
        "table_problems": _reasons(ctx, table.problems),
        "notes": _reasons(ctx, table.notes),
        "broken": [r.line for r in table.rows if not r.ok],
        "existing": len(existing),
        "totals": rules.totals(place.policy, items),
        "rules": profile,
        "whole": [f for f in findings if f["item"] is None],
        "room": store.MAX_ITEMS - len(existing),
        # Rows whose IKI the SKP has already (the same table pasted again): saved only new.
        "repeated": sum(1 for f in fields if f is not None and _key(f.iki) in present),
    }


def preview_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    table = view["table"]
    rows: list[list[Choice]] = []
    fresh = len(table.rows) - view["repeated"] if table is not None else 0
    if table is not None and table.ok and 0 < fresh <= view["room"]:
        if view["repeated"]:
            rows.append([Choice("save", "paste_save_new", values=(("count", fresh),))])
        else:
            rows.append([Choice("save", "paste_save_all", values=(("count", fresh),))])
    fixes = [
        Choice("fix", "paste_fix_row", str(line), values=(("line", line),))
        for line in view["broken"][:FIX_BUTTONS]
    ]
    rows.extend(grid(fixes, 2))
    if "page" in view:
        rows.append(paging.page_row(view["page"]))
    rows.append([Choice("cancel", "paste_cancel")])
    return rows


async def on_preview(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "cancel":
        _forget(ctx)
        ctx.notice("paste_cancelled")
        return OVERVIEW
    if action == "fix":
        ctx.data["paste"]["fix"] = int(arg)
        return Goto("paste_fix")
    place = await place_of(ctx)
    if not await editable_or_refuse(ctx, place):
        return OVERVIEW
    assert place is not None
    table = paste.parse_rows(_cells(ctx), place.policy)
    if not table.ok or not table.rows:
        return Stay()
    profile = await rules_of(ctx, place.policy)
    fields = [f for f in await _fields(ctx, place, profile, table) if f is not None]
    if len(fields) != len(table.rows):
        return Stay()
    present = _ikis(await store.items_of(ctx.session, place.skp.id))
    fields = [f for f in fields if _key(f.iki) not in present]
    if not fields:
        return Stay()
    try:
        await drafting.add_items(ctx.tx, place.skp.id, fields, source="paste")
    except drafting.TooMany:
        return Reask("skp_too_many", {"maximum": store.MAX_ITEMS})
    _forget(ctx)
    ctx.notice("paste_saved", count=len(fields))
    return OVERVIEW


async def on_preview_text(ctx: Ctx, text: str) -> Next:
    """Another piece of a long paste (Telegram splits long messages): joined to the table."""
    if not paste.looks_like_table(text):
        return Reask("skp_paste_waiting")
    cells = _joined(_cells(ctx), paste.split_cells(text))
    if _size(cells) > MAX_CELLS_CHARS:
        return Reask("skp_paste_too_big")
    ctx.data["paste"]["cells"] = cells
    ctx.say("skp_paste_joined")
    return Stay()


def _joined(before: list[list[str]], after: list[list[str]]) -> list[list[str]]:
    """Two pieces of one paste. A piece may repeat the header (dropped); a row cut at the
    seam is put back together when its two halves add up to the table's usual width."""
    if not before:
        return after
    if after and before and after[0] == before[0]:
        after = after[1:]
    if not after:
        return before
    width = Counter(len(r) for r in before).most_common(1)[0][0]
    head, tail = before[-1], after[0]
    if len(head) < width and len(head) + len(tail) - 1 == width:
        seam = [*head[:-1], f"{head[-1]} {tail[0]}".strip(), *tail[1:]]
        return [*before[:-1], seam, *after[1:]]
    return [*before, *after]


def _forget(ctx: Ctx) -> None:
    ctx.data.pop("paste", None)
    paging.reset(ctx, "paste")


# -- fixing one row --------------------------------------------------------------------------


async def fix_view(ctx: Ctx) -> dict[str, Any]:
    place = await place_of(ctx)
    line = int((ctx.data.get("paste") or {}).get("fix", 0))
    cells = _cells(ctx)
    if place is None or not 1 <= line <= len(cells):
        return {"line": line, "cells": [], "problems": [], "columns": []}
    table = paste.parse_rows(cells, place.policy)
    row = next((r for r in table.rows if r.line == line), None)
    labels = [ctx.texts.paste_column(c) if c else "-" for c in table.columns]
    return {
        "line": line,
        "cells": cells[line - 1],
        "problems": _reasons(ctx, row.problems if row else ()),
        "columns": labels,
    }


async def on_fix(ctx: Ctx, action: str, arg: str) -> Next:
    ctx.data["paste"].pop("fix", None)
    return PASTE


async def on_fix_text(ctx: Ctx, text: str) -> Next:
    line = int((ctx.data.get("paste") or {}).get("fix", 0))
    cells = _cells(ctx)
    typed = paste.split_cells(text)
    if not 1 <= line <= len(cells):
        return PASTE
    if len(typed) != 1 or len(typed[0]) < 2:
        return Reask("skp_paste_fix_one_row", {"line": line})
    cells[line - 1] = typed[0]
    ctx.data["paste"]["cells"] = cells
    ctx.data["paste"].pop("fix", None)
    return PASTE


# -- shared ------------------------------------------------------------------------------------


def _reasons(ctx: Ctx, problems: Any) -> list[str]:
    return [ctx.texts.paste_problem(p.code, **p.values()) for p in problems]


async def _fields(
    ctx: Ctx, place: Place, profile: RuleProfile, table: paste.PasteTable
) -> list[store.ItemFields | None]:
    """The rows as items to store (None for a row that cannot be read): a missing jenis is the
    cascade's when the row names the leader's RHK (else the first other Core type), a leader's
    RHK quoted as it is written in their SKP is linked to it, and a policy-listed IKI (the
    mandatory IPASN) is marked so."""
    _leader, leader_rows = await store.leader_items(
        ctx.session, ctx.actor.employee, place.period.id
    )
    by_rhk = {_key(r.rhk): r for r in leader_rows}
    listed = {_key(m.iki): m.key for m in profile.listed}
    fields: list[store.ItemFields | None] = []
    for row in table.rows:
        if not row.ok or row.target is None:
            fields.append(None)
            continue
        leader = by_rhk.get(_key(row.leader_rhk)) if row.leader_rhk else None
        fields.append(
            store.ItemFields(
                jenis=row.jenis or _default_jenis(place.policy, bool(row.leader_rhk)),
                rhk=row.rhk,
                aspek=Aspek(row.as_item(place.policy).aspek),
                iki=row.iki,
                target=row.target,
                satuan=row.satuan,
                bobot=row.bobot,
                leader_item_id=leader.id if leader is not None else None,
                leader_rhk=leader.rhk if leader is not None else row.leader_rhk,
                mandatory_key=listed.get(_key(row.iki)),
            )
        )
    return fields


def _ikis(rows: list[Any]) -> set[str]:
    return {_key(r.iki) for r in rows}


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _default_jenis(policy: Policy, cascaded: bool) -> str:
    if cascaded:
        return policy.cascade_jenis
    return next(
        (code for code in policy.jenis if policy.is_core(code) and code != policy.cascade_jenis),
        policy.cascade_jenis,
    )


# -- waiting for a table ("Tambah hasil kerja" → "Tempel tabel") -------------------------------


async def on_wait_text(ctx: Ctx, text: str) -> Next:
    if not paste.looks_like_table(text):
        return Reask("skp_paste_not_table")
    return await on_overview_text(ctx, text)


async def on_wait(ctx: Ctx, action: str, arg: str) -> Next:
    return OVERVIEW


STEPS = [
    Step(
        "paste_wait",
        "help_skp_paste",
        choices=lambda _ctx, _view: [[Choice("back", "back")]],
        on_choice=on_wait,
        on_text=on_wait_text,
        on_file=on_overview_file,
        help="help_skp_paste",
    ),
    Step(
        "paste",
        "skp_paste",
        view=preview_view,
        choices=preview_choices,
        on_choice=on_preview,
        on_text=on_preview_text,
        help="help_skp_paste",
    ),
    Step(
        "paste_fix",
        "skp_paste_fix",
        view=fix_view,
        choices=lambda _ctx, _view: [[Choice("back", "back")]],
        on_choice=on_fix,
        on_text=on_fix_text,
        help="help_skp_paste",
    ),
]

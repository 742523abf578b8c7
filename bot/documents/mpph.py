"""The MPPH (Matriks Pembagian Peran dan Hasil) as XLSX in the deck's layout, on one sheet:
the band "Pegawai | Jabatan | Output/Output Antara/Layanan", the leader's row with their
indicators (one column each), a row per person with their peran hasil or "-"; at each
column's foot the leader's target and the sum of the peran hasil per satuan, so anyone can see
whether a split adds up. Two levels stack as "MPPH 2 Tingkat" shows them: under the unit
head's matrix, one block per ketua tim who cascaded further, in the same columns (the ketua
tim's row, then their members).

A cell is "peran hasil — target satuan": the assignee's current item (their latest SKP
version's item that intervenes the column's item, whatever they changed since the leader sent
it), or, for a role not sent yet, the leader's proposal marked as such. The cascade is read
through bot.services.cascade (the matrix's people and columns, the roles) and
bot.services.cascade_checks (targets summed per satuan, never in percent); every text goes
through bot.documents.cells (never a formula)."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Cascade, CascadeAssignment, Employee, Period, Skp, SkpItem, Unit
from bot.documents import cells, layout
from bot.documents.skp_model import printable, target_text
from bot.documents.words import Words, words
from bot.services import cascade as cas
from bot.services import cascade_checks
from bot.texts import Texts, angka

NAME_WIDTH, JABATAN_WIDTH, CELL_WIDTH = 26, 28, 46
OTHER = -1  # the column of a ketua tim's results that intervene none of the unit head's


@dataclass
class Entry:
    rhk: str
    target: Decimal | None
    satuan: str
    proposed: bool = False  # a role the leader has not sent yet


@dataclass
class Line:
    employee_id: int
    name: str
    jabatan: str
    cells: dict[int, list[Entry]] = field(default_factory=dict)

    def add(self, column: int, entry: Entry) -> None:
        self.cells.setdefault(column, []).append(entry)


@dataclass
class Block:
    leader: Line  # the unit head with their indicators, or a ketua tim with their results
    people: list[Line]


@dataclass
class Matrix:
    unit: str
    year: int
    columns: list[SkpItem]  # the unit head's items
    other: bool  # a column for ketua tim results outside the unit head's items
    blocks: list[Block]

    @property
    def keys(self) -> list[int]:
        return list(range(len(self.columns))) + ([OTHER] if self.other else [])


class _Versions:
    """A person's items of the period: the current ones (latest SKP version) and, for an item
    of any version, the current item it became (the same IKI)."""

    def __init__(self, current: list[SkpItem], current_of: dict[int, int]) -> None:
        self.current = current
        self.current_of = current_of


async def _versions(
    session: AsyncSession, employee_ids: list[int], period: Period
) -> dict[int, _Versions]:
    found = (
        await session.execute(
            select(Skp.employee_id, Skp.number, SkpItem)
            .join(SkpItem, SkpItem.skp_id == Skp.id)
            .where(Skp.period_id == period.id, Skp.employee_id.in_(employee_ids))
            .order_by(Skp.employee_id, Skp.number, SkpItem.position, SkpItem.id)
        )
    ).all()
    by_person: dict[int, list[tuple[int, SkpItem]]] = defaultdict(list)
    for employee_id, number, item in found:
        by_person[employee_id].append((number, item))
    out: dict[int, _Versions] = {}
    for employee_id in employee_ids:
        rows = by_person.get(employee_id, [])
        latest = max((n for n, _ in rows), default=0)
        current = [item for n, item in rows if n == latest]
        by_iki = {_norm(i.iki): i.id for i in current}
        current_of = {item.id: by_iki.get(_norm(item.iki), 0) for _, item in rows}
        out[employee_id] = _Versions(current, {k: v for k, v in current_of.items() if v})
    return out


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _item(item: SkpItem) -> Entry:
    """An item as a peran hasil: its RHK (Rencana Kinerja), as the deck's MPPH shows it."""
    return Entry(printable(item.rhk or item.iki), item.target_value, item.satuan)


async def _proposals(
    session: AsyncSession, leader_id: int, period: Period
) -> list[tuple[int, CascadeAssignment]]:
    """The leader's roles not sent yet, with the leader's item they divide."""
    cascades = (
        await session.execute(
            select(Cascade).where(Cascade.leader_id == leader_id, Cascade.period_id == period.id)
        )
    ).scalars()
    found = []
    for cascade in cascades:
        for strategy in await cas.tree(session, cascade.id):
            for activity in strategy.activities:
                for role in activity.assignments:
                    if role.draft_item_id is None and (role.rhk or role.iki):
                        found.append((cascade.source_item_id, role))
    return found


async def mpph_matrix(session: AsyncSession, leader: Employee, period: Period) -> Matrix:
    top = await cas.mpph(session, leader, period)
    heads = await cas.leaders_with_cascades(session, top.rows, period)
    members = {h.id: (await cas.mpph(session, h, period)).rows for h in heads}
    everyone = [leader, *top.rows, *(m for ms in members.values() for m in ms)]
    versions = await _versions(session, list({p.id for p in everyone}), period)
    mine = versions[leader.id]
    column_of = {item.id: n for n, item in enumerate(top.columns)}
    root = {old: column_of[new] for old, new in mine.current_of.items() if new in column_of}

    def line(person: Employee, parents: dict[int, int], parent_versions: _Versions) -> Line:
        """The person's row: their current items that intervene one of the parent's items
        (`parents`: the parent's current item id → column)."""
        row = Line(person.id, printable(person.name), printable(person.jabatan))
        for item in versions[person.id].current:
            parent = parent_versions.current_of.get(item.leader_item_id or 0)
            if parent in parents:
                row.add(parents[parent], _item(item))
        return row

    async def add_proposals(
        block: Block, by: Employee, parents: dict[int, int], parent_versions: _Versions
    ) -> None:
        """The roles `by` has not sent yet, in their assignees' rows."""
        lines = {p.employee_id: p for p in block.people}
        for source_id, role in await _proposals(session, by.id, period):
            parent = parent_versions.current_of.get(source_id)
            row = lines.get(role.assignee_id)
            if parent in parents and row is not None:
                entry = Entry(printable(role.rhk or role.iki), role.target_value, role.satuan, True)
                row.add(parents[parent], entry)

    root_columns = {item.id: n for n, item in enumerate(top.columns)}
    head = Line(leader.id, printable(leader.name), printable(leader.jabatan))
    for n, item in enumerate(top.columns):
        head.add(n, Entry(printable(item.iki), item.target_value, item.satuan))
    first = Block(head, [line(p, root_columns, mine) for p in top.rows])
    await add_proposals(first, leader, root_columns, mine)
    blocks, other = [first], False
    for katim in heads:
        own = versions[katim.id]
        parents = {item.id: root.get(item.leader_item_id or 0, OTHER) for item in own.current}
        other = other or OTHER in parents.values()
        people = [line(m, parents, own) for m in members[katim.id]]
        block = Block(line(katim, root_columns, mine), people)
        for item in own.current:  # the ketua tim's results outside the unit head's items
            if parents[item.id] == OTHER:
                block.leader.add(OTHER, _item(item))
        await add_proposals(block, katim, parents, own)
        blocks.append(block)
    unit = await session.get(Unit, leader.unit_id)
    return Matrix(printable(unit.name) if unit else "-", period.year, top.columns, other, blocks)


# -- the sheet ---------------------------------------------------------------------------------


def _entry(entry: Entry, W: Words) -> str:
    text = f"{entry.rhk} — {target_text(angka(entry.target), entry.satuan)}"
    return f"{text} {W('mpph_proposed')}" if entry.proposed else text


def _sum(entries: list[Entry], W: Words, percent_as_count: bool = True) -> str:
    """The targets added up per satuan, never in percent: "388,5 Nilai + 1 Rancangan; 2 IKI
    dalam persen (tidak dijumlahkan)" (`percent_as_count`), else each percentage as it is
    ("380 Nilai; 96%": a leader's own targets)."""
    roles = [CascadeAssignment(target_value=e.target, satuan=e.satuan) for e in entries]
    sums = cascade_checks.target_sums(roles)
    parts = [" + ".join(target_text(angka(value), satuan) for value, satuan in sums.parts)]
    if sums.percent and percent_as_count:
        parts.append(W("mpph_percent", count=sums.percent))
    elif sums.percent:
        percents = [e for e in entries if e.target is not None and e.satuan.strip() == "%"]
        parts += [target_text(angka(e.target), e.satuan) for e in percents]
    return "; ".join(p for p in parts if p) or "-"


_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor=layout.HEADER_FILL)
_SOFT = PatternFill("solid", fgColor=layout.GROUP_FILL)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _row(
    ws: Worksheet, values: list[str], fill: PatternFill | None = None, bold: bool = False
) -> int:
    written = cells.append(ws, values)
    for cell in written:
        cell.border = cells.BOX
        cell.alignment = cells.WRAP
        if fill is not None:
            cell.fill = fill
        if bold:
            cell.font = _BOLD
    return written[0].row


def mpph_xlsx(matrix: Matrix, texts: Texts) -> bytes:
    W = words(texts)
    keys = matrix.keys
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = W("mpph_sheet")
    last = get_column_letter(2 + len(keys))
    cells.append(ws, [W("mpph_title")])[0].font = Font(bold=True, size=12)
    cells.append(ws, [W("mpph_subtitle", unit=matrix.unit, year=matrix.year)])
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    for n, block in enumerate(matrix.blocks):
        cells.append(ws, [""])
        band = _row(
            ws,
            [W("mpph_pegawai"), W("mpph_jabatan"), W("mpph_output")] + [""] * (len(keys) - 1),
            _HEAD,
            True,
        )
        if len(keys) > 1:
            ws.merge_cells(f"C{band}:{last}{band}")
        for cell in ws[band]:
            cell.alignment = _CENTER
        lead = block.leader
        values = [lead.name, lead.jabatan]
        values += ["\n".join(_entry(e, W) for e in lead.cells.get(k, [])) or "-" for k in keys]
        _row(ws, values, _SOFT, True)
        if n == 0:
            ws.print_title_rows = f"{band}:{band + 1}"
        for person in block.people:
            values = [person.name, person.jabatan]
            values += [
                "\n".join(_entry(e, W) for e in person.cells.get(k, [])) or "-" for k in keys
            ]
            _row(ws, values)
        targets = [_sum(lead.cells.get(k, []), W, percent_as_count=False) for k in keys]
        _row(ws, [W("mpph_target", name=lead.name), "", *targets], _SOFT, True)
        sums = [_sum([e for p in block.people for e in p.cells.get(k, [])], W) for k in keys]
        _row(ws, [W("mpph_sum"), "", *sums], _SOFT, True)
    ws.column_dimensions["A"].width = NAME_WIDTH
    ws.column_dimensions["B"].width = JABATAN_WIDTH
    for k in range(len(keys)):
        ws.column_dimensions[get_column_letter(3 + k)].width = CELL_WIDTH
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

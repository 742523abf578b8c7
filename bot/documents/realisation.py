"""The realisation sheet: each IKI's target, its realisation in every check-in round so far,
the latest one, capaian and how much evidence backs it, for copying into e-Kinerja (XLSX and
CSV). Typed text goes through bot.documents.cells, so it is never a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Period, Skp
from bot.documents import cells
from bot.domain import progress as rules
from bot.domain.policy import Policy
from bot.services import progress as read
from bot.texts import Texts, angka

COLUMNS = ("rs_no", "rs_iki", "rs_target", "rs_satuan")
TAIL = ("rs_latest", "rs_capaian", "rs_evidence")


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    header: list[str]
    rows: list[list[Any]]


async def realisation_sheet(
    session: AsyncSession, skp: Skp, period: Period, policy: Policy, texts: Texts, key: str
) -> Sheet:
    rounds = [k for k in rules.round_keys(period.year, policy.progress.checkin_interval_months)]
    rounds = [k for k in rounds if k <= key]
    [standing] = await read.standings(session, [skp], key, policy.progress)
    by_round: dict[tuple[int, str], str] = {}
    for check_in in await read.check_ins_of(session, skp.id):
        for line in (await read.standings(session, [skp], check_in.period_key, policy.progress))[
            0
        ].lines:
            if line.this_round is not None:
                by_round[(line.item.id, check_in.period_key)] = (
                    angka(line.this_round.value)
                    if line.this_round.value is not None
                    else "belum ada"
                )
    header = [texts.label(c) for c in COLUMNS]
    header += [texts.label(f"month_short_{rules.key_month(k)}") for k in rounds]
    header += [texts.label(c) for c in TAIL]
    rows = []
    for line in standing.lines:
        item = line.item
        latest = line.latest
        rows.append(
            [
                item.position,
                item.iki,
                item.target_value,
                item.satuan,
                *(by_round.get((item.id, k), "") for k in rounds),
                latest.value if latest is not None and latest.value is not None else "",
                line.progress.capaian if line.progress.capaian is not None else "",
                line.evidence,
            ]
        )
    return Sheet(texts.label("realisation_title", year=period.year), header, rows)


def sheet_xlsx(sheet: Sheet) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet.title[:31]
    cells.header(cells.append(ws, sheet.header))
    for row in sheet.rows:
        cells.append(ws, row)
    ws.column_dimensions["B"].width = 60
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(cells.csv_row(sheet.header))
    for row in sheet.rows:
        writer.writerow(cells.csv_row(angka(v) if isinstance(v, Decimal) else v for v in row))
    return out.getvalue().encode("utf-8-sig")

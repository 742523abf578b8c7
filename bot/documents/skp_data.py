"""Everything an SKP document shows, gathered from the database into plain values (numbers
and dates already in Indonesian), so the PDF, DOCX and spreadsheet renderers only lay out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import (
    Employee,
    ExpectationKind,
    Period,
    ResourceStatus,
    Skp,
    SkpStatus,
    Unit,
)
from bot.domain import skp_rules as rules
from bot.services import dialog_kinerja as dk
from bot.services import skp as store
from bot.texts import LOCALE, Texts, angka


def long_date(value: date | datetime) -> str:
    """01 Januari 2026: the form the official SKP uses."""
    return format_date(value, format="dd MMMM y", locale=LOCALE)


@dataclass
class Person:
    name: str = "-"
    nip: str = "-"
    pangkat: str = "-"
    jabatan: str = "-"
    unit: str = "-"


@dataclass
class Row:
    no: int
    link: str  # the leader's RHK intervened, or the perspective for a unit head
    rhk: str
    aspek: str
    iki: str
    target: str
    satuan: str
    jenis: str
    bobot: str

    @property
    def target_text(self) -> str:
        """ "100%", "4 Kali": how the target reads in the document."""
        return f"{self.target}%" if self.satuan == "%" else f"{self.target} {self.satuan}".strip()


@dataclass
class Group:
    name: str
    rows: list[Row]
    total: str


@dataclass
class SkpDocument:
    agency: str
    year: int
    period_text: str
    employee: Person
    penilai: Person
    is_unit_head: bool
    groups: list[Group]
    total: str
    perilaku: list[dict[str, Any]]
    resources: list[str]
    skema: str
    konsekuensi: list[str]
    place: str
    date_text: str
    draft: bool
    status: str
    version: int
    change_reason: str | None
    agreement: dict[str, str] = field(default_factory=dict)
    # The e-Kinerja form, item by item (the leader's RHK kept even for a unit head's sheet).
    ekinerja: list[dict[str, str]] = field(default_factory=list)

    @property
    def filename_stem(self) -> str:
        suffix = "" if not self.draft else "-draf"
        return f"SKP-{self.year}-{self.employee.nip}-v{self.version}{suffix}"


def _person(emp: Employee | None, unit: Unit | None) -> Person:
    if emp is None:
        return Person()
    return Person(
        emp.name, emp.nip, emp.pangkat_golongan or "-", emp.jabatan, unit.name if unit else "-"
    )


async def load_document(
    session: AsyncSession, skp_id: int, texts: Texts, place: str, tz: ZoneInfo
) -> SkpDocument:
    skp = (
        await session.execute(
            select(Skp)
            .options(joinedload(Skp.employee).joinedload(Employee.unit))
            .where(Skp.id == skp_id)
        )
    ).scalar_one()
    period = await session.get(Period, skp.period_id)
    assert period is not None
    policy = await store.policy_for(session, period)
    employee = skp.employee
    penilai_id = skp.set_by_id or employee.penilai_id or skp.penilai_id
    penilai = await session.get(Employee, penilai_id) if penilai_id else None
    penilai_unit = await session.get(Unit, penilai.unit_id) if penilai else None
    is_unit_head = bool(await session.scalar(select(exists().where(Unit.head_id == employee.id))))
    rows = await store.items_of(session, skp.id)
    items = [store.rule_item(r) for r in rows]
    totals = rules.totals(policy, items)

    def row(r: Any, no: int) -> Row:
        if is_unit_head:
            link = texts.label(f"perspective_{r.perspective}") if r.perspective else "-"
        else:
            link = r.leader_rhk or "-"
        return Row(
            no,
            link,
            r.rhk,
            texts.label(f"aspek_{r.aspek.value}"),
            r.iki,
            angka(r.target_value),
            r.satuan,
            r.jenis,
            angka(r.bobot),
        )

    core = [r for r in rows if policy.is_core(r.jenis)]
    beyond = [r for r in rows if not policy.is_core(r.jenis)]
    groups = [
        Group(
            texts.label("doc_core"), [row(r, n) for n, r in enumerate(core, 1)], angka(totals.core)
        ),
        Group(
            texts.label("doc_beyond"),
            [row(r, n) for n, r in enumerate(beyond, len(core) + 1)],
            angka(totals.beyond),
        ),
    ]
    expectations = await dk.expectations_of(session, skp.id)
    special = {e.value_code: e.text for e in expectations if e.kind is ExpectationKind.PERILAKU}
    perilaku = [
        {"name": v["name"], "indicators": v["indicators"], "ekspektasi": special.get(v["code"], "")}
        for v in texts.berakhlak
    ]
    resources = [
        f"{texts.label(f'res_{r.category}')}: {r.text}"
        for r in await dk.resources_of(session, skp.id)
        if r.status is ResourceStatus.AGREED
    ]
    skema = texts.label(f"doc_skema_{skp.skema_periodik}") + (
        texts.label("doc_skema_insidental") if skp.skema_insidental else ""
    )
    agreement: dict[str, str] = {}
    if skp.signed_at is not None:
        agreement["signed"] = texts.label(
            "doc_signed_by", name=employee.name, at=_when(skp.signed_at, tz)
        )
    if skp.set_at is not None and penilai is not None:
        agreement["set"] = texts.label("doc_set_by", name=penilai.name, at=_when(skp.set_at, tz))
    signed_on = (skp.set_at or skp.signed_at or skp.updated_at).astimezone(tz)
    return SkpDocument(
        agency=policy.agency,
        year=period.year,
        period_text=f"{long_date(period.starts_on)} sd {long_date(period.ends_on)}",
        employee=_person(employee, employee.unit),
        penilai=_person(penilai, penilai_unit),
        is_unit_head=is_unit_head,
        groups=groups,
        total=angka(totals.grand),
        perilaku=perilaku,
        resources=resources,
        skema=skema,
        konsekuensi=[skp.konsekuensi_positif, skp.konsekuensi_negatif],
        place=place,
        date_text=format_date(signed_on, format="d MMMM y", locale=LOCALE),
        draft=skp.status is not SkpStatus.SET,
        status=texts.label(f"status_{skp.status.value}"),
        version=skp.number,
        change_reason=texts.label(f"change_{skp.change_reason}") if skp.change_reason else None,
        agreement=agreement,
        ekinerja=[
            {
                "Aspek": texts.label(f"aspek_{r.aspek.value}"),
                "Rencana Kinerja": r.rhk,
                "Indikator": r.iki,
                "Target": angka(r.target_value),
                "Satuan": r.satuan,
                "Jenis IKI": r.jenis,
                "Bobot": angka(r.bobot),
                "RHK Atasan yang Diintervensi": r.leader_rhk,
            }
            for r in rows
        ],
    )


def _when(value: datetime, tz: ZoneInfo) -> str:
    local = value.astimezone(tz)
    return format_date(local, format="d MMMM y", locale=LOCALE) + local.strftime(" %H.%M")

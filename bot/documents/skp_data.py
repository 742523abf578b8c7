"""Everything an SKP document shows, gathered from the database into plain values (numbers
and dates already in Indonesian), so the PDF, DOCX and spreadsheet renderers only lay out.

What the dialog agreed is part of the contract: a settled hasil or target expectation prints
beside its item (with the target it binds), a settled perilaku one beside its BerAKHLAK value,
agreed resource lines in the lampiran. Open expectations and revision notes are not agreements
and never print. Every SKP version reads only its own rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    Period,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
    Unit,
)
from bot.domain import skp_rules as rules
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


def target_text(value: str, satuan: str | None) -> str:
    """ "100%", "4 Kali", "1.575.000 Orang": how a target reads in the document (`value`
    already in Indonesian digits)."""
    satuan = (satuan or "").strip()
    return f"{value}%" if satuan == "%" else f"{value} {satuan}".strip()


@dataclass
class Expectation:
    """A settled Ekspektasi Khusus Pimpinan for a result (kind hasil or target), as printed
    beside its item."""

    kind: str  # "hasil" | "target"
    text: str  # the leader's words (the emphasis, or the standard that goes with a target)
    # "Target disepakati: 100%": the target the agreement binds the item to, when it binds one
    # (a target expectation; a hasil one whose counter-proposal the leader accepted).
    agreed: str | None = None

    @property
    def quoted(self) -> str:
        return f"\u201c{self.text}\u201d"

    @property
    def lines(self) -> list[str]:
        return [self.agreed, self.quoted] if self.agreed else [self.quoted]


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
    expectations: list[Expectation] = field(default_factory=list)

    @property
    def target_text(self) -> str:
        """ "100%", "4 Kali": how the target reads in the document."""
        return target_text(self.target, self.satuan)


@dataclass
class Value:
    """One BerAKHLAK value in the perilaku kerja table, with the settled special expectations
    for it (usually none or one)."""

    code: str
    name: str
    indicators: list[str]
    ekspektasi: list[str] = field(default_factory=list)


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
    perilaku: list[Value]
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

    # Printed across every page: "DRAF" until the SKP is set, "DIGANTI" once a newer version
    # replaced it; None for the SKP in force.
    watermark: str | None = None

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
    settled = await _settled_expectations(session, skp.id)
    by_item = _result_expectations(settled, texts)

    def row(r: SkpItem, no: int) -> Row:
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
            by_item.get(r.id, []),
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
    special: dict[str | None, list[str]] = {}
    for e in settled:
        if e.kind is ExpectationKind.PERILAKU:
            special.setdefault(e.value_code, []).append(f"\u201c{e.text}\u201d")
    perilaku = [
        Value(v["code"], v["name"], list(v["indicators"]), special.get(v["code"], []))
        for v in texts.berakhlak
    ]
    resources = [
        f"{texts.label(f'res_{r.category}')}: {r.text}"
        for r in await _agreed_resources(session, skp.id)
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
        draft=skp.status not in (SkpStatus.SET, SkpStatus.SUPERSEDED),
        status=texts.label(f"status_{skp.status.value}"),
        version=skp.number,
        change_reason=texts.label(f"change_{skp.change_reason}") if skp.change_reason else None,
        agreement=agreement,
        watermark=(
            texts.label("doc_watermark")
            if skp.status not in (SkpStatus.SET, SkpStatus.SUPERSEDED)
            else texts.label("doc_watermark_superseded")
            if skp.status is SkpStatus.SUPERSEDED
            else None
        ),
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


async def _settled_expectations(session: AsyncSession, skp_id: int) -> list[SkpExpectation]:
    """This version's settled expectations other than revision notes, in the order they were
    settled (the last agreement about an item's target is the one that binds)."""
    rows = (
        await session.execute(
            select(SkpExpectation).where(
                SkpExpectation.skp_id == skp_id,
                SkpExpectation.status == ExpectationStatus.SETTLED,
                SkpExpectation.kind != ExpectationKind.REVISI,
            )
        )
    ).scalars()
    return sorted(rows, key=lambda r: (r.settled_at is None, r.settled_at or r.created_at, r.id))


def _result_expectations(
    settled: list[SkpExpectation], texts: Texts
) -> dict[int, list[Expectation]]:
    """Per item id, its settled hasil and target expectations as printed. Only the last
    agreement about the item's target shows a target (an earlier one was replaced by it)."""
    results = [
        e
        for e in settled
        if e.kind in (ExpectationKind.HASIL, ExpectationKind.TARGET) and e.item_id is not None
    ]
    binding: dict[int, int] = {}
    for e in results:
        if e.agreed_value is not None:
            assert e.item_id is not None
            binding[e.item_id] = e.id
    by_item: dict[int, list[Expectation]] = {}
    for e in results:
        assert e.item_id is not None
        agreed = None
        if binding.get(e.item_id) == e.id and e.agreed_value is not None:
            key = (
                "doc_kept_target" if e.counter_decision == "dipertahankan" else "doc_agreed_target"
            )
            agreed = texts.label(key, target=target_text(angka(e.agreed_value), e.agreed_satuan))
        by_item.setdefault(e.item_id, []).append(Expectation(e.kind.value, e.text, agreed))
    return by_item


async def _agreed_resources(session: AsyncSession, skp_id: int) -> list[SkpResource]:
    """The dukungan sumber daya lines the leader agreed to, in the order they were proposed."""
    return list(
        (
            await session.execute(
                select(SkpResource)
                .where(SkpResource.skp_id == skp_id, SkpResource.status == ResourceStatus.AGREED)
                .order_by(SkpResource.id)
            )
        ).scalars()
    )

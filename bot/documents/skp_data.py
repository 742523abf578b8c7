"""An SKP version read from the database into the document the renderers lay out
(bot.documents.skp_model).

What the dialog agreed is part of the contract: a settled hasil or target expectation prints
beside its item (with the target it binds), a settled perilaku one beside its BerAKHLAK value,
agreed resource lines in the Lampiran (the policy's default line of a category where none was
agreed). Open expectations and revision notes are not agreements and never print. Every SKP
version reads only its own rows; a superseded one names the version that replaced it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    JenisJabatan,
    Period,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
    Unit,
)
from bot.documents import skp_model as m
from bot.documents.words import Words, words
from bot.domain import skp_rules as rules
from bot.reminders.calendar import zone
from bot.services import skp as store
from bot.texts import Texts, angka

__all__ = ["SkpDocument", "load_document"]
SkpDocument = m.SkpDocument


def _person(emp: Employee | None, unit: Unit | None) -> m.Person:
    if emp is None:
        return m.Person()
    return m.Person(
        m.printable(emp.name),
        emp.nip,
        m.printable(emp.pangkat_golongan) or "-",
        m.printable(emp.jabatan) or "-",
        m.printable(unit.name) if unit else "-",
    )


async def _place(session: AsyncSession, unit: Unit | None, default: str) -> str:
    """The unit's city, else the nearest parent's, else the setting."""
    seen: set[int] = set()
    while unit is not None and unit.id not in seen:
        if (unit.kota or "").strip():
            return m.printable(unit.kota)
        seen.add(unit.id)
        unit = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    return default


async def load_document(
    session: AsyncSession, skp_id: int, texts: Texts, place: str, tz: ZoneInfo
) -> m.SkpDocument:
    """`place` and `tz`: the defaults (DOCUMENT_PLACE, the organisation's time zone) for a
    unit that names no city of its own; moments are written in the unit's time zone."""
    W = words(texts)
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
    unit = employee.unit
    zone_code = unit.timezone.value if unit is not None else None
    local = zone(zone_code) if zone_code else tz
    penilai_id = skp.set_by_id or skp.penilai_id or employee.penilai_id
    penilai = await session.get(Employee, penilai_id) if penilai_id else None
    penilai_unit = await session.get(Unit, penilai.unit_id) if penilai else None
    heads_unit = bool(await session.scalar(select(exists().where(Unit.head_id == employee.id))))
    jpt = heads_unit or employee.jenis_jabatan is JenisJabatan.JPT
    items = await store.items_of(session, skp.id)
    totals = rules.totals(policy, [store.rule_item(r) for r in items])
    settled = await _settled_expectations(session, skp.id)
    by_item = _result_expectations(settled, W)

    def row(r: SkpItem) -> m.Row:
        return m.Row(
            0,
            m.printable(r.leader_rhk) or "-",
            m.printable(r.rhk),
            texts.label(f"aspek_{r.aspek.value}"),
            m.printable(r.iki),
            m.target_text(angka(r.target_value), r.satuan),
            r.jenis,
            angka(r.bobot),
            texts.label(f"perspective_{r.perspective}") if r.perspective else "-",
            by_item.get(r.id, []),
        )

    core = [row(r) for r in items if policy.is_core(r.jenis)]
    beyond = [row(r) for r in items if not policy.is_core(r.jenis)]
    groups = [
        m.Group(W("group_core"), m.blocks(core), W("total_of_core"), angka(totals.core)),
        m.Group(W("group_beyond"), m.blocks(beyond), W("total_of_beyond"), angka(totals.beyond)),
    ]
    m.number(groups)

    special: dict[str | None, list[str]] = {}
    for e in settled:
        if e.kind is ExpectationKind.PERILAKU:
            special.setdefault(e.value_code, []).append(f"\u201c{m.printable(e.text)}\u201d")
    perilaku = [
        m.Value(n, v["code"], v["name"], list(v["indicators"]), special.get(v["code"], []))
        for n, v in enumerate(texts.berakhlak, 1)
    ]
    agreed = [(r.category, r.text) for r in await _agreed_resources(session, skp.id)]
    defaults = [(d.category, d.text) for d in policy.lampiran.dukungan]
    dukungan = m.dukungan_lines(agreed, defaults, W) or ["-"]
    skema = W(f"skema_{skp.skema_periodik}") + (
        W("skema_insidental") if skp.skema_insidental else ""
    )
    konsekuensi = [
        m.printable(skp.konsekuensi_positif or policy.lampiran.konsekuensi_positif),
        m.printable(skp.konsekuensi_negatif or policy.lampiran.konsekuensi_negatif),
    ]

    draft = skp.status not in (SkpStatus.SET, SkpStatus.SUPERSEDED)
    superseded = skp.status is SkpStatus.SUPERSEDED
    status = texts.label(f"status_{skp.status.value}")
    names = (m.printable(employee.name), m.printable(penilai.name) if penilai else "-")
    record, mark = await _record(session, skp, W, status, names, local, zone_code)

    version_line = ""
    if skp.number > 1:
        version_line = (
            W(
                "version_changed",
                number=skp.number,
                reason=texts.label(f"change_{skp.change_reason}"),
            )
            if skp.change_reason
            else W("version", number=skp.number)
        )
    signed_on = (skp.set_at or skp.signed_at or skp.updated_at).astimezone(local)
    return m.SkpDocument(
        variant="jpt" if jpt else "ja_jf",
        agency=m.printable(policy.agency),
        year=period.year,
        period_text=f"{m.long_date(period.starts_on)} sd {m.long_date(period.ends_on)}",
        employee=_person(employee, unit),
        penilai=_person(penilai, penilai_unit),
        groups=groups,
        total=angka(totals.grand),
        perilaku=perilaku,
        dukungan=dukungan,
        skema=[skema],
        konsekuensi=konsekuensi,
        place=await _place(session, unit, place),
        date_text=m.long_date(signed_on),
        draft=draft,
        superseded=superseded,
        status=status,
        version=skp.number,
        version_line=version_line,
        mark=mark,
        record=record,
        ekinerja=[
            {
                "Aspek": texts.label(f"aspek_{r.aspek.value}"),
                "Rencana Kinerja": m.printable(r.rhk),
                "Indikator": m.printable(r.iki),
                "Target": angka(r.target_value),
                "Satuan": m.printable(r.satuan),
                "Jenis IKI": r.jenis,
                "Bobot": angka(r.bobot),
                "RHK Atasan yang Diintervensi": m.printable(r.leader_rhk),
            }
            for r in items
        ],
    )


async def _record(
    session: AsyncSession,
    skp: Skp,
    W: Words,
    status: str,
    names: tuple[str, str],
    local: ZoneInfo,
    zone_code: str | None,
) -> tuple[list[str], str]:
    """The electronic agreement record (who submitted, approved, signed and set it, when, in
    the unit's time zone; which version) and the mark on every page: "DRAF" on a draft,
    "Versi n — diganti versi n+1, <tanggal>" on a superseded version, none on the one in
    force. `names`: the employee's and the penilai's."""

    def when(value: datetime) -> str:
        moment = value.astimezone(local)
        return f"{m.long_date(moment)} {moment:%H.%M} {zone_code or moment.tzname()}"

    employee, penilai = names
    record = [W("record_version", number=skp.number, status=status)]
    for moment, key, name in (
        (skp.submitted_at, "record_submitted", employee),
        (skp.agreed_at, "record_agreed", penilai),
        (skp.signed_at, "record_signed", employee),
        (skp.set_at, "record_set", penilai),
    ):
        if moment is not None:
            record.append(W(key, name=name, at=when(moment)))
    if skp.status not in (SkpStatus.SET, SkpStatus.SUPERSEDED):
        record.append(W("record_not_set"))
        return record, W("mark_draft")
    if skp.status is not SkpStatus.SUPERSEDED:
        return record, ""
    successor = await _successor(session, skp)
    next_number = successor.number if successor else skp.number + 1
    replaced_at = (successor.set_at if successor else None) or skp.updated_at
    record.append(W("record_superseded", next=next_number, at=when(replaced_at)))
    date = m.long_date(replaced_at.astimezone(local))
    return record, W("mark_superseded", number=skp.number, next=next_number, date=date)


async def _successor(session: AsyncSession, skp: Skp) -> Skp | None:
    """The version that replaced this one: the next one set after it."""
    return (
        await session.execute(
            select(Skp)
            .where(
                Skp.employee_id == skp.employee_id,
                Skp.period_id == skp.period_id,
                Skp.number > skp.number,
                Skp.set_at.is_not(None),
            )
            .order_by(Skp.number)
            .limit(1)
        )
    ).scalar_one_or_none()


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


def _result_expectations(settled: list[SkpExpectation], W: Words) -> dict[int, list[m.Expectation]]:
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
    by_item: dict[int, list[m.Expectation]] = {}
    for e in results:
        assert e.item_id is not None
        agreed = None
        if binding.get(e.item_id) == e.id and e.agreed_value is not None:
            key = "kept_target" if e.counter_decision == "dipertahankan" else "agreed_target"
            agreed = W(key, target=m.target_text(angka(e.agreed_value), e.agreed_satuan))
        text = m.printable(e.text)
        by_item.setdefault(e.item_id, []).append(m.Expectation(e.kind.value, text, agreed))
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

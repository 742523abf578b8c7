"""Seeding SKP versions for the document tests (drafting and the dialog are tested
elsewhere): items stored with the ORM, settled and open expectations, resource lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.container import Services
from bot.db.models import (
    Employee,
    ExpectationKind,
    ExpectationStatus,
    ResourceStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
    SkpStatus,
)
from bot.domain.numbers import parse_number
from bot.domain.policy import Aspek, default_policy
from bot.services import skp as store
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Harness
from tests.skp_examples import LEADER_RHK, SBBL_KATIM
from tests.telegram_fake import ChatClient

SbblRow = tuple[str, str, str, str, str, str, str]


async def employee_id(services: Services, nip: str) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(select(Employee.id).where(Employee.nip == nip))
        assert found is not None
        return found


async def seed_skp(
    services: Services,
    nip: str,
    rows: Sequence[SbblRow] = SBBL_KATIM,
    number: int = 1,
    status: SkpStatus = SkpStatus.DRAFT,
) -> tuple[int, list[int]]:
    """An SKP version with the given hasil kerja, stored with the ORM (drafting and the dialog
    are tested elsewhere): its id and its items' ids in position order."""
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        emp = await session.get(Employee, await employee_id(services, nip))
        assert emp is not None
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = store.new_skp(emp.id, period.id, now, default_policy(), number=number, status=status)
        if status in (SkpStatus.SET, SkpStatus.SUPERSEDED):
            skp.penilai_id = skp.set_by_id = emp.penilai_id
            skp.submitted_at = skp.agreed_at = now - timedelta(days=3)
            skp.signed_at, skp.set_at = now - timedelta(days=2), now - timedelta(days=1)
        if number > 1:
            skp.change_reason = "direktif"
        session.add(skp)
        await session.flush()
        ids = []
        for position, (jenis, rhk, aspek, iki, target, satuan, bobot) in enumerate(rows, 1):
            item = SkpItem(
                skp_id=skp.id,
                position=position,
                jenis=jenis,
                rhk=rhk,
                aspek=Aspek(aspek),
                iki=iki,
                target_value=parse_number(target.split()[0].rstrip("%")) or Decimal(0),
                satuan=satuan,
                bobot=Decimal(bobot),
                leader_rhk=LEADER_RHK if jenis == "CL" else "",
                mandatory_key="ipasn" if jenis == "MI" else None,
                created_at=now,
                updated_at=now,
            )
            session.add(item)
            await session.flush()
            ids.append(item.id)
        return skp.id, ids


async def seed_sbbl_skp(bot: Harness, nip: str) -> int:
    skp_id, _ = await seed_skp(bot.services, nip)
    return skp_id


async def submit(client: ChatClient) -> None:
    await client.command("skp")
    await client.click("Ajukan ke atasan")
    await client.click("ajukan")  # "Ya, ajukan" or "Tetap ajukan"


# The SBBL list with the percentage of followed-up recommendations as item 3.
AGREED_ROWS = [SBBL_KATIM[i] for i in (0, 1, 3, 2, 4, 5, 6, 7, 8)]
HASIL_TEXT = (
    "Usulan BMHP memuat analisis kebutuhan per provinsi beserta rekomendasi, bukan sekadar angka."
)
TARGET_TEXT = (
    "Setiap rekomendasi advokasi ditindaklanjuti dengan rencana aksi tertulis "
    "paling lambat 30 hari."
)
OPEN_TEXT = "Webinar diikuti sekurang-kurangnya 95% peserta terdaftar."
NEGOTIATING_TEXT = "Monitoring dilakukan langsung di 14 regional, tidak daring."
REVISI_TEXT = "Rumusan RHK butir pertama diperbaiki agar memuat kualifier."
PERILAKU_TEXT = "Aktif berkoordinasi lintas Timker tanpa harus menunggu instruksi saya."
OPEN_PERILAKU_TEXT = "Menguasai aplikasi baru dalam satu minggu."


async def add_expectation(
    services: Services,
    skp_id: int,
    kind: ExpectationKind,
    text: str,
    status: ExpectationStatus,
    item_id: int | None = None,
    **values: Any,
) -> None:
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        author = await employee_id(services, DIREKTUR)
        settled = status is ExpectationStatus.SETTLED
        session.add(
            SkpExpectation(
                skp_id=skp_id,
                item_id=item_id,
                kind=kind,
                text=text,
                status=status,
                author_id=author,
                created_at=now,
                settled_at=now if settled else None,
                **values,
            )
        )


async def add_resource(
    services: Services,
    skp_id: int,
    text: str,
    status: ResourceStatus,
    category: str = "sistem_informasi",
) -> None:
    async with services.sessionmaker() as session, session.begin():
        session.add(
            SkpResource(
                skp_id=skp_id,
                category=category,
                text=text,
                status=status,
                proposed_by_id=await employee_id(services, KATIM_SBBL),
                created_at=services.clock(),
            )
        )


async def seed_agreed_skp(services: Services) -> int:
    """A set SKP whose dialog settled a hasil expectation on item 2, a target one on item 3
    (the leader kept 100% against the employee's 90%) and one for Kolaboratif, and left a
    target expectation open, a hasil one in negotiation, a revision note and an Adaptif one."""
    skp_id, items = await seed_skp(services, KATIM_SBBL, AGREED_ROWS, status=SkpStatus.SET)
    settled, open_ = ExpectationStatus.SETTLED, ExpectationStatus.OPEN
    await add_expectation(services, skp_id, ExpectationKind.HASIL, HASIL_TEXT, settled, items[1])
    await add_expectation(
        services,
        skp_id,
        ExpectationKind.TARGET,
        TARGET_TEXT,
        settled,
        items[2],
        target_value=Decimal(100),
        target_satuan="%",
        response_target=Decimal(90),
        response_satuan="%",
        response_text="Sebagian rekomendasi bergantung pada daerah.",
        counter_decision="dipertahankan",
        agreed_value=Decimal(100),
        agreed_satuan="%",
    )
    await add_expectation(
        services,
        skp_id,
        ExpectationKind.TARGET,
        OPEN_TEXT,
        open_,
        items[4],
        target_value=Decimal(95),
        target_satuan="%",
    )
    await add_expectation(
        services,
        skp_id,
        ExpectationKind.HASIL,
        NEGOTIATING_TEXT,
        ExpectationStatus.NEGOTIATING,
        items[5],
        response_target=Decimal(3),
        response_satuan="Kali",
    )
    # a revision note is answered by resubmitting; even marked settled it is not an agreement
    await add_expectation(services, skp_id, ExpectationKind.REVISI, REVISI_TEXT, settled, items[0])
    await add_expectation(
        services, skp_id, ExpectationKind.PERILAKU, PERILAKU_TEXT, settled, value_code="kolaboratif"
    )
    await add_expectation(
        services, skp_id, ExpectationKind.PERILAKU, OPEN_PERILAKU_TEXT, open_, value_code="adaptif"
    )
    await add_resource(services, skp_id, "Akses basis data SBBL nasional", ResourceStatus.AGREED)
    await add_resource(services, skp_id, "Laptop baru", ResourceStatus.PROPOSED)
    await add_resource(services, skp_id, "Staf tambahan", ResourceStatus.DECLINED)
    return skp_id


LONG_LEADER_RHK = (
    "Terwujudnya layanan kesehatan keluarga yang bermutu dan merata di seluruh provinsi "
    "sesuai standar pelayanan minimal",
    "Terselenggaranya tata kelola program kesehatan keluarga yang akuntabel dan tepat waktu",
    "Meningkatnya kapasitas tenaga kesehatan dalam pelayanan kesehatan keluarga",
)


def long_rows(count: int) -> list[SbblRow]:
    """`count` items with long texts (an RHK of ~25 words, an IKI of ~30): an SKP of several
    pages. Each IKI starts with "mulaiN" and ends with "akhirN" to find it on the pages."""
    rows: list[SbblRow] = []
    for n in range(1, count + 1):
        jenis = "CL" if n <= count // 2 else ("MI" if n == count - 1 else "TUSI")
        if n == count:
            jenis = "BYD"
        rhk = (
            f"Rencana hasil kerja nomor {n} tentang pelaksanaan skrining, advokasi, dan "
            "monitoring kesehatan keluarga di tingkat provinsi dan kabupaten/kota "
            "dilaksanakan sesuai ketentuan dan target waktu yang ditetapkan"
        )
        iki = (
            f"mulai{n} Persentase kabupaten/kota yang melaksanakan kegiatan penguatan "
            "pelayanan kesehatan keluarga sesuai standar dengan dukungan data yang "
            f"lengkap, valid, dan dilaporkan tepat waktu setiap triwulan akhir{n}"
        )
        rows.append((jenis, rhk, "kuantitas", iki, f"{n * 5}%", "%", "5"))
    return rows


async def seed_long_skp(services: Services, nip: str, count: int = 20) -> int:
    """A set SKP of `count` long items whose CL items intervene three different leader's
    RHK (in runs of three, so each RHK is one merged cell over several rows)."""
    skp_id, items = await seed_skp(services, nip, long_rows(count), status=SkpStatus.SET)
    async with services.sessionmaker() as session, session.begin():
        for n, item_id in enumerate(items):
            item = await session.get(SkpItem, item_id)
            assert item is not None
            if item.jenis == "CL":
                item.leader_rhk = LONG_LEADER_RHK[(n // 3) % 3]
    return skp_id


async def set_skp(services: Services, skp_id: int, by_nip: str) -> None:
    """Mark an SKP signed and set (the lifecycle is tested elsewhere)."""
    now = services.clock()
    penilai = await employee_id(services, by_nip)
    async with services.sessionmaker() as session, session.begin():
        skp = await session.get(Skp, skp_id)
        assert skp is not None
        skp.status = SkpStatus.SET
        skp.penilai_id = skp.set_by_id = penilai
        skp.submitted_at = skp.agreed_at = skp.signed_at = skp.set_at = now

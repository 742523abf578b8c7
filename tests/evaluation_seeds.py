"""Seeding what an evaluation looks at (the check-ins are tested with their own flows): a set
SKP with a submitted check-in holding a realisation per item and some evidence, and a settled
Ekspektasi Khusus Pimpinan."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.container import Services
from bot.db.models import (
    CheckIn,
    CheckInStatus,
    Employee,
    Evidence,
    EvidenceKind,
    ExpectationKind,
    ExpectationStatus,
    Realisation,
    SkpExpectation,
    SkpStatus,
)
from tests.document_seeds import employee_id, seed_skp

# The SBBL list's realisations by the end of March: everything met but the followed-up
# advocacy recommendations (80% of 100%) and the Beyond programme (0 of 1).
SBBL_REALISED = ("100", "2", "4", "80", "100", "4", "80", "82", "0")
KOLABORATIF = "Aktif berkoordinasi lintas Timker tanpa menunggu instruksi."


async def seed_set_skp_with_progress(
    services: Services,
    nip: str,
    realised: Sequence[str | None] = SBBL_REALISED,
    period_key: str = "2026-03",
) -> tuple[int, list[int]]:
    skp_id, items = await seed_skp(services, nip, status=SkpStatus.SET)
    await add_check_in(services, skp_id, items, realised, period_key)
    owner = await employee_id(services, nip)
    async with services.sessionmaker() as session, session.begin():
        emp = await session.get(Employee, owner)
        assert emp is not None and emp.penilai_id is not None
        session.add(
            SkpExpectation(
                skp_id=skp_id,
                kind=ExpectationKind.PERILAKU,
                value_code="kolaboratif",
                text=KOLABORATIF,
                status=ExpectationStatus.SETTLED,
                author_id=emp.penilai_id,
                created_at=services.clock(),
                settled_at=services.clock(),
            )
        )
    return skp_id, items


async def add_check_in(
    services: Services,
    skp_id: int,
    items: Sequence[int],
    realised: Sequence[str | None],
    period_key: str,
) -> int:
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        from bot.db.models import Skp

        skp = await session.get(Skp, skp_id)
        assert skp is not None
        check_in = CheckIn(
            skp_id=skp_id,
            employee_id=skp.employee_id,
            period_key=period_key,
            note="",
            status=CheckInStatus.SUBMITTED,
            created_at=now,
            updated_at=now,
            submitted_at=now,
        )
        session.add(check_in)
        await session.flush()
        for item_id, value in zip(items, realised, strict=True):
            session.add(
                Realisation(
                    check_in_id=check_in.id,
                    item_id=item_id,
                    value=Decimal(value) if value is not None else None,
                    typed=value or "belum ada",
                    updated_at=now,
                )
            )
        session.add(
            Evidence(
                check_in_id=check_in.id,
                item_id=items[0],
                kind=EvidenceKind.DOCUMENT,
                file_id="BQACAgIAAxkBAAIB",
                file_unique_id=f"u{check_in.id}",
                file_name=f"nspk-sbbl-{period_key}.pdf",
                mime="application/pdf",
                size=48213,
                sender_id=skp.employee_id,
                created_at=now,
            )
        )
        return check_in.id

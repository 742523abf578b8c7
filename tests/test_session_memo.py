"""An SKP's items, expectations and resources read twice in one step are read once
(bot.db.session_memo), and what the memo gives is always what a new query would give in the
same session: checked against the query itself after random sequences of adding, deleting,
moving, flushing, bulk statements and commits, on both databases; and across two processes,
where another transaction's change is seen once the SKP is locked."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select, update

from bot.container import Services, build_services
from bot.db.models import Aspek, Employee, Skp, SkpItem
from bot.db.session_memo import is_locked, lock_own_skp
from bot.domain.policy import default_policy
from bot.services import skp as store
from bot.services.demo import KATIM_SBBL
from bot.texts import get_texts
from bot.usecases.base import Tx
from bot.usecases.loading import load_skp
from tests.conftest import Clock, make_settings


def fresh_items(skp_id: int) -> Any:
    return select(SkpItem).where(SkpItem.skp_id == skp_id).order_by(SkpItem.position, SkpItem.id)


def new_item(skp_id: int, position: int) -> SkpItem:
    return SkpItem(
        skp_id=skp_id,
        position=position,
        jenis="CL",
        rhk=f"RHK {position}",
        aspek=Aspek.KUANTITAS,
        iki=f"IKI {position}",
    )


@contextmanager
def item_reads(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM skp_items" in statement:
            seen.append(statement)

    event.listen(services.db.sync_engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(services.db.sync_engine, "before_cursor_execute", watch)


async def an_skp(services: Services) -> int:
    async with services.sessionmaker() as session, session.begin():
        person = (
            await session.execute(select(Employee).where(Employee.nip == KATIM_SBBL))
        ).scalar_one()
        period = await store.current_period(session, services.clock().date())
        assert period is not None
        skp = await store.open_skp(session, person.id, period, services.clock(), default_policy())
        for position in (1, 2, 3):
            session.add(new_item(skp.id, position))
        return skp.id


async def test_the_memo_gives_what_a_query_gives_after_any_change(demo: Services) -> None:
    skp_id = await an_skp(demo)
    operations = ("read", "add", "delete", "move", "flush", "bulk", "commit")
    for seed in range(40):
        chance = random.Random(seed)
        async with demo.sessionmaker() as session:
            await session.begin()
            for _ in range(25):
                op = chance.choice(operations)
                held = [o for o in session.identity_map.values() if isinstance(o, SkpItem)]
                if op == "read":
                    remembered = await store.items_of(session, skp_id)
                    queried = list((await session.execute(fresh_items(skp_id))).scalars())
                    assert [id(o) for o in remembered] == [id(o) for o in queried], seed
                elif op == "add":
                    session.add(new_item(skp_id, chance.randint(1, 9)))
                elif op == "delete" and held:
                    row = chance.choice(held)
                    if row not in session.deleted:
                        await session.delete(row)
                elif op == "move" and held:
                    chance.choice(held).position = chance.randint(1, 9)
                elif op == "flush":
                    await session.flush()
                elif op == "bulk":
                    await session.execute(
                        update(SkpItem)
                        .where(SkpItem.skp_id == skp_id, SkpItem.position > 4)
                        .values(position=SkpItem.position - 3)
                    )
                elif op == "commit":
                    await session.commit()
                    await session.begin()
            await session.rollback()


async def test_a_step_reads_the_items_once_until_it_writes_them(demo: Services) -> None:
    skp_id = await an_skp(demo)
    async with demo.sessionmaker() as session, session.begin():
        with item_reads(demo) as reads:
            first = await store.items_of(session, skp_id)
            again = await store.items_of(session, skp_id)
            assert len(reads) == 1 and [r.id for r in first] == [r.id for r in again]
            first[0].iki = "IKI diubah"
            await session.flush()
            changed = await store.items_of(session, skp_id)
            assert len(reads) == 2 and changed[0].iki == "IKI diubah"


async def test_another_process_change_is_seen_once_the_skp_is_locked(
    demo: Services, database_url: str, clock: Clock
) -> None:
    """On PostgreSQL a step reads the items, another process adds one and commits, then the
    step's use case locks the SKP: it must see the new item. (On SQLite the first write lock
    keeps the other process out for the whole step, so it runs one after the other.)"""
    skp_id = await an_skp(demo)
    other = build_services(make_settings(database_url), clock=clock)
    try:
        postgres = demo.db.dialect.name == "postgresql"
        async with demo.sessionmaker() as session, session.begin():
            tx = Tx(session, clock(), None, "test", get_texts(), [])
            before = await store.items_of(session, skp_id)
            if postgres:
                async with other.sessionmaker() as elsewhere, elsewhere.begin():
                    elsewhere.add(new_item(skp_id, 4))
            await load_skp(tx, skp_id)
            after = await store.items_of(session, skp_id)
            assert len(after) == len(before) + (1 if postgres else 0)
    finally:
        await other.close()


async def test_reading_ones_own_skp_under_its_lock_keeps_what_the_step_changed(
    demo: Services,
) -> None:
    """The first read of a person's own SKP in their step is made under its lock and replaces
    what the session holds: whatever the step changed before is written first, not lost."""
    skp_id = await an_skp(demo)
    async with demo.sessionmaker() as session, session.begin():
        skp = await session.get(Skp, skp_id)
        assert skp is not None
        lock_own_skp(session, skp.employee_id)
        skp.revision += 1
        again = await store.latest_skp(session, skp.employee_id, skp.period_id)
        assert again is skp and skp.revision == 2 and is_locked(session, skp_id)

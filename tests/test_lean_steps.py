"""The heavy steps read what they need once (issue 15): submitting, signing, the leader's
review and decisions, each read the SKP, its items, its expectations and its resources at
most once, however many screens, checks and notices the step builds from them. Through the
real Application, on both databases (on PostgreSQL the person's own SKP is locked by that one
read)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.container import Services
from bot.services.demo import KATIM_SBBL
from tests.conftest import Harness
from tests.skp_examples import SBBL_KATIM
from tests.test_skp_flow import add_sbbl_items, leader_with_one_rhk

TABLES = ("skps", "skp_items", "skp_expectations", "skp_resources")
FROM = re.compile(r"^\s*SELECT\b.*?\sFROM\s+(\w+)", re.IGNORECASE | re.DOTALL)


@contextmanager
def reads(services: Services) -> Iterator[Counter[str]]:
    """How often each of an SKP's tables is read (by a SELECT on it) while the block runs."""
    seen: Counter[str] = Counter()

    def watch(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        found = FROM.match(statement)
        if found and found.group(1) in TABLES:
            seen[found.group(1)] += 1

    event.listen(services.db.sync_engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(services.db.sync_engine, "before_cursor_execute", watch)


def at_most_once(seen: Counter[str]) -> None:
    assert seen["skps"] >= 1, seen  # the watch does see the reads
    assert all(count <= 1 for count in seen.values()), seen


async def test_heavy_steps_read_each_table_of_the_skp_once(bot: Harness) -> None:
    director = await leader_with_one_rhk(bot)
    katim = await bot.onboard(KATIM_SBBL, 5101)
    await katim.command("skp")
    await add_sbbl_items(katim, list(SBBL_KATIM))
    await katim.command("skp")
    await katim.click("Ajukan ke atasan")

    mark = katim.mark()
    with reads(bot.services) as seen:
        await katim.click("Ya, ajukan")
    assert "diajukan" in " ".join(katim.texts_since(mark)).lower()
    at_most_once(seen)

    await director.command("persetujuan")
    with reads(bot.services) as seen:
        await director.click("1.")
    at_most_once(seen)
    with reads(bot.services) as seen:
        await director.click("Setujui")
    at_most_once(seen)
    with reads(bot.services) as seen:
        await director.click("Ya, setujui")
    at_most_once(seen)

    await katim.command("skp")
    with reads(bot.services) as seen:
        await katim.click("Tandatangani")
    at_most_once(seen)
    mark = katim.mark()
    with reads(bot.services) as seen:
        await katim.click("Ya, tandatangani")
    at_most_once(seen)
    assert "ditandatangani" in " ".join(katim.texts_since(mark)).lower()

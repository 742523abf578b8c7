"""Benchmark: how much a person does to draft the deck's SBBL Katim SKP (9 IKI) from /skp to
submission, through the real Application and the strict fake Telegram: by pasting the table,
and through the wizard item by item. Prints inputs (typed messages + button presses), new bot
messages and screens edited in place. It asserts nothing.

    .venv/bin/python bench/bench_drafting_inputs.py
    .venv/bin/python bench/bench_drafting_inputs.py --smoke     # the same (it is quick)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import KATIM_SBBL, demo_data
from tests.conftest import Clock, Harness, make_settings
from tests.skp_examples import SBBL_KATIM
from tests.telegram_fake import ChatClient, FakeTelegram
from tests.test_skp_flow import add_sbbl_items, leader_with_one_rhk
from tests.test_skp_paste import HEADER, as_tabs, sbbl_rows


@dataclass
class Count:
    inputs: int
    messages: int
    edits: int
    items: int


async def _measure(way: Callable[[Harness, ChatClient], Awaitable[None]]) -> Count:
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(make_settings(f"sqlite+aiosqlite:///{tmp}/b.db"), clock=Clock())
        await migrations.upgrade(services.db)
        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), services.clock(), "bench")
        transport = FakeTelegram()
        async with Harness(services, transport) as bot:
            await leader_with_one_rhk(bot)
            katim = await bot.onboard(KATIM_SBBL, 9802)
            sends, edits = transport.count("sendMessage"), transport.edits
            counted = _Counting(katim)
            await way(bot, counted.client)
            inputs = counted.inputs
            messages = transport.count("sendMessage") - sends
            edited = transport.edits - edits
            assert not transport.refused, transport.refused
            assert "🔒" in katim.last.text, katim.last.text  # submitted, locked
        await services.close()
    return Count(inputs, messages, edited, len(SBBL_KATIM))


class _Counting:
    """Counts the updates a person sends (typed messages, files and button presses)."""

    def __init__(self, client: ChatClient) -> None:
        self.client = client
        self.inputs = 0
        original = client.process

        async def process(update: object) -> None:
            self.inputs += 1
            await original(update)  # type: ignore[arg-type]

        client.process = process  # type: ignore[method-assign]


async def by_paste(_bot: Harness, katim: ChatClient) -> None:
    await katim.command("skp")
    await katim.send(as_tabs([HEADER, *sbbl_rows()]))
    await katim.click("Simpan semua")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ya, ajukan")


async def by_wizard(_bot: Harness, katim: ChatClient) -> None:
    await katim.command("skp")
    wizard_items = [row for row in SBBL_KATIM if row[0] != "MI"]  # MI: one tap below
    await add_sbbl_items(katim, wizard_items, then_more=True)
    await katim.click("IKI wajib")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ya, ajukan")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="the same run (it is quick)")
    parser.parse_args()
    for name, way in (("paste", by_paste), ("wizard", by_wizard)):
        c = await _measure(way)
        print(
            f"{name:7} {c.items} IKI: {c.inputs} inputs, {c.messages} new bot messages, "
            f"{c.edits} screens edited in place"
        )


if __name__ == "__main__":
    asyncio.run(main())

"""The dashboard and the Mini App in a real browser: headless Chromium (the distribution's
package) driven by Playwright against the app served by uvicorn. A unit head logs in with the
bot's link, reads the numbers of a scripted season, drills down and downloads; the Mini App
opened with valid initData edits a row and the chat shows it; forged initData, another
person's SKP and another unit's page are refused. Screenshots go to test-artifacts/<test>/.

Skipped (with the reason) where Chromium or Playwright is missing; CI installs both."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import re
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from openpyxl import load_workbook
from sqlalchemy import select

from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.models import Employee, SkpItem, Team, Unit
from bot.services.demo import DIREKTUR
from bot.webapp.server import build_web_app
from tests.conftest import Clock, Harness, make_settings
from tests.document_seeds import seed_skp
from tests.web_support import (
    SBBL_MEMBER,
    SECRET,
    cells,
    expected_counts,
    init_data,
    login_token,
    scripted_season,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="Playwright is not installed (pip install -e '.[dev]')",
    ),
]


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening already: a browser connecting before uvicorn runs waits in the backlog.
    sock.listen(64)
    return sock


@pytest.fixture
def listening() -> Any:
    sock = _free_socket()
    yield sock
    sock.close()


@pytest.fixture
async def services(
    database_url: str, clock: Clock, listening: socket.socket
) -> AsyncIterator[Services]:
    port = listening.getsockname()[1]
    settings = make_settings(
        database_url, web_base_url=f"http://127.0.0.1:{port}", web_session_secret=SECRET
    )
    svc = build_services(settings, clock=clock)
    await migrations.upgrade(svc.db)
    yield svc
    await svc.close()


@pytest.fixture
async def site(demo: Services, listening: socket.socket) -> AsyncIterator[str]:
    """The web app served over real HTTP in this event loop."""
    config = uvicorn.Config(build_web_app(demo), log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    yield demo.settings.web_base_url or ""
    server.should_exit = True
    with contextlib.suppress(Exception):
        await task


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    folder = ROOT / "test-artifacts" / re.sub(r"[^\w.-]", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


async def test_a_unit_head_logs_in_reads_drills_down_and_downloads(
    bot: Harness, site: str, browser: Any, shots: Path
) -> None:
    await scripted_season(bot)
    chat = await bot.onboard(DIREKTUR, 9301)
    token = await login_token(chat)
    link = [t for t in chat.texts_since(0) if token in t][-1]
    assert f"{site}/login?t={token}" in link

    page = await (await browser.new_context(accept_downloads=True)).new_page()
    await page.goto(f"{site}/login?t={token}")
    await page.screenshot(path=str(shots / "1-login.png"))
    await page.click("#masuk")
    await page.wait_for_url(f"{site}/dasbor")
    await page.screenshot(path=str(shots / "2-overview.png"), full_page=True)

    async with bot.services.sessionmaker() as session:
        unit = (await session.execute(select(Unit).where(Unit.code == "YANKESGA"))).scalar_one()
        team = (await session.execute(select(Team).where(Team.code == "KESGA-SBBL"))).scalar_one()
        member = (
            await session.execute(select(Employee).where(Employee.nip == SBBL_MEMBER))
        ).scalar_one()
    expected = (await expected_counts(bot.services))["YANKESGA"]
    shown = cells(await page.content(), "data-unit", unit.id)
    for key in ("total", "belum", "draf", "diajukan", "revisi", "disetujui", "ditetapkan"):
        assert int(shown[key]) == expected[key], key
    assert await page.locator("tr[data-unit]").count() == 1  # only the director's unit

    await page.click(f"tr[data-unit='{unit.id}'] a")
    await page.wait_for_url(f"{site}/dasbor/unit/{unit.id}")
    assert await page.locator("#blocked").get_by_text("Menunggu atasan 6 hari kerja").count() == 1
    await page.screenshot(path=str(shots / "3-unit.png"), full_page=True)
    await page.click(f"tr[data-team='{team.id}'] a")
    await page.wait_for_url(f"{site}/dasbor/unit/{unit.id}/tim/{team.id}")
    await page.screenshot(path=str(shots / "4-team.png"), full_page=True)
    await page.click(f"tr[data-person='{member.id}'] a")
    await page.wait_for_url(f"{site}/dasbor/pegawai/{member.id}")
    assert await page.locator("#status").inner_text() == "Diajukan"
    await page.screenshot(path=str(shots / "5-person.png"), full_page=True)

    await page.goto(f"{site}/dasbor/unit/{unit.id}")
    async with page.expect_download() as started:
        await page.click("text=Progres (XLSX)")
    download = await started.value
    saved = shots / download.suggested_filename
    await download.save_as(str(saved))
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet.max_row > 1

    # Another unit's page, typed into the address bar: refused.
    async with bot.services.sessionmaker() as session:
        other = await session.scalar(select(Unit.id).where(Unit.code == "ROOSDM"))
    answer = await page.goto(f"{site}/dasbor/unit/{other}")
    assert answer is not None and answer.status == 403
    assert await page.get_by_text("Tidak berwenang").count() == 1
    await page.screenshot(path=str(shots / "6-other-unit-refused.png"))


async def test_the_mini_app_edits_a_row_and_the_chat_shows_it(
    bot: Harness, site: str, browser: Any, shots: Path, clock: Clock
) -> None:
    skp_id, items = await seed_skp(bot.services, SBBL_MEMBER)
    chat = await bot.onboard(SBBL_MEMBER, 9302)
    data = init_data(9302, int(clock().timestamp()))
    # Telegram opens the Mini App with the signed data in the address's fragment.
    page = await (await browser.new_context(viewport={"width": 400, "height": 800})).new_page()
    await page.goto(f"{site}/app#tgWebAppData={quote(data)}&tgWebAppVersion=8.0")
    await page.wait_for_url(f"{site}/app/skp/{skp_id}")
    await page.screenshot(path=str(shots / "1-table.png"), full_page=True)

    row = page.locator(f"form[data-item='{items[0]}']")
    await row.locator("input[name=bobot]").fill("150")
    # The findings are checked again while typing, before anything is saved: in the summary
    # with the butir named, and next to the row being edited.
    await page.wait_for_selector(f"form[data-item='{items[0]}'][data-checked='1']")
    findings = page.locator("#findings")
    await findings.get_by_text("Butir 1 — Bobot:").wait_for()
    await row.locator("[data-row-check]").get_by_text("Bobot paling besar 100").wait_for()
    assert await findings.get_by_text("Tidak ada temuan").count() == 0
    await page.screenshot(path=str(shots / "2-live-findings.png"), full_page=True)
    # A refused save shows the table again at its own address.
    await row.locator("button").click()
    await page.wait_for_load_state()
    assert page.url == f"{site}/app/skp/{skp_id}"
    assert await page.locator("#findings").get_by_text("Butir 1 — Bobot:").count() == 1
    await page.screenshot(path=str(shots / "3-refused.png"), full_page=True)
    row = page.locator(f"form[data-item='{items[0]}']")
    await row.locator("input[name=bobot]").fill("12,5")
    await row.locator("input[name=target]").fill("95")
    await row.locator("button").click()
    await page.wait_for_url(re.compile(r".*disimpan=1#butir-1$"))
    assert await page.locator("#saved").count() == 1
    await page.screenshot(path=str(shots / "4-saved.png"), full_page=True)

    [saved] = await bot.rows(SkpItem, SkpItem.id == items[0])
    assert (str(saved.target_value.normalize()), str(saved.bobot)) == ("95", "12.50")
    mark = chat.mark()
    await bot.app.bot_data["sender"].drain()
    said = "\n".join(chat.texts_since(mark))
    assert "Butir 1: target 100% → 95%; bobot 20% → 12,5%." in said
    overview = await chat.command("skp")
    assert "— 95% · bobot 12,5%" in overview.text


async def test_forged_init_data_and_another_persons_skp_are_refused(
    bot: Harness, site: str, browser: Any, shots: Path, clock: Clock
) -> None:
    skp_id, _items = await seed_skp(bot.services, SBBL_MEMBER)
    await bot.onboard(SBBL_MEMBER, 9303)
    await bot.onboard(DIREKTUR, 9304)
    forged = init_data(9303, int(clock().timestamp()), token="1:another-bot")
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{site}/app#tgWebAppData={quote(forged)}")
    await page.locator("#shell-failed").wait_for(state="visible")
    await page.screenshot(path=str(shots / "1-forged.png"))
    expired = init_data(9303, int(clock().timestamp()) - 7200)
    await page.goto(f"{site}/app#tgWebAppData={quote(expired)}")
    await page.locator("#shell-failed").wait_for(state="visible")
    refused = await page.goto(f"{site}/app/skp/{skp_id}")
    assert refused is not None and refused.status == 401

    # The director is not this person's penilai (the ketua tim is): their SKP is refused.
    director = init_data(9304, int(clock().timestamp()))
    await page.goto(f"{site}/app?skp={skp_id}#tgWebAppData={quote(director)}")
    await page.wait_for_url(f"{site}/app/skp/{skp_id}")
    assert await page.get_by_text("Tidak berwenang").count() == 1
    await page.screenshot(path=str(shots / "2-other-skp.png"))


async def _fits(page: Any, selector: str) -> bool:
    """Whether the element's content fits its width (no horizontal scrolling)."""
    return bool(
        await page.eval_on_selector(
            selector,
            "e => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right"
            " <= document.documentElement.clientWidth + 1",
        )
    )


async def test_the_key_figures_fit_a_desktop_and_a_phone(
    bot: Harness, site: str, browser: Any, shots: Path, clock: Clock
) -> None:
    await scripted_season(bot)
    clock.advance(days=40)  # both deadlines passed: the lateness is shown
    chat = await bot.onboard(DIREKTUR, 9305)
    async with bot.services.sessionmaker() as session:
        unit = (await session.execute(select(Unit).where(Unit.code == "YANKESGA"))).scalar_one()
        member = (
            await session.execute(select(Employee).where(Employee.nip == SBBL_MEMBER))
        ).scalar_one()
    for width, height in ((1280, 800), (390, 844)):
        token = await login_token(chat)
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await page.goto(f"{site}/login?t={token}")
        await page.click("#masuk")
        await page.wait_for_url(f"{site}/dasbor")
        await page.screenshot(path=str(shots / f"{width}-1-overview.png"), full_page=True)
        row = page.locator(f"tr[data-unit='{unit.id}']")
        if width > 760:
            # the whole table fits: no scrolling sideways to reach the lateness
            assert await _fits(page, "#units")
            assert await row.locator("td[data-col=late_skp]").is_visible()
        else:
            # a card per unit: the lateness and blockers in words, within the screen
            assert await row.get_by_text("penetapan").is_visible()
            assert await row.get_by_text("Menunggu atasan: 1").is_visible()
            assert await _fits(page, "#units")
        await page.goto(f"{site}/dasbor/unit/{unit.id}")
        await page.screenshot(path=str(shots / f"{width}-2-unit.png"), full_page=True)
        assert await _fits(page, "#teams")
        assert await page.locator("#lateness").is_visible()
        await page.goto(f"{site}/dasbor/pegawai/{member.id}")
        await page.screenshot(path=str(shots / f"{width}-3-person.png"), full_page=True)
        assert await _fits(page, "#items")
        for label in ("Target", "Bobot"):
            cell = page.locator(f"#items td[data-label={label}]").first
            box = await cell.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, label
        await context.close()

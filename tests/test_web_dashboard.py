"""The HR dashboard over HTTP (Starlette's ASGI app through httpx): a unit head and an
administrator log in with the bot's one-time link; the numbers after a scripted season match
the rows counted one by one; drill-down and downloads; every route refuses without a session,
with a forged one, and outside the person's units."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.models import (
    AuditLog,
    Employee,
    Team,
    TeamMember,
    Unit,
    WebLogin,
)
from bot.services.demo import DIREKTUR, KARO, KATIM_SBBL, KATIM_SURV
from bot.webapp import auth, queries
from bot.webapp.server import build_web_app
from tests.conftest import Clock, Harness, make_settings
from tests.web_support import (
    ADMIN,
    BASE,
    SBBL_MEMBER,
    SECRET,
    SURV_MEMBER,
    WEB_SETTINGS,
    cells,
    expected_counts,
    login_token,
    mark_unreachable,
    scripted_season,
)

Web = Callable[[], httpx.AsyncClient]


@pytest.fixture
async def services(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    svc = build_services(make_settings(database_url, **WEB_SETTINGS), clock=clock)
    await migrations.upgrade(svc.db)
    yield svc
    await svc.close()


@pytest.fixture
async def web(demo: Services) -> AsyncIterator[Web]:
    """A browser-like client per person (each its own cookie jar)."""
    app = build_web_app(demo)
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def unit_id(services: Services, code: str) -> int:
    async with services.sessionmaker() as session:
        found = await session.scalar(select(Unit.id).where(Unit.code == code))
        assert found is not None
        return found


async def logged_in(bot: Harness, web: Web, nip: str, user_id: int) -> httpx.AsyncClient:
    chat = await bot.onboard(nip, user_id)
    token = await login_token(chat)
    client = web()
    page = await client.get(f"/login?t={token}")
    assert page.status_code == 200 and 'name="t"' in page.text
    answer = await client.post("/login", data={"t": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/dasbor"
    assert "httponly" in answer.headers["set-cookie"].lower()
    assert "samesite=lax" in answer.headers["set-cookie"].lower()
    return client


async def test_a_login_link_works_once_and_only_briefly(
    bot: Harness, web: Web, clock: Clock
) -> None:
    chat = await bot.onboard(DIREKTUR, 9101)
    token = await login_token(chat)
    # Opening the link (as Telegram's link preview does) does not use it up.
    assert (await web().get(f"/login?t={token}")).status_code == 200
    first = web()
    assert (await first.post("/login", data={"t": token})).status_code == 303
    assert (await first.get("/dasbor")).status_code == 200
    # A second use, and a used link in another browser: refused.
    again = await web().post("/login", data={"t": token})
    assert again.status_code == 403 and "sudah dipakai" in again.text
    # Only the hash is stored; an expired link is refused.
    rows = await bot.rows(WebLogin)
    assert rows and all(token not in r.token_hash for r in rows)
    late = await login_token(chat)
    clock.advance(minutes=16)
    assert (await web().post("/login", data={"t": late})).status_code == 403
    assert (await web().post("/login", data={"t": "tebakan"})).status_code == 403
    actions = [a.action for a in await bot.rows(AuditLog)]
    assert actions.count("web.login_link") == 2 and actions.count("web.login") == 1


async def test_only_administrators_and_unit_heads_get_the_button(bot: Harness) -> None:
    member = await bot.onboard(SBBL_MEMBER, 9102)
    menu = await member.command("menu")
    assert not any("Dasbor web" in label for label in menu.labels())
    head = await bot.onboard(DIREKTUR, 9103)
    assert any("Dasbor web" in label for label in (await head.command("menu")).labels())


async def test_the_numbers_match_the_rows_after_a_season(bot: Harness, web: Web) -> None:
    await scripted_season(bot)
    admin = await logged_in(bot, web, ADMIN, 9104)
    await bot.onboard(SURV_MEMBER, 9105)
    await mark_unreachable(bot.services, SURV_MEMBER)
    expected = await expected_counts(bot.services)

    page = await admin.get("/dasbor")
    assert page.status_code == 200
    for code, counts in expected.items():
        shown = cells(page.text, "data-unit", await unit_id(bot.services, code))
        for key in ("total", *queries.BUCKETS, *queries.BLOCKERS):
            assert int(shown[key]) == counts[key], (code, key)
    yankesga = cells(page.text, "data-unit", await unit_id(bot.services, "YANKESGA"))
    assert int(yankesga["diajukan"]) == 1 and int(yankesga["waiting"]) == 1
    assert int(yankesga["reported"]) == 1 and int(yankesga["unreachable"]) == 1
    # The drafting deadline passed 3 days ago in WIB: everyone not yet submitted is late.
    unsubmitted = sum(expected["YANKESGA"][b] for b in ("belum", "draf", "revisi"))
    assert int(yankesga["late_draft"]) == unsubmitted > 0
    assert int(yankesga["late_skp"]) == 0  # the SKP deadline (31 January) is still ahead
    total = sum(c["total"] for c in expected.values())
    done = sum(c["ditetapkan"] for c in expected.values())
    assert f"{done} dari {total} SKP ditetapkan" in page.text


async def test_drill_down_from_unit_to_team_to_person(bot: Harness, web: Web) -> None:
    await scripted_season(bot)
    head = await logged_in(bot, web, DIREKTUR, 9106)
    yankesga = await unit_id(bot.services, "YANKESGA")
    unit = await head.get(f"/dasbor/unit/{yankesga}")
    assert unit.status_code == 200
    # The blockers are named, the wait counted in working days.
    assert "Menunggu atasan 6 hari kerja" in unit.text
    assert "Atasan belum punya RHK" in unit.text
    assert "Data atasan dilaporkan salah" in unit.text
    async with bot.services.sessionmaker() as session:
        sbbl = (await session.execute(select(Team).where(Team.code == "KESGA-SBBL"))).scalar_one()
        member = (
            await session.execute(select(Employee).where(Employee.nip == SBBL_MEMBER))
        ).scalar_one()
    team_row = cells(unit.text, "data-team", sbbl.id)
    # the ketua tim (agreed) counts in her team with its two members
    assert int(team_row["total"]) == 3 and int(team_row["diajukan"]) == 1
    assert int(team_row["disetujui"]) == 1
    team = await head.get(f"/dasbor/unit/{yankesga}/tim/{sbbl.id}")
    assert team.status_code == 200
    assert cells(team.text, "data-person", member.id)["bucket"] == "Diajukan"
    person = await head.get(f"/dasbor/pegawai/{member.id}")
    assert person.status_code == 200 and member.name in person.text
    assert "Hasil kerja" in person.text and "Menunggu atasan 6 hari kerja" in person.text


async def test_downloads_of_the_own_unit(bot: Harness, web: Web) -> None:
    await scripted_season(bot)
    head = await logged_in(bot, web, DIREKTUR, 9107)
    yankesga = await unit_id(bot.services, "YANKESGA")
    progress = await head.get(f"/dasbor/unit/{yankesga}/progres.xlsx")
    assert progress.status_code == 200
    assert "attachment" in progress.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(progress.content)).active
    assert sheet is not None and sheet.max_row > 1
    mpph = await head.get(f"/dasbor/unit/{yankesga}/mpph.xlsx")
    assert mpph.status_code == 200 and mpph.content[:2] == b"PK"
    documents = await head.get(f"/dasbor/unit/{yankesga}/dokumen.zip")
    assert documents.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(documents.content)).namelist()
    assert len(names) == 3 and all(n.endswith(".pdf") for n in names)  # SKPs with items
    # Everyone's progress is for administrators only.
    assert (await head.get("/dasbor/unduh/progres")).status_code == 403


def _dashboard_paths(own: int, other: int, person: int, team: int) -> list[str]:
    return [
        "/dasbor",
        f"/dasbor/unit/{other}",
        f"/dasbor/unit/{other}/tim/{team}",
        f"/dasbor/unit/{other}/tim/lain",
        f"/dasbor/pegawai/{person}",
        "/dasbor/tidak-terjangkau",
        "/dasbor/laporan",
        "/dasbor/unduh/progres",
        f"/dasbor/unit/{other}/progres.xlsx",
        f"/dasbor/unit/{other}/dokumen.zip",
        f"/dasbor/unit/{other}/mpph.xlsx",
        f"/dasbor/unit/{own}",
    ]


async def test_every_route_checks_the_session_and_the_units(
    bot: Harness, web: Web, clock: Clock
) -> None:
    await scripted_season(bot)
    head = await logged_in(bot, web, DIREKTUR, 9108)
    own = await unit_id(bot.services, "YANKESGA")
    other = await unit_id(bot.services, "ROOSDM")
    async with bot.services.sessionmaker() as session:
        stranger = await session.scalar(
            select(Employee.id).where(Employee.unit_id == other).limit(1)
        )
        team = await session.scalar(select(Team.id).where(Team.unit_id == other).limit(1))
        director = await session.scalar(select(Employee.id).where(Employee.nip == DIREKTUR))
    assert stranger is not None and team is not None and director is not None
    paths = _dashboard_paths(own, other, stranger, team)

    anonymous = web()
    for path in paths:
        assert (await anonymous.get(path)).status_code == 401, path
    # A cookie signed with another secret, one for the Mini App, an expired one: no entry.
    now = clock()
    forged = auth.sign_session(b"not-the-secret", auth.DASH, director, now + timedelta(hours=1))
    app_kind = auth.sign_session(SECRET.encode(), auth.APP, director, now + timedelta(hours=1))
    expired = auth.sign_session(SECRET.encode(), auth.DASH, director, now - timedelta(seconds=1))
    for cookie in (forged, app_kind, expired, "dash.1.9999999999.00", "sampah"):
        client = web()
        client.cookies.set(auth.COOKIE, cookie)
        for path in paths:
            assert (await client.get(path)).status_code == 401, (cookie, path)

    # A unit head: their own unit yes; another unit's pages, people and files: refused.
    for path in paths[1:]:
        status = (await head.get(path)).status_code
        if path in ("/dasbor/tidak-terjangkau", "/dasbor/laporan", f"/dasbor/unit/{own}"):
            assert status == 200, path
        else:
            assert status == 403, path
    overview = (await head.get("/dasbor")).text
    assert f'data-unit="{own}"' in overview and f'data-unit="{other}"' not in overview

    # The role is checked on every request: a unit head replaced meanwhile sees nothing.
    async with bot.services.sessionmaker() as session, session.begin():
        unit = await session.get(Unit, own)
        assert unit is not None
        unit.head_id = None
    assert (await head.get(f"/dasbor/unit/{own}")).status_code == 403
    assert (await head.get("/dasbor")).status_code == 403


async def test_an_administrator_sees_every_unit_and_the_lists(bot: Harness, web: Web) -> None:
    await scripted_season(bot)
    await bot.onboard(SURV_MEMBER, 9109)
    await mark_unreachable(bot.services, SURV_MEMBER)
    admin = await logged_in(bot, web, ADMIN, 9110)
    page = (await admin.get("/dasbor")).text
    async with bot.services.sessionmaker() as session:
        units = list((await session.execute(select(Unit.id))).scalars())
    assert all(f'data-unit="{u}"' in page for u in units)
    async with bot.services.sessionmaker() as session:
        name = await session.scalar(select(Employee.name).where(Employee.nip == SURV_MEMBER))
    unreachable = await admin.get("/dasbor/tidak-terjangkau")
    assert unreachable.status_code == 200 and str(name) in unreachable.text
    reports = await admin.get("/dasbor/laporan")
    assert "Atasan saya sudah pindah tugas." in reports.text
    everything = await admin.get("/dasbor/unduh/progres")
    assert everything.status_code == 200 and everything.content[:2] == b"PK"
    # An employee who is neither administrator nor unit head: even a validly signed
    # dashboard cookie (the secret leaked, say) opens nothing.
    async with bot.services.sessionmaker() as session:
        member = await session.scalar(select(Employee.id).where(Employee.nip == SBBL_MEMBER))
    assert member is not None
    forged = web()
    now = bot.services.clock()
    expires = now + timedelta(hours=1)
    async with bot.services.sessionmaker() as session, session.begin():
        login = WebLogin(employee_id=member, token_hash="0" * 64, expires_at=expires, used_at=now)
        session.add(login)
        await session.flush()
        sid = login.id
    cookie = auth.sign_session(SECRET.encode(), auth.DASH, member, expires, sid)
    forged.cookies.set(auth.COOKIE, cookie)
    assert (await forged.get("/dasbor")).status_code == 403


async def test_a_member_cannot_get_a_link_even_by_the_use_case(bot: Harness) -> None:
    from bot.usecases import web_login
    from bot.usecases.base import Refused, Tx

    async with bot.services.sessionmaker() as session, session.begin():
        member = await session.scalar(select(Employee.id).where(Employee.nip == KARO))
        assert member is not None
        # The Karo heads ROOSDM: allowed. A member is not.
        tx = Tx(session, bot.services.clock(), member, "test", bot.services.texts)
        assert await web_login.issue(tx, member, 15)
        plain = await session.scalar(select(Employee.id).where(Employee.nip == SBBL_MEMBER))
        assert plain is not None
        with pytest.raises(Refused):
            await web_login.issue(tx, plain, 15)


async def test_tim_saya_shows_each_members_skp_status(bot: Harness) -> None:
    await scripted_season(bot)
    ketua = await bot.onboard(KATIM_SBBL, 9111)
    await ketua.command("menu")
    team = await ketua.click("Tim saya")
    async with bot.services.sessionmaker() as session:
        member = (
            await session.execute(select(Employee).where(Employee.nip == SBBL_MEMBER))
        ).scalar_one()
    lines = team.text.splitlines()
    at = next(i for i, line in enumerate(lines) if member.name in line)
    assert lines[at + 1].strip() == "SKP: diajukan"
    assert "SKP: belum mulai" in team.text  # the other member has none yet


async def test_the_web_server_refuses_to_start_without_a_session_secret(
    database_url: str,
) -> None:
    from bot.webapp.server import serve

    said: list[str] = []
    settings = make_settings(database_url, web_session_secret="too-short")
    code = await serve(settings, asyncio.Event(), lambda key, **_: said.append(key))
    assert code == 2 and said == ["web_secret_missing"]


async def test_a_team_counts_and_lists_its_ketua_tim(bot: Harness, web: Web) -> None:
    await scripted_season(bot)
    head = await logged_in(bot, web, DIREKTUR, 9112)
    yankesga = await unit_id(bot.services, "YANKESGA")
    async with bot.services.sessionmaker() as session, session.begin():
        sbbl = (await session.execute(select(Team).where(Team.code == "KESGA-SBBL"))).scalar_one()
        surv = (await session.execute(select(Team).where(Team.code == "KESGA-SURV"))).scalar_one()
        people = {
            e.nip: e
            for e in (
                await session.execute(select(Employee).where(Employee.unit_id == yankesga))
            ).scalars()
        }
        # a ketua tim also listed as a member of her own team is still one person
        session.add(TeamMember(team_id=sbbl.id, employee_id=people[KATIM_SBBL].id))
    unit = await head.get(f"/dasbor/unit/{yankesga}")
    rows = {t: cells(unit.text, "data-team", t) for t in (sbbl.id, surv.id, "lain")}
    assert [int(rows[t]["total"]) for t in (sbbl.id, surv.id, "lain")] == [3, 3, 1]
    # the teams and "Tanpa tim" add up to the unit: nobody counted twice
    assert sum(int(r["total"]) for r in rows.values()) == len(people) == 7
    lain = await head.get(f"/dasbor/unit/{yankesga}/tim/lain")
    assert people[DIREKTUR].name in lain.text
    for nip in (KATIM_SBBL, KATIM_SURV):
        assert people[nip].name not in lain.text
    for team, leader in ((sbbl, KATIM_SBBL), (surv, KATIM_SURV)):
        page = await head.get(f"/dasbor/unit/{yankesga}/tim/{team.id}")
        assert f'data-person="{people[leader].id}"' in page.text
        assert page.text.count("<tr data-person=") == 3


async def test_a_unit_head_with_the_pk_holds_nobody_up(bot: Harness, web: Web) -> None:
    director = await bot.onboard(DIREKTUR, 9113)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    head = await logged_in(bot, web, DIREKTUR, 9114)
    yankesga = await unit_id(bot.services, "YANKESGA")
    async with bot.services.sessionmaker() as session:
        people = {
            e.nip: e
            for e in (
                await session.execute(select(Employee).where(Employee.unit_id == yankesga))
            ).scalars()
        }
    unit = await head.get(f"/dasbor/unit/{yankesga}")
    # Her ketua tim (her items exist, from the PK) and she herself (the Dirjen has no SKP,
    # but a unit head's RHK come from the PK) are not held up; the ketua tim's members are.
    assert int(cells(unit.text, "data-team", "lain")["no_plan"]) == 0
    for nip in (DIREKTUR, KATIM_SBBL, KATIM_SURV):
        page = await head.get(f"/dasbor/pegawai/{people[nip].id}")
        assert "Atasan belum punya RHK" not in page.text, nip
    member = await head.get(f"/dasbor/pegawai/{people[SBBL_MEMBER].id}")
    assert "Atasan belum punya RHK" in member.text
    overview = await head.get("/dasbor")
    # the four members of the two teams
    assert int(cells(overview.text, "data-unit", yankesga)["no_plan"]) == 4


async def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(
    bot: Harness, web: Web, clock: Clock
) -> None:
    head = await logged_in(bot, web, DIREKTUR, 9115)
    copied = web()
    copied.cookies.set(auth.COOKIE, head.cookies[auth.COOKIE])
    assert (await copied.get("/dasbor")).status_code == 200
    out = await head.post("/keluar")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (await head.get("/dasbor")).status_code == 401
    assert (await copied.get("/dasbor")).status_code == 401
    assert "web.logout" in [a.action for a in await bot.rows(AuditLog)]
    # A new login opens a new session; the session also ends after WEB_SESSION_HOURS.
    again = await logged_in(bot, web, DIREKTUR, 9116)
    assert (await again.get("/dasbor")).status_code == 200
    clock.advance(hours=8, seconds=1)
    assert (await again.get("/dasbor")).status_code == 401


async def test_wording_lateness_and_file_names_on_the_unit_page(
    bot: Harness, web: Web, clock: Clock
) -> None:
    await scripted_season(bot)
    clock.advance(days=40)  # past the drafting deadline and the SKP deadline (31 January)
    head = await logged_in(bot, web, DIREKTUR, 9117)
    yankesga = await unit_id(bot.services, "YANKESGA")
    page = await head.get(f"/dasbor/unit/{yankesga}")
    text = " ".join(page.text.split())
    assert "padahal batas penetapan (31 Januari 2026) sudah lewat." in text
    assert "melewati batas" not in text
    # each sentence of the lateness stands on its own (no "…2026).7 SKP")
    assert not re.search(r"\)\.\d", text)
    # one term for the unreachable everywhere
    for path in ("/dasbor", f"/dasbor/unit/{yankesga}", "/dasbor/tidak-terjangkau"):
        shown = (await head.get(path)).text
        assert "Tidak dapat dihubungi" in shown and "terjangkau<" not in shown.replace(
            "tidak-terjangkau", ""
        ), path
        assert "Tidak terjangkau" not in shown, path
    mpph = await head.get(f"/dasbor/unit/{yankesga}/mpph.xlsx")
    assert 'filename="MPPH-2026-YANKESGA.xlsx"' in mpph.headers["content-disposition"]


async def test_a_unit_without_skp_documents_says_so(bot: Harness, web: Web) -> None:
    head = await logged_in(bot, web, KARO, 9118)
    roosdm = await unit_id(bot.services, "ROOSDM")
    page = await head.get(f"/dasbor/unit/{roosdm}")
    assert "dokumen.zip" not in page.text
    assert "Belum ada SKP di unit ini untuk diunduh" in page.text
    answer = await head.get(f"/dasbor/unit/{roosdm}/dokumen.zip")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Belum ada SKP di unit ini untuk diunduh" in answer.text

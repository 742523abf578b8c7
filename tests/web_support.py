"""What the web tests share: services with the web settings, a scripted season on the demo
organisation, a login through the bot's one-time link, a Mini App's initData, and the
numbers the dashboard must show computed the slow, obvious way from the rows."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from bot.container import Services
from bot.db.models import (
    DataReport,
    Employee,
    LinkStatus,
    Period,
    Skp,
    SkpItem,
    SkpStatus,
    TelegramLink,
    Unit,
)
from bot.reminders.calendar import working_days_between
from bot.services.demo import DIREKTUR, KATIM_PENKIN, KATIM_SBBL
from tests.conftest import Harness
from tests.document_seeds import employee_id, seed_skp
from tests.telegram_fake import TOKEN, ChatClient

SECRET = "test-session-secret-" + "x" * 24
BASE = "https://dasbor.example"
WEB_SETTINGS = {"web_base_url": BASE, "web_session_secret": SECRET}
LINK = re.compile(r"/login\?t=([A-Za-z0-9_\-]+)")

# Demo people by NIP (bot.services.demo): an SBBL member and a surveilans member.
SBBL_MEMBER = "199003032015032002"
SURV_MEMBER = "199109192016042001"
ADMIN = "199104172015022001"


async def login_token(client: ChatClient) -> str:
    """Press "Dasbor web" in the menu; the token of the link the bot sends."""
    await client.command("menu")
    await client.click("Dasbor web")
    for text in reversed(client.texts_since(0)):
        found = LINK.search(text)
        if found:
            return found.group(1)
    raise AssertionError("no login link was sent")


def init_data(tg_user_id: int, auth_date: int, token: str = TOKEN) -> str:
    """initData as Telegram signs it (computed here from Telegram's documented algorithm, not
    with the server's code): secret = HMAC-SHA256(key "WebAppData", the bot token); hash =
    hex HMAC-SHA256(key secret, the other fields as sorted "key=value" lines)."""
    fields = {
        "auth_date": str(auth_date),
        "query_id": "AAH-uji",
        "user": f'{{"id":{tg_user_id},"first_name":"Uji","language_code":"id"}}',
    }
    check_string = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    signature = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": signature})


async def scripted_season(bot: Harness) -> dict[str, int]:
    """The demo organisation some weeks into the season: SKPs in every state, a leader
    without a plan yet, a report that an atasan is wrong, an unreachable person, and the
    drafting deadline passed. Returns the SKP ids by NIP."""
    services = bot.services
    ids: dict[str, int] = {}
    # The director and the ketua tim of SBBL have their plans; the SBBL member has submitted
    # and waits; the surveilans ketua tim has nothing yet, so their team is held up.
    ids[DIREKTUR], _ = await seed_skp(services, DIREKTUR, status=SkpStatus.SET)
    ids[KATIM_SBBL], _ = await seed_skp(services, KATIM_SBBL, status=SkpStatus.AGREED)
    ids[SBBL_MEMBER], _ = await seed_skp(services, SBBL_MEMBER, status=SkpStatus.SUBMITTED)
    ids[KATIM_PENKIN], _ = await seed_skp(services, KATIM_PENKIN, status=SkpStatus.REVISION)
    ids[SURV_MEMBER], _ = await seed_skp(services, SURV_MEMBER, rows=[])  # an empty draft
    now = services.clock()
    leader = await employee_id(services, KATIM_SBBL)
    reporter = await employee_id(services, SURV_MEMBER)
    async with services.sessionmaker() as session, session.begin():
        submitted = await session.get(Skp, ids[SBBL_MEMBER])
        assert submitted is not None
        submitted.submitted_at = now - timedelta(days=9)
        submitted.penilai_id = leader
        period = (await session.execute(select(Period))).scalar_one()
        period.draft_deadline = (now - timedelta(days=3)).date()
        session.add(
            DataReport(
                employee_id=reporter,
                field="atasan",
                note="Atasan saya sudah pindah tugas.",
                created_at=now,
            )
        )
    return ids


async def mark_unreachable(services: Services, nip: str) -> None:
    async with services.sessionmaker() as session, session.begin():
        link = (
            await session.execute(
                select(TelegramLink)
                .join(Employee, Employee.id == TelegramLink.employee_id)
                .where(Employee.nip == nip, TelegramLink.status == LinkStatus.ACTIVE)
            )
        ).scalar_one()
        link.unreachable_since = services.clock() - timedelta(days=2)


async def expected_counts(services: Services) -> dict[str, Counter[str]]:
    """Per unit code, people by bucket and blocker: every employee looked at one by one
    (the dashboard must get the same with its GROUP BY)."""
    result: dict[str, Counter[str]] = {}
    now = services.clock()
    async with services.sessionmaker() as session:
        all_units = list((await session.execute(select(Unit))).scalars())
        units = {u.id: u.code for u in all_units}
        # A unit head takes their RHK from the PK: "atasan belum punya RHK" is never theirs.
        heads = {u.head_id for u in all_units if u.head_id is not None}
        people = [e for e in (await session.execute(select(Employee))).scalars() if e.active]
        current: dict[int, Skp] = {}
        for skp in (await session.execute(select(Skp))).scalars():
            if skp.status is not SkpStatus.SUPERSEDED:
                current[skp.employee_id] = skp
        with_items = set((await session.execute(select(SkpItem.skp_id))).scalars())
        reports = {
            r.employee_id
            for r in (await session.execute(select(DataReport))).scalars()
            if r.field == "atasan" and r.status.value == "open"
        }
        unreachable = {
            link.employee_id
            for link in (await session.execute(select(TelegramLink))).scalars()
            if link.status is LinkStatus.ACTIVE and link.unreachable_since is not None
        }
        for emp in people:
            counts = result.setdefault(units[emp.unit_id], Counter())
            skp = current.get(emp.id)
            bucket = "belum"
            if skp is not None and (skp.status is not SkpStatus.DRAFT or skp.id in with_items):
                bucket = skp.status.value
            counts[bucket] += 1
            counts["total"] += 1
            if (
                bucket == "diajukan"
                and skp is not None
                and skp.submitted_at is not None
                and working_days_between(skp.submitted_at.date(), now.date()) >= 2
            ):
                counts["waiting"] += 1
            leader_skp = current.get(emp.penilai_id) if emp.penilai_id else None
            leader_ready = leader_skp is not None and leader_skp.id in with_items
            if (
                emp.penilai_id
                and emp.id not in heads
                and bucket in ("belum", "draf", "revisi")
                and not leader_ready
            ):
                counts["no_plan"] += 1
            counts["reported"] += emp.id in reports
            counts["unreachable"] += emp.id in unreachable
    return result


def cells(html: str, row_attr: str, row_id: Any) -> dict[str, str]:
    """The data-col cells of one table row of a dashboard page."""
    row = re.search(rf'<tr {row_attr}="{row_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row {row_attr}={row_id}"
    return dict(re.findall(r'<td data-col="([a-z_]+)">([^<]*)</td>', row.group(1)))

"""Benchmark: simulated people onboarding and navigating the menu through the real PTB
Application and the fake transport, on SQLite and PostgreSQL, next to a reference bot built
the textbook way (PTB ConversationHandler, state in memory) doing the same steps.

Prints: updates/s (closed loop), p50/p99 latency per update in a paced run at --rate
updates/s, SQL statements per update, peak RSS, and our throughput as a ratio to the
reference. It asserts nothing about time.

    .venv/bin/python bench/bench_onboarding.py                  # SQLite, 100 000 employees
    .venv/bin/python bench/bench_onboarding.py --db postgres    # starts a throw-away server
    .venv/bin/python bench/bench_onboarding.py --users 20 --smoke
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
)
from telegram.warnings import PTBUserWarning  # noqa: E402

from bot.container import build_services  # noqa: E402
from bot.db import migrate as migrations  # noqa: E402
from bot.db.models import Employee, Unit  # noqa: E402
from bot.services import invitations, org_import  # noqa: E402
from bot.services.demo import demo_data  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from tests.conftest import make_settings, reset_postgres  # noqa: E402
from tests.telegram_fake import TOKEN, ChatClient, FakeTelegram  # noqa: E402

STEPS_PER_USER = 6  # /start code, Ya ini saya, Profil saya, Kembali, /bantuan, /menu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fill_employees(services: Any, total: int) -> None:
    """Bulk-add filler employees so lookups run against a realistically large table."""
    async with services.sessionmaker() as session, session.begin():
        unit_id = (await session.execute(select(Unit.id).where(Unit.code == "ROOSDM"))).scalar_one()
        existing = len((await session.execute(select(Employee.id))).all())
        now = services.clock()
        chunk: list[dict[str, Any]] = []
        for i in range(existing, total):
            chunk.append(
                {
                    "nip": f"{900000000000000000 + i}",
                    "name": f"Pegawai Uji {i}",
                    "pangkat_golongan": "III/a",
                    "jabatan": "Analis SDM Aparatur Ahli Pertama",
                    "jenis_jabatan": "JF",
                    "jenjang": "Ahli Pertama",
                    "unit_id": unit_id,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(chunk) == 5000:
                await session.execute(insert(Employee), chunk)
                chunk = []
        if chunk:
            await session.execute(insert(Employee), chunk)


async def invite_codes(services: Any, count: int) -> list[str]:
    async with services.sessionmaker() as session, session.begin():
        people = list(
            (
                await session.execute(
                    select(Employee)
                    .where(Employee.nip.like("9%"))
                    .order_by(Employee.id)
                    .limit(count)
                )
            ).scalars()
        )
        issued = await invitations.issue(session, people, services.clock(), 14, "bench")
    return [i.code for i in issued]


class Script:
    """The same six steps, for our bot and the reference bot."""

    def __init__(self, client: ChatClient, code: str, labels: tuple[str, str, str]) -> None:
        self.client, self.code, self.labels = client, code, labels

    def updates(self) -> list[Callable[[], Update]]:
        c = self.client
        yes, profile, back = self.labels
        return [
            lambda: c.message_update(f"/start {self.code}"),
            lambda: c.callback_update(c.find_button(yes)[1]),
            lambda: c.callback_update(c.find_button(profile)[1]),
            lambda: c.callback_update(c.find_button(back)[1]),
            lambda: c.message_update("/bantuan"),
            lambda: c.message_update("/menu"),
        ]


async def drive(app: Any, scripts: list[Script], rate: float | None) -> list[float]:
    """Run every script's steps, users interleaved; return per-update latencies (s). With a
    rate, updates are offered on a fixed schedule and latency counts any queueing."""
    queue: list[Callable[[], Update]] = []
    steps = [s.updates() for s in scripts]
    for i in range(STEPS_PER_USER):
        queue.extend(s[i] for s in steps)
    latencies = []
    start = time.perf_counter()
    for n, make in enumerate(queue):
        due = start + n / rate if rate else time.perf_counter()
        now = time.perf_counter()
        if rate and now < due:
            await asyncio.sleep(due - now)
        await app.process_update(make())
        latencies.append(time.perf_counter() - (due if rate else now))
    return latencies


# -- the reference: a textbook ConversationHandler bot, state in memory ----------------------

CONFIRM, MENU, PROFILE = range(3)
# The textbook bot keeps PTB's default per_message=False, which PTB warns about.
warnings.filterwarnings("ignore", category=PTBUserWarning)


def reference_app(transport: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    async def start(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> int:
        kb = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("✅ Ya, ini saya", callback_data="yes")],
                [InlineKeyboardButton("✏️ Data saya salah", callback_data="wrong")],
            ]
        )
        await update.effective_message.reply_text("Data Anda: <b>Nama</b>", reply_markup=kb)  # type: ignore[union-attr]
        return CONFIRM

    def menu_kb() -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton("👤 Profil saya", callback_data="profile")]]
        )

    async def confirm(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> int:
        q = update.callback_query
        assert q is not None
        await q.answer()
        await q.edit_message_reply_markup(None)
        await q.message.reply_text("Menu utama", reply_markup=menu_kb())  # type: ignore[union-attr]
        return MENU

    async def profile(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> int:
        q = update.callback_query
        assert q is not None
        await q.answer()
        await q.edit_message_reply_markup(None)
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("⬅️ Kembali", callback_data="back")]])
        await q.message.reply_text("Profil", reply_markup=kb)  # type: ignore[union-attr]
        return PROFILE

    async def back(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        return await confirm(update, ctx)

    async def help_(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("Bantuan", reply_markup=menu_kb())  # type: ignore[union-attr]

    async def menu(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> int:
        await update.effective_message.reply_text("Menu utama", reply_markup=menu_kb())  # type: ignore[union-attr]
        return MENU

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url("https://api.telegram.invalid/bot")
        .request(transport)
        .get_updates_request(transport)
        .job_queue(None)  # type: ignore[arg-type]
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    app.add_handler(CommandHandler("bantuan", help_))
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={
                CONFIRM: [CallbackQueryHandler(confirm, pattern="^yes$")],
                MENU: [CallbackQueryHandler(profile, pattern="^profile$")],
                PROFILE: [CallbackQueryHandler(back, pattern="^back$")],
            },
            fallbacks=[CommandHandler("menu", menu)],
        )
    )
    return app


async def run_reference(users: int) -> float:
    transport = FakeTelegram()
    app = reference_app(transport)
    await app.initialize()
    scripts = [
        Script(
            ChatClient(app, transport, 10_000_000 + i), "abc", ("Ya, ini saya", "Profil", "Kembali")
        )
        for i in range(users)
    ]
    started = time.perf_counter()
    await drive(app, scripts, None)
    elapsed = time.perf_counter() - started
    await app.shutdown()
    return users * STEPS_PER_USER / elapsed


async def run_ours(url: str, users: int, employees: int, rate: float) -> dict[str, float]:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), services.clock(), "bench")
    await fill_employees(services, employees)
    codes = await invite_codes(services, users * 2)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(services.db.sync_engine, "before_cursor_execute", count)
    transport = FakeTelegram()
    app = build_application(services, request=transport, rate_limit=False, job_queue=False)
    await app.initialize()
    labels = ("Ya, ini saya", "Profil saya", "Kembali")
    closed = [
        Script(ChatClient(app, transport, 20_000_000 + i), codes[i], labels) for i in range(users)
    ]
    statements = 0
    started = time.perf_counter()
    lat_closed = await drive(app, closed, None)
    elapsed = time.perf_counter() - started
    per_update_sql = statements / len(lat_closed)
    paced = [
        Script(ChatClient(app, transport, 30_000_000 + i), codes[users + i], labels)
        for i in range(users)
    ]
    lat_paced = await drive(app, paced, rate)
    await app.shutdown()
    await services.close()
    return {
        "updates_per_s": len(lat_closed) / elapsed,
        "closed_p50_ms": statistics.median(lat_closed) * 1000,
        "closed_p99_ms": percentile(lat_closed, 0.99) * 1000,
        "paced_p50_ms": statistics.median(lat_paced) * 1000,
        "paced_p99_ms": percentile(lat_paced, 0.99) * 1000,
        "sql_per_update": per_update_sql,
        "updates": len(lat_closed) + len(lat_paced),
    }


def start_postgres() -> tuple[str, Callable[[], None]]:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url, lambda: None
    folder = tempfile.mkdtemp(prefix="dk-bench-pg-")
    url = subprocess.check_output(
        [str(ROOT / "scripts/pg-test-server"), "start", folder, "54339"], text=True
    ).strip()
    return url, lambda: subprocess.run(
        [str(ROOT / "scripts/pg-test-server"), "stop", folder], check=False
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument(
        "--rate", type=float, default=100.0, help="updates/s offered in the paced run"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI: SQLite, 2 000 employees"
    )
    args = parser.parse_args()
    if args.smoke:
        args.db, args.employees = "sqlite", 2_000
    reference = await run_reference(args.users)
    print(f"reference (ConversationHandler, in memory): {reference:,.0f} updates/s")
    targets: list[tuple[str, Callable[[], Awaitable[tuple[str, Callable[[], None]]]]]] = []
    tmp = tempfile.mkdtemp(prefix="dk-bench-")
    if args.db in ("sqlite", "both"):

        async def sqlite() -> tuple[str, Callable[[], None]]:
            return f"sqlite+aiosqlite:///{tmp}/bench.db", lambda: None

        targets.append(("sqlite", sqlite))
    if args.db in ("postgres", "both"):

        async def postgres() -> tuple[str, Callable[[], None]]:
            return start_postgres()

        targets.append(("postgresql", postgres))
    for name, make in targets:
        url, stop = await make()
        try:
            r = await run_ours(url, args.users, args.employees, args.rate)
        finally:
            stop()
        print(
            f"{name}: {args.employees:,} employees, {r['updates']:,.0f} updates | "
            f"{r['updates_per_s']:,.0f} updates/s "
            f"(ratio to reference {r['updates_per_s'] / reference:.2f}) | "
            f"closed loop p50 {r['closed_p50_ms']:.1f} ms p99 {r['closed_p99_ms']:.1f} ms | "
            f"at {args.rate:.0f} updates/s "
            f"p50 {r['paced_p50_ms']:.1f} ms p99 {r['paced_p99_ms']:.1f} ms | "
            f"{r['sql_per_update']:.1f} SQL statements/update"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

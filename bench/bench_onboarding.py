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
import warnings
from collections.abc import Callable
from typing import Any

from common import (
    StatementCounter,
    database,
    drive,
    fill_employees,
    filler_people,
    peak_rss_mb,
)
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
)
from telegram.warnings import PTBUserWarning

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import invitations, org_import
from bot.services.demo import demo_data
from bot.telegram.app import build_application, tune_gc
from tests.conftest import make_settings, reset_postgres
from tests.telegram_fake import TOKEN, ChatClient, FakeTelegram

STEPS_PER_USER = 6  # /start code, Ya ini saya, Profil saya, Kembali, /bantuan, /menu


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
    labels = ("Ya, ini saya", "Profil", "Kembali")
    people = [
        Script(ChatClient(app, transport, 10_000_000 + i), "abc", labels).updates()
        for i in range(users)
    ]
    result = await drive(app, people)
    await app.shutdown()
    return result.updates_per_s


async def run_ours(url: str, users: int, employees: int, rate: float) -> dict[str, float]:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url))
    await migrations.upgrade(services.db)
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), services.clock(), "bench")
    await fill_employees(services, employees)
    people = await filler_people(services, users * 2)
    async with services.sessionmaker() as session, session.begin():
        issued = await invitations.issue(session, people, services.clock(), 14, "bench")
    codes = [i.code for i in issued]
    counter = StatementCounter(services.db)
    transport = FakeTelegram()
    app = build_application(services, request=transport, rate_limit=False, job_queue=False)
    await app.initialize()
    tune_gc()  # as the running bot does after start-up
    labels = ("Ya, ini saya", "Profil saya", "Kembali")
    closed_people = [
        Script(ChatClient(app, transport, 20_000_000 + i), codes[i], labels).updates()
        for i in range(users)
    ]
    closed = await drive(app, closed_people)
    statements = counter.count / len(closed.latencies)
    paced_people = [
        Script(ChatClient(app, transport, 30_000_000 + i), codes[users + i], labels).updates()
        for i in range(users)
    ]
    paced = await drive(app, paced_people, rate)
    await app.shutdown()
    await services.close()
    return {
        "updates_per_s": closed.updates_per_s,
        "closed_p50_ms": closed.p50_ms,
        "closed_p99_ms": closed.p99_ms,
        "paced_p50_ms": paced.p50_ms,
        "paced_p99_ms": paced.p99_ms,
        "sql_per_update": statements,
        "updates": len(closed.latencies) + len(paced.latencies),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s in the paced run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny run for CI: SQLite, 2 000 employees"
    )
    args = parser.parse_args()
    if args.smoke:
        args.db, args.employees = "sqlite", 2_000
    reference = await run_reference(args.users)
    print(f"reference (ConversationHandler, in memory): {reference:,.0f} updates/s")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        with database(kind) as url:
            r = await run_ours(url, args.users, args.employees, args.rate)
        print(
            f"{kind}: {args.employees:,} employees, {r['updates']:,.0f} updates | "
            f"{r['updates_per_s']:,.0f} updates/s "
            f"(ratio to reference {r['updates_per_s'] / reference:.2f}) | "
            f"closed loop p50 {r['closed_p50_ms']:.1f} ms p99 {r['closed_p99_ms']:.1f} ms | "
            f"at {args.rate:.0f} updates/s (peak, staggered) "
            f"p50 {r['paced_p50_ms']:.1f} ms p99 {r['paced_p99_ms']:.1f} ms | "
            f"{r['sql_per_update']:.1f} SQL statements/update"
        )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

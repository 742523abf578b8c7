"""Benchmark: simulated employees each drafting the deck's SBBL SKP (8 items through the
wizard, the mandatory IKI in one tap, then submitting: about 70 updates each) through the real
Application and the fake transport, on SQLite and PostgreSQL, next to a reference bot built
the textbook way (PTB ConversationHandler, draft in memory, nothing committed) taking the same
steps.

Prints updates/s (closed loop: everyone at once, each as fast as the bot answers), p50/p99
latency in a paced run at --rate updates/s, SQL statements per update, peak RSS, and our
throughput as a ratio to the reference. It asserts nothing about time.

    .venv/bin/python bench/bench_drafting.py                 # both databases, 100 users
    .venv/bin/python bench/bench_drafting.py --db postgres --users 200
    .venv/bin/python bench/bench_drafting.py --smoke
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from common import (
    StatementCounter,
    StepFn,
    database,
    drive,
    fill_employees,
    filler_people,
    peak_rss_mb,
)
from sqlalchemy import insert, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.container import build_services
from bot.db import migrate as migrations
from bot.db.models import Employee, LinkStatus, TelegramLink
from bot.domain.policy import Aspek, default_policy
from bot.domain.skp_rules import parse_target, parse_weight
from bot.services import org_import
from bot.services import skp as store
from bot.services.demo import DIREKTUR, demo_data
from bot.telegram.app import build_application, tune_gc
from tests.conftest import make_settings, reset_postgres
from tests.skp_examples import LEADER_IKI, LEADER_RHK, SBBL_KATIM
from tests.telegram_fake import TOKEN, ChatClient, FakeTelegram

ASPEK_LABEL = {"kuantitas": "Kuantitas", "kualitas": "Kualitas", "waktu": "Waktu", "biaya": "Biaya"}
LINK = {"CL": "RHK 1", "TUSI": "TUSI", "BYD": "BYD"}


def script(c: ChatClient) -> list[StepFn]:
    """The steps of one employee drafting and submitting the SBBL list."""

    def text(t: str) -> StepFn:
        return lambda: c.message_update(t)

    def click(label: str) -> StepFn:
        return lambda: c.callback_update(c.find_button(label)[1])

    steps = [text("/skp")]
    for jenis, rhk, aspek, iki, target, satuan, bobot in SBBL_KATIM:
        if jenis == "MI":
            continue
        steps += [click("Tambah hasil kerja"), click(LINK[jenis]), text(rhk)]
        steps += [click(ASPEK_LABEL[aspek]), text(iki), text(target)]
        if not any(ch.isalpha() or ch == "%" for ch in target):
            steps.append(click(satuan))
        steps += [text(bobot), click("Simpan")]
    steps += [click("IKI wajib"), click("Ajukan ke atasan"), click("Ya, ajukan")]
    return steps


# -- the reference: the same wizard, textbook ConversationHandler, draft in memory ------------

(OVERVIEW, LINK_S, RHK, ASPEK_S, IKI, TARGET, SATUAN, BOBOT, CARD, REVIEW) = range(10)
warnings.filterwarnings("ignore", category=PTBUserWarning)


def reference_app(transport: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    policy = default_policy()

    def kb(*labels: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(x, callback_data=x[:30])] for x in labels]
        )

    async def answer(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
            await update.callback_query.edit_message_reply_markup(None)
        await update.effective_message.reply_text(text, reply_markup=markup)  # type: ignore[union-attr]

    async def overview(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        items = ctx.user_data.setdefault("items", [])  # type: ignore[union-attr]
        buttons = ["➕ Tambah hasil kerja", "➕ IKI wajib: IPASN", "📨 Ajukan ke atasan"]
        await answer(update, f"SKP: {len(items)} butir", kb(*buttons))
        return OVERVIEW

    async def add(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        ctx.user_data["draft"] = {}  # type: ignore[index]
        await answer(update, "Langkah 1/7", kb("RHK 1", "TUSI", "MI", "BYD"))
        return LINK_S

    async def mandatory(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        ctx.user_data["items"].append(policy.mandatory[0].model_dump())  # type: ignore[index]
        return await overview(update, ctx)

    def store_then(field: str, prompt: str, markup: Any, state: int) -> Any:
        async def handler(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
            q = update.callback_query
            value = q.data if q is not None else update.effective_message.text  # type: ignore[union-attr]
            ctx.user_data["draft"][field] = value  # type: ignore[index]
            await answer(update, prompt, markup)
            return state

        return handler

    async def target(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        parsed = parse_target(update.effective_message.text, policy)  # type: ignore[union-attr]
        if isinstance(parsed, str):
            await answer(update, "Target?", None)
            return TARGET
        ctx.user_data["draft"]["target"] = parsed.value  # type: ignore[index]
        if parsed.satuan:
            await answer(update, "Langkah 7/7", None)
            return BOBOT
        await answer(update, "Langkah 6/7", kb(*policy.satuan))
        return SATUAN

    async def bobot(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        weight = parse_weight(update.effective_message.text)  # type: ignore[union-attr]
        ctx.user_data["draft"]["bobot"] = weight  # type: ignore[index]
        await answer(update, "Ringkasan", kb("💾 Simpan", "✏️ Ubah isian"))
        return CARD

    async def save(update: Update, ctx: ContextTypes.DEFAULT_TYPE) -> int:
        ctx.user_data["items"].append(ctx.user_data.pop("draft"))  # type: ignore[union-attr]
        return await overview(update, ctx)

    async def review(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> int:
        await answer(update, "Ajukan?", kb("📨 Ya, ajukan"))
        return REVIEW

    async def submit(update: Update, _ctx: ContextTypes.DEFAULT_TYPE) -> int:
        await answer(update, "Diajukan", None)
        return ConversationHandler.END

    texts = filters.TEXT & ~filters.COMMAND
    aspek_kb = kb(*ASPEK_LABEL.values())
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
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("skp", overview)],
            states={
                OVERVIEW: [
                    CallbackQueryHandler(add, pattern=".*Tambah"),
                    CallbackQueryHandler(mandatory, pattern=".*IKI wajib"),
                    CallbackQueryHandler(review, pattern=".*Ajukan"),
                ],
                LINK_S: [CallbackQueryHandler(store_then("link", "Langkah 2/7", None, RHK))],
                RHK: [MessageHandler(texts, store_then("rhk", "Langkah 3/7", aspek_kb, ASPEK_S))],
                ASPEK_S: [CallbackQueryHandler(store_then("aspek", "Langkah 4/7", None, IKI))],
                IKI: [MessageHandler(texts, store_then("iki", "Langkah 5/7", None, TARGET))],
                TARGET: [MessageHandler(texts, target)],
                # the type came with step 1 (the leader's RHK: CL): the weight is next
                SATUAN: [CallbackQueryHandler(store_then("satuan", "Langkah 7/7", None, BOBOT))],
                BOBOT: [MessageHandler(texts, bobot)],
                CARD: [CallbackQueryHandler(save, pattern=".*Simpan")],
                REVIEW: [CallbackQueryHandler(submit, pattern=".*Ya, ajukan")],
            },
            fallbacks=[CommandHandler("skp", overview)],
        )
    )
    return app


async def run_reference(users: int) -> float:
    transport = FakeTelegram()
    app = reference_app(transport)
    await app.initialize()
    people = [script(ChatClient(app, transport, 10_000_000 + i)) for i in range(users)]
    result = await drive(app, people)
    await app.shutdown()
    return result.updates_per_s


# -- ours -------------------------------------------------------------------------------------


async def prepare(services: Any, users: int, employees: int) -> list[int]:
    """The demo organisation, filler employees reporting to the director, her one-item SKP
    (the RHK they intervene), and Telegram links for the simulated employees."""
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), services.clock(), "bench")
    await fill_employees(services, employees, penilai_nip=DIREKTUR)
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        director = await session.scalar(select(Employee).where(Employee.nip == DIREKTUR))
        assert director is not None
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = await store.open_skp(session, director.id, period, now, default_policy())
        fields = store.ItemFields(
            jenis="TUSI",
            rhk=LEADER_RHK,
            aspek=Aspek.KUALITAS,
            iki=LEADER_IKI,
            target=Decimal(70),
            satuan="%",
            bobot=Decimal(100),
        )
        await store.add_item(session, skp, fields, now)
    people = await filler_people(services, users)
    tg_ids = [40_000_000 + i for i in range(users)]
    async with services.sessionmaker() as session, session.begin():
        await session.execute(
            insert(TelegramLink),
            [
                {
                    "employee_id": p.id,
                    "tg_user_id": tg,
                    "chat_id": tg,
                    "status": LinkStatus.ACTIVE,
                    "created_at": now,
                    "confirmed_at": now,
                }
                for p, tg in zip(people, tg_ids, strict=True)
            ],
        )
    return tg_ids


def _clock() -> datetime:
    # January 2026: the drafting season of the demo period.
    return datetime(2026, 1, 12, 2, tzinfo=UTC)


async def _closed_loop_share(
    url: str, tg_ids: list[int], start_at: float, index: int
) -> tuple[int, float]:
    """One process's share of the closed loop (as one webhook worker would take): its own
    engine and Application on the shared database, started at the same moment as the others.
    Its update ids are its own (Telegram's are unique; the inbox drops a repeated one)."""
    ChatClient._update_ids = itertools.count(1 + index * 10_000_000)
    services = build_services(make_settings(url), clock=_clock)
    transport = FakeTelegram()
    app = build_application(services, request=transport, rate_limit=False, job_queue=False)
    await app.initialize()
    tune_gc()
    people = [script(ChatClient(app, transport, tg)) for tg in tg_ids]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    run = await drive(app, people)
    await app.shutdown()
    await services.close()
    return len(run.latencies), run.elapsed


def _share_in_process(
    url: str, tg_ids: list[int], start_at: float, index: int
) -> tuple[int, float]:
    return asyncio.run(_closed_loop_share(url, tg_ids, start_at, index))


async def run_processes(url: str, users: int, employees: int, processes: int) -> float:
    """The closed loop split over `processes` processes on one PostgreSQL database: updates/s
    of them all together (every update committed, as with one)."""
    await reset_postgres(url)
    services = build_services(make_settings(url), clock=_clock)
    await migrations.upgrade(services.db)
    tg_ids = await prepare(services, users, employees)
    await services.close()
    shares = [tg_ids[k::processes] for k in range(processes)]
    start_at = time.time() + 5.0  # each process builds its Application meanwhile
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        done = await asyncio.gather(
            *(
                asyncio.wrap_future(pool.submit(_share_in_process, url, share, start_at, k))
                for k, share in enumerate(shares)
            )
        )
    return sum(n for n, _ in done) / max(elapsed for _, elapsed in done)


async def run_ours(url: str, users: int, employees: int, rate: float) -> dict[str, float]:
    if url.startswith("postgresql"):
        await reset_postgres(url)
    services = build_services(make_settings(url), clock=_clock)
    await migrations.upgrade(services.db)
    tg_ids = await prepare(services, users * 3, employees)
    counter = StatementCounter(services.db)
    transport = FakeTelegram()
    app = build_application(services, request=transport, rate_limit=False, job_queue=False)
    await app.initialize()
    tune_gc()  # as the running bot does after start-up
    closed_people = [script(ChatClient(app, transport, tg)) for tg in tg_ids[:users]]
    closed = await drive(app, closed_people)
    statements = counter.count / len(closed.latencies)
    paced_people = [script(ChatClient(app, transport, tg)) for tg in tg_ids[users : 2 * users]]
    paced = await drive(app, paced_people, rate)
    lockstep_people = [script(ChatClient(app, transport, tg)) for tg in tg_ids[2 * users :]]
    lockstep = await drive(app, lockstep_people, rate, stagger=False)
    submitted = transport.count("sendMessage")
    await app.shutdown()
    await services.close()
    return {
        "updates": len(closed.latencies) + len(paced.latencies) + len(lockstep.latencies),
        "updates_per_s": closed.updates_per_s,
        "closed_p50_ms": closed.p50_ms,
        "closed_p99_ms": closed.p99_ms,
        "paced_p50_ms": paced.p50_ms,
        "paced_p99_ms": paced.p99_ms,
        "paced_achieved": paced.updates_per_s,
        "lockstep_p99_ms": lockstep.p99_ms,
        "sql_per_update": statements,
        "messages": submitted,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s in the paced run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--smoke", action="store_true", help="tiny CI run: SQLite, 5 users")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="PostgreSQL: also the closed loop split over this many processes (0: not)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.db, args.users, args.employees = "sqlite", 5, 2_000
    reference = await run_reference(args.users)
    print(f"reference (ConversationHandler, in memory): {reference:,.0f} updates/s")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        with database(kind) as url:
            r = await run_ours(url, args.users, args.employees, args.rate)
        print(
            f"{kind}: {args.users} employees drafting, {args.employees:,} in the database, "
            f"{r['updates']:,.0f} updates | {r['updates_per_s']:,.0f} updates/s "
            f"(ratio to reference {r['updates_per_s'] / reference:.2f}) | "
            f"closed loop p50 {r['closed_p50_ms']:.1f} ms p99 {r['closed_p99_ms']:.1f} ms | "
            f"at {args.rate:.0f} updates/s (peak): p50 {r['paced_p50_ms']:.1f} ms "
            f"p99 {r['paced_p99_ms']:.1f} ms; everyone in lockstep p99 "
            f"{r['lockstep_p99_ms']:.1f} ms | {r['sql_per_update']:.1f} SQL statements/update"
        )
        if kind == "postgres" and args.processes > 1:
            with database(kind) as url:
                together = await run_processes(url, args.users, args.employees, args.processes)
            print(
                f"postgres, {args.processes} processes: {together:,.0f} updates/s "
                f"(ratio to reference {together / reference:.2f})"
            )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())

"""Command line: `dialog-kinerja run | migrate | demo | import | invite | chat | admin | outbox`
and more (see README.md)."""

from __future__ import annotations

import asyncio
import csv
import signal
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import logs
from bot.config import MissingTokenError, Settings, get_settings
from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.models import Employee, Period, RoleGrant, RoleName, Unit
from bot.domain.nip import normalise_nip
from bot.services.org_import import Problem
from bot.texts import get_texts, tanggal
from bot.usecases import organisation
from bot.usecases.base import Tx

T = TypeVar("T")

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Dialog Kinerja: SKP assistant for Telegram."
)


def _say(key: str, **values: object) -> None:
    typer.echo(get_texts().console(key, **values))


def _fail(key: str, **values: object) -> None:
    typer.echo(get_texts().console(key, **values), err=True)
    raise typer.Exit(code=1)


async def _with_services(
    body: Callable[[Services], Awaitable[T]], settings: Settings | None = None
) -> T:
    services = build_services(settings or get_settings())
    try:
        await migrations.upgrade(services.db)
        return await body(services)
    finally:
        await services.close()


@app.command()
def migrate(
    down: Annotated[
        str | None, typer.Option(help="Downgrade to this revision (e.g. base).")
    ] = None,
) -> None:
    """Bring the database schema up to date (or down to a revision)."""

    async def body() -> None:
        services = build_services(get_settings())
        try:
            if down:
                await migrations.downgrade(services.db, down)
                _say(
                    "downgraded", revision=await migrations.current_revision(services.db) or "base"
                )
            else:
                await migrations.upgrade(services.db)
                _say("migrated", revision=await migrations.current_revision(services.db))
        finally:
            await services.close()

    asyncio.run(body())


@app.command()
def demo() -> None:
    """Load the demo organisation (idempotent) and list its people."""
    from bot.services import org_import
    from bot.services.demo import YEAR, demo_data

    async def body(services: Services) -> None:
        async with services.sessionmaker() as session, session.begin():
            result = await org_import.apply(session, demo_data(), services.clock(), "demo")
            period = (await session.execute(select(Period).where(Period.year == YEAR))).scalar_one()
            period.draft_deadline = date(YEAR, 2, 8)  # Kemenkes 2026: drafts by 8 February
        _say(
            "demo_loaded",
            employees=result.employees,
            units=result.units,
            teams=result.teams,
            indicators=result.indicators,
        )
        await _print_people(services)

    asyncio.run(_with_services(body))


async def _print_people(services: Services) -> None:
    from bot.engine.context import Actor

    _say("demo_header")
    async with services.sessionmaker() as session:
        employees = (
            await session.execute(select(Employee).order_by(Employee.unit_id, Employee.id))
        ).scalars()
        for employee in employees:
            roles = await Actor(employee, None, session).roles()
            names = sorted(get_texts().console(f"role_{r}") for r in roles)
            _say("demo_row", nip=employee.nip, name=employee.name[:36], roles=", ".join(names))


@app.command(name="import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="An .xlsx workbook, or CSV files named after the sheets "
            "(unit.csv, pegawai.csv, tim.csv, anggota_tim.csv, indikator.csv)",
        ),
    ],
) -> None:
    """Import the organisation. All or nothing: any problem and nothing is written."""
    from bot.services import org_import

    async def body(services: Services) -> int:
        data = org_import.read_files(files)
        try:
            async with services.sessionmaker() as session, session.begin():
                result = await org_import.apply(session, data, services.clock(), "import")
        except org_import.ImportFailed as failed:
            _print_problems(failed.problems)
            return 1
        _say("import_ok", **asdict(result))
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


def _print_problems(problems: list[Problem]) -> None:
    texts = get_texts()
    typer.echo(texts.console("import_failed", count=len(problems)), err=True)
    for p in problems:
        key, _, detail = p.reason.partition(":")
        reason = (
            texts.console(f"reason_{key}", detail=detail)
            if detail
            else texts.console(f"reason_{key}")
        )
        if p.row is None:
            where = f"{p.sheet}" + (f", kolom {p.column}" if p.column else "")
            typer.echo(texts.console("import_problem_file", sheet=where, reason=reason), err=True)
        else:
            typer.echo(
                texts.console(
                    "import_problem", sheet=p.sheet, row=p.row, column=p.column, reason=reason
                ),
                err=True,
            )


@app.command()
def invite(
    nips: Annotated[list[str] | None, typer.Argument(help="NIPs to invite")] = None,
    unit: Annotated[str | None, typer.Option(help="Invite everyone in this unit (kode)")] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write the links to this CSV file")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Validity in days (default 14)")] = None,
) -> None:
    """Create single-use invitation links (a new link revokes the person's earlier one)."""
    from bot.services import invitations

    settings = get_settings()

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session, session.begin():
            employees = await _select_people(session, nips or [], unit)
            if employees is None:
                return 1
            issued = await invitations.issue(
                session, employees, services.clock(), days or settings.invite_validity_days, "cli"
            )
        username = settings.telegram_bot_username or await _bot_username(settings)
        if username is None:
            _say("invite_no_username")

        def link(code: str) -> str:
            return f"https://t.me/{username}?start={code}" if username else code

        expires = tanggal(issued[0].expires_at.astimezone(settings.tz)) if issued else "-"
        if csv_path:
            with csv_path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["nip", "nama", "unit", "tautan", "berlaku_sampai"])
                for item in issued:
                    writer.writerow(
                        [
                            item.employee.nip,
                            item.employee.name,
                            item.employee.unit_id,
                            link(item.code),
                            item.expires_at.isoformat(),
                        ]
                    )
            _say("invite_written", count=len(issued), path=csv_path, expires=expires)
        else:
            for item in issued:
                _say(
                    "invite_row",
                    nip=item.employee.nip,
                    name=item.employee.name[:36],
                    link=link(item.code),
                )
            _say("invite_printed", count=len(issued), expires=expires)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


async def _select_people(
    session: AsyncSession, nips: list[str], unit: str | None
) -> list[Employee] | None:
    employees: list[Employee] = []
    for raw in nips:
        nip = normalise_nip(raw)
        emp = (
            await session.execute(select(Employee).where(Employee.nip == nip))
        ).scalar_one_or_none()
        if emp is None:
            _say("invite_unknown_nip", nip=raw)
            return None
        employees.append(emp)
    if unit:
        found = (await session.execute(select(Unit).where(Unit.code == unit))).scalar_one_or_none()
        if found is None:
            _say("invite_unknown_unit", unit=unit)
            return None
        employees += list(
            (
                await session.execute(
                    select(Employee)
                    .where(Employee.unit_id == found.id, Employee.active.is_(True))
                    .order_by(Employee.name)
                )
            ).scalars()
        )
    if not employees:
        _say("invite_none")
        return None
    return employees


async def _bot_username(settings: Settings) -> str | None:
    """Ask Telegram for the bot's username when a token is set (and the network allows)."""
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot

    try:
        async with Bot(settings.require_token(), base_url=settings.telegram_api_base_url) as bot:
            return bot.username
    except Exception:
        return None


@app.command()
def chat(nip: Annotated[str, typer.Option(help="Whose dialogs to run")]) -> None:
    """Run the dialogs in this terminal, as the employee with this NIP."""
    from bot.terminal import chat as terminal_chat
    from bot.terminal import stdin_line

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session:
            emp = (
                await session.execute(select(Employee).where(Employee.nip == normalise_nip(nip)))
            ).scalar_one_or_none()
        if emp is None:
            _say("chat_unknown_nip", nip=nip)
            return 1
        await terminal_chat(services, emp.id, stdin_line, typer.echo)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@app.command()
def admin(nip: Annotated[str, typer.Argument(help="NIP of the new administrator")]) -> None:
    """Grant the administrator role."""

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session, session.begin():
            emp = (
                await session.execute(select(Employee).where(Employee.nip == normalise_nip(nip)))
            ).scalar_one_or_none()
            if emp is None:
                _say("invite_unknown_nip", nip=nip)
                return 1
            exists = (
                await session.execute(
                    select(RoleGrant).where(
                        RoleGrant.employee_id == emp.id, RoleGrant.role == RoleName.ADMIN
                    )
                )
            ).scalar_one_or_none()
            if exists is None:
                session.add(RoleGrant(employee_id=emp.id, role=RoleName.ADMIN))
        _say("admin_granted", name=emp.name, nip=emp.nip)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


policy_app = typer.Typer(no_args_is_help=True, help="The SKP policy (IKI counts, weights, lint).")
app.add_typer(policy_app, name="policy")


outbox_app = typer.Typer(
    no_args_is_help=True, help="Messages that could not be delivered (the last 30 days)."
)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("failed")
def outbox_failed() -> None:
    """List the messages that failed (newest first): when, to whom, what kind and why; never
    what they said."""
    from bot.usecases import outbox_admin

    async def body(services: Services) -> int:
        texts = services.texts
        async with services.sessionmaker() as session:
            now = services.clock()
            rows = await outbox_admin.failed_messages(session, now, limit=1000)
            total = await outbox_admin.failed_count(session, now)
        if not rows:
            _say("outbox_none", days=outbox_admin.WINDOW.days)
            return 0
        _say("outbox_header")
        for row in rows:
            _say(
                "outbox_row",
                id=row.id,
                at=row.at.astimezone(services.settings.tz).strftime("%Y-%m-%d %H:%M"),
                to=(row.recipient or texts.label("outbox_unlinked_person"))[:28],
                kind=outbox_admin.kind_label(texts, row.kind)[:34],
                reason=outbox_admin.reason_text(texts, row.last_error),
                again="" if row.retryable else "*",
            )
        _say("outbox_total", count=total, shown=len(rows), days=outbox_admin.WINDOW.days)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@outbox_app.command("retry")
def outbox_retry() -> None:
    """Send the failed messages of the last 30 days again (not those whose recipient is still
    unreachable); the running bot sends them."""
    from bot.usecases import outbox_admin

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session, session.begin():
            tx = Tx(session, services.clock(), None, "cli", services.texts)
            done = await outbox_admin.retry_failed(tx)
        _say("outbox_retried", count=done.count, skipped=done.skipped)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


async def _period(session: AsyncSession, year: int) -> Period | None:
    return (await session.execute(select(Period).where(Period.year == year))).scalar_one_or_none()


@policy_app.command("show")
def policy_show(year: Annotated[int, typer.Option(help="Period year")]) -> None:
    """Print the policy in force for a period as JSON (a starting point for another policy)."""
    from bot.db.models import PolicyDoc
    from bot.domain.policy import default_policy_document

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session:
            period = await _period(session, year)
            if period is None:
                _say("period_unknown", year=year)
                return 1
            doc = await session.get(PolicyDoc, period.policy_id) if period.policy_id else None
        typer.echo(doc.document if doc is not None else default_policy_document())
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@policy_app.command("load")
def policy_load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Policy JSON")],
    year: Annotated[int, typer.Option(help="Period year")],
) -> None:
    """Check a policy file and put it in force for a period (replaces the previous one)."""
    from bot.domain.policy import PolicyError
    from bot.services import skp as skp_store

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session, session.begin():
            period = await _period(session, year)
            if period is None:
                _say("period_unknown", year=year)
                return 1
            try:
                policy = await skp_store.load_policy(session, period, file, services.clock())
            except PolicyError as exc:
                _say("policy_invalid", reason=str(exc))
                return 1
        _say("policy_loaded", name=policy.name, year=year)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


async def _period_or_current(session: AsyncSession, year: int | None, today: date) -> Period | None:
    from bot.services.skp import current_period

    return await _period(session, year) if year else await current_period(session, today)


@app.command("dokumen")
def documents(
    out: Annotated[Path, typer.Option(help="A folder, or a .zip file")],
    nip: Annotated[list[str] | None, typer.Option(help="One person (repeatable)")] = None,
    unit: Annotated[str | None, typer.Option(help="Everyone in a unit (its code)")] = None,
    semua: Annotated[bool, typer.Option("--semua", help="Everyone")] = False,
    year: Annotated[int | None, typer.Option(help="Period year (default: current)")] = None,
) -> None:
    """Export SKP documents (PDF, DOCX, e-Kinerja XLSX and CSV) of the latest version."""
    import zipfile

    from bot.db.models import Skp
    from bot.documents.service import FORMATS

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session:
            period = await _period_or_current(session, year, services.clock().date())
            if period is None:
                _say("period_unknown", year=year or "-")
                return 1
            query = select(Skp.id, Skp.number, Employee.nip).join(
                Employee, Employee.id == Skp.employee_id
            )
            query = query.where(Skp.period_id == period.id).order_by(Employee.nip, Skp.number)
            if nip:
                query = query.where(Employee.nip.in_([normalise_nip(n) for n in nip]))
            elif unit:
                unit_row = (
                    await session.execute(select(Unit).where(Unit.code == unit))
                ).scalar_one_or_none()
                if unit_row is None:
                    _say("invite_unknown_unit", unit=unit)
                    return 1
                query = query.where(Employee.unit_id == unit_row.id)
            elif not semua:
                _say("export_scope")
                return 1
            latest = {row[2]: row[0] for row in (await session.execute(query)).all()}
        if not latest:
            _say("export_none")
            return 1
        files = []
        for skp_id in latest.values():
            doc = await services.documents.load(skp_id)
            for fmt in FORMATS:
                files.append(await asyncio.to_thread(services.documents.render, doc, fmt))
        if out.suffix == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                for made in files:
                    archive.writestr(made.name, made.content)
        else:
            out.mkdir(parents=True, exist_ok=True)
            for made in files:
                (out / made.name).write_bytes(made.content)
        _say("export_done", people=len(latest), files=len(files), path=out)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@app.command("progres")
def progress(
    out: Annotated[Path, typer.Option(help="The .xlsx file to write")],
    unit: Annotated[str | None, typer.Option(help="One unit (its code); default all")] = None,
    year: Annotated[int | None, typer.Option(help="Period year (default: current)")] = None,
) -> None:
    """Write the SKP progress report of a unit or of the whole organisation (XLSX)."""

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session:
            period = await _period_or_current(session, year, services.clock().date())
            if period is None:
                _say("period_unknown", year=year or "-")
                return 1
            unit_id = None
            if unit:
                unit_id = await session.scalar(select(Unit.id).where(Unit.code == unit))
                if unit_id is None:
                    _say("invite_unknown_unit", unit=unit)
                    return 1
        made = await services.documents.progress(period.id, unit_id)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(made.content)
        _say("progress_written", path=out)
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@app.command("periode")
def period_deadlines(
    year: Annotated[int, typer.Option(help="Period year")],
    batas_skp: Annotated[str | None, typer.Option(help="SKP set by (YYYY-MM-DD)")] = None,
    batas_draf: Annotated[str | None, typer.Option(help="Drafts due by (YYYY-MM-DD)")] = None,
) -> None:
    """Show or set a period's deadlines (reminders count down to the drafting deadline)."""

    async def body(services: Services) -> int:
        async with services.sessionmaker() as session, session.begin():
            period = await _period(session, year)
            if period is None:
                _say("period_unknown", year=year)
                return 1
            tx = Tx(session, services.clock(), None, "cli", services.texts)
            try:
                for field, raw in (("skp_deadline", batas_skp), ("draft_deadline", batas_draf)):
                    if raw:
                        await organisation.set_deadline(
                            tx, period.id, field, date.fromisoformat(raw)
                        )
            except ValueError:
                _say("period_bad_date")
                return 1
            _say(
                "period_shown",
                year=year,
                skp=tanggal(period.skp_deadline),
                draft=tanggal(period.draft_deadline),
            )
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@app.command("pengingat")
def remind_now() -> None:
    """Plan the reminders due now (the running bot does this every few minutes)."""
    from bot.reminders.planner import Planner, ReminderConfig

    async def body(services: Services) -> int:
        planner = Planner(
            services.sessionmaker, services.texts, ReminderConfig.from_settings(services.settings)
        )
        created = await planner.run(services.clock())
        _say("reminders_planned", count=sum(created.values()))
        return 0

    raise typer.Exit(code=asyncio.run(_with_services(body)))


@app.command()
def run(
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="Serve Telegram's webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, "
            "WEBHOOK_PORT) instead of long polling; several workers may run on one PostgreSQL.",
        ),
    ] = False,
) -> None:
    """Start the bot (long polling, or with --webhook a webhook worker). Migrations are
    applied first. Exits with 3 when the bot already runs in a way that excludes this one
    (one poller per token; a poller and webhook workers exclude each other)."""
    settings = get_settings()
    try:
        token = settings.require_token()
    except MissingTokenError:
        _fail("missing_token")
        return
    secrets = [token]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    logs.configure(
        settings.log_level,
        secrets,
        json_format=settings.log_format == "json",
        worker=settings.worker_name,
    )
    raise typer.Exit(code=asyncio.run(_serve(settings, webhook)))


def _say_to(key: str, err: bool = False, **values: object) -> None:
    typer.echo(get_texts().console(key, **values), err=err)


async def _serve(settings: Settings, webhook: bool = False) -> int:
    from bot.telegram import polling
    from bot.web import server

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serve = server.serve if webhook else polling.serve
    return await serve(settings, stop, _say_to)


@app.command()
def web() -> None:
    """Serve the HR dashboard and the SKP Mini App (WEB_BASE_URL, WEB_SESSION_SECRET,
    WEB_LISTEN, WEB_PORT). Migrations are applied first; several may run side by side."""
    from bot.webapp import server as web_server

    settings = get_settings()
    secrets = [
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.web_session_secret)
        if s
    ]
    logs.configure(
        settings.log_level,
        secrets,
        json_format=settings.log_format == "json",
        worker=settings.worker_name,
    )

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await web_server.serve(settings, stop, _say_to)

    raise typer.Exit(code=asyncio.run(main()))


webhook_app = typer.Typer(
    no_args_is_help=True, help="Telegram's webhook for this bot (set, delete, info)."
)
app.add_typer(webhook_app, name="webhook")


def _webhook_call(body: Callable[[Settings, object], Awaitable[None]]) -> None:
    from telegram import Bot

    settings = get_settings()
    try:
        token = settings.require_token()
    except MissingTokenError:
        _fail("missing_token")
        return

    async def run_it() -> None:
        async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
            await body(settings, bot)

    asyncio.run(run_it())


@webhook_app.command("set")
def webhook_set() -> None:
    """setWebhook with WEBHOOK_URL, WEBHOOK_SECRET and the updates the bot reads (the
    workers also do it at start)."""
    from bot.telegram.polling import ALLOWED_UPDATES
    from bot.web.server import set_webhook

    async def body(settings: Settings, bot: object) -> None:
        if not settings.webhook_url or settings.webhook_secret is None:
            _fail("webhook_settings_missing")
        await set_webhook(bot, settings)  # type: ignore[arg-type]
        _say("webhook_set", url=settings.webhook_url, updates=", ".join(ALLOWED_UPDATES))

    _webhook_call(body)


@webhook_app.command("delete")
def webhook_delete() -> None:
    """deleteWebhook (the updates waiting at Telegram are kept for long polling)."""

    async def body(_settings: Settings, bot: object) -> None:
        await bot.delete_webhook(drop_pending_updates=False)  # type: ignore[attr-defined]
        _say("webhook_deleted")

    _webhook_call(body)


@webhook_app.command("info")
def webhook_info() -> None:
    """What Telegram knows of the webhook: its URL, updates waiting, the last error."""

    async def body(_settings: Settings, bot: object) -> None:
        info = await bot.get_webhook_info()  # type: ignore[attr-defined]
        _say(
            "webhook_info",
            url=info.url or "-",
            pending=info.pending_update_count,
            error=info.last_error_message or "-",
        )

    _webhook_call(body)


def main() -> None:
    try:
        app()
    except MissingTokenError:
        _fail("missing_token")


if __name__ == "__main__":
    main()

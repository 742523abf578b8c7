"""`dialog-kinerja run --webhook`: one worker of several behind one URL.

1. Migrate (one worker at a time), then take this worker's place: on PostgreSQL its life
   lock (bot.web.turns), refusing to start while a long-polling process holds the bot; on
   SQLite the bot's run lock (one process, as with polling).
2. Build the same PTB Application as long polling, with the shared send budget
   (bot.web.budget) as its rate limiter, start its jobs (the outbox sender, reminders planned
   by one worker per slot, housekeeping), take up what dead workers left, and tell Telegram
   the URL (`setWebhook` with the secret and `allowed_updates`, by one worker: a run lock).
3. Serve HTTP (Starlette under uvicorn) until SIGTERM/SIGINT:
   - POST <path of WEBHOOK_URL>: 403 unless `X-Telegram-Bot-Api-Secret-Token` is the
     secret; the update is committed to the inbox, then 200, then processed (bot.web.drain);
     503 when it could not be stored (Telegram sends it again);
   - GET /healthz: 200 or 503 with a JSON report (bot.web.metrics.health);
   - GET /metrics: Prometheus text format.
4. At a stop: no new requests, the steps under way finish, the locks go.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, ContextTypes
from telegram.request import BaseRequest

from bot.config import Settings
from bot.container import Services, build_services
from bot.services.runlock import RENEW_EVERY, RunLockHolder, polling_lock_name
from bot.telegram.app import build_application
from bot.telegram.inbox import InboxStore, sender_of
from bot.telegram.polling import ALLOWED_UPDATES, ALREADY_RUNNING
from bot.web.budget import Metered, SharedBudget
from bot.web.drain import InboxDrain
from bot.web.metrics import CONTENT_TYPE, Metrics, health
from bot.web.turns import LocalTurns, PgTurns, Turns, migrate_once

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram"
LOCK_LOST = 4
BROKEN = 5
# setWebhook is said by the first worker to start within this time.
SET_WEBHOOK_TTL = timedelta(seconds=60)

App = Application[Any, Any, Any, Any, Any, Any]
Say = Callable[..., None]


def webhook_path(settings: Settings) -> str:
    path = urlsplit(settings.webhook_url or "").path.rstrip("/")
    return path or DEFAULT_PATH


def bot_id_of(token: str) -> str:
    return token.split(":", 1)[0]


async def set_webhook(bot: Bot, settings: Settings) -> None:
    """Tell Telegram where to deliver updates, with the secret it must send along."""
    secret = settings.webhook_secret
    await bot.set_webhook(
        url=settings.webhook_url or "",
        secret_token=secret.get_secret_value() if secret else None,
        allowed_updates=ALLOWED_UPDATES,
        max_connections=settings.webhook_max_connections,
        drop_pending_updates=False,
    )


class Refused(Exception):
    """The worker may not start: (console key, values)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Worker:
    """One webhook worker: the Application, its turns, the drain, and the HTTP side."""

    def __init__(
        self,
        services: Services,
        *,
        request: BaseRequest | None = None,
        limiter: BaseRateLimiter[Any] | None = None,
        job_queue: bool = True,
        person_limit: bool | None = None,
        orphan_after: timedelta | None = None,
    ) -> None:
        self.services = services
        self.settings = services.settings
        token = self.settings.require_token()
        self.bot_id = bot_id_of(token)
        self.metrics = Metrics(self.settings.worker_name)
        self._request = request
        self._limiter = limiter
        self._job_queue = job_queue
        self._person_limit = person_limit
        self._orphan_after = orphan_after
        self._secret = (
            self.settings.webhook_secret.get_secret_value().encode()
            if self.settings.webhook_secret is not None
            else b""
        )
        self.postgres = services.db.dialect.name == "postgresql"
        self.lock: RunLockHolder | None = None
        self.turns: Turns | None = None
        self.app: App | None = None
        self.drain: InboxDrain | None = None
        self.budget: SharedBudget | None = None
        self.lost = False
        self._sweeper: asyncio.Task[None] | None = None
        self.asgi = Starlette(
            routes=[
                Route(webhook_path(self.settings), self.webhook, methods=["POST"]),
                Route("/healthz", self.healthz, methods=["GET"]),
                Route("/metrics", self.metrics_page, methods=["GET"]),
            ]
        )

    # -- start and stop -------------------------------------------------------------------
    async def start(self, set_hook: bool = True) -> None:
        services = self.services
        token = self.settings.require_token()
        await migrate_once(services.db)
        polling = RunLockHolder(services.sessionmaker, polling_lock_name(token), services.clock)
        if self.postgres:
            turns: Turns = PgTurns(self.settings.database_url, self.bot_id)
            await turns.start()
            self.turns = turns
            # Long polling and a webhook exclude each other at Telegram: refuse while a
            # poller lives, and give back the leases a dead one left.
            acquired = await polling.acquire()
            if not acquired.ok:
                assert acquired.other is not None
                raise Refused("webhook_polling_runs", holder=_who(acquired.other))
            await polling.release()
        else:
            acquired = await polling.acquire()
            if not acquired.ok:
                assert acquired.other is not None
                raise Refused("webhook_sqlite_one", holder=_who(acquired.other))
            self.lock = polling
            self.turns = LocalTurns(polling.lease_owner)
        assert self.turns is not None
        app = build_application(
            services,
            request=self._request,
            job_queue=self._job_queue,
            person_limit=self._person_limit,
            holder=self.turns.holder,
            rate_limiter=Metered(self._rate_limiter(), self.metrics),
        )
        self.app = app
        app.bot_data["planning_gate"] = self._planning_gate()
        app.add_error_handler(self._count_error)
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        if self.lock is not None and app.job_queue is not None:
            every = RENEW_EVERY.total_seconds()
            app.job_queue.run_repeating(self._heartbeat, interval=every, first=every)
        sender = app.bot_data["sender"]
        released = await sender.release_leases(polling.lease_prefix)
        if released:
            log.info("%d outbox rows earlier processes had leased go now", released)
        if self.budget is not None and app.job_queue is not None:
            app.job_queue.run_repeating(self._prune_budget, interval=600, first=600)
        kwargs = {"orphan_after": self._orphan_after} if self._orphan_after else {}
        self.drain = InboxDrain(
            app,
            self.turns,
            self.metrics,
            self.bot_id,
            max_parallel=max(8, 4 * self.settings.update_concurrency),
            **kwargs,
        )
        await self.drain.sweep(everything=True)
        self._sweeper = asyncio.create_task(self.drain.sweep_forever())
        if set_hook:
            await self.ensure_webhook()

    def _rate_limiter(self) -> BaseRateLimiter[Any]:
        if self._limiter is not None:
            return self._limiter
        settings = self.settings
        if self.postgres:
            self.budget = SharedBudget(
                self.services.db,
                self.bot_id,
                settings.telegram_max_rate,
                settings.telegram_chat_rate,
                settings.telegram_chat_burst,
                settings.paid_broadcast_rate if settings.allow_paid_broadcast else None,
            )
            return self.budget
        return AIORateLimiter(
            overall_max_rate=settings.telegram_max_rate, overall_time_period=1, max_retries=3
        )

    async def ensure_webhook(self) -> bool:
        """setWebhook, by the first worker to start (the others within a minute skip it)."""
        assert self.app is not None
        once = RunLockHolder(
            self.services.sessionmaker,
            f"set-webhook:{self.bot_id}",
            self.services.clock,
            ttl=SET_WEBHOOK_TTL,
        )
        if not (await once.acquire()).ok:
            return False
        await set_webhook(self.app.bot, self.settings)
        log.info("setWebhook: %s", self.settings.webhook_url)
        return True

    async def stop(self) -> None:
        if self.drain is not None:
            await self.drain.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self.app is not None:
            with contextlib.suppress(Exception):
                if self.app.running:
                    await self.app.stop()
            if self.app.post_shutdown is not None:
                with contextlib.suppress(Exception):
                    await self.app.post_shutdown(self.app)
            await self.app.shutdown()
        if self.turns is not None:
            await self.turns.close()
        if self.lock is not None:
            with contextlib.suppress(Exception):
                await self.lock.release()

    def _planning_gate(self) -> Callable[[], Any]:
        """Reminders are planned by one worker per slot: the one holding the planner's row
        for most of the interval (the same worker keeps it while it lives)."""
        minutes = self.settings.planning_interval_minutes
        lock = RunLockHolder(
            self.services.sessionmaker,
            f"planner:{self.bot_id}",
            self.services.clock,
            ttl=timedelta(minutes=minutes) * 0.8,
        )

        async def gate() -> bool:
            return (await lock.acquire()).ok

        return gate

    async def _heartbeat(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self.lock is not None
        try:
            held = await self.lock.renew()
        except Exception as exc:
            log.warning("could not renew the run lock (%s)", type(exc).__name__)
            return
        if not held:
            log.error("another process took the run lock over; this worker stops")
            self.lost = True
            assert self.turns is not None
            self.turns.broken.set()

    async def _prune_budget(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.budget is not None:
            with contextlib.suppress(Exception):
                await self.budget.prune()

    async def _count_error(self, _update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self.metrics.error("step")

    # -- HTTP -----------------------------------------------------------------------------
    async def webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not self._secret or not hmac.compare_digest(given, self._secret):
            self.metrics.webhook("refused")
            return Response(status_code=403)
        try:
            raw = await request.json()
        except ValueError:
            raw = None
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            self.metrics.webhook("invalid")
            return Response(status_code=400)
        assert self.app is not None and self.drain is not None
        inbox: InboxStore = self.app.bot_data["inbox"]
        try:
            await inbox.receive([raw])
        except Exception as exc:
            # Not stored: Telegram is told so and sends it again.
            self.metrics.webhook("unstored")
            log.error("could not store a received update (%s)", type(exc).__name__)
            return Response(status_code=503)
        self.metrics.webhook("stored")
        self.drain.kick(sender_of(raw))
        return Response(status_code=200)

    async def healthz(self, _request: Request) -> Response:
        ok, report = await health(
            self.services.db,
            self.services.sessionmaker,
            self.services.clock(),
            self.settings.health_max_inbox_age,
        )
        report["worker"] = self.metrics.worker
        return JSONResponse(report, status_code=200 if ok else 503)

    async def metrics_page(self, _request: Request) -> Response:
        body = await self.metrics.render(self.services.sessionmaker, self.services.clock())
        return Response(body, media_type=CONTENT_TYPE)


def _who(other: Any) -> str:
    return f"{other.host}, PID {other.pid}"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the CLI's stop event ends it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


async def serve(settings: Settings, stop: asyncio.Event, say: Say) -> int:
    """Run one worker until `stop` is set; the process's exit code."""
    if not settings.webhook_url or settings.webhook_secret is None:
        say("webhook_settings_missing", err=True)
        return 2
    listen = f"{settings.webhook_listen}:{settings.webhook_port}"
    try:
        sock = _bind(settings.webhook_listen, settings.webhook_port)
    except OSError as exc:
        say("webhook_listen_failed", err=True, listen=listen, reason=exc.strerror or exc)
        return 2
    services = build_services(settings)
    worker = Worker(services)
    try:
        try:
            await worker.start()
        except Refused as refused:
            say(refused.key, err=True, **refused.values)
            return ALREADY_RUNNING
        config = uvicorn.Config(
            worker.asgi,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=10,
        )
        server = _Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        assert worker.turns is not None
        say(
            "webhook_running",
            worker=worker.metrics.worker,
            listen=listen,
            url=settings.webhook_url,
            database=settings.database_url.split("@")[-1],
        )
        waits = [
            asyncio.create_task(stop.wait()),
            asyncio.create_task(worker.turns.broken.wait()),
            serving,
        ]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        with contextlib.suppress(Exception):
            await serving
        for task in waits:
            task.cancel()
        broken = worker.turns.broken.is_set()
    finally:
        with contextlib.suppress(Exception):
            await worker.stop()
        await services.close()
        sock.close()
    if worker.lost:
        return LOCK_LOST
    return BROKEN if broken else 0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock

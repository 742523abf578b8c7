"""`dialog-kinerja run`: long polling, by one process per bot token.

1. Migrate, then take the polling lock in the database (bot.services.runlock). Held by a live
   process: say so and exit with ALREADY_RUNNING. Held by a process that died: take it over
   and give back that process's outbox leases, so what it was sending goes now.
2. Note the chats with replies still unsent (they go first, in order), start the jobs (the
   outbox sender every few seconds, reminders, housekeeping, the lock's heartbeat).
3. Put the updates stored but never processed (the last process died) back in the queue,
   oldest first, then start polling; getUpdates goes through the inbox (bot.telegram.inbox).
4. Until SIGINT/SIGTERM, or until another process has taken the lock over (LOCK_LOST).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.container import build_services
from bot.db import migrate as migrations
from bot.services.outbox import OutboxSender
from bot.services.runlock import RENEW_EVERY, RunLockHolder, polling_lock_name
from bot.telegram.app import build_application
from bot.telegram.inbox import InboxStore

log = logging.getLogger(__name__)

ALREADY_RUNNING = 3
LOCK_LOST = 4
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# 409 Conflict is said at most this often (PTB retries getUpdates every few seconds).
CONFLICT_LOG_EVERY = 60.0

Say = Callable[..., None]


class PollingErrors:
    """PTB's polling error callback: one line per problem instead of a traceback every few
    seconds. 409 Conflict means another process polls with this token (one on another
    database: one on this database would hold the lock)."""

    def __init__(self) -> None:
        self._conflict_said = float("-inf")

    def __call__(self, exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            now = time.monotonic()
            if now - self._conflict_said >= CONFLICT_LOG_EVERY:
                self._conflict_said = now
                log.error(
                    "Telegram refuses getUpdates (409 Conflict): another process polls with "
                    "this bot token, against another database. Stop it; retrying meanwhile."
                )
            return
        if isinstance(exc, NetworkError):
            log.warning("getUpdates failed, retrying: %s", exc)
            return
        log.error("getUpdates failed: %s", exc, exc_info=exc)


async def serve(settings: Settings, stop: asyncio.Event, say: Say) -> int:
    """Run until `stop` is set; the process's exit code."""
    services = build_services(settings)
    try:
        await migrations.upgrade(services.db)
        lock = RunLockHolder(
            services.sessionmaker, polling_lock_name(settings.require_token()), services.clock
        )
        acquired = await lock.acquire()
        other = acquired.other
        if not acquired.ok:
            assert other is not None
            tz = settings.tz
            say(
                "already_running",
                err=True,
                holder=f"{other.host}, PID {other.pid}",
                since=f"{other.acquired_at.astimezone(tz):%d-%m-%Y %H:%M:%S}",
                expires=f"{other.expires_at.astimezone(tz):%H:%M:%S}",
            )
            return ALREADY_RUNNING
        try:
            app = build_application(services, holder=lock.lease_owner)
            if other is not None:
                say("lock_taken_over", holder=f"{other.host}, PID {other.pid}")
            lost = await _poll(app, services.settings, lock, stop, say)
        finally:
            with contextlib.suppress(Exception):
                await lock.release()
        return LOCK_LOST if lost else 0
    finally:
        await services.close()


async def recover(
    app: Application[Any, Any, Any, Any, Any, Any], lease_prefix: str | None
) -> list[Update]:
    """Before new updates: what earlier processes left. The outbox leases of earlier holders
    of the polling lock (`lease_prefix`) are given back (they are dead: what they were
    sending goes now), chats with replies still unsent are noted (their replies go first, in
    order), and the updates stored but never processed are returned, oldest first, to be
    processed before anything new."""
    sender: OutboxSender = app.bot_data["sender"]
    inbox: InboxStore = app.bot_data["inbox"]
    if lease_prefix is not None:
        released = await sender.release_leases(lease_prefix)
        if released:
            log.info("%d outbox rows earlier processes had leased go now", released)
    behind = await sender.load_behind()
    if behind:
        log.info("%d chats have replies still unsent; they go first", len(behind))
        # Now, not at the next drain or the person's next message (they may have none).
        for chat_id in sorted(behind):
            await sender.deliver_replies(chat_id, [])
    pending = [Update.de_json(payload, app.bot) for payload in await inbox.pending()]
    if pending:
        log.info("%d updates received before a stop are processed now", len(pending))
    return pending


async def _poll(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    lock: RunLockHolder,
    stop: asyncio.Event,
    say: Say,
) -> bool:
    """Poll until `stop`; True when the lock was lost to another process."""
    lost = False

    async def heartbeat(_context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal lost
        try:
            held = await lock.renew()
        except Exception as exc:  # the database: the lease runs on, the next beat tries again
            log.warning("could not renew the polling lock (%s)", type(exc).__name__)
            return
        if not held:
            lost = True
            say("lock_lost", err=True)
            stop.set()

    async with app:
        if app.post_init is not None:
            await app.post_init(app)  # only run_polling() calls it by itself
        pending = await recover(app, lock.lease_prefix)
        await app.start()
        if app.job_queue is not None:
            interval = RENEW_EVERY.total_seconds()
            app.job_queue.run_repeating(heartbeat, interval=interval, first=interval)
        for update in pending:
            await app.update_queue.put(update)
        assert app.updater is not None
        await app.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            error_callback=PollingErrors(),
        )
        say("running", database=settings.database_url.split("@")[-1])
        await stop.wait()
        await app.updater.stop()
        await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)  # only run_polling() calls it by itself
    return lost

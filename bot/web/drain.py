"""Processing from the inbox, in order per person, whichever worker received the update.

The webhook stores an update (committed) before it answers Telegram, then calls `kick` for
the update's sender. The drain takes the person's turn (bot.web.turns) and processes their
stored updates oldest first, one at a time, through the same path as long polling (PTB's
`Application.process_update` inside the per-person processor, the engine's step marking the
inbox row processed in the step's own transaction). Then it lets the turn go and looks once
more: an update stored meanwhile by a worker that could not take the turn is its to process
(that worker committed the update before it tried, and tried before this one let go).

A worker that dies leaves updates stored and not processed, and outbox leases. Every
`SWEEP_EVERY` each worker looks for updates older than `orphan_after` that nobody processes
and takes them up (counting the take-up: an update that was taken up `MAX_TAKE_UPS` times
without being processed, because it keeps killing workers, is given up), and gives back the
leases of workers that are gone (their life lock in `pg_locks` is released)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, null, select, update
from telegram import Update
from telegram.ext import Application

from bot.container import Services
from bot.db.models import InboxOutcome, InboxUpdate, Outbox, OutboxStatus
from bot.services.outbox import REPLY_KIND, OutboxSender
from bot.telegram.inbox import MAX_TAKE_UPS
from bot.web.metrics import Metrics
from bot.web.turns import Turns, key_of, worker_prefix

log = logging.getLogger(__name__)

SWEEP_EVERY = 2.0
ORPHAN_AFTER = timedelta(seconds=2)
# Updates read at once for one person.
BATCH = 50

App = Application[Any, Any, Any, Any, Any, Any]


def _person_filter(person: int) -> Any:
    return InboxUpdate.tg_user_id.is_(None) if person == 0 else InboxUpdate.tg_user_id == person


class InboxDrain:
    def __init__(
        self,
        app: App,
        turns: Turns,
        metrics: Metrics,
        bot_id: str,
        *,
        max_parallel: int = 32,
        orphan_after: timedelta = ORPHAN_AFTER,
    ) -> None:
        self.app = app
        self.services: Services = app.bot_data["services"]
        self.sender: OutboxSender = app.bot_data["sender"]
        self.turns = turns
        self.metrics = metrics
        self.prefix = worker_prefix(bot_id)
        self.orphan_after = orphan_after
        # People drained at once by this worker (each holds a turn, not a connection).
        self._parallel = asyncio.Semaphore(max_parallel)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._live: set[int] = set()

    # -- entry points ---------------------------------------------------------------------
    def kick(self, person: int | None, orphaned: bool = False) -> None:
        """Process the person's stored updates (in the background)."""
        if self._closing:
            return
        task = asyncio.create_task(self.run(person or 0, orphaned))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, person: int, orphaned: bool = False) -> None:
        seen: set[int] = set()
        try:
            async with self._parallel:
                while not self._closing:
                    async with self.turns.hold(person) as mine:
                        if not mine:
                            return  # the holder looks again after it lets go
                        await self._process(person, orphaned, seen)
                    orphaned = False
                    if not await self._waiting(person):
                        return
        except Exception as exc:
            self.metrics.error("drain")
            log.error("processing stored updates failed (%s); the sweep retries", exc)

    async def idle(self) -> None:
        """Wait until nothing is being processed (the tests and the benchmark)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace: float = 30.0) -> None:
        """Stop taking updates; let the steps under way finish (up to `grace` seconds)."""
        self._closing = True
        tasks = list(self._tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    # -- one person -----------------------------------------------------------------------
    async def _process(self, person: int, orphaned: bool, seen: set[int]) -> None:
        rows = await self._pending(person)
        if not rows:
            return
        if rows[0][2]:
            # A reply to this chat waits (a failed try, a dead worker's lease): the new
            # replies queue behind it.
            self.sender.behind.add(person)
        if orphaned:
            given_up = await self._take_up(person)
            rows = [row for row in rows if row[0] not in given_up]
        processor = self.app.update_processor
        for update_id, payload, _behind in rows:
            if self._closing:
                return
            if update_id in seen or not payload:
                # Run once already and still open (its step could not even be closed), or
                # nothing to run: closed, not run again and again.
                log.error("update %d could not be processed; closed", update_id)
                with contextlib.suppress(Exception):
                    await self.services.dialog.close_update(update_id, InboxOutcome.FAILED)
                continue
            seen.add(update_id)
            update_ = Update.de_json(payload, self.app.bot)
            started = time.perf_counter()
            await processor.process_update(update_, self.app.process_update(update_))
            self.metrics.update_done(time.perf_counter() - started)

    async def _pending(self, person: int) -> list[tuple[int, dict[str, Any] | None, bool]]:
        behind = (
            exists()
            .where(
                Outbox.chat_id == person,
                Outbox.status == OutboxStatus.PENDING,
                Outbox.kind == REPLY_KIND,
            )
            .label("behind")
        )
        async with self.services.sessionmaker() as session:
            rows = await session.execute(
                select(InboxUpdate.update_id, InboxUpdate.payload, behind)
                .where(_person_filter(person), InboxUpdate.processed_at.is_(None))
                .order_by(InboxUpdate.update_id)
                .limit(BATCH)
            )
            return [(int(r[0]), r[1], bool(r[2])) for r in rows]

    async def _waiting(self, person: int) -> bool:
        async with self.services.sessionmaker() as session:
            found = await session.scalar(
                select(InboxUpdate.update_id)
                .where(_person_filter(person), InboxUpdate.processed_at.is_(None))
                .limit(1)
            )
        return found is not None

    async def _take_up(self, person: int) -> set[int]:
        """Count the take-up of the person's updates left behind; those taken up too often
        are given up (returned)."""
        now = self.services.clock()
        async with (
            self.services.dialog.writing(),
            self.services.sessionmaker() as session,
            session.begin(),
        ):
            counted = await session.execute(
                update(InboxUpdate)
                .where(
                    _person_filter(person),
                    InboxUpdate.processed_at.is_(None),
                    InboxUpdate.received_at <= now - self.orphan_after,
                )
                .values(attempts=InboxUpdate.attempts + 1)
                .returning(InboxUpdate.update_id, InboxUpdate.attempts)
            )
            given_up = {int(uid) for uid, attempts in counted if attempts > MAX_TAKE_UPS}
            if given_up:
                await session.execute(
                    update(InboxUpdate)
                    .where(InboxUpdate.update_id.in_(given_up))
                    .values(processed_at=now, outcome=InboxOutcome.GAVE_UP.value, payload=null())
                )
        for update_id in sorted(given_up):
            log.error(
                "update %d was taken up %d times without being processed; given up",
                update_id,
                MAX_TAKE_UPS,
            )
        return given_up

    # -- what others left -----------------------------------------------------------------
    async def sweep(self, everything: bool = False) -> int:
        """Take up the updates nobody processes (all stored before now with `everything`,
        at start) and give back dead workers' leases; the number of people kicked."""
        now = self.services.clock()
        cutoff = now if everything else now - self.orphan_after
        async with self.services.sessionmaker() as session:
            people = list(
                (
                    await session.execute(
                        select(InboxUpdate.tg_user_id)
                        .where(
                            InboxUpdate.processed_at.is_(None),
                            InboxUpdate.received_at <= cutoff,
                        )
                        .distinct()
                        .limit(500)
                    )
                ).scalars()
            )
        for person in people:
            self.kick(person, orphaned=True)
        if await self.release_dead_leases(everything):
            task = asyncio.create_task(self._send_released())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(people)

    async def _send_released(self) -> None:
        with contextlib.suppress(Exception):
            await self.sender.drain()

    async def release_dead_leases(self, everything: bool = False) -> int:
        """Give back the outbox leases of the workers that are gone: those seen alive before
        and not now, or (`everything`, at start) any whose worker is not alive."""
        live = await self.turns.live_keys()
        if live is None:
            return 0
        if everything:
            async with self.services.sessionmaker() as session:
                holders = (
                    await session.execute(
                        select(Outbox.claimed_by)
                        .where(
                            Outbox.status == OutboxStatus.PENDING,
                            Outbox.claimed_by.startswith(self.prefix, autoescape=True),
                        )
                        .distinct()
                    )
                ).scalars()
                keys = {key_of(h, self.prefix) for h in holders if h}
            gone = {k for k in keys if k is not None} - live
        else:
            gone = self._live - live
        self._live = live
        released = 0
        for key in gone:
            released += await self.sender.release_leases(f"{self.prefix}{key}:")
        if released:
            log.info("%d outbox rows leased by workers that are gone go now", released)
        return released

    async def sweep_forever(self, every: float = SWEEP_EVERY) -> None:
        while not self._closing:
            await asyncio.sleep(every)
            try:
                await self.sweep()
            except Exception as exc:
                self.metrics.error("sweep")
                log.warning("the sweep failed (%s); trying again", type(exc).__name__)

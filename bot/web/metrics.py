"""Prometheus metrics (prometheus-client) and the health report of a worker.

Each worker keeps its own registry and labels every series with `worker` (WORKER_NAME, or
host:pid). prometheus-client's multiprocess mode was not used: it shares files in one
directory between the processes of one host (gunicorn's forks), while these workers are
separate processes, often in separate containers or machines, and a worker killed with
`kill -9` would leave its files behind. Prometheus scrapes each worker on its own address
(the proxy does not pass /metrics on), and sums over `worker` where a total is wanted, e.g.
`sum(rate(dialog_kinerja_updates_total[1m]))`.

The backlog gauges (inbox, outbox, oldest age) are read from the database at each scrape:
they describe the whole deployment and every worker reports the same values (take `max`).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.models import InboxUpdate, Outbox, OutboxStatus

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def default_worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class Metrics:
    def __init__(self, worker: str | None = None) -> None:
        self.worker = worker or default_worker_name()
        self.registry = CollectorRegistry()
        r = self.registry
        w = ["worker"]
        self._updates = Counter(
            "dialog_kinerja_updates",
            "Updates processed (stored ones taken from the inbox and run)",
            w,
            registry=r,
        ).labels(self.worker)
        self._webhook = Counter(
            "dialog_kinerja_webhook_requests",
            "Webhook requests by result (stored, refused: wrong secret, invalid, unstored)",
            [*w, "result"],
            registry=r,
        )
        self._step = Histogram(
            "dialog_kinerja_step_seconds",
            "Time to process one update: its step, commit and replies sent",
            w,
            buckets=STEP_BUCKETS,
            registry=r,
        ).labels(self.worker)
        self._telegram = Counter(
            "dialog_kinerja_telegram_requests",
            "Bot API calls by method and result (ok, 429, error)",
            [*w, "method", "result"],
            registry=r,
        )
        self._sent = Counter(
            "dialog_kinerja_messages_sent",
            "Messages sent or edited (send*, edit*, copy*, forward* calls answered ok)",
            w,
            registry=r,
        ).labels(self.worker)
        self._throttled = Counter(
            "dialog_kinerja_telegram_429",
            "429 Too Many Requests answers from Telegram",
            w,
            registry=r,
        ).labels(self.worker)
        self._errors = Counter(
            "dialog_kinerja_errors",
            "Errors by where they happened (step, drain, sweep)",
            [*w, "where"],
            registry=r,
        )
        gauge = [("inbox_backlog", "Updates stored and not processed yet")]
        gauge += [("inbox_oldest_seconds", "Age of the oldest update not processed yet")]
        gauge += [("outbox_backlog", "Messages due and not sent yet")]
        gauge += [("outbox_oldest_seconds", "Age of the oldest message due and not sent yet")]
        self._gauges = {
            name: Gauge(f"dialog_kinerja_{name}", doc, w, registry=r).labels(self.worker)
            for name, doc in gauge
        }

    # -- events ---------------------------------------------------------------------------
    def update_done(self, seconds: float) -> None:
        self._updates.inc()
        self._step.observe(seconds)

    def webhook(self, result: str) -> None:
        self._webhook.labels(self.worker, result).inc()

    def telegram_call(self, method: str, result: str) -> None:
        self._telegram.labels(self.worker, method, result).inc()
        if result == "429":
            self._throttled.inc()
        elif result == "ok" and method.startswith(("send", "edit", "copy", "forward")):
            self._sent.inc()

    def error(self, where: str) -> None:
        self._errors.labels(self.worker, where).inc()

    # -- exposition -----------------------------------------------------------------------
    async def render(self, sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> bytes:
        try:
            backlog = await read_backlog(sessionmaker, now)
        except Exception as exc:  # the counters are still worth reading
            log.warning("metrics: could not read the backlog (%s)", type(exc).__name__)
        else:
            for name, value in asdict(backlog).items():
                self._gauges[name].set(value)
        return generate_latest(self.registry)


@dataclass(frozen=True, slots=True)
class Backlog:
    inbox_backlog: int
    inbox_oldest_seconds: float
    outbox_backlog: int
    outbox_oldest_seconds: float


async def read_backlog(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> Backlog:
    async with sessionmaker() as session:
        inbox = (
            await session.execute(
                select(func.count(), func.min(InboxUpdate.received_at)).where(
                    InboxUpdate.processed_at.is_(None)
                )
            )
        ).one()
        outbox = (
            await session.execute(
                select(func.count(), func.min(Outbox.send_after)).where(
                    Outbox.status == OutboxStatus.PENDING, Outbox.send_after <= now
                )
            )
        ).one()

    def age(oldest: datetime | None) -> float:
        return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0

    return Backlog(int(inbox[0]), age(inbox[1]), int(outbox[0]), age(outbox[1]))


@functools.cache
def expected_revision() -> str | None:
    """The newest migration the code knows (read once)."""
    from alembic.script import ScriptDirectory

    from bot.db import migrate as migrations

    return ScriptDirectory.from_config(migrations.alembic_config()).get_current_head()


async def health(
    db: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    max_inbox_age: float,
) -> tuple[bool, dict[str, Any]]:
    """(healthy, report): the database answers, its schema is the code's, and no update
    waits longer than `max_inbox_age` seconds. The outbox is reported, not judged: a
    reminder peak legitimately queues for a while behind Telegram's 30 messages a second."""
    from bot.db import migrate as migrations

    report: dict[str, Any] = {"database": "ok"}
    started = time.perf_counter()
    try:
        async with db.connect() as conn:
            await conn.execute(text("SELECT 1"))
        revision = await migrations.current_revision(db)
        backlog = await read_backlog(sessionmaker, now)
    except Exception as exc:
        report["database"] = f"unreachable: {type(exc).__name__}"
        return False, report
    head = expected_revision()
    report["database_ms"] = round((time.perf_counter() - started) * 1000, 1)
    report["migrations"] = {"current": revision, "expected": head}
    report.update(asdict(backlog))
    problems = []
    if revision != head:
        problems.append("migrations not current")
    if backlog.inbox_oldest_seconds > max_inbox_age:
        problems.append(f"an update waits longer than {max_inbox_age:.0f} s")
    report["problems"] = problems
    return not problems, report

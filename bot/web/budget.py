"""One send budget for every worker: Telegram allows a bot about 30 messages a second in all
and about one a second per chat, whichever process sends them.

`SharedBudget` is PTB's rate limiter (`BaseRateLimiter`) for the bot of every worker. Before a
message goes (a send*, edit*, copy* or forward* call), it reserves a moment in the schedule
kept in PostgreSQL, one statement for both the bot's budget and the chat's, and waits for it.
The schedule is a virtual-scheduling token bucket (GCRA): a row per budget holds the time the
next message may start; a reservation moves it on by 1/rate and may start up to `burst`
messages early. The rows live in `run_locks` (name `send:<bot>` and `send:<bot>:<chat>`,
their time in `expires_at`), updated atomically by INSERT ... ON CONFLICT DO UPDATE, so
no new table is needed; the chats' rows are pruned once they are an hour old.

A 429 from Telegram (`retry_after`) pauses everyone: the bot's schedule moves past the pause
and the pause is written in `send:<bot>:pause`, which every reservation reads; a request that
waited for its moment reads it again before it goes. The request is then tried again after
the pause (up to `max_retries`), then the 429 goes to the caller (the outbox retries).

With `allow_paid_broadcast`, a message that would wait longer than `PAID_AFTER` for the free
budget goes at once with Telegram's `allow_paid_broadcast` instead, within a second budget of
`paid_rate` a second (each such message costs Telegram Stars).

Answers to button presses are not messages and are not held back. `Metered` counts every
call for /metrics, around this limiter or PTB's in-process `AIORateLimiter` (SQLite).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.web.metrics import Metrics

log = logging.getLogger(__name__)

METERED = ("send", "edit", "copy", "forward")
# The methods that take allow_paid_broadcast.
PAID_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendAudio",
        "sendVoice",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
# A message that would wait longer than this for the free budget goes paid (when allowed).
PAID_AFTER = 0.5

Callback = Callable[..., Coroutine[Any, Any, Any]]

# One round trip: reserve the bot's moment (unless it is too far off, for the paid path) and
# the chat's, and read the pause. Times are the server's (one clock for every worker).
_BUCKET = """
    INSERT INTO run_locks AS r (name, holder, host, pid, acquired_at, expires_at)
    VALUES (:{k}, '', '', 0, clock_timestamp(), clock_timestamp()
            - make_interval(secs => :{k}_early) + make_interval(secs => :{k}_step))
    ON CONFLICT (name) DO UPDATE
    SET expires_at = GREATEST(r.expires_at, clock_timestamp() - make_interval(secs => :{k}_early))
                     + make_interval(secs => :{k}_step)
    WHERE GREATEST(r.expires_at, clock_timestamp() - make_interval(secs => :{k}_early))
          <= clock_timestamp() + make_interval(secs => :{k}_limit)
    RETURNING r.expires_at - make_interval(secs => :{k}_step) AS start
"""
_RESERVE = f"""
WITH g AS ({_BUCKET.format(k="g")}), c AS ({_BUCKET.format(k="c")})
SELECT EXTRACT(EPOCH FROM ((SELECT start FROM g) - clock_timestamp()))::float8 AS g_wait,
       EXTRACT(EPOCH FROM ((SELECT start FROM c) - clock_timestamp()))::float8 AS c_wait,
       EXTRACT(EPOCH FROM ((SELECT expires_at FROM run_locks WHERE name = :pause)
                           - clock_timestamp()))::float8 AS paused
"""
_RESERVE_GLOBAL = f"""
WITH g AS ({_BUCKET.format(k="g")})
SELECT EXTRACT(EPOCH FROM ((SELECT start FROM g) - clock_timestamp()))::float8 AS g_wait,
       NULL::float8 AS c_wait,
       EXTRACT(EPOCH FROM ((SELECT expires_at FROM run_locks WHERE name = :pause)
                           - clock_timestamp()))::float8 AS paused
"""
_PAUSED = """
SELECT EXTRACT(EPOCH FROM (expires_at - clock_timestamp()))::float8 FROM run_locks
WHERE name = :pause
"""
_PAUSE = """
WITH p AS (
    INSERT INTO run_locks AS r (name, holder, host, pid, acquired_at, expires_at)
    VALUES (:pause, '', '', 0, clock_timestamp(), clock_timestamp() + make_interval(secs => :s))
    ON CONFLICT (name) DO UPDATE
    SET expires_at = GREATEST(r.expires_at, clock_timestamp() + make_interval(secs => :s))
    RETURNING 1
)
UPDATE run_locks
SET expires_at = GREATEST(expires_at, clock_timestamp() + make_interval(secs => :s))
WHERE name = :bot
"""
_PRUNE = """
DELETE FROM run_locks WHERE name LIKE :chats AND expires_at < clock_timestamp() - interval '1 hour'
"""
# A reservation without a limit on how far off its moment may be.
_NO_LIMIT = 1e9


def burst_of(rate: float) -> int:
    """How many messages may go at once within the bot's budget."""
    return max(1, round(rate / 10))


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SharedBudget(BaseRateLimiter[Any]):
    def __init__(
        self,
        engine: AsyncEngine,
        bot_id: str,
        rate: float,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        paid_rate: float | None = None,
        max_retries: int = 3,
    ) -> None:
        self.engine = engine
        self.name = f"send:{bot_id}"
        self.pause_name = f"send:{bot_id}:pause"
        self.paid_name = f"send:{bot_id}:paid"
        self.step = 1.0 / rate
        # A tenth of a second's worth at once: any one second stays within rate + burst.
        self.early = (burst_of(rate) - 1) * self.step
        self.chat_step = 1.0 / chat_rate
        self.chat_early = (chat_burst - 1) * self.chat_step
        self.paid_step = 1.0 / paid_rate if paid_rate else None
        self.max_retries = max_retries
        # The latest pause this worker knows of (monotonic time).
        self._paused_until = 0.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> Any:
        metered = endpoint.startswith(METERED)
        chat = data.get("chat_id") if metered else None
        for attempt in range(self.max_retries + 1):
            if metered and await self._wait_turn(chat, endpoint in PAID_METHODS):
                data["allow_paid_broadcast"] = True
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                await self.pause(seconds)
                if attempt == self.max_retries:
                    raise
                log.warning(
                    "Telegram asked to wait %.0f s (429); every worker waits, then this "
                    "request is tried again",
                    seconds,
                )
                if not metered:
                    await asyncio.sleep(seconds)
        raise AssertionError("unreachable")

    async def _wait_turn(self, chat: Any, paid_ok: bool) -> bool:
        """Wait for this message's moment; True when it goes as a paid broadcast. A pause
        (a 429) met before or while waiting is waited out, and a new moment reserved after
        it: the schedule was moved past the pause, so those held back go spaced as before,
        not all at once when it ends."""
        paid = paid_ok and self.paid_step is not None
        while True:
            g_wait, c_wait, paused = await self._reserve(chat, PAID_AFTER if paid else _NO_LIMIT)
            go_paid = False
            if g_wait is None:  # the free budget is booked too far ahead: paid instead
                g_wait = await self._reserve_paid()
                go_paid = True
            self._note_pause(paused)
            if await self._paused():
                continue
            wait = max(g_wait, c_wait or 0.0)
            if wait <= 0:
                return go_paid
            await asyncio.sleep(wait)
            # Someone may have been told to wait meanwhile.
            async with self.engine.connect() as conn:
                self._note_pause(
                    (await conn.execute(text(_PAUSED), {"pause": self.pause_name})).scalar()
                )
            if not await self._paused():
                return go_paid

    async def _paused(self) -> bool:
        """Wait out the pause this worker knows of; True when there was one."""
        left = self._paused_until - time.monotonic()
        if left <= 0:
            return False
        await asyncio.sleep(left)
        return True

    def _note_pause(self, paused: float | None) -> None:
        if paused is not None and paused > 0:
            self._paused_until = max(self._paused_until, time.monotonic() + paused)

    async def _reserve(
        self, chat: Any, limit: float
    ) -> tuple[float | None, float | None, float | None]:
        params: dict[str, Any] = {
            "g": self.name,
            "g_early": self.early,
            "g_step": self.step,
            "g_limit": limit,
            "pause": self.pause_name,
        }
        statement = _RESERVE_GLOBAL
        if chat is not None:
            statement = _RESERVE
            params.update(
                c=f"{self.name}:{chat}"[:60],
                c_early=self.chat_early,
                c_step=self.chat_step,
                c_limit=_NO_LIMIT,
            )
        async with self.engine.begin() as conn:
            row = (await conn.execute(text(statement), params)).one()
        return row[0], row[1], row[2]

    async def _reserve_paid(self) -> float:
        assert self.paid_step is not None
        params = {
            "g": self.paid_name,
            "g_early": 0.0,
            "g_step": self.paid_step,
            "g_limit": _NO_LIMIT,
            "pause": self.pause_name,
        }
        async with self.engine.begin() as conn:
            row = (await conn.execute(text(_RESERVE_GLOBAL), params)).one()
        return float(row[0] or 0.0)

    async def pause(self, seconds: float) -> None:
        """Everyone waits `seconds` from now (a 429's retry_after)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        async with self.engine.begin() as conn:
            await conn.execute(
                text(_PAUSE), {"pause": self.pause_name, "bot": self.name, "s": seconds}
            )

    async def prune(self) -> int:
        """Forget the chats' schedules an hour after their last message."""
        async with self.engine.begin() as conn:
            result = await conn.execute(text(_PRUNE), {"chats": f"{self.name}:%"})
        return int(result.rowcount or 0)


class Metered(BaseRateLimiter[Any]):
    """Counts every Bot API call (by method and result) and the 429s for /metrics, around
    another limiter."""

    def __init__(self, inner: BaseRateLimiter[Any], metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> Any:
        metrics = self.metrics

        async def counted(*call_args: Any, **call_kwargs: Any) -> Any:
            try:
                result = await callback(*call_args, **call_kwargs)
            except RetryAfter:
                metrics.telegram_call(endpoint, "429")
                raise
            except Exception:
                metrics.telegram_call(endpoint, "error")
                raise
            metrics.telegram_call(endpoint, "ok")
            return result

        return await self.inner.process_request(
            counted, args, kwargs, endpoint, data, rate_limit_args
        )

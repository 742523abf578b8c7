"""Updates from different people are processed concurrently, each person's strictly in order
(a double tap must not race with itself), and fairly:

- An update first waits for its person's turn and only then for one of the
  `UPDATE_CONCURRENCY` slots. A person with a long queue therefore holds at most one slot,
  and someone else's update never waits behind that queue. (PTB's own semaphore, which would
  be taken before the person's lock, is made wide enough never to be the one waited on.)
- A handler gives its slot back once its step has committed (`release_slot`): answering
  Telegram and sending the replies, which wait on the network, then hold only the person's
  turn, not a slot someone else's step could use.
- A person sending faster than `USER_MAX_RATE` updates a second (a burst of `USER_MAX_RATE`
  is allowed) is asked politely to slow down; those updates are not run (`RateLimiter`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB takes its semaphore before calling `do_process_update`; this many never run out.
_UNBOUNDED = 1 << 30
# Buckets of people quiet for this long are forgotten.
_FORGET_AFTER = 60.0


class _Slot:
    """One of the global slots, held by the update being processed; released once."""

    __slots__ = ("_held", "_semaphore")

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore = semaphore
        self._held = False

    async def acquire(self) -> None:
        await self._semaphore.acquire()
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._semaphore.release()


_CURRENT_SLOT: ContextVar[_Slot | None] = ContextVar("update_slot", default=None)


def release_slot() -> None:
    """Give the current update's global slot back (its step has committed); a no-op outside
    the processor (an update processed directly, as the tests do)."""
    slot = _CURRENT_SLOT.get()
    if slot is not None:
        slot.release()


class Verdict(Enum):
    ADMIT = "admit"
    # Above the rate: the first of a burst says so, the rest stay quiet.
    WARN = "warn"
    QUIET = "quiet"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned_at: float = float("-inf")


class RateLimiter:
    """A token bucket per person: `burst` updates at once, refilled at `rate` a second.

    Time is the update's own where Telegram gives one: a message's date (when the person sent
    it; whole seconds), so updates that queued at Telegram while the bot was down, or that
    arrive together in one getUpdates answer, count at the pace they were written. A button
    press carries no time of its own and counts when it arrives."""

    def __init__(self, rate: float, burst: int | None = None, warn_every: float = 10.0) -> None:
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, round(rate)))
        self.warn_every = warn_every
        self._buckets: dict[int, _Bucket] = {}
        self._swept = 0.0

    def check(self, key: int, at: float) -> Verdict:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, at)
        elif at > bucket.at:
            bucket.tokens = min(self.burst, bucket.tokens + (at - bucket.at) * self.rate)
            bucket.at = at
        self._sweep(at)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ADMIT
        if at - bucket.warned_at >= self.warn_every:
            bucket.warned_at = at
            return Verdict.WARN
        return Verdict.QUIET

    def _sweep(self, now: float) -> None:
        if now - self._swept < _FORGET_AFTER:
            return
        self._swept = now
        for key in [k for k, b in self._buckets.items() if now - b.at > _FORGET_AFTER]:
            del self._buckets[key]


def person_of(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


def _moment(update: object) -> float:
    if isinstance(update, Update) and update.message is not None:
        return update.message.date.timestamp()
    return time.time()


@dataclass(slots=True)
class _Turn:
    lock: asyncio.Lock
    waiting: int = 0


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Per-person order, then a global slot (see the module's docstring)."""

    def __init__(self, max_concurrent_updates: int, limiter: RateLimiter | None = None) -> None:
        super().__init__(_UNBOUNDED)
        self.slots = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._turns: dict[int, _Turn] = {}
        self.limiter = limiter
        # Update ids found above the rate, with whether to say so; the handler takes them.
        self._limited: dict[int, bool] = {}

    def take_limited(self, update_id: int) -> bool | None:
        """None: the update is within the rate; else whether to tell the person (True once a
        burst)."""
        return self._limited.pop(update_id, None)

    @property
    def queued(self) -> int:
        """Updates received and not finished (waiting for their turn or being processed)."""
        return sum(turn.waiting for turn in self._turns.values())

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = person_of(update)
        if self.limiter is not None and isinstance(update, Update):
            verdict = self.limiter.check(key, _moment(update))
            if verdict is not Verdict.ADMIT:
                self._limited[update.update_id] = verdict is Verdict.WARN
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn(asyncio.Lock())
        turn.waiting += 1
        started = False
        try:
            async with turn.lock:
                slot = _Slot(self._slots)
                token = _CURRENT_SLOT.set(slot)
                try:
                    await slot.acquire()
                    started = True
                    await coroutine
                finally:
                    slot.release()
                    _CURRENT_SLOT.reset(token)
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: it never ran
            turn.waiting -= 1
            if not turn.waiting:
                del self._turns[key]
            if isinstance(update, Update):
                self._limited.pop(update.update_id, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

"""SKP files rendered in a worker process of their own.

A PDF is about a quarter of a second of pure-Python work (WeasyPrint) that holds the GIL: in a
thread of the bot's process it would hold up everyone's steps for that long. In a separate
process it uses the machine's other core instead. The worker is started on first use (spawned,
so it shares nothing with the bot's event loop), keeps its own templates and font configuration
for good, and is started again should it die."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.documents.service import File
    from bot.documents.skp_data import SkpDocument
    from bot.texts import Texts

log = logging.getLogger(__name__)

_executor: ProcessPoolExecutor | None = None
_worker_texts: Texts | None = None
# Files in a row the workers could not lay out; at `GIVE_UP` they are not tried again in
# this process (they cannot start here, e.g. a script without a main guard).
_failures = 0
GIVE_UP = 3


def _start_worker() -> None:
    global _worker_texts
    from bot.texts import Texts

    _worker_texts = Texts()


def _render_in_worker(doc: SkpDocument, fmt: str) -> File:
    from bot.documents.service import render_file

    assert _worker_texts is not None
    return render_file(doc, fmt, _worker_texts)


def _pool(workers: int) -> ProcessPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )
    return _executor


class Unavailable(Exception):
    """No worker process can be started here (e.g. a script without a main guard): the
    caller lays the file out in a thread instead."""


async def render(doc: SkpDocument, fmt: str, workers: int) -> File:
    """The file, rendered by the worker process (one pool per bot process)."""
    global _executor, _failures
    if _failures >= GIVE_UP:
        raise Unavailable
    loop = asyncio.get_running_loop()
    try:
        made = await loop.run_in_executor(_pool(workers), _render_in_worker, doc, fmt)
    except BrokenProcessPool:
        # The worker died (killed, out of memory) or could not start: this file is laid
        # out in a thread, the next one by a new worker.
        _executor, _failures = None, _failures + 1
        if _failures >= GIVE_UP:
            log.warning("document workers cannot run here; files are laid out in a thread")
        else:
            log.warning("the document worker stopped; the next file starts another")
        raise Unavailable from None
    _failures = 0
    return made


def shutdown() -> None:
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None

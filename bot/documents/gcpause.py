"""Rendering a document without Python's full garbage collections.

A render allocates some hundred thousand short-lived objects (WeasyPrint's boxes, docxtpl's
XML); in a process that holds many long-lived ones (the bot, SQLAlchemy, a batch's rows) those
allocations trigger full collections that walk every object of the process: about 130 ms
every second document (measured with 250 000 live objects), a third of a render. While a
render runs, automatic collection waits; afterwards the young generations are collected (the
render's own cycles, some 20 ms), and full collections stay rare."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Nestable and thread-safe: collection resumes when the last render ends."""
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            resume = _active == 0 and _was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect(1)

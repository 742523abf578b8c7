"""callback_data: `<ns>:<action>:<object>:<version>`, at most 64 bytes (Telegram's limit).

Step buttons use ns "s" and the dialog state's version; buttons that act on a stored object
(a report, later an SKP) use their own namespace and that object's version. Nothing in it is
trusted: handlers re-check who pressed, whether they may, and whether the version is current.
Decoding refuses anything it could not have encoded (non-ASCII, a version that is not 1–9 ASCII
digits); `Callback.object_id` reads an object's id the only way it may be used in a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
MAX_VERSION_DIGITS = 9
MAX_VERSION = 10**MAX_VERSION_DIGITS - 1
# Ids beyond a 32-bit integer cannot exist (and PostgreSQL refuses to compare with them).
MAX_ID = 2**31 - 1
_FIELD = re.compile(r"[A-Za-z0-9_.\-]*", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


class CallbackTooLong(ValueError):
    pass


def _ascii_digits(text: str, max_len: int) -> int | None:
    """The value of 1–max_len ASCII digits; None for anything else ("²" and "１" too)."""
    if not isinstance(text, str) or not 0 < len(text) <= max_len or not _DIGITS.fullmatch(text):
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class Callback:
    ns: str
    action: str
    obj: str
    version: int

    def encode(self) -> str:
        for part in (self.ns, self.action, self.obj):
            if not isinstance(part, str) or not _FIELD.fullmatch(part):
                raise ValueError(f"callback field {part!r} has characters outside [A-Za-z0-9_.-]")
        version = self.version
        if isinstance(version, bool) or not isinstance(version, int):
            raise ValueError(f"callback version {version!r} is not an integer")
        if not 0 <= version <= MAX_VERSION:
            raise ValueError(f"callback version {version} is outside 0..{MAX_VERSION}")
        data = f"{self.ns}:{self.action}:{self.obj}:{version}"
        if len(data.encode()) > MAX_BYTES:
            raise CallbackTooLong(data)
        return data

    @classmethod
    def decode(cls, data: str | None) -> Callback | None:
        """The callback in `data`, or None when it is not one this bot could have made."""
        if not isinstance(data, str) or not data or not data.isascii():
            return None
        if len(data) > MAX_BYTES:  # ASCII: one byte a character
            return None
        parts = data.split(":")
        if len(parts) != 4 or not all(_FIELD.fullmatch(p) for p in parts[:3]):
            return None
        ns, action, obj, raw_version = parts
        version = _ascii_digits(raw_version, MAX_VERSION_DIGITS)
        if version is None:
            return None
        return cls(ns, action, obj, version)

    @staticmethod
    def object_id(obj: str | None) -> int | None:
        """A database id from callback data (or a button's arg): ASCII digits, 1 ≤ id ≤ 2³¹-1,
        nothing else. Check it before any query: SQLite overflows on 20 digits, PostgreSQL
        refuses to compare an integer column with anything beyond 32 bits."""
        if obj is None:
            return None
        value = _ascii_digits(obj, len(str(MAX_ID)))
        return value if value is not None and 1 <= value <= MAX_ID else None

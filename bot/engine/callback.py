"""callback_data: `<ns>:<action>:<object>:<version>`, at most 64 bytes (Telegram's limit).

Step buttons use ns "s" and the dialog state's version; buttons that act on a stored object
(a report, later an SKP) use their own namespace and that object's version. Nothing in it is
trusted: handlers re-check who pressed, whether they may, and whether the version is current.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_FIELD = re.compile(r"[A-Za-z0-9_.\-]*")


class CallbackTooLong(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Callback:
    ns: str
    action: str
    obj: str
    version: int

    def encode(self) -> str:
        for part in (self.ns, self.action, self.obj):
            if not _FIELD.fullmatch(part):
                raise ValueError(f"callback field {part!r} has characters outside [A-Za-z0-9_.-]")
        data = f"{self.ns}:{self.action}:{self.obj}:{self.version}"
        if len(data.encode()) > MAX_BYTES:
            raise CallbackTooLong(data)
        return data

    @classmethod
    def decode(cls, data: str | None) -> Callback | None:
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split(":")
        if len(parts) != 4 or not all(_FIELD.fullmatch(p) for p in parts[:3]):
            return None
        ns, action, obj, version = parts
        if not version.isdigit() or len(version) > 9:
            return None
        return cls(ns, action, obj, int(version))

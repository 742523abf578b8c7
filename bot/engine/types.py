"""What goes into the engine (events) and what comes out (replies), independent of Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    # TEXT: what was typed; COMMAND: the command name without "/"; BUTTON: the callback data.
    text: str
    # COMMAND: what followed the command ("/start <code>").
    arg: str = ""

    @classmethod
    def from_text(cls, raw: str) -> Event:
        """Split "/cmd@bot arg" into a command event, anything else is text."""
        stripped = raw.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, arg = stripped[1:].partition(" ")
            return cls(EventKind.COMMAND, head.split("@", 1)[0].lower(), arg.strip())
        return cls(EventKind.TEXT, raw)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(slots=True)
class Reply:
    html: str
    buttons: list[list[Button]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoredReply:
    """A step's reply as written to the outbox with the step (already leased to the sender
    that sends it right after the commit)."""

    id: int
    kind: str
    payload: dict[str, Any]


@dataclass(slots=True)
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    # The answer to a button press (shown as a toast; as an alert when `alert`).
    toast: str | None = None
    alert: bool = False
    # Whether the pressed message's buttons should be removed (the press was taken).
    consumed: bool = False
    # Outbox rows this event wrote: the adapter hands them to the sender after the commit.
    outbox_ids: list[int] = field(default_factory=list)
    # The step's reply stored as an outbox row (Telegram; for a duplicate: what is unsent).
    reply_ids: list[int] = field(default_factory=list)
    # The same with its contents when it was written leased (to send it at once).
    stored: list[StoredReply] = field(default_factory=list)
    duplicate: bool = False

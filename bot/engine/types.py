"""What goes into the engine (events) and what comes out (replies), independent of Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    # A file the person sent (a spreadsheet to read as a table, a photo or document as
    # evidence): `text` is its name ("" for a photo), `attachment` what Telegram told of it.
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or document as Telegram describes it: kept by its file_id, not downloaded."""

    kind: str  # "photo" | "document"
    file_id: str
    file_unique_id: str
    file_name: str = ""
    mime: str = ""
    size: int | None = None
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    # TEXT: what was typed; COMMAND: the command name without "/"; BUTTON: the callback data.
    text: str
    # COMMAND: what followed the command ("/start <code>").
    arg: str = ""
    # BUTTON: the message the pressed button sits on (its screen is edited in place).
    message_id: int | None = None
    # FILE: its content (None: it could not be fetched, or it is larger than the bot reads).
    content: bytes | None = None
    attachment: Attachment | None = None

    @classmethod
    def from_text(cls, raw: str) -> Event:
        """Split "/cmd@bot arg" into a command event, anything else is text. A command's name
        and argument keep only printable characters (as typed text does): they are echoed
        in answers, which are stored, and PostgreSQL refuses a NUL in text."""
        stripped = raw.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, arg = stripped[1:].partition(" ")
            name = "".join(ch for ch in head.split("@", 1)[0] if ch.isprintable())
            return cls(
                EventKind.COMMAND,
                name.lower(),
                "".join(ch for ch in arg if ch.isprintable()).strip(),
            )
        return cls(EventKind.TEXT, raw)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str
    # A Mini App button (Telegram's `web_app`): opens this https address instead of
    # sending callback data.
    web_app: str | None = None

    def as_dict(self) -> dict[str, str]:
        """How a button is stored in an outbox payload."""
        if self.web_app:
            return {"label": self.label, "data": "", "web_app": self.web_app}
        return {"label": self.label, "data": self.data}


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
    # A press of a screen's own button, taken: its answer may replace that screen in place.
    in_place: bool = False
    # The pressed message was given the step's new screen (edited in place): its buttons stay.
    edited: bool = False
    # The message showing the person's screen before this step (Telegram), if known.
    previous_screen: int | None = None
    # Outbox rows this event wrote: the adapter hands them to the sender after the commit.
    outbox_ids: list[int] = field(default_factory=list)
    # The step's reply stored as an outbox row (Telegram; for a duplicate: what is unsent).
    reply_ids: list[int] = field(default_factory=list)
    # The same with its contents when it was written leased (to send it at once).
    stored: list[StoredReply] = field(default_factory=list)
    duplicate: bool = False

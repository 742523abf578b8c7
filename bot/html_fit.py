"""Telegram's length limits for HTML texts: how long a text is once Telegram has parsed it,
and a text cut to fit (at a word or line boundary, never inside a tag or an entity, the open
tags closed, a note appended). The outbox sender shortens what Telegram refused; the templates
keep every screen within the limit by construction, and `Texts.message` cuts whatever still
is not (a last resort, logged)."""

from __future__ import annotations

import html as htmllib
import re

# Telegram's limits, counted after the HTML is parsed; we count UTF-16 code units (never
# fewer than Telegram's characters) and leave some room.
MESSAGE_LIMIT = 4000
CAPTION_LIMIT = 1000
SHORTENED_NOTE = "\n\n… <i>(pesan dipotong karena terlalu panjang)</i>"


_TOKEN = re.compile(
    r"(?P<tag><(?P<close>/?)(?P<name>[a-zA-Z][\w-]*)[^<>]*>)"
    r"|(?P<entity>&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});)"
    r"|(?P<text>[^<&]+)"
    r"|(?P<stray>[<&])"
)


def _units(text: str) -> int:
    """Length in UTF-16 code units (how Telegram measures entities)."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html: str) -> int:
    """How long `html` is once parsed, in UTF-16 code units (at least Telegram's count)."""
    return _units(htmllib.unescape(re.sub(r"<[^<>]*>", "", html)))


def plain_html(html: str) -> str:
    """The text without any markup, escaped again: what a message Telegram could not parse
    says, safe in HTML parse mode."""
    return htmllib.escape(htmllib.unescape(re.sub(r"<[^<>]*>", "", html)), quote=False)


def shorten_html(html: str, limit: int, note: str = SHORTENED_NOTE) -> str:
    """`html` unchanged when its visible text fits in `limit`; otherwise cut at a word or line
    boundary, never inside a tag or an entity, the open tags closed, `note` appended."""
    if visible_length(html) <= limit:
        return html
    budget = max(limit - visible_length(note), 0)
    out: list[str] = []
    open_tags: list[str] = []
    used = 0
    for match in _TOKEN.finditer(html):
        if match["tag"]:
            name = match["name"].lower()
            if not match["close"]:
                open_tags.append(name)
                out.append(match["tag"])
            elif name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name)]
                out.append(match["tag"])
            continue
        if match["entity"]:
            piece, size = match["entity"], _units(htmllib.unescape(match["entity"]))
        elif match["stray"]:  # a bare "<" or "&" (Telegram would refuse it): escape it
            piece, size = htmllib.escape(match["stray"]), 1
        else:
            piece, size = match["text"], _units(match["text"])
        if used + size <= budget:
            out.append(piece)
            used += size
            continue
        if match["text"]:
            room, end = budget - used, 0
            for char in piece:
                room -= 2 if ord(char) > 0xFFFF else 1
                if room < 0:
                    break
                end += 1
            cut = piece[:end]
            boundary = max(cut.rfind("\n"), cut.rfind(" "))
            if boundary >= len(cut) // 2:
                cut = cut[:boundary]
            if cut.strip():
                out.append(cut)
        if out and not out[-1].startswith("<"):
            out[-1] = out[-1].rstrip()
        break
    # an element opened just before the cut, with nothing in it, is dropped
    while out and open_tags and out[-1].startswith("<") and not out[-1].startswith("</"):
        out.pop()
        open_tags.pop()
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out) + note

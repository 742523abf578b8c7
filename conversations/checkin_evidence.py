"""Evidence of a check-in sent in chat: a photo or document (kept by Telegram's file_id and
its metadata, never downloaded) or a link; of the item on screen, or of the item whose number
the caption or the link starts with ("3 daftar hadir rapat", "3 https://…")."""

from __future__ import annotations

import re

from bot.db.models import EvidenceKind
from bot.engine.context import Ctx
from bot.engine.flow import Next, Reask, Stay
from bot.usecases import progress
from bot.usecases.base import Refused
from conversations.checkin_place import item_line, standing_of, where

URL_MAX_CHARS = 1000
CAPTION_MAX_CHARS = 500
URL = re.compile(r"(?:(?:butir\s*)?([0-9]{1,2})[.):]?\s+)?(https?://[^\s<>\"]+)", re.I)
_CAPTION_ITEM = re.compile(r"\s*(?:butir\s*)?([0-9]{1,2})\b[.):]?\s*(.*)", re.I | re.S)


def is_link(text: str) -> bool:
    return URL.fullmatch(text.strip()) is not None


async def link(ctx: Ctx, text: str, item_id: int | None) -> Next:
    match = URL.fullmatch(text.strip())
    place = await where(ctx)
    if match is None or place is None or len(text) > URL_MAX_CHARS:
        return Reask("checkin_link_problem")
    number, url = match.groups()
    if number is not None:
        item_id = await _item_at(ctx, int(number))
        if item_id is None:
            return Reask("checkin_paste_problem", {"problem": "no_item", "position": number})
    attachment = progress.Attachment(EvidenceKind.LINK, url=url)
    return await _store_evidence(ctx, item_id, attachment)


async def _item_at(ctx: Ctx, position: int) -> int | None:
    standing = await standing_of(ctx)
    if standing is None:
        return None
    return next((ln.item.id for ln in standing.lines if ln.item.position == position), None)


async def _store_evidence(
    ctx: Ctx, item_id: int | None, attachment: progress.Attachment, unknown: int | None = None
) -> Next:
    place = await where(ctx)
    assert place is not None
    _period, _policy, skp, key = place
    try:
        await progress.add_evidence(ctx.tx, skp.id, key, item_id, attachment)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
        return Stay()
    position = None
    if item_id is not None:
        standing = await standing_of(ctx)
        assert standing is not None
        position = next((ln.item.position for ln in standing.lines if ln.item.id == item_id), None)
    ctx.say(
        "checkin_evidence_saved",
        kind=attachment.kind.value,
        position=position,
        unknown=unknown,
        count=len(standing.lines) if (standing := await standing_of(ctx)) else 0,
    )
    return Stay()


async def on_home_file(ctx: Ctx, name: str, content: bytes | None) -> Next:
    return await _file(ctx, name, None)


async def on_item_file(ctx: Ctx, name: str, content: bytes | None) -> Next:
    line = await item_line(ctx)
    return await _file(ctx, name, line.item.id if line is not None else None)


async def _file(ctx: Ctx, name: str, item_id: int | None) -> Next:
    """A photo or document as evidence: of the item shown, or of the item whose number
    its caption starts with ("3 daftar hadir rapat")."""
    sent = ctx.attachment
    if sent is None or await where(ctx) is None:
        return Reask("file_not_here")
    caption = " ".join(sent.caption.split())[:CAPTION_MAX_CHARS]
    numbered = _CAPTION_ITEM.fullmatch(caption) if caption else None
    unknown = None
    if numbered is not None:
        found = await _item_at(ctx, int(numbered.group(1)))
        if found is not None:
            item_id, caption = found, numbered.group(2).strip()
        else:
            unknown = int(numbered.group(1))  # said, not silently filed elsewhere
    kind = EvidenceKind.PHOTO if sent.kind == "photo" else EvidenceKind.DOCUMENT
    return await _store_evidence(
        ctx,
        item_id,
        progress.Attachment(
            kind,
            file_id=sent.file_id,
            file_unique_id=sent.file_unique_id,
            file_name=(sent.file_name or name)[-255:],
            mime=sent.mime,
            size=sent.size,
            caption=caption,
        ),
        unknown,
    )


# -- one item ----------------------------------------------------------------------------------

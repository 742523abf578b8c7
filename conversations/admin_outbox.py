"""Messages that could not be delivered, for administrators: "Status aktivasi pegawai" offers
"📮 Pesan gagal terkirim (n)" while there are some; that screen lists them a page at a time
(when, to whom, what kind of message, why it failed, in plain words) and sends them all again
in one go. The steps belong to the menu flow; the decision is a use case
(bot.usecases.outbox_admin)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.engine.runtime import HOME
from bot.usecases import outbox_admin
from bot.usecases.base import Refused
from conversations import paging

STEP = "outbox_failed"
PAGE_KEY = "failed"
PAGE_SIZE = 8
# Times on this screen are read in WIB, as the screen says.
WIB = ZoneInfo("Asia/Jakarta")


async def status_view(ctx: Ctx) -> dict[str, Any]:
    """For "Status aktivasi pegawai": how many messages failed lately."""
    return {"failed": await outbox_admin.failed_count(ctx.session, ctx.now)}


def status_rows(view: dict[str, Any]) -> list[list[Choice]]:
    """The button of "Status aktivasi pegawai" to the failed messages, while there are some."""
    count = view.get("failed", 0)
    if not count:
        return []
    return [[Choice("outbox", "menu_outbox_failed", values=(("count", count),))]]


def _described(ctx: Ctx, message: outbox_admin.FailedMessage) -> dict[str, Any]:
    return {
        "at": message.at,
        "to": message.recipient or ctx.texts.label("outbox_unlinked_person"),
        "kind": outbox_admin.kind_label(ctx.texts, message.kind),
        "reason": outbox_admin.reason_text(ctx.texts, message.last_error),
        "retryable": message.retryable,
    }


async def failed_view(ctx: Ctx) -> dict[str, Any]:
    allowed = await ctx.actor.has(Role.ADMIN)
    listed = await outbox_admin.failed_messages(ctx.session, ctx.now) if allowed else []
    total = await outbox_admin.failed_count(ctx.session, ctx.now) if allowed else 0
    page = paging.paged(ctx, PAGE_KEY, listed, PAGE_SIZE)
    return {
        "allowed": allowed,
        "page": page,
        "rows": [_described(ctx, m) for m in page.items],
        "total": total,
        "listed": len(listed),
        "days": outbox_admin.WINDOW.days,
        "wib": WIB,
    }


def failed_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [paging.page_row(view["page"])]
    if view["total"]:
        rows.append([Choice("retry", "outbox_retry_all")])
    return [*rows, [Choice("back", "back")]]


async def on_failed(ctx: Ctx, action: str, arg: str) -> Next:
    if paging.turned(ctx, action, arg):
        return Stay()
    if action == "retry":
        try:
            done = await outbox_admin.retry_failed(ctx.tx)
        except Refused:  # the role may have been withdrawn meanwhile
            ctx.say("not_allowed")
            return HOME
        paging.reset(ctx, PAGE_KEY)
        if done.skipped and done.count:
            ctx.notice("outbox_retried_skipped", count=done.count, skipped=done.skipped)
        elif done.skipped:
            ctx.notice("outbox_retry_none", skipped=done.skipped)
        else:
            ctx.notice("outbox_retried", count=done.count)
        return Stay()
    paging.reset(ctx, PAGE_KEY)
    return Goto("admin_status")


STEPS = [
    Step(STEP, "admin_outbox_failed", view=failed_view, choices=failed_choices, on_choice=on_failed)
]

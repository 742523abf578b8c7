"""The person's own data (UU PDP 27/2022), reached from "Profil saya": the privacy notice (also
shown when they confirm who they are), "Data saya" (a copy of everything stored about them, as
a file the sender builds) and unlinking their Telegram account after a confirmation. The steps
belong to the menu flow; the decisions are use cases (bot.usecases.privacy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from bot.db.models import LinkStatus, TelegramLink
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Quiet, Stay, Step
from bot.engine.runtime import HOME
from bot.usecases import privacy

BACK = [Choice("back", "back")]


def retention_days() -> int:
    from bot.config import get_settings

    return get_settings().outbox_retention_days


async def has_telegram(ctx: Ctx) -> bool:
    """Whether the person has a linked Telegram account (where "Data saya" is delivered and
    what "Putuskan" ends); in the terminal chat they may have none."""
    if ctx.actor.link is not None:
        return ctx.actor.link.status is LinkStatus.ACTIVE
    return bool(
        await ctx.session.scalar(
            select(
                exists().where(
                    TelegramLink.employee_id == ctx.actor.id,
                    TelegramLink.status == LinkStatus.ACTIVE,
                )
            )
        )
    )


def profile_rows(view: dict[str, Any]) -> list[list[Choice]]:
    """The privacy buttons of "Profil saya"."""
    rows = [[Choice("privacy", "profile_privacy")]]
    if view.get("telegram"):
        rows.insert(0, [Choice("export", "profile_export")])
        rows.append([Choice("unlink", "profile_unlink")])
    return rows


async def on_profile_choice(ctx: Ctx, action: str) -> Next | None:
    """A privacy button pressed on "Profil saya"; None for the profile's other buttons."""
    if action == "export":
        return await export(ctx)
    if action == "privacy":
        return Goto("privacy")
    if action == "unlink":
        return Goto("unlink")
    return None


async def export(ctx: Ctx) -> Next:
    if not await has_telegram(ctx):
        ctx.notice("privacy_needs_telegram", alert=True)
        return Stay()
    queued = await privacy.request_export(ctx.tx)
    ctx.notice("privacy_export_queued" if queued is not None else "privacy_export_already")
    return Stay()


async def notice_view(ctx: Ctx) -> dict[str, Any]:
    return {"retention_days": retention_days(), "telegram": await has_telegram(ctx)}


def notice_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [[Choice("export", "profile_export")]] if view["telegram"] else []
    return [*rows, BACK]


async def on_notice(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "export":
        return await export(ctx)
    return Goto("profile")


def unlink_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("unlink", "unlink_confirm")], BACK]


async def on_unlink(ctx: Ctx, action: str, _arg: str) -> Next:
    if action != "unlink":
        return Goto("profile")
    if not await privacy.unlink_telegram(ctx.tx):
        ctx.notice("privacy_not_linked", alert=True)
        return Goto("profile")
    ctx.say("privacy_unlinked")
    if ctx.actor.link is None:  # the terminal chat goes on without Telegram
        return HOME
    # This account is no longer anyone's: nothing more to show it.
    return Quiet()


STEPS = [
    Step("privacy", "privacy", view=notice_view, choices=notice_choices, on_choice=on_notice),
    Step("unlink", "privacy_unlink_confirm", choices=unlink_choices, on_choice=on_unlink),
]

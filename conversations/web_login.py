"""The web dashboard's door: an administrator or unit head presses "Dasbor web" in the menu
and gets a link that logs them in once, within a few minutes (bot.usecases.web_login)."""

from __future__ import annotations

from bot.engine.context import Ctx
from bot.engine.flow import Next, Stay
from bot.usecases import web_login
from bot.usecases.base import Refused
from bot.webapp.links import LINKS


async def send_link(ctx: Ctx) -> Next:
    if not LINKS.dashboard:
        ctx.notice("web_not_configured", alert=True)
        return Stay()
    try:
        token = await web_login.issue(ctx.tx, ctx.actor.id, LINKS.login_minutes)
    except Refused:
        ctx.notice("not_authorised", alert=True)
        return Stay()
    # The link goes as a message of its own, above the menu: it stays readable after the
    # menu moves on, and it is useless once opened or after a few minutes.
    ctx.say("web_login_link", url=LINKS.login(token), minutes=LINKS.login_minutes)
    return Stay()

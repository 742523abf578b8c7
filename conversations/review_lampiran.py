"""The lampiran of an SKP under review: the periodic scheme, the incidental scheme and the
positive and negative consequences (typed by the leader)."""

from __future__ import annotations

from typing import Any

from bot.db.models import Skp
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Stay, Step
from bot.usecases import agreements
from bot.usecases.base import Refused
from conversations.dialog_text import NOTE_MAX, note_problem
from conversations.review_shared import BACK, back_choices, on_back_home, reviewed


async def lampiran_view(ctx: Ctx) -> dict[str, Any]:
    return {"skp": await reviewed(ctx)}


def lampiran_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    skp: Skp | None = view["skp"]
    if skp is None:
        return [[BACK]]
    other = "triwulanan" if skp.skema_periodik == "bulanan" else "bulanan"
    return [
        [Choice("skema", f"skema_{other}", other)],
        [Choice("insidental", "skema_insidental_toggle")],
        [Choice("kons", "kons_positif", "positif"), Choice("kons", "kons_negatif", "negatif")],
        [BACK],
    ]


async def on_lampiran(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("home")
    if action == "kons":
        ctx.data["kons"] = arg
        return Goto("kons_text")
    skp = await reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    try:
        if action == "skema":
            await agreements.edit_lampiran(ctx.tx, skp.id, skema_periodik=arg)
        else:
            await agreements.edit_lampiran(ctx.tx, skp.id, toggle_insidental=True)
    except Refused as exc:
        ctx.notice(exc.reason.value, alert=True)
    return Stay()


async def kons_text_view(ctx: Ctx) -> dict[str, Any]:
    skp = await reviewed(ctx)
    which = ctx.data.get("kons", "positif")
    current = ""
    if skp is not None:
        current = skp.konsekuensi_positif if which == "positif" else skp.konsekuensi_negatif
    return {"which": which, "current": current, "maximum": NOTE_MAX}


async def on_kons_text(ctx: Ctx, text: str) -> Next:
    if (problem := note_problem(text)) is not None:
        return problem
    skp = await reviewed(ctx)
    if skp is None:
        ctx.say("skp_review_gone")
        return Goto("list")
    negative = ctx.data.get("kons") == "negatif"
    try:
        await agreements.edit_lampiran(
            ctx.tx,
            skp.id,
            konsekuensi_positif=None if negative else text,
            konsekuensi_negatif=text if negative else None,
        )
    except Refused as exc:
        ctx.say("dialog_refused", reason=ctx.texts.label(exc.reason.value))
    return Goto("lampiran")


STEPS = [
    Step(
        "lampiran",
        "review_lampiran",
        view=lampiran_view,
        choices=lampiran_choices,
        on_choice=on_lampiran,
    ),
    Step(
        "kons_text",
        "review_kons_text",
        view=kons_text_view,
        choices=back_choices,
        on_choice=on_back_home,
        on_text=on_kons_text,
    ),
]

"""Buttons on the messages people receive about an SKP, bound to objects rather than to a
screen: `skp` (open, approve, ask for a revision, discuss, sign, set), `exp` (agree with an
expectation, answer it, or decide on a counter-proposal) and `res` (decide on a resource line).
Each press is checked on the server (who pressed, whether they may, whether the SKP is still
the revision the button was made for) and goes to a use case or to a screen: approving,
signing and setting to their confirmation (conversations.formal_acts), a leader's decision to
the SKP's review screen with the decision noted on top."""

from __future__ import annotations

from bot.domain.contract import Action, Party, Refusal
from bot.engine.context import Ctx
from bot.engine.flow import Goto, Next
from bot.usecases import agreements
from bot.usecases.base import Refused
from bot.usecases.loading import authorise, load_skp, party, valid_id
from bot.usecases.notices import EXP_NS, RES_NS, SKP_NS
from conversations.formal_acts import ACT_KEY, check_act
from conversations.review_shared import say_counter_decided, say_resource_decided

__all__ = ["EXP_NS", "RES_NS", "SKP_NS", "on_exp_button", "on_res_button", "on_skp_button"]

# The notices' buttons for the formal acts, and the act each asks to confirm.
FORMAL = {"ok": "approve", "sign": "sign", "set": "set"}


def parse_id(obj: str) -> int | None:
    """A database id from callback data: ASCII digits in range, nothing else."""
    if not (obj.isascii() and obj.isdigit()) or len(obj) > 10:
        return None
    value = int(obj)
    return value if valid_id(value) else None


def refuse(ctx: Ctx, exc: Refused) -> None:
    ctx.notice(exc.reason.value, alert=True)


async def on_skp_button(ctx: Ctx, action: str, obj: str, version: int) -> Next | None:
    skp_id = parse_id(obj)
    if skp_id is None:
        ctx.notice("button_invalid", alert=True)
        return None
    tx = ctx.tx
    try:
        if action == "open":
            skp = await load_skp(tx, skp_id, lock=False)
            if skp.employee_id != ctx.actor.id:
                raise Refused(Refusal.NOT_OWNER)
            return Goto("overview", "skp")
        if action in FORMAL:
            # A formal act is confirmed on a screen of its own, sent below the notice.
            act = FORMAL[action]
            skp = await check_act(tx, skp_id, act, version)
            if act == "sign":
                return Goto("confirm", "skp", seed={ACT_KEY: act})
            return Goto("confirm", "tinjau", seed={"skp_id": skp.id, ACT_KEY: act})
        if action in ("dis", "det", "rev"):
            skp = await load_skp(tx, skp_id, lock=False)
            if action == "rev":
                authorise(tx, skp, Action.REQUEST_REVISION, version)
                return Goto("revise_note", "tinjau", seed={"skp_id": skp.id, "seen": version})
            if party(tx, skp) is not Party.PENILAI:
                raise Refused(Refusal.NOT_PENILAI)
            return Goto("home", "tinjau", seed={"skp_id": skp.id})
    except Refused as exc:
        refuse(ctx, exc)
        return None
    ctx.notice("button_invalid", alert=True)
    return None


async def on_exp_button(ctx: Ctx, action: str, obj: str, _version: int) -> Next | None:
    exp_id = parse_id(obj)
    if exp_id is None or action not in ("ok", "re", "acc", "keep"):
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        if action == "ok":
            await agreements.answer(ctx.tx, exp_id)
            ctx.notice("expectation_agreed")
            return None
        if action == "re":
            await agreements.answerable(ctx.tx, exp_id)
            return Goto("what", "tanggapan", seed={"exp_id": exp_id})
        row = await agreements.decide_counter(ctx.tx, exp_id, action == "acc")
        ctx.keep_buttons = await agreements.has_open_needs(ctx.tx, row.id)
        ctx.notice("decision_saved")
        await say_counter_decided(ctx, row, action == "acc")
        return to_review(row.skp_id)
    except Refused as exc:
        refuse(ctx, exc)
        return None


async def on_res_button(ctx: Ctx, action: str, obj: str, _version: int) -> Next | None:
    resource_id = parse_id(obj)
    if resource_id is None or action not in ("ok", "no"):
        ctx.notice("button_invalid", alert=True)
        return None
    try:
        row = await agreements.decide_resource(ctx.tx, resource_id, action == "ok")
    except Refused as exc:
        refuse(ctx, exc)
        return None
    if row.expectation_id is not None:
        ctx.keep_buttons = await agreements.has_open_parts(ctx.tx, row.expectation_id)
    ctx.notice("decision_saved")
    say_resource_decided(ctx, row, action == "ok")
    return to_review(row.skp_id)


def to_review(skp_id: int) -> Goto:
    """After a decision from a notice: the SKP's review screen, below the notice, so the next
    step (another decision, approving) is one tap away."""
    return Goto("home", "tinjau", seed={"skp_id": skp_id})

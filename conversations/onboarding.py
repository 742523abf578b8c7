"""Onboarding: an invitation link (/start <code>) binds a Telegram account to an employee once
they confirm who they are. Before that the account can do nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditLog, Employee, Invitation, LinkStatus, TelegramLink
from bot.engine.context import Ctx
from bot.engine.flow import Choice, Goto, Next, Quiet, Step, flow
from bot.engine.runtime import HOME, TelegramIdentity
from bot.engine.types import Event, EventKind, Outcome, Reply
from bot.services import invitations
from bot.texts import Texts
from bot.usecases import outbox_admin
from conversations import data_report, privacy
from conversations.people import identity_card, linked_admin_ids


async def handle_unlinked(
    session: AsyncSession,
    texts: Texts,
    ident: TelegramIdentity,
    event: Event,
    now: datetime,
    existing: TelegramLink | None,
) -> Outcome | TelegramLink:
    """An account with no confirmed link: only a valid invitation code gets it anywhere."""
    if not (event.kind is EventKind.COMMAND and event.text == "start" and event.arg):
        return Outcome([Reply(texts.message("not_registered"))], toast=_toast(texts, event))
    found = await invitations.find_for_redeem(session, event.arg.strip(), ident.user_id, now)
    if isinstance(found, invitations.CodeProblem):
        return Outcome([Reply(texts.message(found.value))])
    employee = await session.get(Employee, found.employee_id)
    if employee is None or not employee.active:
        return Outcome([Reply(texts.message(invitations.CodeProblem.UNKNOWN.value))])
    if existing is not None:
        existing.status, existing.revoked_at = LinkStatus.REVOKED, now
        await session.flush()
    found.claimed_by_tg_user = ident.user_id
    link = TelegramLink(
        employee_id=employee.id,
        tg_user_id=ident.user_id,
        chat_id=ident.chat_id,
        status=LinkStatus.PENDING,
        invitation_id=found.id,
        created_at=now,
    )
    session.add(link)
    await session.flush()
    link.employee = employee
    session.add(
        AuditLog(
            at=now,
            actor_id=employee.id,
            channel="telegram",
            action="link.claimed",
            object_type="telegram_link",
            object_id=link.id,
            details={"invitation": found.id},
        )
    )
    return link


def _toast(texts: Texts, event: Event) -> str | None:
    return texts.label("not_registered_short") if event.kind is EventKind.BUTTON else None


async def activate(ctx: Ctx) -> None:
    """Confirm the pending link; any earlier device of the same person is signed out."""
    link = ctx.actor.link
    assert link is not None and link.status is LinkStatus.PENDING
    await ctx.session.execute(
        update(TelegramLink)
        .where(
            TelegramLink.employee_id == link.employee_id, TelegramLink.status == LinkStatus.ACTIVE
        )
        .values(status=LinkStatus.REVOKED, revoked_at=ctx.now)
    )
    await ctx.session.flush()
    link.status, link.confirmed_at = LinkStatus.ACTIVE, ctx.now
    if link.invitation_id is not None:
        invitation = await ctx.session.get(Invitation, link.invitation_id)
        if invitation is not None:
            invitation.used_at = ctx.now
    ctx.audit("link.activated", "telegram_link", link.id)
    # What was meant for them before they linked (a leader's cascade, a notice) comes now.
    await outbox_admin.deliver_waiting(ctx.tx, link.employee_id)


async def identity_view(ctx: Ctx) -> dict[str, Any]:
    # The privacy notice is part of what the person confirms (UU PDP 27/2022).
    card = await identity_card(ctx.session, ctx.actor.id)
    return {**card, "retention_days": privacy.retention_days()}


def identity_choices(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("yes", "yes_me")], [Choice("wrong", "data_wrong")], [Choice("notme", "not_me")]]


async def on_identity(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "yes":
        await activate(ctx)
        ctx.say("welcome", name=ctx.actor.employee.name)
        return HOME
    if action == "wrong":
        return Goto("wrong_field")
    # Not me: the code reached the wrong person. Release it and tell the administrators.
    link = ctx.actor.link
    assert link is not None
    link.status, link.revoked_at = LinkStatus.REVOKED, ctx.now
    if link.invitation_id is not None:
        invitation = await ctx.session.get(Invitation, link.invitation_id)
        if invitation is not None:
            invitation.revoked_at = ctx.now
    ctx.audit("link.rejected_not_me", "telegram_link", link.id)
    card = await identity_card(ctx.session, ctx.actor.id)
    for admin_id in await linked_admin_ids(ctx.session):
        await ctx.notify(
            admin_id, "not_me", "admin_not_me", dedupe_key=f"not_me:{link.id}:{admin_id}", **card
        )
    ctx.say("onboarding_not_me")
    return Quiet()


async def on_wrong_field(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("identity")
    ctx.data["field"] = arg
    return Goto("wrong_note")


async def on_wrong_note_back(ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("wrong_field")


async def on_wrong_note(ctx: Ctx, text: str) -> Next:
    problem = data_report.validate_note(text)
    if problem is not None:
        return problem
    await data_report.file_report(ctx, ctx.data.get("field", "lainnya"), text)
    # It is still them: they use the bot while the administrators check the data.
    await activate(ctx)
    ctx.say("onboarding_report_sent", name=ctx.actor.employee.name)
    return HOME


FLOW = flow(
    "onboarding",
    [
        Step(
            "identity",
            "onboarding_identity",
            view=identity_view,
            choices=identity_choices,
            on_choice=on_identity,
            help="help_onboarding",
        ),
        Step(
            "wrong_field",
            "report_field",
            view=data_report.field_view,
            choices=data_report.field_choices,
            on_choice=on_wrong_field,
            help="help_onboarding",
        ),
        Step(
            "wrong_note",
            "report_note",
            view=data_report.note_view,
            choices=data_report.note_choices,
            on_choice=on_wrong_note_back,
            on_text=on_wrong_note,
            help="help_report_note",
        ),
    ],
)

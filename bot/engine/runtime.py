"""The engine: one database transaction per incoming event.

For each event it marks the update processed in the inbox (a redelivered update is not run
again), finds who is acting, loads their dialog state, runs the step's handler, renders the
next step, and saves the state with an optimistic version check (a concurrent change to the
same person's state makes this transaction retry). Nothing is sent from inside: a Telegram
step's replies are written as outbox rows (kind "reply", tied to the update) in the same
transaction, so what the step decided and what it answers commit together; the caller hands
them to the sender after the commit. Messages for other people go through the outbox too.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, func, insert, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload

from bot.db.models import (
    DialogState,
    Employee,
    InboxOutcome,
    InboxUpdate,
    LinkStatus,
    Outbox,
    OutboxStatus,
    TelegramLink,
)
from bot.db.session_memo import lock_own_skp
from bot.engine.callback import Callback
from bot.engine.context import Actor, Ctx, role_flags, roles_of
from bot.engine.flow import Flow, Goto, Next, Quiet, Reask, Registry, Step
from bot.engine.types import Button, Event, EventKind, Outcome, Reply, StoredReply
from bot.html_fit import MESSAGE_LIMIT, visible_length
from bot.services.catalog import PERIODS_STAMP, Catalog
from bot.texts import Texts

log = logging.getLogger(__name__)

HOME_FLOW, HOME_STEP = "menu", "home"
HOME = Goto(HOME_STEP, HOME_FLOW)
ONBOARDING_FLOW = "onboarding"
STEP_NS = "s"
MAX_ATTEMPTS = 4
# PostgreSQL's deadlock_detected and serialization_failure: the transaction may run again.
_TRY_AGAIN = frozenset({"40P01", "40001"})
# The outbox kind of a step's own answer to the person who sent the update: its messages
# and the answer to the button pressed (a toast, or just the end of the button's spinner).
REPLY_KIND = "reply"


@dataclass(frozen=True, slots=True)
class Lease:
    """A sender's lease to write a step's replies with: the sender sends them right after the
    commit without claiming them first (a process that dies holding it is known by `owner`)."""

    owner: str
    until: datetime


class RecordCarrier(Protocol):
    """An outbox sender whose records of sent rows a step's transaction may carry."""

    def take_records(self) -> Any: ...

    def done(self, records: Any) -> None: ...

    def give_back(self, records: Any) -> None: ...

    def pending_screen(self, chat_id: int) -> tuple[bool, int | None]: ...

    async def write_records(self, connection: AsyncConnection, records: Any) -> None: ...


class ConcurrentChange(Exception):
    """Someone else changed this person's dialog state since it was read."""


@dataclass(frozen=True, slots=True)
class TelegramIdentity:
    user_id: int
    chat_id: int
    first_name: str = ""


UnlinkedHandler = Callable[
    [AsyncSession, Texts, TelegramIdentity, Event, datetime, TelegramLink | None],
    Awaitable["Outcome | TelegramLink"],
]


class DialogEngine:
    def __init__(
        self,
        registry: Registry,
        sessionmaker: async_sessionmaker[AsyncSession],
        texts: Texts,
        unlinked: UnlinkedHandler,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        one_writer: bool = False,
    ) -> None:
        self.registry = registry
        self.sessionmaker = sessionmaker
        self.texts = texts
        self.unlinked = unlinked
        self.clock = clock
        # SQLite has one writer at a time and every update writes: queueing the transactions
        # here is far cheaper than letting them collide and sleep in SQLite's busy handler.
        self._writer: asyncio.Lock | None = asyncio.Lock() if one_writer else None
        # The periods and policies, kept while the stamp read with each update holds.
        self.catalog = Catalog()
        # The outbox senders of this process: their records ride on the steps' transactions.
        self.carriers: list[RecordCarrier] = []

    def writing(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """Around another write transaction (storing received updates): SQLite's one writer
        slot, nothing on PostgreSQL."""
        return self._writer or contextlib.nullcontext()

    # -- entry points ---------------------------------------------------------------------

    async def handle_telegram(
        self,
        ident: TelegramIdentity,
        event: Event,
        update_id: int | None,
        answer_to: str | None = None,
        lease: Lease | None = None,
    ) -> Outcome:
        """One update's step. With an update id, the answer to the button press `answer_to`
        (a callback query id) and the step's replies are stored as outbox rows in the step's
        transaction (`Outcome.reply_ids`, the answer first; with a `lease`, written leased to
        that sender, and in `Outcome.stored`); a redelivered update runs nothing and returns
        the ids of those rows still unsent (`duplicate`)."""
        return await self._retrying(
            lambda s: self._telegram(s, ident, event, update_id, answer_to, lease)
        )

    async def handle_employee(self, employee_id: int, event: Event, channel: str) -> Outcome:
        """For channels where the person is already known (the terminal chat)."""

        async def run(session: AsyncSession) -> Outcome:
            employee = await session.get(Employee, employee_id)
            if employee is None or not employee.active:
                return Outcome([Reply(self.texts.message("not_registered"))])
            return await self._dispatch(session, Actor(employee, None, session), event, channel)

        return await self._retrying(run)

    async def _retrying(self, body: Callable[[AsyncSession], Awaitable[Outcome]]) -> Outcome:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            carried: list[tuple[RecordCarrier, Any]] = []
            try:
                async with (
                    self._writer or contextlib.nullcontext(),
                    self.sessionmaker() as session,
                    session.begin(),
                ):
                    await self._carry(session, carried)
                    outcome = await body(session)
                for carrier, records in carried:
                    carrier.done(records)
                return outcome
            except ConcurrentChange:
                self._give_back(carried)
                log.info("concurrent change of a dialog state, retrying (attempt %d)", attempt)
            except DBAPIError as exc:
                self._give_back(carried)
                if getattr(exc.orig, "sqlstate", None) not in _TRY_AGAIN or attempt == MAX_ATTEMPTS:
                    raise
                # PostgreSQL chose this transaction to break a deadlock or a serialization
                # conflict: nothing of it was kept, so it runs again.
                log.info(
                    "transaction conflict (SQLSTATE %s), retrying (attempt %d)",
                    getattr(exc.orig, "sqlstate", None),
                    attempt,
                )
            except BaseException:
                self._give_back(carried)
                raise
        raise ConcurrentChange("gave up after repeated concurrent changes")

    async def _carry(self, session: AsyncSession, carried: list[tuple[RecordCarrier, Any]]) -> None:
        """Records the senders of this process have waiting (rows sent by earlier steps)
        written in this step's transaction instead of one of their own."""
        for carrier in self.carriers:
            records = carrier.take_records()
            if records is not None:
                carried.append((carrier, records))
                await carrier.write_records(await session.connection(), records)

    @staticmethod
    def _give_back(carried: list[tuple[RecordCarrier, Any]]) -> None:
        for carrier, records in carried:
            carrier.give_back(records)

    # -- Telegram specifics ---------------------------------------------------------------

    async def _telegram(
        self,
        session: AsyncSession,
        ident: TelegramIdentity,
        event: Event,
        update_id: int | None,
        answer_to: str | None,
        lease: Lease | None,
    ) -> Outcome:
        if update_id is None:
            return await self._telegram_step(session, ident, event, await _found(session, ident))
        if _is_postgres(session):
            # One round trip: the update marked processed and the person read.
            params = self._first_time_params(update_id, ident.user_id, InboxOutcome.DONE)
            row = (await session.execute(_FIRST_AND_FOUND, params)).one()
            fresh, found = bool(row[0]), (row[1:] if row[1] is not None else None)
        else:
            fresh = await self._first_time(session, update_id, ident.user_id)
            found = await _found(session, ident) if fresh else None
        if not fresh:
            return Outcome(duplicate=True, reply_ids=await _unsent(session, update_id))
        deferred: list[dict[str, Any]] = []
        outcome = await self._telegram_step(session, ident, event, found, deferred)
        if (
            outcome.consumed
            and not outcome.in_place
            and event.message_id is not None
            and event.message_id == outcome.previous_screen
        ):
            # A second tap on a screen already rewritten by the first: the buttons it shows
            # now are the new screen's, and they stay.
            outcome.consumed = False
        await self._store_replies(
            session,
            outcome,
            ident.chat_id,
            update_id,
            answer_to,
            lease,
            event.message_id,
            deferred[0] if deferred else None,
        )
        return outcome

    async def _store_replies(
        self,
        session: AsyncSession,
        outcome: Outcome,
        chat_id: int,
        update_id: int,
        answer_to: str | None,
        lease: Lease | None,
        pressed: int | None = None,
        save: dict[str, Any] | None = None,
    ) -> None:
        """What the step answers, as one outbox row for the chat (kind "reply"): the answer to
        the button pressed, if any, then the messages, in order. No recipient: it answers
        whoever wrote, linked or not, and is not a notice to a person. `save`: the dialog
        state's save, written with it (on PostgreSQL in the same statement).

        A calm chat: the answer to a press of a screen's button replaces that screen (the
        message `pressed` is edited); a new screen sent below an older one takes the older
        one's buttons away, so nobody meets a stale button in normal use."""
        messages = _screen_messages(outcome, pressed)
        payload: dict[str, Any] = {"messages": messages}
        if answer_to is not None:
            payload["answer"] = {
                "callback_query_id": answer_to,
                "text": outcome.toast,
                "show_alert": outcome.alert,
            }
        elif not outcome.replies:
            if save is not None:
                await _save_state(session, save)
            return
        now = self.clock()
        row = {
            "recipient_id": None,
            "kind": REPLY_KIND,
            "payload": payload,
            "created_at": now,
            "send_after": now,
            "chat_id": chat_id,
            "update_id": update_id,
            "claimed_by": lease.owner if lease else None,
            "claimed_until": lease.until if lease else None,
            "attempts": 1 if lease else 0,
            "status": OutboxStatus.PENDING,
        }
        connection = await session.connection()
        if save is not None and _is_postgres(session):
            saved = (await connection.execute(_SAVE_AND_STORE, {**save, **row})).one()
            if saved[1] != 1:
                raise ConcurrentChange
            row_id = int(saved[0])
        else:
            if save is not None:
                await _save_state(session, save)
            row_id = int((await connection.execute(_STORE_REPLY, row)).scalar_one())
        outcome.reply_ids = [row_id]
        if lease is not None:
            outcome.stored = [StoredReply(row_id, REPLY_KIND, payload)]

    async def _telegram_step(
        self,
        session: AsyncSession,
        ident: TelegramIdentity,
        event: Event,
        found: Any,
        deferred: list[dict[str, Any]] | None = None,
    ) -> Outcome:
        """`found`: the person's link, dialog state, roles and the catalog's stamp (None: no
        link). With `deferred`, the state's save is left to the caller (see `_dispatch`)."""
        link, state = (found[0], found[1]) if found is not None else (None, None)
        roles = roles_of(found[2:5]) if found is not None else None
        stamp = found[5] if found is not None else None
        starts_with_code = event.kind is EventKind.COMMAND and event.text == "start" and event.arg
        if (
            link is None
            or not link.employee.active
            or (link.status is LinkStatus.PENDING and starts_with_code)
        ):
            result = await self.unlinked(session, self.texts, ident, event, self.clock(), link)
            if isinstance(result, Outcome):
                return result
            link = result
            actor = Actor(link.employee, link, session)
            return await self._dispatch(session, actor, event, "telegram", enter=ONBOARDING_FLOW)
        if link.chat_id != ident.chat_id:
            link.chat_id = ident.chat_id
        if link.unreachable_since is not None:
            # They write again, so they unblocked the bot: reachable for notices once more.
            link.unreachable_since = None
        actor = Actor(link.employee, link, session, roles, link.employee.penilai)
        if _is_postgres(session):
            lock_own_skp(session, actor.id)
        outcome = await self._dispatch(
            session,
            actor,
            event,
            "telegram",
            state=state,
            state_loaded=True,
            stamp=stamp,
            deferred=deferred,
        )
        outcome.previous_screen = self._screen_of(ident.chat_id, link.screen_message_id)
        return outcome

    def _screen_of(self, chat_id: int, recorded: int | None) -> int | None:
        """The chat's screen: as this process's sender knows it while its record is not
        committed yet (another step may be carrying it), else as recorded."""
        for carrier in self.carriers:
            known, message_id = carrier.pending_screen(chat_id)
            if known:
                return message_id
        return recorded

    async def _first_time(
        self,
        session: AsyncSession,
        update_id: int,
        user_id: int,
        outcome: InboxOutcome = InboxOutcome.DONE,
    ) -> bool:
        """Mark the update processed in this transaction; False when it already was. The row
        exists when the update was stored on receipt (long polling); otherwise it is made."""
        stmt = _FIRST_TIME[_is_postgres(session)]
        # Core execution on the session's connection: with parameters, an ORM execute would
        # take the bulk-insert path.
        connection = await session.connection()
        result = await connection.execute(
            stmt, self._first_time_params(update_id, user_id, outcome)
        )
        return bool(result.rowcount)

    def _first_time_params(
        self, update_id: int, user_id: int, outcome: InboxOutcome
    ) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "user_id": user_id,
            "now": self.clock(),
            "outcome": outcome.value,
        }

    async def settle_telegram(
        self,
        ident: TelegramIdentity,
        update_id: int,
        outcome: InboxOutcome,
        replies: list[Reply] | None = None,
        answer_to: str | None = None,
        toast: str | None = None,
        lease: Lease | None = None,
    ) -> Outcome:
        """An update answered without running a step (above the rate limit): marked processed
        with its answer and replies stored, as a step would; a redelivered one as a
        duplicate."""

        async def body(session: AsyncSession) -> Outcome:
            if not await self._first_time(session, update_id, ident.user_id, outcome):
                return Outcome(duplicate=True, reply_ids=await _unsent(session, update_id))
            result = Outcome(replies=list(replies or []), toast=toast)
            await self._store_replies(session, result, ident.chat_id, update_id, answer_to, lease)
            return result

        return await self._retrying(body)

    async def close_update(self, update_id: int, outcome: InboxOutcome) -> bool:
        """Mark a stored update processed without a step (its step failed, or there is none
        to run) so it is not taken up again at the next start. False: it was not stored (it
        did not come through the inbox) or was processed already."""
        async with self.writing(), self.sessionmaker() as session, session.begin():
            result = await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.update_id == update_id, InboxUpdate.processed_at.is_(None))
                .values(processed_at=self.clock(), outcome=outcome.value, payload=null())
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- the dialog -----------------------------------------------------------------------

    async def _dispatch(
        self,
        session: AsyncSession,
        actor: Actor,
        event: Event,
        channel: str,
        enter: str | None = None,
        state: DialogState | None = None,
        state_loaded: bool = False,
        stamp: int | None = None,
        deferred: list[dict[str, Any]] | None = None,
    ) -> Outcome:
        """Run the event's step. With `deferred`, an existing state's save (its parameters)
        is appended there for the caller to write with the step's reply."""
        if not state_loaded:
            state = await session.get(DialogState, actor.id)
        is_new = state is None
        if state is None:
            state = DialogState(
                employee_id=actor.id, flow=HOME_FLOW, step=HOME_STEP, data={}, version=0
            )
        stored_data: dict[str, Any] = state.data or {}
        stored_place = (state.flow, state.step)
        draft = copy.deepcopy(stored_data.get("draft", {}))
        ctx = Ctx(session, actor, self.texts, self.clock(), channel, draft)
        ctx.catalog, ctx.stamp = self.catalog, stamp
        ctx.attachment = event.attachment
        cursor = _Cursor(
            state.flow,
            state.step,
            state.version,
            copy.deepcopy(stored_data.get("parked", {})),
            stored_data.get("offered"),
        )
        outcome = Outcome()

        pending = actor.link is not None and actor.link.status is LinkStatus.PENDING
        if enter is not None:
            nxt: Next = Goto(self.registry.flows[enter].start, enter)
            cursor.flow = ""  # entering afresh: nothing to park
            ctx.data.clear()
        elif pending and cursor.flow != ONBOARDING_FLOW:
            nxt = Goto(self.registry.flows[ONBOARDING_FLOW].start, ONBOARDING_FLOW)
        elif (
            not pending and cursor.flow == ONBOARDING_FLOW
        ) or cursor.flow not in self.registry.flows:
            cursor.flow, cursor.step = HOME_FLOW, HOME_STEP
            nxt = await self._route(ctx, cursor, event, outcome, pending)
        else:
            if cursor.step not in self.registry.flows[cursor.flow].steps:
                cursor.step = self.registry.flows[cursor.flow].start
            nxt = await self._route(ctx, cursor, event, outcome, pending)

        await self._apply(ctx, cursor, nxt)
        shown = await self._prepare(ctx, cursor, nxt)
        if shown is not None:
            cursor.offered = [[c.action, c.arg] for row in shown[2] for c in row]
        changed = (
            is_new
            or (cursor.flow, cursor.step) != stored_place
            or _stored(ctx.data, cursor) != _normalised(stored_data)
        )
        version = state.version + 1 if changed else state.version
        if shown is not None:
            self._emit(ctx, nxt, *shown, version)
        if changed:
            await self._save(session, state, is_new, cursor, ctx.data, version, deferred)

        outcome.replies.extend(ctx.replies)
        if ctx.toast is not None:
            outcome.toast, outcome.alert = ctx.toast, ctx.alert
        if ctx.outbox_ids:
            outcome.outbox_ids = list(ctx.outbox_ids)
        return outcome

    async def _route(
        self, ctx: Ctx, cursor: _Cursor, event: Event, outcome: Outcome, pending: bool
    ) -> Next:
        flow = self.registry.flows[cursor.flow]
        step = flow.step(cursor.step)
        if event.kind is EventKind.COMMAND:
            return await self._command(ctx, cursor, flow, step, event, pending)
        if event.kind is EventKind.TEXT:
            if step.on_text is None:
                return Reask("use_buttons")
            return await step.on_text(ctx, _clean_text(event.text))
        if event.kind is EventKind.FILE:
            if step.on_file is None:
                return Reask("file_not_here")
            # A long name keeps its end: the extension says how to read the file.
            return await step.on_file(ctx, _clean_text(event.text)[-200:], event.content)
        callback = Callback.decode(event.text)
        if callback is None:
            ctx.notice("button_invalid", alert=True)
            return Quiet()
        if callback.ns != STEP_NS:
            handler = self.registry.object_actions.get(callback.ns)
            if handler is None or pending:
                ctx.notice("button_invalid", alert=True)
                return Quiet()
            result = await handler(ctx, callback.action, callback.obj, callback.version)
            # A message may carry several decisions (a counter and resource needs): it keeps
            # its buttons while others are open; a decided one answers that it was decided.
            outcome.consumed = not ctx.keep_buttons
            return result if result is not None else Quiet()
        if callback.version != cursor.version:
            outcome.consumed = True
            ctx.notice("button_stale", alert=True)
            return Quiet()
        if cursor.offered is not None:
            # What the screen offered was stored when it was drawn: no need to rebuild it.
            offered = [tuple(pair) for pair in cursor.offered]
        else:  # a state saved before offers were stored
            offered = [(c.action, c.arg) for row in await self._choices(ctx, step) for c in row]
        if (callback.action, callback.obj) not in offered:
            ctx.notice("button_invalid", alert=True)
            return Quiet()
        assert step.on_choice is not None
        outcome.consumed = outcome.in_place = True
        return await step.on_choice(ctx, callback.action, callback.obj)

    async def _command(
        self, ctx: Ctx, cursor: _Cursor, flow: Flow, step: Step, event: Event, pending: bool
    ) -> Next:
        name = event.text
        if name == "bantuan":
            return Reask(step.help or flow.help)
        if pending:
            # Before the identity is confirmed only the confirmation itself is possible.
            return Reask("onboarding_confirm_first")
        if name == "batal":
            had_work = bool(ctx.data) or cursor.flow != HOME_FLOW
            cursor.parked.pop(cursor.flow, None)
            ctx.data.clear()
            cursor.flow = ""  # nothing to park
            ctx.say("cancelled" if had_work else "nothing_to_cancel")
            return HOME
        if name == "start":
            if event.arg:
                ctx.say("already_linked")
            return HOME
        target = self.registry.commands.get(name)
        if target is None:
            return Reask("unknown_command", {"command": name[:40]})
        return Goto(self.registry.flows[target].start, target)

    async def _apply(self, ctx: Ctx, cursor: _Cursor, nxt: Next) -> None:
        """Move the cursor for a Goto (parking or resuming drafts, checking permission)."""
        if not isinstance(nxt, Goto):
            return
        target_flow = nxt.flow or cursor.flow
        flow = self.registry.flows[target_flow]
        if target_flow != cursor.flow:
            if flow.allowed is not None and not await flow.allowed(ctx.actor):
                ctx.say("not_allowed")
                target_flow, flow = HOME_FLOW, self.registry.flows[HOME_FLOW]
                nxt = HOME
            current = self.registry.flows.get(cursor.flow)
            if current is not None and current.resumable and ctx.data:
                cursor.parked[cursor.flow] = {"step": cursor.step, "draft": copy.deepcopy(ctx.data)}
            ctx.data.clear()
            step_name = nxt.step
            parked = cursor.parked.pop(target_flow, None) if flow.resumable else None
            same_object = (
                parked is not None
                and nxt.seed is not None
                and all(parked["draft"].get(k) == v for k, v in nxt.seed.items())
            )
            if nxt.seed is not None and not same_object:
                ctx.data.update(copy.deepcopy(nxt.seed))
            elif parked and nxt.step == flow.start and parked["step"] in flow.steps:
                ctx.data.update(parked["draft"])
                step_name = parked["step"]
                ctx.say("resumed")
            cursor.flow, cursor.step = target_flow, step_name
        else:
            if nxt.seed is not None:
                ctx.data.update(copy.deepcopy(nxt.seed))
            cursor.step = nxt.step

    async def _prepare(
        self, ctx: Ctx, cursor: _Cursor, nxt: Next
    ) -> tuple[Step, dict[str, Any], list[list[Any]]] | None:
        """The step to show, its view and its choices (None: nothing is shown)."""
        if isinstance(nxt, Quiet):
            return None
        step = self.registry.flows[cursor.flow].step(cursor.step)
        # Sessions do not autoflush: the screen must show what this update just changed.
        await ctx.session.flush()
        view = await step.view(ctx)
        return step, view, self._offer(ctx, step, view)

    def _emit(
        self,
        ctx: Ctx,
        nxt: Next,
        step: Step,
        view: dict[str, Any],
        rows: list[list[Any]],
        version: int,
    ) -> None:
        buttons = self._buttons(rows, version)
        if isinstance(nxt, Reask):
            ctx.replies.append(Reply(self.texts.message(nxt.template, **nxt.context), buttons))
        else:
            ctx.replies.append(Reply(self.texts.message(step.template, **view), buttons))

    async def _choices(self, ctx: Ctx, step: Step) -> list[list[Any]]:
        if step.choices is None:  # spare the view's queries
            return []
        return self._offer(ctx, step, await step.view(ctx))

    @staticmethod
    def _offer(ctx: Ctx, step: Step, view: dict[str, Any]) -> list[list[Any]]:
        if step.choices is None:
            return []
        return [list(row) for row in step.choices(ctx, view) if row]

    def _buttons(self, rows: list[list[Any]], version: int) -> list[list[Button]]:
        return [
            [
                Button(
                    c.text if c.text is not None else self.texts.label(c.label, **dict(c.values)),
                    "" if c.web_app else Callback(STEP_NS, c.action, c.arg, version).encode(),
                    c.web_app,
                )
                for c in row
            ]
            for row in rows
        ]

    async def _save(
        self,
        session: AsyncSession,
        state: DialogState,
        is_new: bool,
        cursor: _Cursor,
        draft: dict[str, Any],
        version: int,
        deferred: list[dict[str, Any]] | None = None,
    ) -> None:
        data = _stored(draft, cursor)
        now = self.clock()
        if is_new:
            state.flow, state.step, state.data, state.version, state.updated_at = (
                cursor.flow,
                cursor.step,
                data,
                version,
                now,
            )
            session.add(state)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise ConcurrentChange from exc
            return
        params = {
            "employee": state.employee_id,
            "old": state.version,
            "flow": cursor.flow,
            "step": cursor.step,
            "data": data,
            "version": version,
            "now": now,
        }
        if deferred is not None:
            deferred.append(params)
            return
        await _save_state(session, params)


def _screen_messages(outcome: Outcome, pressed: int | None) -> list[dict[str, Any]]:
    """The reply's messages as the sender sends them. Notes said before the screen go on top
    of it, in one message, when it fits. The screen (the last message) is marked so the
    sender remembers where it is; it edits the pressed message when the press was that
    screen's own, else it is sent new and the previous screen loses its buttons."""
    replies = list(outcome.replies)
    if len(replies) > 1 and not any(r.buttons for r in replies[:-1]):
        joined = "\n\n".join(r.html for r in replies)
        if visible_length(joined) <= MESSAGE_LIMIT:
            replies = [Reply(joined, replies[-1].buttons)]
    if pressed is not None and outcome.in_place and len(replies) == 1:
        outcome.edited = True
    messages: list[dict[str, Any]] = [
        {
            "html": reply.html,
            "buttons": [[b.as_dict() for b in row] for row in reply.buttons],
        }
        for reply in replies
    ]
    if outcome.edited:
        messages[0]["edit"] = pressed
        if pressed != outcome.previous_screen or not messages[0]["buttons"]:
            messages[0]["screen"] = True  # else the screen stays where it is: nothing to record
        return messages
    if messages:
        # The last message is the screen now, with buttons or without: the one before it
        # loses its buttons.
        messages[-1]["screen"] = True
        old = outcome.previous_screen
        if old is not None and old != pressed:
            messages[-1]["clear"] = old
    return messages


async def _unsent(session: AsyncSession, update_id: int) -> list[int]:
    """The outbox rows an update's step wrote that are not sent yet (oldest first)."""
    rows = await session.execute(
        select(Outbox.id)
        .where(Outbox.update_id == update_id, Outbox.status == OutboxStatus.PENDING)
        .order_by(Outbox.id)
    )
    return list(rows.scalars())


# Built once: statements rebuilt on every update cost a cache-key computation each time.
def _first_time_statement(postgres: bool) -> Any:
    stmt = (pg_insert if postgres else sqlite_insert)(InboxUpdate).values(
        update_id=bindparam("update_id"),
        tg_user_id=bindparam("user_id"),
        received_at=bindparam("now"),
        processed_at=bindparam("now"),
        outcome=bindparam("outcome"),
        attempts=0,
    )
    # Only a row not yet processed is taken (rowcount 1); the raw update is let go with it.
    return stmt.on_conflict_do_update(
        index_elements=["update_id"],
        set_={
            "processed_at": stmt.excluded.processed_at,
            "outcome": stmt.excluded.outcome,
            "payload": null(),
        },
        where=InboxUpdate.processed_at.is_(None),
    )


# The person and their pejabat penilai (most screens name or ask them): one statement.
_PERSON = joinedload(TelegramLink.employee).joinedload(Employee.penilai)
# What is read of the person with every update: the link (with the person and their
# pejabat penilai), the dialog state, the roles and the catalog's stamp.
_FOUND = (
    TelegramLink,
    DialogState,
    *role_flags(TelegramLink.employee_id),
    PERIODS_STAMP,
)
_THEIR_LINK = and_(
    TelegramLink.tg_user_id == bindparam("user_id"), TelegramLink.status != LinkStatus.REVOKED
)
_THEIR_STATE = DialogState.employee_id == TelegramLink.employee_id
_LINK_AND_STATE = (
    select(*_FOUND).options(_PERSON).outerjoin(DialogState, _THEIR_STATE).where(_THEIR_LINK)
)
_FIRST_TIME = {postgres: _first_time_statement(postgres) for postgres in (False, True)}


def _first_and_found_statement() -> Any:
    """PostgreSQL: the update marked processed (a data-modifying CTE) and what is read of the
    person, in one statement. One row always: whether the update was new, then the person
    (all NULL without a link)."""
    marked = _FIRST_TIME[True].returning(InboxUpdate.update_id).cte("marked")
    fresh = select(func.count().label("fresh")).select_from(marked).subquery("fresh")
    return (
        select(fresh.c.fresh, *_FOUND)
        .select_from(fresh)
        .outerjoin(TelegramLink, _THEIR_LINK)
        .outerjoin(DialogState, _THEIR_STATE)
        .options(_PERSON)
    )


_FIRST_AND_FOUND = _first_and_found_statement()


async def _save_state(session: AsyncSession, params: dict[str, Any]) -> None:
    """The dialog state's save with its version check (a concurrent change retries)."""
    connection = await session.connection()
    result = await connection.execute(_SAVE_STATE, params)
    if result.rowcount != 1:
        raise ConcurrentChange


def _save_and_store_statement() -> Any:
    """PostgreSQL: the dialog state's save (a data-modifying CTE) and the step's reply row in
    one statement, returning the row's id and how many states were saved (0: someone else
    changed it; the transaction retries)."""
    saved = _SAVE_STATE.returning(DialogState.employee_id).cte("saved")
    return _STORE_REPLY.add_cte(saved).returning(
        select(func.count()).select_from(saved).scalar_subquery()
    )


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def _found(session: AsyncSession, ident: TelegramIdentity) -> Any:
    return (await session.execute(_LINK_AND_STATE, {"user_id": ident.user_id})).one_or_none()


_STORE_REPLY = insert(Outbox).returning(Outbox.id)
_SAVE_STATE = (
    update(DialogState)
    .where(
        DialogState.employee_id == bindparam("employee"),
        DialogState.version == bindparam("old"),
    )
    .values(
        flow=bindparam("flow"),
        step=bindparam("step"),
        data=bindparam("data", type_=DialogState.__table__.c.data.type),
        version=bindparam("version"),
        updated_at=bindparam("now", type_=DialogState.__table__.c.updated_at.type),
    )
    .execution_options(synchronize_session=False)
)
# Its parameters are the reply row's columns and the state's (no name is both).
_SAVE_AND_STORE = _save_and_store_statement()


@dataclass(slots=True)
class _Cursor:
    flow: str
    step: str
    version: int
    parked: dict[str, Any]
    # The (action, arg) pairs the screen on display offers; a pressed button must be one.
    offered: list[list[str]] | None = None


def _stored(draft: dict[str, Any], cursor: _Cursor) -> dict[str, Any]:
    return {"draft": draft, "parked": cursor.parked, "offered": cursor.offered}


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "draft": data.get("draft", {}),
        "parked": data.get("parked", {}),
        "offered": data.get("offered"),
    }


# Telegram allows 4096 characters; anything longer is cut here and each flow decides what a
# field may hold. Control characters other than newlines are dropped.
MAX_TEXT = 4096


def _clean_text(raw: str) -> str:
    raw = raw[:MAX_TEXT]
    if raw.isprintable():  # nearly always: no character to look at one by one
        return raw.strip()
    text = "".join(ch for ch in raw if ch in "\n\t" or ch.isprintable())
    return text.strip()

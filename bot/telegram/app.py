"""The PTB Application: turns updates into engine events and the engine's outcome into
Telegram calls. Every message is sent in HTML parse mode; all user text reaching a template
is escaped there."""

from __future__ import annotations

import contextlib
import gc
import logging
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    CallbackQuery,
    Document,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.container import Services
from bot.db.models import InboxOutcome
from bot.engine.runtime import Lease, TelegramIdentity
from bot.engine.types import Attachment, Event, EventKind, Outcome, Reply
from bot.reminders.planner import Planner, ReminderConfig
from bot.services.housekeeping import prune_processed_updates
from bot.services.outbox import OutboxSender, inline_button
from bot.telegram.inbox import InboxRequest, InboxStore
from bot.telegram.processor import PerUserUpdateProcessor, RateLimiter, release_slot

log = logging.getLogger(__name__)

COMMANDS = (
    "menu",
    "skp",
    "capaian",
    "rencana",
    "persetujuan",
    "umpan",
    "kaskade",
    "bantuan",
    "batal",
    "koreksi",
)
# Also how soon a reply that failed is tried again after its backoff.
OUTBOX_INTERVAL = timedelta(seconds=5)
HOUSEKEEPING_INTERVAL = timedelta(hours=6)


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services: Services = context.application.bot_data["services"]
    return services


def _sender(context: ContextTypes.DEFAULT_TYPE) -> OutboxSender:
    sender: OutboxSender = context.application.bot_data["sender"]
    return sender


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[inline_button(b.as_dict()) for b in row] for row in reply.buttons]
    )


def _processor(context: ContextTypes.DEFAULT_TYPE) -> PerUserUpdateProcessor | None:
    processor = context.application.update_processor
    return processor if isinstance(processor, PerUserUpdateProcessor) else None


async def _deliver(context: ContextTypes.DEFAULT_TYPE, chat_id: int, outcome: Outcome) -> None:
    """After the commit: the step's replies (stored with it), then what it queued for others.
    Nothing here fails the update: the sender records each row's fate and tries again later,
    and a database error on the way only delays what stays in the outbox."""
    sender = _sender(context)
    try:
        if outcome.stored:
            await sender.send_stored(
                chat_id, [(row.id, row.kind, row.payload) for row in outcome.stored]
            )
        elif outcome.reply_ids or chat_id in sender.behind:
            await sender.deliver_replies(chat_id, outcome.reply_ids)
        if outcome.outbox_ids:
            await sender.deliver(outcome.outbox_ids)
    except Exception as exc:
        log.warning(
            "sending the outcome of a step to chat %s failed (%s); the outbox sender retries",
            chat_id,
            type(exc).__name__,
        )


async def _answer(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Every button press is answered (a duplicate too), once and at best: an answer Telegram
    refuses (too late, already answered) or that the network loses changes nothing saved."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        log.info("answering a button press failed: %s", exc)


async def _step(
    context: ContextTypes.DEFAULT_TYPE,
    update: Update,
    ident: TelegramIdentity,
    event: Event,
    answer_to: str | None = None,
) -> Outcome:
    """Run the update's step. A step that raises is closed in the inbox (not taken up again
    at the next start) and the error handler tells the person."""
    services = _services(context)
    try:
        outcome = await services.dialog.handle_telegram(
            ident, event, update.update_id, answer_to, _lease(context, ident.chat_id)
        )
    except Exception:
        with contextlib.suppress(Exception):
            await services.dialog.close_update(update.update_id, InboxOutcome.FAILED)
        raise
    # Committed: the rest waits on Telegram, not on the database.
    release_slot()
    return outcome


def _lease(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> Lease | None:
    """The sender's lease for the step's replies: sent right after the commit, unclaimed."""
    lease = _sender(context).reply_lease(chat_id)
    return Lease(*lease) if lease is not None else None


async def _too_fast(
    context: ContextTypes.DEFAULT_TYPE, update: Update, ident: TelegramIdentity
) -> bool:
    """True when the update is above the person's rate: it is answered politely (the first of
    a burst with a message, a button press always with a short note) and not run."""
    processor = _processor(context)
    warn = processor.take_limited(update.update_id) if processor is not None else None
    if warn is None:
        return False
    services = _services(context)
    query = update.callback_query
    outcome = await services.dialog.settle_telegram(
        ident,
        update.update_id,
        InboxOutcome.LIMITED,
        [Reply(services.texts.message("too_fast"))] if warn else [],
        answer_to=query.id if query is not None else None,
        toast=services.texts.label("too_fast_short"),
        lease=_lease(context, ident.chat_id),
    )
    release_slot()
    await _deliver(context, ident.chat_id, outcome)
    return True


async def _ignore(context: ContextTypes.DEFAULT_TYPE, update: Update) -> None:
    """An update with no step to run (a group chat, no sender), answered already: closed
    in the inbox."""
    await _services(context).dialog.close_update(update.update_id, InboxOutcome.IGNORED)


def _is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or update.effective_chat is None:
        await _ignore(context, update)
        return
    if not _is_private(update):
        # With privacy mode the bot only sees commands and mentions in groups: answer those.
        if message.text and (message.text.startswith("/") or "@" in message.text):
            with contextlib.suppress(TelegramError):
                await message.reply_text(_services(context).texts.message("group_only"))
        await _ignore(context, update)
        return
    ident = TelegramIdentity(user.id, update.effective_chat.id, user.first_name)
    if await _too_fast(context, update, ident):
        return
    if message.document is not None:
        event = Event(
            EventKind.FILE,
            message.document.file_name or "",
            content=await _file_content(context, message.document),
            attachment=_document_attachment(message.document, message.caption),
        )
    elif message.photo:
        # A photo is evidence: kept by its file_id (the largest size), never downloaded.
        event = Event(EventKind.FILE, "", attachment=_photo_attachment(message))
    else:
        text = message.text if message.text is not None else (message.caption or "")
        event = Event.from_text(text)
    outcome = await _step(context, update, ident, event)
    await _deliver(context, ident.chat_id, outcome)


def _document_attachment(document: Document, caption: str | None) -> Attachment:
    return Attachment(
        "document",
        document.file_id,
        document.file_unique_id,
        document.file_name or "",
        document.mime_type or "",
        document.file_size,
        caption or "",
    )


def _photo_attachment(message: Message) -> Attachment:
    photo = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
    return Attachment(
        "photo",
        photo.file_id,
        photo.file_unique_id,
        "",
        "image/jpeg",
        photo.file_size,
        message.caption or "",
    )


# The largest file the bot reads (a table of hasil kerja is a few kilobytes).
FILE_MAX_BYTES = 1_000_000
# The only files whose content a step reads: a table of hasil kerja (bot.domain.paste.files).
# Any other document (evidence: a PDF, a photo sent as a file) is kept by its file_id only.
TABLE_NAMES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt")


async def _file_content(context: ContextTypes.DEFAULT_TYPE, document: Document) -> bytes | None:
    """A sent table's bytes, fetched before the step's transaction (None: too large or not
    fetched; the step then says so). Another kind of file is not downloaded: its content is
    empty (a step reading tables says it is not one)."""
    if not (document.file_name or "").casefold().endswith(TABLE_NAMES):
        return b""
    if document.file_size is not None and document.file_size > FILE_MAX_BYTES:
        return None
    try:
        file = await context.bot.get_file(document.file_id)
        content = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not fetch a sent file: %s", exc)
        return None
    return content if len(content) <= FILE_MAX_BYTES else None


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query: CallbackQuery | None = update.callback_query
    if query is None:
        return
    services = _services(context)
    if not _is_private(update) or update.effective_chat is None:
        await _answer(query, services.texts.label("group_only_short"), alert=True)
        await _ignore(context, update)
        return
    ident = TelegramIdentity(
        query.from_user.id, update.effective_chat.id, query.from_user.first_name
    )
    if await _too_fast(context, update, ident):
        return
    pressed = query.message.message_id if query.message is not None else None
    event = Event(EventKind.BUTTON, query.data or "", message_id=pressed)
    # The answer to the press is stored with the step and sent first, with the replies.
    outcome = await _step(context, update, ident, event, answer_to=query.id)
    await _deliver(context, ident.chat_id, outcome)
    if outcome.duplicate:
        # Redelivered: the step is not run again and what it stored and did not send yet
        # went just now. Answered once more in case its answer was never stored (Telegram
        # refuses a second answer, which changes nothing).
        await _answer(query)
    elif outcome.consumed and not outcome.edited and query.message is not None:
        # Already edited (a double tap), too old to edit, or lost: nothing depends on it
        # (an old screen's buttons are refused by their version anyway).
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling update %s from Telegram user %s",
        update_id,
        user_id,
        exc_info=context.error,
    )
    if isinstance(update, Update) and update.effective_chat is not None and _is_private(update):
        services = _services(context)
        try:
            if update.callback_query is not None:
                await _answer(update.callback_query, services.texts.label("error_short"))
            await context.bot.send_message(
                update.effective_chat.id, services.texts.message("error")
            )
        except Exception:  # the transport itself may be what failed
            log.warning("could not tell user %s about the error", user_id)


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """What was sent and not yet recorded is written before the process ends (PTB calls
    this from run_polling() only: whoever runs the application otherwise calls it)."""
    services: Services = app.bot_data["services"]
    sender: OutboxSender = app.bot_data["sender"]
    with contextlib.suppress(ValueError):
        services.dialog.carriers.remove(sender)
    await sender.flush_records()


def tune_gc() -> None:
    """After start-up: move what is loaded for good (modules, templates, mappers) out of the
    collector's sight and collect young objects less often. Measured in bench/: the p99 of a
    step at 100 updates/s on PostgreSQL drops from ~80 to ~50 ms (full collections stop
    re-scanning the whole heap in the middle of someone's step)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = app.bot_data["services"]
    tune_gc()
    try:
        await app.bot.set_my_commands(
            [BotCommand(c, services.texts.label(f"cmd_{c}")) for c in COMMANDS]
        )
    except TelegramError as exc:  # the menu of commands can wait for the next start
        log.warning("could not set the bot's commands: %s", exc)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_drain_outbox, interval=OUTBOX_INTERVAL, first=1)
        minutes = services.settings.planning_interval_minutes
        app.job_queue.run_repeating(_plan_reminders, interval=minutes * 60, first=15)
        app.job_queue.run_repeating(_housekeeping, interval=HOUSEKEEPING_INTERVAL, first=60)
        app.job_queue.run_repeating(_prune_replies, interval=HOUSEKEEPING_INTERVAL, first=90)


async def _drain_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    await _sender(context).drain()


async def _prune_replies(context: ContextTypes.DEFAULT_TYPE) -> None:
    inbox: InboxStore = context.application.bot_data["inbox"]
    pruned = await inbox.prune_replies(_services(context).clock())
    if pruned:
        log.info("deleted %d replies sent more than a day ago", pruned)


async def _housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    pruned = await prune_processed_updates(services.sessionmaker, services.clock())
    if pruned:
        log.info("pruned %d processed update ids", pruned)
    from bot.services.housekeeping import prune_outbox_payloads

    keep = timedelta(days=services.settings.outbox_retention_days)
    emptied = await prune_outbox_payloads(services.sessionmaker, services.clock(), keep)
    if emptied:
        log.info("emptied the payload of %d outbox rows older than %s", emptied, keep)


async def _plan_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """APScheduler (PTB's job queue) triggers planning; the sender then drains what is due."""
    services = _services(context)
    # Several workers on one database: only the one that holds this slot's turn plans.
    gate = context.application.bot_data.get("planning_gate")
    if gate is not None and not await gate():
        return
    planner = Planner(
        services.sessionmaker, services.texts, ReminderConfig.from_settings(services.settings)
    )
    created = await planner.run(services.clock())
    if created:
        log.info("planned reminders: %s", dict(created))
        await _sender(context).drain()


def build_application(
    services: Services,
    *,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
    job_queue: bool = True,
    person_limit: bool | None = None,
    holder: str | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application. `rate_limit`: Telegram's global send rate and (unless `person_limit`
    says otherwise) the per-person update rate; `holder`: who this process is in the
    outbox's leases (the run lock's holder when polling); `rate_limiter`: another limiter for
    Telegram's send rate instead of this process's own (bot.web.budget: one budget shared by
    the webhook workers)."""
    settings = services.settings
    # Every template compiled now (once per process), so nobody's first screen waits for it.
    services.texts.warm()
    if person_limit is None:
        person_limit = rate_limit
    limiter = (
        RateLimiter(settings.user_max_rate) if person_limit and settings.user_max_rate else None
    )
    # getUpdates goes through the inbox: its updates are committed before they are confirmed.
    inbox = InboxStore(services.dialog)
    updates_request = InboxRequest(
        request if request is not None else HTTPXRequest(connection_pool_size=1), inbox.receive
    )
    builder = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .concurrent_updates(PerUserUpdateProcessor(settings.update_concurrency, limiter))
        .get_updates_request(updates_request)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    elif rate_limit:
        global_limiter = AIORateLimiter(
            overall_max_rate=settings.telegram_max_rate, overall_time_period=1, max_retries=3
        )
        builder = builder.rate_limiter(global_limiter)  # type: ignore[arg-type]
    if not job_queue:
        builder = builder.job_queue(None)  # type: ignore[arg-type]
    app = builder.build()
    app.bot_data["services"] = services
    app.bot_data["inbox"] = inbox
    app.bot_data["sender"] = OutboxSender(
        services.sessionmaker,
        app.bot,
        services.clock,
        services.documents,
        max_attempts=services.settings.outbox_max_attempts,
        holder=holder,
        writing=services.dialog.writing,
    )
    # Its records of sent rows ride on this process's steps (see OutboxSender._record_sent).
    services.dialog.carriers.append(app.bot_data["sender"])
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_message))
    app.add_handler(CallbackQueryHandler(on_callback))
    app.add_error_handler(on_error)
    return app

"""An offline Telegram: a PTB `BaseRequest` that answers the Bot API methods the bot uses,
records every call, can be told to fail, and refuses anything that would go to the network.
It is as strict as Telegram: HTML that Telegram's parser refuses, a text over 4096 characters
or a caption over 1024 (both counted after parsing), callback_data over 64 bytes and more than
100 buttons are answered with the 400 Telegram gives, which PTB raises as `BadRequest`; every
refusal is also kept in `refused`. `ChatClient` plays one person in a private chat: it sends
text and commands and clicks buttons by their label, through the real
`Application.process_update`."""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

BOT_ID = 7000000001
BOT_USERNAME = "dialog_kinerja_test_bot"
TOKEN = f"{BOT_ID}:TEST-token-not-real"
BASE_URL = "https://api.telegram.invalid/bot"
FILE_URL = "https://api.telegram.invalid/file/bot"

# Telegram's limits (https://core.telegram.org/bots/api): characters after entity parsing.
MESSAGE_MAX = 4096
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
CAPTION_MAX = 1024
CALLBACK_ANSWER_MAX = 200
CALLBACK_DATA_MAX = 64
BUTTONS_MAX = 100
# The tags of Telegram's HTML subset (span only as class="tg-spoiler").
HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "tg-emoji",
        "blockquote",
    }
)
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z0-9]+));?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\n\r\f\v"


class Refusal(Exception):
    """What Telegram answers a request it refuses (always a 400 here)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _entity(text: str, i: int) -> tuple[str, int] | None:
    """The character an HTML entity at `i` stands for and where it ends; None: not one
    Telegram decodes (the "&" is then an ordinary character)."""
    match = _ENTITY.match(text, i)
    if match is None:
        return None
    if match[3] is not None:
        char = _NAMED.get(match[3])
        return (char, match.end()) if char is not None else None
    code = int(match[1]) if match[1] is not None else int(match[2], 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def parse_html(html: str) -> str:
    """The text Telegram makes of `html` in HTML parse mode (tags removed, entities decoded),
    or `Refusal` with Telegram's description. Follows tdlib's parse_html: only its tags, every
    tag closed in order, "<" always starts a tag, an "&" that is no entity stays as it is."""

    def where(pos: int) -> int:  # Telegram reports byte offsets
        return len(html[:pos].encode())

    def refuse(reason: str) -> Refusal:
        return Refusal(f"Bad Request: can't parse entities: {reason}")

    out: list[str] = []
    open_tags: list[str] = []
    i, n = 0, len(html)
    while i < n:
        ch = html[i]
        if ch == "&" and (decoded := _entity(html, i)) is not None:
            out.append(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and html[i] == "/":
            if not open_tags:
                raise refuse(f"Unexpected end tag at byte offset {where(begin)}")
            j = i + 1
            while j < n and html[j] not in _SPACE and html[j] != ">":
                j += 1
            name = html[i + 1 : j].lower()
            while j < n and html[j] in _SPACE:
                j += 1
            if j >= n or html[j] != ">":
                raise refuse(f"Unclosed end tag at byte offset {where(begin)}")
            expected = open_tags.pop()
            if name and name != expected:
                raise refuse(
                    f"Unmatched end tag at byte offset {where(begin)}, expected "
                    f'"</{expected}>", found "</{name}>"'
                )
            i = j + 1
            continue
        j = i
        while j < n and html[j] not in _SPACE and html[j] != ">":
            j += 1
        if j >= n:
            raise refuse(f"Unclosed start tag at byte offset {where(begin)}")
        name = html[i:j].lower()
        if name not in HTML_TAGS:
            raise refuse(f'Unsupported start tag "{name}" at byte offset {where(begin)}')
        attributes: dict[str, str] = {}
        while True:
            while j < n and html[j] in _SPACE:
                j += 1
            if j >= n:
                raise refuse(f'Unclosed start tag "{name}" at byte offset {where(begin)}')
            if html[j] == ">":
                break
            k = j
            while k < n and html[k] not in _SPACE and html[k] not in "=>":
                k += 1
            attribute = html[j:k].lower()
            if not attribute:
                raise refuse(
                    f'Empty attribute name in the tag "{name}" at byte offset {where(begin)}'
                )
            while k < n and html[k] in _SPACE:
                k += 1
            if k >= n or html[k] != "=":
                raise refuse(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {where(begin)}"
                )
            k += 1
            while k < n and html[k] in _SPACE:
                k += 1
            if k >= n:
                raise refuse(f'Unclosed start tag "{name}" at byte offset {where(begin)}')
            if html[k] in "'\"":
                quote, k = html[k], k + 1
                end = html.find(quote, k)
                if end < 0:
                    raise refuse(f'Unclosed start tag "{name}" at byte offset {where(begin)}')
                value, j = html[k:end], end + 1
            else:
                end = k
                while end < n and html[end] not in _SPACE and html[end] != ">":
                    end += 1
                value, j = html[k:end], end
            attributes[attribute] = value
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise refuse(f'Tag "span" must have class "tg-spoiler" at byte offset {where(begin)}')
        open_tags.append(name)
        i = j + 1
    if open_tags:
        raise refuse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What a message or caption says once Telegram has parsed it (ends trimmed)."""
    parsed = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    return parsed.strip(_SPACE)


def check_markup(markup: dict[str, Any]) -> None:
    rows = markup.get("inline_keyboard", [])
    buttons = [b for row in rows for b in row]
    if len(buttons) > BUTTONS_MAX:
        raise Refusal("Bad Request: reply markup is too long")
    for button in buttons:
        if not str(button.get("text", "")).strip():
            raise Refusal("Bad Request: BUTTON_TEXT_EMPTY")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_MAX:
            raise Refusal("Bad Request: BUTTON_DATA_INVALID")


def check_request(api: str, params: dict[str, Any]) -> None:
    """Refuses (`Refusal`) what Telegram refuses in a request the bot makes."""
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if markup:
        check_markup(markup)
    mode = params.get("parse_mode")
    if api in ("sendMessage", "editMessageText"):
        text = visible_text(str(params.get("text", "")), mode)
        if not text:
            raise Refusal("Bad Request: message text is empty")
        if len(text) > MESSAGE_MAX:
            raise Refusal("Bad Request: message is too long")
    elif api in ("sendDocument", "sendPhoto", "editMessageCaption") and params.get("caption"):
        if len(visible_text(str(params["caption"]), mode)) > CAPTION_MAX:
            raise Refusal("Bad Request: message caption is too long")
    elif api == "answerCallbackQuery" and len(str(params.get("text") or "")) > CALLBACK_ANSWER_MAX:
        raise Refusal("Bad Request: MESSAGE_TOO_LONG")


@dataclass
class Sent:
    """A message the bot sent (or a later state of it, after edits)."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    # sendDocument: the file's name and content (the text is the caption).
    filename: str | None = None
    content: bytes | None = None

    def labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


class FakeTelegram(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[int, Sent] = {}
        self.by_chat: dict[int, list[Sent]] = {}
        self._ids = itertools.count(100)
        # method -> queue of (status, description, extra) answers to give instead of success
        self.failures: dict[str, deque[tuple[int, str, dict[str, Any]]]] = {}
        self.blocked_chats: set[int] = set()
        # (chat, monotonic time) of every message delivered: the benchmarks measure rates
        self.send_times: list[tuple[int, float]] = []
        # (method, parameters, description) of every request refused as Telegram would
        self.refused: list[tuple[str, dict[str, Any], str]] = []
        # file_ids the bot sent again (a stored photo or document, not uploaded)
        self.resent_files: list[str] = []
        # (method, description) of requests refused for the chat's state (see do_request)
        self.state_refusals: list[tuple[str, str]] = []
        # editMessageText calls that changed a message
        self.edits = 0
        # files people sent, by file_path (getFile, then a download)
        self.files: dict[str, bytes] = {}

    # -- BaseRequest ----------------------------------------------------------------------
    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        if url.startswith(FILE_URL):
            path = url.split("/", 5)[-1]  # https://host/file/bot<token>/<path>
            content = self.files.get(path)
            return (200, content) if content is not None else (404, b"Not Found")
        if not url.startswith(BASE_URL):
            raise AssertionError(f"the bot tried to reach the network: {url}")
        api = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((api, params))
        queued = self.failures.get(api)
        if queued:
            status, description, extra = queued.popleft()
            return status, self._error(status, description, extra)
        if api.startswith("send") and int(params["chat_id"]) in self.blocked_chats:
            return 403, self._error(403, "Forbidden: bot was blocked by the user", {})
        try:
            check_request(api, params)
        except Refusal as refusal:
            self.refused.append((api, params, refusal.description))
            return 400, self._error(400, refusal.description, {})
        if api in ("sendDocument", "sendPhoto") and request_data is not None:
            uploaded = list((request_data.multipart_data or {}).values())
            if uploaded:
                [(filename, content, _mime)] = uploaded
                params["_file"] = (filename, content)
            else:
                # a file Telegram already has, sent again by its file_id
                file_id = str(params.get("document") or params.get("photo") or "")
                if not file_id:
                    return 400, self._error(400, "Bad Request: wrong file identifier", {})
                self.resent_files.append(file_id)
                params["_file"] = (f"telegram:{file_id}", b"")
        handler = getattr(self, f"_{api}", None)
        if handler is None:
            return 200, self._ok(True)
        if api.startswith("send"):
            self.send_times.append((int(params["chat_id"]), time.monotonic()))
        try:
            result = handler(params)
        except Refusal as refusal:
            # Refused for the state of the chat (an edit that changes nothing, a message gone),
            # not for the request's form: the bot is expected to take these in stride.
            self.state_refusals.append((api, refusal.description))
            return 400, self._error(400, refusal.description, {})
        return 200, self._ok(result)

    # -- control --------------------------------------------------------------------------
    def fail_next(self, api: str, status: int, description: str, **extra: Any) -> None:
        self.failures.setdefault(api, deque()).append((status, description, extra))

    def sent_to(self, chat_id: int) -> list[Sent]:
        return self.by_chat.get(chat_id, [])

    def count(self, api: str) -> int:
        return sum(1 for name, _ in self.calls if name == api)

    # -- answers --------------------------------------------------------------------------
    @staticmethod
    def _ok(result: Any) -> bytes:
        return json.dumps({"ok": True, "result": result}).encode()

    @staticmethod
    def _error(status: int, description: str, extra: dict[str, Any]) -> bytes:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if "retry_after" in extra:
            body["parameters"] = {"retry_after": extra["retry_after"]}
        return json.dumps(body).encode()

    def _getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Dialog Kinerja",
            "username": BOT_USERNAME,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private" if sent.chat_id > 0 else "group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Dialog Kinerja"},
            "text": sent.text,
        }
        if sent.buttons:
            data["reply_markup"] = {"inline_keyboard": sent.buttons}
        return data

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        sent = Sent(
            next(self._ids),
            int(params["chat_id"]),
            params["text"],
            markup.get("inline_keyboard", []),
        )
        self.messages[sent.message_id] = sent
        self.by_chat.setdefault(sent.chat_id, []).append(sent)
        return self._message_json(sent)

    def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        data = self._sendDocument(params)
        data["photo"] = [data.pop("document") | {"width": 900, "height": 300}]
        return data

    def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, content = params.pop("_file")
        sent = Sent(
            next(self._ids),
            int(params["chat_id"]),
            params.get("caption", ""),
            [],
            filename,
            content,
        )
        self.messages[sent.message_id] = sent
        self.by_chat.setdefault(sent.chat_id, []).append(sent)
        data = self._message_json(sent)
        data.pop("text")
        data["caption"] = sent.text
        data["document"] = {
            "file_id": f"f{sent.message_id}",
            "file_unique_id": f"u{sent.message_id}",
        }
        return data

    def documents_to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.sent_to(chat_id) if m.filename is not None]

    def _getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params["file_id"])
        path = f"documents/{file_id}"
        if path not in self.files:
            raise Refusal("Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[path]),
            "file_path": path,
        }

    def _editable(self, params: dict[str, Any]) -> Sent:
        sent = self.messages.get(int(params["message_id"]))
        if sent is None or sent.chat_id != int(params["chat_id"]):
            raise Refusal("Bad Request: message to edit not found")
        return sent

    @staticmethod
    def _markup(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return list(markup.get("inline_keyboard", []))

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        sent = self._editable(params)
        buttons = self._markup(params)
        if buttons == sent.buttons:
            raise Refusal(NOT_MODIFIED)
        sent.buttons = buttons
        return self._message_json(sent)

    def _editMessageText(self, params: dict[str, Any]) -> Any:
        """The message takes the new text and buttons. The person's timeline (`by_chat`) gets
        the new state at its end, as the moment it changed; the older state stays behind it
        (its buttons can no longer be pressed: see `ChatClient.find_button`)."""
        sent = self._editable(params)
        if sent.filename is not None:
            raise Refusal("Bad Request: there is no text in the message to edit")
        buttons = self._markup(params)
        if params["text"] == sent.text and buttons == sent.buttons:
            raise Refusal(NOT_MODIFIED)
        edited = Sent(sent.message_id, sent.chat_id, params["text"], buttons)
        self.messages[sent.message_id] = edited
        self.by_chat.setdefault(sent.chat_id, []).append(edited)
        self.edits += 1
        return self._message_json(edited)


class ChatClient:
    """One person talking to the bot in a private chat."""

    _update_ids = itertools.count(1)

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        transport: FakeTelegram,
        user_id: int,
        first_name: str = "Pengguna",
        chat_id: int | None = None,
    ) -> None:
        self.app = app
        self.transport = transport
        self.user_id = user_id
        self.first_name = first_name
        self.chat_id = chat_id if chat_id is not None else user_id
        self._message_ids = itertools.count(1)
        self.last_update_id = 0
        self.flush_records = True

    # -- what the bot said ----------------------------------------------------------------
    @property
    def received(self) -> list[Sent]:
        return self.transport.sent_to(self.chat_id)

    @property
    def last(self) -> Sent:
        assert self.received, "the bot has sent nothing to this chat"
        return self.received[-1]

    def now(self, sent: Sent) -> Sent:
        """The message as the chat shows it now (after any edits)."""
        return self.transport.messages[sent.message_id]

    def texts_since(self, mark: int) -> list[str]:
        return [m.text for m in self.received[mark:]]

    def mark(self) -> int:
        return len(self.received)

    # -- acting ---------------------------------------------------------------------------
    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "id",
        }

    def _chat(self) -> dict[str, Any]:
        kind = "private" if self.chat_id > 0 else "group"
        chat: dict[str, Any] = {"id": self.chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = self.first_name
        else:
            chat["title"] = "Grup Kantor"
        return chat

    def message_update(self, text: str) -> Update:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.last_update_id = next(self._update_ids)
        return Update.de_json({"update_id": self.last_update_id, "message": message}, self.app.bot)

    def document_update(self, filename: str, content: bytes, caption: str = "") -> Update:
        file_id = f"doc{next(self._message_ids)}u{self.user_id}"
        self.transport.files[f"documents/{file_id}"] = content
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
            "document": {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": filename,
                "file_size": len(content),
                "mime_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            },
        }
        if caption:
            message["caption"] = caption
        self.last_update_id = next(self._update_ids)
        return Update.de_json({"update_id": self.last_update_id, "message": message}, self.app.bot)

    def photo_update(self, caption: str = "", size: int = 48_213) -> Update:
        """A photo as Telegram sends it: several sizes of one picture, each with its ids."""
        n = next(self._message_ids)
        sizes = [
            {
                "file_id": f"ph{n}s{w}u{self.user_id}",
                "file_unique_id": f"uph{n}s{w}",
                "width": w,
                "height": w * 3 // 4,
                "file_size": size * w // 1280,
            }
            for w in (90, 320, 1280)
        ]
        message: dict[str, Any] = {
            "message_id": n,
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
            "photo": sizes,
        }
        if caption:
            message["caption"] = caption
        self.last_update_id = next(self._update_ids)
        return Update.de_json({"update_id": self.last_update_id, "message": message}, self.app.bot)

    async def send_photo(self, caption: str = "") -> Sent:
        await self.process(self.photo_update(caption))
        return self.last

    async def send_document(self, filename: str, content: bytes, caption: str = "") -> Sent:
        await self.process(self.document_update(filename, content, caption))
        return self.last

    async def send_file(self, filename: str, content: bytes) -> Sent:
        await self.process(self.document_update(filename, content))
        return self.last

    def callback_update(self, data: str, message: Sent | None = None) -> Update:
        source = message or self.last
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": self._user(),
            "chat_instance": "ci",
            "data": data,
            "message": self.transport._message_json(source),
        }
        self.last_update_id = next(self._update_ids)
        return Update.de_json(
            {"update_id": self.last_update_id, "callback_query": query}, self.app.bot
        )

    async def process(self, update: Update) -> None:
        await self.app.process_update(update)
        # What the step's answers were recorded as, written now rather than by the next
        # step's transaction (tests read the outbox and the links between steps; benchmarks
        # turn this off to measure the steps as they run).
        sender = self.app.bot_data.get("sender")
        if sender is not None and self.flush_records:
            await sender.flush_records()

    async def send(self, text: str) -> Sent:
        await self.process(self.message_update(text))
        return self.last

    async def command(self, name: str, arg: str = "") -> Sent:
        return await self.send(f"/{name} {arg}".strip())

    def find_button(self, label: str, message: Sent | None = None) -> tuple[Sent, str]:
        """The newest message with a button whose label contains `label`."""
        candidates = [message] if message else reversed(self.received)
        for sent in candidates:
            if message is None and self.transport.messages.get(sent.message_id) is not sent:
                continue  # an earlier state of a message edited since: no longer on screen
            for row in sent.buttons:
                for button in row:
                    if label in button["text"]:
                        return sent, button["callback_data"]
        raise AssertionError(
            f"no button {label!r}; last message: {self.last.text!r} {self.last.labels()}"
        )

    async def click(self, label: str, message: Sent | None = None) -> Sent:
        sent, data = self.find_button(label, message)
        await self.process(self.callback_update(data, sent))
        return self.last

    async def click_data(self, data: str, message: Sent | None = None) -> None:
        await self.process(self.callback_update(data, message))

    def answers(self) -> list[dict[str, Any]]:
        """answerCallbackQuery calls (toasts) so far."""
        return [p for name, p in self.transport.calls if name == "answerCallbackQuery"]

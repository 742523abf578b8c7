"""An offline Telegram: a PTB `BaseRequest` that answers the Bot API methods the bot uses,
records every call, can be told to fail, and refuses anything that would go to the network.
`ChatClient` plays one person in a private chat: it sends text and commands and clicks
buttons by their label, through the real `Application.process_update`."""

from __future__ import annotations

import itertools
import json
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
        if api in ("sendDocument", "sendPhoto") and request_data is not None:
            [(filename, content, _mime)] = request_data.multipart_data.values()
            params["_file"] = (filename, content)
        handler = getattr(self, f"_{api}", None)
        if handler is None:
            return 200, self._ok(True)
        if api.startswith("send"):
            self.send_times.append((int(params["chat_id"]), time.monotonic()))
        return 200, self._ok(handler(params))

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

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        sent = self.messages[int(params["message_id"])]
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        sent.buttons = markup.get("inline_keyboard", [])
        return self._message_json(sent)


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

    # -- what the bot said ----------------------------------------------------------------
    @property
    def received(self) -> list[Sent]:
        return self.transport.sent_to(self.chat_id)

    @property
    def last(self) -> Sent:
        assert self.received, "the bot has sent nothing to this chat"
        return self.received[-1]

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

    async def send(self, text: str) -> Sent:
        await self.process(self.message_update(text))
        return self.last

    async def command(self, name: str, arg: str = "") -> Sent:
        return await self.send(f"/{name} {arg}".strip())

    def find_button(self, label: str, message: Sent | None = None) -> tuple[Sent, str]:
        """The newest message with a button whose label contains `label`."""
        candidates = [message] if message else reversed(self.received)
        for sent in candidates:
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

"""A Bot API server over real HTTP (standard library only) for tests that run the bot as a
process (`dialog-kinerja run`) and kill it. It answers what long polling and the bot's
replies use, as Telegram does:

- getUpdates with `offset`, `limit` and `timeout` (long polling): an update is confirmed, and
  dropped, only by a later call with an offset above its id, so a process killed before that
  gets it again;
- sendMessage, editMessageReplyMarkup, answerCallbackQuery (a second answer to one query is
  refused with 400, as Telegram does), getMe, deleteWebhook, setMyCommands and other set-up
  calls.

`Person` plays one user: it sends a text or presses a button and waits for the bot's next
message in its chat."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_ID = 7000000002
TOKEN = f"{BOT_ID}:HTTP-test-token"


@dataclass
class BotMessage:
    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)

    def labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


def _value(raw: str) -> Any:
    if raw[:1] in "{[" or raw in ("true", "false") or raw.lstrip("-").isdigit():
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


class BotApi:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self.messages: dict[int, BotMessage] = {}
        self.by_chat: dict[int, list[BotMessage]] = {}
        # callback query id -> answers given (texts)
        self.answers: dict[str, list[str]] = {}
        self.refused_answers = 0
        self.confirmed = 0  # highest update id confirmed
        self.calls: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def start(self) -> BotApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- people ---------------------------------------------------------------------------
    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "id"}

    def _push(self, body: dict[str, Any]) -> int:
        with self.cond:
            update_id = next(self._update_ids)
            self.updates.append({"update_id": update_id, **body})
            self.cond.notify_all()
        return update_id

    def push_text(self, user_id: int, text: str) -> int:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"},
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push({"message": message})

    def push_press(self, user_id: int, message: BotMessage, data: str) -> str:
        query_id = f"q{next(self._query_ids)}"
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "chat_instance": "ci",
                    "data": data,
                    "message": self._message_json(message),
                }
            }
        )
        return query_id

    def sent_to(self, chat_id: int) -> list[BotMessage]:
        with self.cond:
            return list(self.by_chat.get(chat_id, []))

    def wait_for(self, predicate: Any, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def pending_updates(self) -> int:
        with self.cond:
            return len(self.updates)

    # -- the Bot API ----------------------------------------------------------------------
    def _message_json(self, sent: BotMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Dialog Kinerja"},
            "text": sent.text,
        }
        if sent.buttons:
            data["reply_markup"] = {"inline_keyboard": sent.buttons}
        return data

    def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append(method)
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        result = handler(params)
        if isinstance(result, tuple):
            return result
        return 200, {"ok": True, "result": result}

    def api_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Dialog Kinerja",
            "username": "dialog_kinerja_http_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self.cond:
            if offset:
                # Telegram: confirmed by an offset above their id; they are not sent again.
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                self.confirmed = max(self.confirmed, offset - 1)
                self.cond.notify_all()
            while not self.updates and time.monotonic() < deadline:
                self.cond.wait(max(0.0, min(0.2, deadline - time.monotonic())))
            return list(self.updates[:limit])

    def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        with self.cond:
            sent = BotMessage(
                next(self._message_ids),
                int(params["chat_id"]),
                str(params["text"]),
                markup.get("inline_keyboard", []),
            )
            self.messages[sent.message_id] = sent
            self.by_chat.setdefault(sent.chat_id, []).append(sent)
            self.cond.notify_all()
            return self._message_json(sent)

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        with self.cond:
            sent = self.messages.get(int(params["message_id"]))
            if sent is None:
                return 400, {"ok": False, "error_code": 400, "description": "message not found"}
            markup = params.get("reply_markup") or {}
            sent.buttons = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
            return self._message_json(sent)

    def api_editMessageText(self, params: dict[str, Any]) -> Any:
        """The message takes the new text and buttons (a button's answer replaces the screen
        it was pressed on). As in tests/telegram_fake.py, the chat's timeline gets the new
        state at its end; an edit that changes nothing is refused as Telegram does."""
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        buttons = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        with self.cond:
            sent = self.messages.get(int(params["message_id"]))
            if sent is None or sent.chat_id != int(params["chat_id"]):
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message to edit not found",
                }
            text = str(params["text"])
            if text == sent.text and buttons == sent.buttons:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message is not modified: specified new "
                    "message content and reply markup are exactly the same as a current "
                    "content and reply markup of the message",
                }
            edited = BotMessage(sent.message_id, sent.chat_id, text, buttons)
            self.messages[sent.message_id] = edited
            self.by_chat.setdefault(sent.chat_id, []).append(edited)
            self.cond.notify_all()
            return self._message_json(edited)

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        with self.cond:
            given = self.answers.setdefault(query_id, [])
            if given:
                self.refused_answers += 1
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: query is too old and response timeout "
                    "expired or query ID is invalid",
                }
            given.append(str(params.get("text") or ""))
            self.cond.notify_all()
            return True

    # -- HTTP -----------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    params = json.loads(body or "{}")
                else:
                    params = {k: _value(v) for k, v in parse_qsl(body, keep_blank_values=True)}
                path = self.path.split("?", 1)[0]
                if not path.startswith(f"/bot{TOKEN}/"):
                    status, answer = (
                        404,
                        {"ok": False, "error_code": 404, "description": "Not Found"},
                    )
                else:
                    status, answer = api.call(path.rsplit("/", 1)[-1], params)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the bot was killed while waiting
                    pass

            do_GET = do_POST

        return Handler

"""A Bot API server over real HTTP that delivers updates by webhook, as Telegram does, for
tests that run webhook workers as processes (tests/test_webhook_workers.py) and the
benchmark (bench/bench_webhook.py).

It is tests/http_telegram.py's server with:
- setWebhook recorded (url, secret_token, allowed_updates, max_connections);
- each update POSTed to the webhook's URL with the secret in
  X-Telegram-Bot-Api-Secret-Token, one chat's updates one after another (the next once the
  previous got its 2xx), tried again after a failure (a 5xx, a refused connection) as Telegram
  does; or POSTed once with any header (`post`) to see how it is answered;
- every message-sending call (send*, edit*, copy*, forward*) timed, so the rate across all
  workers can be measured, and a 429 with retry_after given on request."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from tests.http_telegram import TOKEN, BotApi, BotMessage

__all__ = ["TOKEN", "BotMessage", "WebhookApi"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
METERED = ("send", "edit", "copy", "forward")


class WebhookApi(BotApi):
    def __init__(self) -> None:
        super().__init__()
        self.webhook_calls: list[dict[str, Any]] = []
        # (monotonic time, method, chat id) of every message-sending call answered
        self.metered: list[tuple[float, str, int]] = []
        # 429s to give: (after this many messages, retry_after), in order
        self.throttle: deque[tuple[int, int]] = deque()
        # (monotonic time, retry_after) of every 429 given
        self.throttled: list[tuple[float, int]] = []
        # chat -> messages sent or edited in it (what a person sees change)
        self.shown: dict[int, int] = {}
        # update id -> the statuses its deliveries got
        self.deliveries: dict[int, list[int]] = {}
        self._chat_locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    # -- the Bot API ----------------------------------------------------------------------
    @property
    def webhook(self) -> dict[str, Any] | None:
        return self.webhook_calls[-1] if self.webhook_calls else None

    def api_setWebhook(self, params: dict[str, Any]) -> bool:
        with self.cond:
            self.webhook_calls.append(params)
        return True

    def api_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        with self.cond:
            self.webhook_calls.append({"url": ""})
        return True

    def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method.startswith(METERED):
            with self.cond:
                if self.throttle and len(self.metered) >= self.throttle[0][0]:
                    retry_after = self.throttle.popleft()[1]
                    self.throttled.append((time.monotonic(), retry_after))
                    return 429, {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after},
                    }
                chat = int(params.get("chat_id") or 0)
                self.metered.append((time.monotonic(), method, chat))
                if method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto"):
                    self.shown[chat] = self.shown.get(chat, 0) + 1
                    self.cond.notify_all()
        return super().call(method, params)

    # -- delivering -----------------------------------------------------------------------
    def _push(self, body: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        chat = _chat_of(update)
        with self._guard:
            lock = self._chat_locks.setdefault(chat, threading.Lock())
        with lock:  # one chat's updates one after another
            self.deliver(update)
        return update_id

    def deliver(self, update: dict[str, Any], tries: int = 50) -> int:
        """POST until a 2xx (Telegram keeps trying); a 403 or 400 is final."""
        hook = self.webhook
        assert hook is not None and hook.get("url"), "no webhook set"
        status = 0
        for _ in range(tries):
            status = self.post(update, hook.get("secret_token"))
            self.deliveries.setdefault(update["update_id"], []).append(status)
            if 200 <= status < 300 or status in (400, 403):
                return status
            time.sleep(0.2)
        return status

    def post(self, update: Any, secret: str | None, url: str | None = None) -> int:
        """One POST of an update to the webhook (or `url`), with `secret` as the header (none
        when None); its status, 0 when the connection failed."""
        target = urlsplit(url or (self.webhook or {}).get("url", ""))
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        try:
            connection.request("POST", target.path or "/", json.dumps(update), headers)
            response = connection.getresponse()
            response.read()
            return response.status
        except OSError:
            return 0
        finally:
            connection.close()


def _chat_of(update: dict[str, Any]) -> int:
    for key, value in update.items():
        if key != "update_id" and isinstance(value, dict):
            chat = (value.get("chat") or (value.get("message") or {}).get("chat") or {}).get("id")
            if chat is None:
                chat = (value.get("from") or {}).get("id")
            return int(chat or 0)
    return 0

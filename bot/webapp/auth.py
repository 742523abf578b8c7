"""Who is asking, without passwords: signed session cookies, and the Mini App's initData
checked with the bot token the way Telegram documents it.

- A session is "<kind>.<employee id>.<expiry unix time>.<session id>.<HMAC-SHA256 hex>"
  signed with WEB_SESSION_SECRET; kind "dash" (from a one-time login link) or "app" (from
  initData). A dashboard session's id is its login's row (web_logins), which logging out
  closes: a copied cookie stops working then (bot.usecases.web_login.session_open); the Mini
  App's is 0 (it has no logout, and lives inside Telegram). The cookie proves only who the
  person is; what they may see is decided afresh from the database on every request
  (bot.webapp.scope).
- initData: a query string signed by Telegram; secret = HMAC_SHA256(key="WebAppData",
  msg=bot token), hash = HMAC_SHA256(key=secret, msg=the other fields as sorted "key=value"
  lines), compared in constant time; `auth_date` must be recent."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

DASH = "dash"
APP = "app"
KINDS = (DASH, APP)
COOKIE = "dk_session"


@dataclass(frozen=True, slots=True)
class Session:
    kind: str
    employee_id: int
    expires: int
    sid: int = 0


def _mac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def sign_session(
    secret: bytes, kind: str, employee_id: int, expires: datetime, sid: int = 0
) -> str:
    body = f"{kind}.{employee_id}.{int(expires.timestamp())}.{sid}"
    return f"{body}.{_mac(secret, body)}"


def read_session(secret: bytes, value: str | None, now: datetime) -> Session | None:
    """The session a cookie names, or None when it is forged, malformed or expired."""
    if not value or len(value) > 200:
        return None
    body, _, mac = value.rpartition(".")
    if not hmac.compare_digest(_mac(secret, body), mac):
        return None
    parts = body.split(".")
    if len(parts) != 4 or parts[0] not in KINDS:
        return None
    kind, employee, expires, sid = parts
    if not (employee.isdigit() and expires.isdigit() and sid.isdigit()):
        return None
    if int(expires) <= now.timestamp():
        return None
    return Session(kind, int(employee), int(expires), int(sid))


def session_expiry(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)


@dataclass(frozen=True, slots=True)
class WebAppUser:
    tg_user_id: int
    auth_date: int


def check_init_data(
    init_data: str, bot_token: str, now: datetime, max_age: int
) -> WebAppUser | None:
    """The Telegram user a Mini App's initData vouches for, or None when it is not signed
    with this bot's token, has no user, or is older than `max_age` seconds."""
    if not init_data or len(init_data) > 4096:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key: not what Telegram sends
        return None
    given = fields.pop("hash", "")
    check_string = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(_mac(secret, check_string), given):
        return None
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdigit():
        return None
    age = now.timestamp() - int(auth_date)
    if age > max_age or age < -60:  # a little clock skew ahead is tolerated
        return None
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        return None
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        return None
    return WebAppUser(int(user["id"]), int(auth_date))

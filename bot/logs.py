"""Logging set-up: no log line carries the bot token, a NIP, an invitation code, or what
people sent and were sent.

- The libraries that log payloads (PTB logs every Bot API call with its parameters and every
  update at DEBUG; httpx the request URL, which carries the token; SQLAlchemy and aiosqlite
  statements and result rows) stay at WARNING whatever LOG_LEVEL says, unless the environment
  variable LOG_PAYLOADS=1 asks for them (debugging on a test bot).
- Every record is redacted when it is made, whichever handler gets it: the token, NIPs
  (also typed with spaces or dots), the code after `/start` or `?start=`, and the values
  PostgreSQL quotes in an error's DETAIL. The statements' parameters never reach an error
  in the first place (`hide_parameters`, bot.db.engine)."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any

from bot.domain.nip import mask_nips_in

REDACTED = "[REDACTED]"
PAYLOAD_ENV = "LOG_PAYLOADS"
# Loggers that carry payloads at INFO or DEBUG.
QUIET_LOGGERS = (
    "telegram",
    "httpx",
    "httpcore",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "apscheduler",
    # A PDF's layout notes (fonts, unsupported CSS) at INFO, several per document.
    "weasyprint",
    "fontTools",
)

# 19850101 201001 1 001, 19850101.201001.1.001: the masked form keeps the first and last four.
_SPACED_NIP = re.compile(r"(?<![\d])(\d{4})\d{4}[ .\-]?\d{6}[ .\-]?(\d)[ .\-]?(\d{3})(?![\d])")
# /start CODE (also /start@bot CODE, and start=CODE in a t.me link)
_START_CODE = re.compile(r"(/start(?:@\w+)?[ \t]+|[?&]start=)[A-Za-z0-9_\-]+")
# PostgreSQL's DETAIL: Key (nip)=(1985...) already exists. / Failing row contains (...).
_PG_KEY = re.compile(r"(Key \([^()]*\)=\()(.*?)(\)(?: already exists| is not present| is still))")
_PG_ROW = re.compile(r"(Failing row contains \().*(\))")
# A Telegram bot token, even one we were not told about.
_ANY_TOKEN = re.compile(r"\b\d{6,12}:[A-Za-z0-9_\-]{30,}\b")


class Redactor:
    def __init__(self, secrets: list[str]) -> None:
        self.secrets = [s for s in secrets if s]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _ANY_TOKEN.sub(REDACTED, text)
        text = mask_nips_in(text)
        text = _SPACED_NIP.sub(lambda m: f"{m[1]}{'*' * 10}{m[2]}{m[3]}", text)
        text = _START_CODE.sub(lambda m: f"{m[1]}{REDACTED}", text)
        text = _PG_KEY.sub(lambda m: f"{m[1]}{REDACTED}{m[3]}", text)
        return _PG_ROW.sub(lambda m: f"{m[1]}{REDACTED}{m[2]}", text)

    def record(self, record: logging.LogRecord) -> None:
        """Redact a record in place: its message (formatted now), traceback and stack."""
        try:
            message = record.getMessage()
        except Exception:  # wrong arguments for the format: keep the format alone
            message = str(record.msg)
        record.msg, record.args = self(message), None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self(record.exc_text)
        if record.stack_info:
            record.stack_info = self(record.stack_info)


class RedactingFilter(logging.Filter):
    """On the handler as well: records that did not come through the factory (made by hand,
    or before `configure`) are redacted too."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.redactor = Redactor(secrets)
        self.secrets = self.redactor.secrets

    def filter(self, record: logging.LogRecord) -> bool:
        self.redactor.record(record)
        return True


class _RedactingFactory:
    def __init__(self, base: Any, redactor: Redactor) -> None:
        self.base = base
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.base(*args, **kwargs)
        self.redactor.record(record)
        return record


def payloads_requested() -> bool:
    return os.environ.get(PAYLOAD_ENV, "").strip().lower() in ("1", "true", "yes", "on")


class JsonFormatter(logging.Formatter):
    """LOG_FORMAT=json: one JSON object a line (time in UTC, level, logger, message, and the
    traceback when there is one), for a log collector. The record is redacted already."""

    def __init__(self, worker: str | None = None) -> None:
        super().__init__()
        self.worker = worker

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.worker:
            line["worker"] = self.worker
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def configure(
    level: str, secrets: list[str], json_format: bool = False, worker: str | None = None
) -> None:
    redactor = Redactor(secrets)
    current = logging.getLogRecordFactory()
    base = current.base if isinstance(current, _RedactingFactory) else current
    logging.setLogRecordFactory(_RedactingFactory(base, redactor))

    handler = logging.StreamHandler()
    if json_format:
        handler.setFormatter(JsonFormatter(worker))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet = logging.NOTSET if payloads_requested() else max(logging.WARNING, root.level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)

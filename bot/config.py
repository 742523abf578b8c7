"""Settings from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_PATH = Path("data") / "dialog_kinerja.db"


class MissingTokenError(RuntimeError):
    """Raised when the bot is started without a Telegram token."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = Field(
        default=None, description="Used to print invitation deep links without asking Telegram."
    )
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}"
    timezone: str = "Asia/Jakarta"
    log_level: str = "INFO"
    invite_validity_days: int = Field(default=14, ge=1, le=365)
    # Global send rate for PTB's AIORateLimiter (Telegram allows about 30 messages/s per bot).
    telegram_max_rate: float = Field(default=25.0, gt=0)
    # Where SKP documents say they were signed ("Jakarta, 12 Januari 2026").
    document_place: str = "Jakarta"
    # Worker processes that render PDF/DOCX files (0: a thread of the bot's own process,
    # where a PDF holds up everyone's steps for its quarter of a second).
    document_processes: int = Field(default=1, ge=0, le=8)
    # How many updates from different users may be processed at once (one at a time per user).
    update_concurrency: int = Field(default=8, ge=1, le=256)
    # Updates a second one person may send (as many at once); faster ones are answered with a
    # request to slow down and not processed. 0 turns the limit off.
    user_max_rate: float = Field(default=5.0, ge=0, le=100)

    # Reminders (bot.reminders): days before the deadline, at this local hour on working days.
    reminder_days: str = "14,7,3,1,0"
    reminder_hour: int = Field(default=9, ge=0, le=23)
    # Leaders are nudged this many days before their staff.
    leader_lead_days: int = Field(default=3, ge=0, le=30)
    # A leader hears about submissions waiting longer than this many working days.
    approval_wait_days: int = Field(default=2, ge=1, le=30)
    # Weekly progress digests on Mondays during the last weeks before the deadline.
    digest_weeks: int = Field(default=4, ge=0, le=12)
    # Quarterly evaluation reminders, day-month.
    evaluation_dates: str = "31-03,30-06,30-09,15-12"
    # Public holidays (ISO dates, comma-separated): no reminders on these days.
    holidays: str = ""
    # A reminder missed while the bot was down is still sent within this many hours.
    reminder_max_age_hours: int = Field(default=20, ge=1, le=72)
    planning_interval_minutes: int = Field(default=5, ge=1, le=120)
    # Tries per outbox row (network errors, documents that cannot be built, ...) before it is
    # marked FAILED; the tries are spaced 10 s, 20 s, 40 s, ... apart (at most an hour).
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    # A sent, failed or skipped message's text (its payload) is emptied after this many days;
    # the row itself (who, what kind, when, the outcome) and the audit log stay.
    outbox_retention_days: int = Field(default=90, ge=1, le=3650)

    # Webhook mode (`run --webhook`, bot.web): Telegram POSTs each update to WEBHOOK_URL (the
    # public https address of the reverse proxy); the worker listens on WEBHOOK_LISTEN and
    # WEBHOOK_PORT behind it. Every request must carry WEBHOOK_SECRET in Telegram's
    # X-Telegram-Bot-Api-Secret-Token header (1-256 characters: A-Z, a-z, 0-9, _ and -).
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    # Connections Telegram opens at once to deliver updates (setWebhook's max_connections).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # This worker's name in /metrics and the logs (default: host:pid).
    worker_name: str | None = None
    # "json": one JSON object per log line (for a log collector), redacted as the text form.
    log_format: Literal["text", "json"] = "text"
    # Messages a second to one chat, shared by all workers on PostgreSQL (Telegram: about 1),
    # with a short burst allowed (a step's two messages go at once).
    telegram_chat_rate: float = Field(default=1.0, gt=0, le=1000)
    telegram_chat_burst: int = Field(default=3, ge=1, le=20)
    # Telegram's paid broadcast (allow_paid_broadcast): messages above the free budget go at
    # up to PAID_BROADCAST_RATE a second, each charged in Telegram Stars. Off by default.
    allow_paid_broadcast: bool = False
    paid_broadcast_rate: float = Field(default=100.0, gt=0, le=1000)
    # /healthz answers 503 when an update received this many seconds ago is still unprocessed.
    health_max_inbox_age: int = Field(default=300, ge=5, le=86400)

    # The web dashboard and the SKP Mini App (`dialog-kinerja web`, bot.webapp). WEB_BASE_URL
    # is the public address people open (the bot puts it in login links; the Mini App's
    # button needs https); WEB_SESSION_SECRET signs the session cookies (at least 32
    # characters; the web server refuses to start without one).
    web_base_url: str | None = None
    web_session_secret: SecretStr | None = None
    web_listen: str = "127.0.0.1"
    web_port: int = Field(default=8090, ge=1, le=65535)
    # A login link works once, within this many minutes; a session lasts this many hours.
    web_login_minutes: int = Field(default=15, ge=1, le=1440)
    web_session_hours: int = Field(default=8, ge=1, le=168)
    # A Mini App's initData older than this is refused (Telegram signs the moment it opened).
    webapp_max_age_seconds: int = Field(default=3600, ge=60, le=86400)

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            secret = value.get_secret_value()
            allowed = all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
            if len(secret) > 256 or not allowed:
                raise ValueError("WEBHOOK_SECRET: 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise MissingTokenError("TELEGRAM_BOT_TOKEN")
        return self.telegram_bot_token.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

"""The web addresses the chat offers (a login link, the Mini App's button), set from the
settings when the services are built (as the texts' time zone is): flows read them without
holding the settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings


@dataclass(slots=True)
class WebLinks:
    base_url: str | None = None
    login_minutes: int = 15

    @property
    def dashboard(self) -> bool:
        return bool(self.base_url)

    def login(self, token: str) -> str:
        return f"{(self.base_url or '').rstrip('/')}/login?t={token}"

    @property
    def mini_app(self) -> str | None:
        """Telegram opens a Mini App over https only; without it the chat offers no button."""
        base = (self.base_url or "").rstrip("/")
        return f"{base}/app" if base.startswith("https://") else None


LINKS = WebLinks()


def configure(settings: Settings) -> None:
    LINKS.base_url = settings.web_base_url
    LINKS.login_minutes = settings.web_login_minutes

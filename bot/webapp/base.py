"""What the dashboard's and the Mini App's pages share: the services, pages rendered from
templates/web/ (Indonesian, autoescaped), the session cookie, forms, and the season the
numbers are taken against."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.container import Services
from bot.reminders.planner import ReminderConfig
from bot.services import skp as store
from bot.texts import Texts
from bot.usecases.base import Tx
from bot.webapp import auth
from bot.webapp.queries import Season

MAX_FORM_BYTES = 64 * 1024
# Pages may not be framed by other sites, scripts and styles come from this server only
# (Telegram shows the Mini App in its own web view, not in a frame of a web page).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Refuse(Exception):
    """Answer with the refusal page: 403 (not yours), 404 (no such thing) or 401."""

    def __init__(self, status: int = 403) -> None:
        super().__init__(status)
        self.status = status


class WebBase:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        secret = self.settings.web_session_secret
        self.secret = secret.get_secret_value().encode() if secret is not None else b""
        self.texts: Texts = services.texts
        self.secure_cookie = (self.settings.web_base_url or "").startswith("https://")

    @property
    def now(self) -> datetime:
        return self.services.clock()

    def page(self, name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
        html = self.texts.env.get_template(f"web/{name}.html").render(
            label=self.texts.label, **context
        )
        return HTMLResponse(html, status_code=http_status, headers=SECURITY_HEADERS)

    def session_of(self, request: Request, kind: str) -> auth.Session | None:
        found = auth.read_session(self.secret, request.cookies.get(auth.COOKIE), self.now)
        return found if found is not None and found.kind == kind else None

    @property
    def session_end(self) -> datetime:
        return auth.session_expiry(self.now, self.settings.web_session_hours)

    def start_session(self, response: Response, kind: str, employee_id: int, sid: int = 0) -> None:
        response.set_cookie(
            auth.COOKIE,
            auth.sign_session(self.secret, kind, employee_id, self.session_end, sid),
            max_age=self.settings.web_session_hours * 3600,
            httponly=True,
            secure=self.secure_cookie,
            # Lax: the Mini App's web view and a link opened from Telegram both carry it;
            # another site's form posted here does not.
            samesite="lax",
            path="/",
        )

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.services.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def changing(self, actor_id: int | None) -> AsyncIterator[Tx]:
        """One transaction for a use case, like a chat step's (channel "web")."""
        async with self.services.sessionmaker() as session, session.begin():
            yield Tx(session, self.now, actor_id, "web", self.texts)

    async def season(self, session: AsyncSession) -> Season | None:
        period = await store.current_period(session, self.now.date())
        if period is None:
            return None
        config = ReminderConfig.from_settings(self.settings)
        return Season(period, self.now, config.approval_wait_days, config.holidays)


async def form_of(request: Request) -> dict[str, str]:
    """An urlencoded form (the last value of a repeated field); too large: empty."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return {}


def int_param(raw: Any) -> int | None:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) <= 9 else None

"""`dialog-kinerja web`: the dashboard and the Mini App under uvicorn, with their CSS and
script served from templates/web/static (nothing from a CDN)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.texts import TEMPLATES_DIR
from bot.webapp.base import Refuse, WebBase
from bot.webapp.dashboard import Dashboard
from bot.webapp.miniapp import MiniApp

log = logging.getLogger(__name__)
STATIC_DIR = TEMPLATES_DIR / "web" / "static"
MIN_SECRET = 32

Say = Callable[..., None]


def build_web_app(services: Services) -> Starlette:
    dashboard = Dashboard(services)
    mini_app = MiniApp(services)
    pages = WebBase(services)

    async def home(_request: Request) -> Response:
        return RedirectResponse("/dasbor", status_code=303)

    async def refused(_request: Request, exc: Exception) -> Response:
        status = exc.status if isinstance(exc, Refuse) else 403
        return pages.page("refused", http_status=status, status_code=status)

    return Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            *dashboard.routes(),
            *mini_app.routes(),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        exception_handlers={Refuse: refused},
    )


def secret_problem(settings: Settings) -> str | None:
    secret = settings.web_session_secret
    if secret is None or len(secret.get_secret_value()) < MIN_SECRET:
        return "web_secret_missing"
    if settings.telegram_bot_token is None:
        return "web_token_missing"
    return None


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, stop: asyncio.Event, say: Say) -> int:
    problem = secret_problem(settings)
    if problem is not None:
        say(problem, err=True)
        return 2
    services = build_services(settings)
    try:
        await migrations.upgrade(services.db)
        config = uvicorn.Config(
            build_web_app(services),
            host=settings.web_listen,
            port=settings.web_port,
            log_config=None,
            access_log=False,
            lifespan="off",
            proxy_headers=True,
        )
        server = _Server(config)
        serving = asyncio.create_task(server.serve())
        say("web_running", listen=f"{settings.web_listen}:{settings.web_port}")
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait([waiting, serving], return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        with contextlib.suppress(Exception):
            await serving
        waiting.cancel()
    finally:
        await services.close()
    return 0

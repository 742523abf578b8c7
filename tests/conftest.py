"""Fixtures: a freshly migrated database (SQLite file by default; PostgreSQL when
TEST_DATABASE_URL is set), the real services and PTB Application over the fake transport."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.config import Settings
from bot.container import Services, build_services
from bot.db import migrate as migrations
from bot.db.engine import create_engine
from bot.services import invitations, org_import
from bot.services.demo import demo_data
from bot.telegram.app import build_application
from tests.telegram_fake import (
    BASE_URL,
    BOT_USERNAME,
    FILE_URL,
    TOKEN,
    ChatClient,
    FakeTelegram,
)

PG_URL = os.environ.get("TEST_DATABASE_URL")


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def database_url(tmp_path: Any) -> AsyncIterator[str]:
    if PG_URL:
        await reset_postgres(PG_URL)
        yield PG_URL
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": BASE_URL,
        "telegram_api_file_url": FILE_URL,
        "telegram_bot_username": BOT_USERNAME,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def services(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    svc = build_services(make_settings(database_url), clock=clock)
    await migrations.upgrade(svc.db)
    yield svc
    await svc.close()


@pytest.fixture
async def demo(services: Services) -> Services:
    async with services.sessionmaker() as session, session.begin():
        await org_import.apply(session, demo_data(), services.clock(), "test")
    return services


class Harness:
    """The running bot over the fake transport, plus helpers to act as people."""

    def __init__(self, services: Services, transport: FakeTelegram) -> None:
        self.services = services
        self.transport = transport
        self.app = build_application(services, request=transport, rate_limit=False, job_queue=False)

    async def __aenter__(self) -> Harness:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)
        await self.app.shutdown()

    def client(
        self, user_id: int, name: str = "Pengguna", chat_id: int | None = None
    ) -> ChatClient:
        return ChatClient(self.app, self.transport, user_id, name, chat_id)

    async def invite(self, nip: str, days: int = 14) -> str:
        from bot.db.models import Employee

        async with self.services.sessionmaker() as session, session.begin():
            emp = (await session.execute(select(Employee).where(Employee.nip == nip))).scalar_one()
            [issued] = await invitations.issue(session, [emp], self.services.clock(), days, "test")
        return issued.code

    async def onboard(self, nip: str, user_id: int) -> ChatClient:
        client = self.client(user_id)
        await client.command("start", await self.invite(nip))
        await client.click("Ya, ini saya")
        return client

    async def count(self, model: Any, *where: Any) -> int:
        async with self.services.sessionmaker() as session:
            return int(
                await session.scalar(select(func.count()).select_from(model).where(*where)) or 0
            )

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.services.sessionmaker() as session:
            return list((await session.execute(select(model).where(*where))).scalars())


@pytest.fixture
def transport() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def bot(demo: Services, transport: FakeTelegram) -> AsyncIterator[Harness]:
    async with Harness(demo, transport) as harness:
        yield harness
    # Telegram would have refused these: every screen and notice must fit its limits.
    refused = [(api, reason) for api, _params, reason in transport.refused]
    assert not refused, f"Telegram refused: {refused}"

"""Wiring: the objects one bot process shares (settings, database, texts, dialog engine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import create_engine, create_sessionmaker
from bot.documents.service import DocumentMaker
from bot.engine.runtime import DialogEngine
from bot.texts import Texts, get_texts
from bot.webapp import links as web_links
from conversations import build_registry
from conversations.onboarding import handle_unlinked


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    texts: Texts
    dialog: DialogEngine
    clock: Callable[[], datetime]
    documents: DocumentMaker

    async def close(self) -> None:
        await self.db.dispose()


def build_services(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Services:
    db = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(db)
    texts = get_texts()
    texts.tz = settings.tz
    web_links.configure(settings)
    dialog = DialogEngine(
        build_registry(),
        sessionmaker,
        texts,
        handle_unlinked,
        clock,
        one_writer=db.dialect.name == "sqlite",
    )
    documents = DocumentMaker(
        sessionmaker, texts, settings.document_place, settings.tz, settings.document_processes
    )
    return Services(settings, db, sessionmaker, texts, dialog, clock, documents)

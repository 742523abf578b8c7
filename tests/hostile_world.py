"""What the hostile-input and forged-button tests share: the corpus of troublemakers, a
snapshot of everything stored that a step or a button could change, direct access to a
person's dialog state, and a demo organisation driven to the states those tests need (an SKP
submitted, one set, a cascade sent) through the real Application."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import Table, select, update

from bot.db.base import Base
from bot.db.models import DialogState, SkpStatus
from bot.usecases import skp_lifecycle
from tests.conftest import Harness
from tests.test_dialog_flow import employee_id, seed_sbbl_skp, skp_row
from tests.test_limits import tx_as

# The corpus: (name, what is typed). Every text step gets every one of them.
CORPUS: list[tuple[str, str]] = [
    ("empty", ""),
    ("spaces", "   "),
    ("5000 chars", "Layanan " * 625),
    ("html bold", "<b>x</b>"),
    ("script tag", "<script>"),
    ("amp lt", "a & b < c"),
    ("emoji", "🎯🙏🏽👨\u200d👩\u200d👧"),
    ("rtl override", "\u202eabc"),
    ("zero width", "\u200b\u200c\u200d\u2060\ufeff"),
    ("nul", "\x00"),
    ("1e309", "1e309"),
    ("NaN", "NaN"),
    ("-0", "-0"),
    ("full-width digits", "１２"),
    ("17,5,5", "17,5,5"),
    ("1.000,00", "1.000,00"),
    ("100 %", "100 %"),
    # not in the list: a list typed over several lines (with a Windows line end)
    ("line breaks", "Laporan bulanan\r\n\n- Rekap data daerah\n•"),
]
NAMES = {name for name, _text in CORPUS}

# Columns a step's answer changes without anything being decided: delivery bookkeeping.
VOLATILE: dict[str, set[str]] = {
    "outbox": {
        "status",
        "attempts",
        "send_after",
        "claimed_until",
        "claimed_by",
        "sent_at",
        "last_error",
    },
    "telegram_links": {"chat_id", "screen_message_id", "unreachable_since"},
}
# Tables that record the conversation itself, not what it decided.
NOT_DECISIONS = {"inbox", "run_locks", "dialog_states"}

Snapshot = dict[str, list[tuple[Any, ...]]]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def snapshot(bot: Harness, tables: Iterable[str] | None = None) -> Snapshot:
    """Every stored row (ordered by primary key) of the tables that hold decisions: the
    organisation, invitations and links, SKPs and their items, expectations and resource
    lines, cascades, data reports, periods, the audit log and the outbox (a step's own reply,
    kind "reply", and delivery bookkeeping left out)."""
    names = sorted(t for t in (tables or Base.metadata.tables) if t not in NOT_DECISIONS)
    out: Snapshot = {}
    async with bot.services.sessionmaker() as session:
        for name in names:
            table = _table(name)
            columns = [c for c in table.columns if c.name not in VOLATILE.get(name, set())]
            stmt = select(*columns).order_by(*table.primary_key.columns)
            if name == "outbox":
                stmt = stmt.where(table.c.kind != "reply")
            rows = (await session.execute(stmt)).all()
            out[name] = [tuple(row) for row in rows]
    return out


# Rows are only ever added to these (the audit log; the outbox, but for its delivery columns).
APPEND_ONLY = ("audit_log", "outbox")


class Watcher:
    """The snapshot of many presses in a row, cheaper: the append-only tables are asked only
    for rows past the last one seen (a new row is a change), the others in full."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.tables = sorted(t for t in Base.metadata.tables if t not in NOT_DECISIONS)
        self.last: dict[str, int] = {}
        self.rows: Snapshot = {}

    async def look(self) -> dict[str, tuple[int, int]]:
        """What changed since the last look (as `differences` says it)."""
        changed: dict[str, tuple[int, int]] = {}
        async with self.bot.services.sessionmaker() as session:
            for name in self.tables:
                table = _table(name)
                columns = [c for c in table.columns if c.name not in VOLATILE.get(name, set())]
                stmt = select(*columns).order_by(*table.primary_key.columns)
                if name == "outbox":
                    stmt = stmt.where(table.c.kind != "reply")
                if name in APPEND_ONLY:
                    stmt = stmt.where(table.c.id > self.last.get(name, 0))
                rows = [tuple(row) for row in (await session.execute(stmt)).all()]
                if name in APPEND_ONLY:
                    if name in self.last and rows:
                        changed[name] = (0, len(rows))
                    if rows:
                        self.last[name] = max(row[0] for row in rows)
                    self.last.setdefault(name, 0)
                    continue
                if name in self.rows and self.rows[name] != rows:
                    changed[name] = (len(self.rows[name]), len(rows))
                self.rows[name] = rows
        return changed


def differences(before: Snapshot, after: Snapshot) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ: (rows before, rows after)."""
    return {
        name: (len(before[name]), len(after.get(name, [])))
        for name in before
        if before[name] != after.get(name)
    }


async def state_of(bot: Harness, emp_id: int) -> DialogState:
    async with bot.services.sessionmaker() as session:
        state = await session.get(DialogState, emp_id)
        assert state is not None, "this person has no dialog state yet"
        session.expunge(state)
        return state


async def put_state(bot: Harness, emp_id: int, flow: str, step: str, data: dict[str, Any]) -> None:
    """Put the person on `step` of `flow` with this dialog data, as a step would have."""
    async with bot.services.sessionmaker() as session, session.begin():
        current = await session.get(DialogState, emp_id)
        assert current is not None
        await session.execute(
            update(DialogState)
            .where(DialogState.employee_id == emp_id)
            .values(flow=flow, step=step, data=data, version=current.version + 1)
        )


def place(state: DialogState) -> tuple[str, str, Any]:
    """Where a person is and what their draft holds (what a refused answer must not move)."""
    data = state.data or {}
    return state.flow, state.step, data.get("draft", {})


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


def no_trouble(texts: Iterable[str]) -> None:
    troubled = [t for t in texts if "terjadi kendala" in t]
    assert not troubled, troubled


async def set_skp_of(bot: Harness, nip: str, leader_nip: str) -> int:
    """The deck's SBBL list for `nip`, submitted, approved, signed and set (the use cases,
    as the buttons call them)."""
    skp_id = await seed_sbbl_skp(bot, nip)
    steps = (
        (nip, skp_lifecycle.submit),
        (leader_nip, skp_lifecycle.approve),
        (nip, skp_lifecycle.sign),
        (leader_nip, skp_lifecycle.set_skp),
    )
    for who, action in steps:
        async with bot.services.sessionmaker() as session, session.begin():
            await action(await tx_as(bot, who, session), skp_id)
    assert (await skp_row(bot, skp_id)).status is SkpStatus.SET
    return skp_id


__all__ = [
    "CORPUS",
    "NAMES",
    "differences",
    "employee_id",
    "no_errors",
    "no_trouble",
    "place",
    "put_state",
    "set_skp_of",
    "snapshot",
    "state_of",
]

"""No personal data in the logs: a whole onboarding and data-report flow through the real
Application, at INFO and at DEBUG, leaves no name, NIP, invitation code, typed text or bot
token in any log record; database errors carry no statement parameters."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot import logs
from bot.db.engine import create_engine
from tests.conftest import Harness
from tests.telegram_fake import TOKEN

STAFF = "199002142015032001"  # Fitri Handayani
STAFF_NAME = "Fitri Handayani"
ADMIN = "199104172015022001"
TG_NAME = "Kartikasari Wulandari"  # the first name on the Telegram account
OTHER_NIP = "198703122010121003"
SPACED_NIP = "19870312 201012 1 003"
TYPED = "Ibu kandung saya bernama Sulastri Wiryohadi"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.QUIET_LOGGERS}
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


async def _flow(bot: Harness) -> list[str]:
    """Onboard, report wrong data in typed text (with NIPs in it), type in the menu, try a
    /start code; returns the secrets that went in."""
    admin = await bot.onboard(ADMIN, 4001)
    code = await bot.invite(STAFF)
    fitri = bot.client(4002, TG_NAME)
    await fitri.command("start", code)
    await fitri.click("Ya, ini saya")
    await fitri.command("koreksi")
    await fitri.click("Lainnya")
    await fitri.send(f"{TYPED}; NIP atasan saya {SPACED_NIP}")
    assert "diteruskan ke admin" in fitri.last.text
    assert "Laporan data salah" in admin.last.text  # the outbox sent the admin the report
    await fitri.send(OTHER_NIP)
    await fitri.send(TYPED)
    stranger = bot.client(4003, TG_NAME)
    await stranger.command("start", code)  # someone else with the same (used) code
    # our own code logging an error about all of it, traceback included
    try:
        raise ValueError(f"could not handle /start {code} from {OTHER_NIP} token {TOKEN}")
    except ValueError:
        logging.getLogger("bot.test").exception("failed on /start %s for %s", code, STAFF)
    return [STAFF, OTHER_NIP, SPACED_NIP, code, TYPED, TG_NAME, STAFF_NAME, TOKEN]


def _everything(caplog: pytest.LogCaptureFixture, stream: str) -> list[str]:
    texts = [stream]
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(record.exc_text or "")
        texts.append(caplog.handler.format(record))
    return texts


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_no_personal_data_in_any_log_record(
    bot: Harness,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    restore_logging: None,
    level: str,
) -> None:
    monkeypatch.delenv(logs.PAYLOAD_ENV, raising=False)
    logs.configure(level, [TOKEN])
    logging.getLogger().addHandler(caplog.handler)  # configure put its own handler alone
    caplog.handler.setLevel(logging.DEBUG)
    secrets = await _flow(bot)
    stream = capsys.readouterr().err
    texts = _everything(caplog, stream)
    for secret in secrets:
        leaked = [t for t in texts if secret in t]
        assert not leaked, (secret, leaked[:3])
    # still useful: the error is there, on the console too, with the masked forms
    assert "failed on /start [REDACTED] for 1990**********2001" in stream
    assert "1987**********1003 token [REDACTED]" in stream
    assert all(not r.name.startswith(logs.QUIET_LOGGERS) for r in caplog.records if r.levelno < 30)


async def test_payload_logging_is_opt_in_and_still_redacted(
    bot: Harness,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    restore_logging: None,
) -> None:
    """LOG_PAYLOADS=1 lets PTB and SQLAlchemy log at DEBUG (the channel the test above watches
    is a real one); the token, NIPs and codes are still redacted."""
    monkeypatch.setenv(logs.PAYLOAD_ENV, "1")
    logs.configure("DEBUG", [TOKEN])
    logging.getLogger().addHandler(caplog.handler)
    secrets = await _flow(bot)
    names = {r.name.split(".")[0] for r in caplog.records}
    assert {"telegram", "sqlalchemy"} <= names
    texts = _everything(caplog, "")
    assert any(STAFF_NAME in t for t in texts)  # what the bot sent: why it is opt-in
    for secret in (STAFF, OTHER_NIP, SPACED_NIP, secrets[3], TOKEN):
        assert not [t for t in texts if secret in t], secret


async def test_integrity_error_carries_no_parameters(
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    restore_logging: None,
) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE log_probe (id INTEGER PRIMARY KEY, note TEXT)"))
            await conn.execute(text("INSERT INTO log_probe (id, note) VALUES (1, 'x')"))
        with pytest.raises(IntegrityError) as caught:
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO log_probe (id, note) VALUES (:id, :note)"),
                    {"id": 1, "note": f"{TYPED} {OTHER_NIP}"},
                )
    finally:
        await engine.dispose()
    message = str(caught.value)
    assert "parameters hidden" in message
    assert TYPED not in message and OTHER_NIP not in message
    logs.configure("DEBUG", [TOKEN])
    logging.getLogger().addHandler(caplog.handler)
    try:
        raise caught.value
    except IntegrityError:
        logging.getLogger("bot.test").exception("could not save")
    [record] = [r for r in caplog.records if r.name == "bot.test"]
    assert "parameters hidden" in (record.exc_text or "")
    assert TYPED not in (record.exc_text or "")


def test_redactor_masks_what_it_should() -> None:
    redact = logs.Redactor([TOKEN])
    assert redact(f"GET https://api.telegram.org/bot{TOKEN}/getMe") == (
        "GET https://api.telegram.org/bot[REDACTED]/getMe"
    )
    assert redact("bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") == "bot [REDACTED]"
    assert redact(f"nip {STAFF} dan {SPACED_NIP}.") == (
        "nip 1990**********2001 dan 1987**********1003."
    )
    assert redact("text='/start Ab_c-123xyz'") == "text='/start [REDACTED]'"
    assert redact("/start@dialog_bot Ab_c-123xyz") == "/start@dialog_bot [REDACTED]"
    assert redact("https://t.me/dialog_bot?start=Ab_c-123xyz ok") == (
        "https://t.me/dialog_bot?start=[REDACTED] ok"
    )
    # what PostgreSQL quotes in an error's DETAIL
    assert redact("DETAIL:  Key (nip, name)=(x, Sulastri) already exists.") == (
        "DETAIL:  Key (nip, name)=([REDACTED]) already exists."
    )
    assert redact("DETAIL:  Failing row contains (7, null, Sulastri (ibu)).") == (
        "DETAIL:  Failing row contains ([REDACTED])."
    )
    assert redact("/start") == "/start" and redact("20 rows in 0.35 s") == "20 rows in 0.35 s"

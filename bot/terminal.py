"""The same dialogs in a terminal: `dialog-kinerja chat --nip NIP`. Messages for other people
stay in the outbox, for the running bot to deliver."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable, Callable

from bot.container import Services
from bot.engine.types import Button, Event, EventKind, Outcome

_TAGS = re.compile(r"<[^>]+>")


def plain(html_text: str) -> str:
    text = html_text.replace("<blockquote>", "\n  > ").replace("</blockquote>", "\n")
    return html.unescape(_TAGS.sub("", text))


def render(outcome: Outcome, say: Callable[[str], None]) -> list[Button]:
    if outcome.toast:
        say(f"[{outcome.toast}]")
    buttons: list[Button] = []
    for reply in outcome.replies:
        say(plain(reply.html))
        # A Mini App opens only inside Telegram: the terminal offers what the chat does.
        buttons = [b for row in reply.buttons for b in row if not b.web_app]
        for index, button in enumerate(buttons, start=1):
            say(f"  [{index}] {button.label}")
        say("")
    return buttons


def to_event(line: str, buttons: list[Button]) -> Event | None:
    """`#2` or a button's exact label presses that button; anything else is typed text."""
    choice = line.strip()
    if choice.startswith("#") and choice[1:].isdigit():
        index = int(choice[1:]) - 1
        return Event(EventKind.BUTTON, buttons[index].data) if 0 <= index < len(buttons) else None
    for button in buttons:
        if choice.lower() == button.label.lower():
            return Event(EventKind.BUTTON, button.data)
    return Event.from_text(line)


async def chat(
    services: Services,
    employee_id: int,
    read_line: Callable[[], Awaitable[str | None]],
    say: Callable[[str], None],
) -> None:
    say(services.texts.console("chat_intro", name=(await _name(services, employee_id))))
    buttons = render(
        await services.dialog.handle_employee(employee_id, Event.from_text("/menu"), "terminal"),
        say,
    )
    while True:
        line = await read_line()
        if line is None:
            return
        if not line.strip():
            continue
        event = to_event(line, buttons)
        if event is None:
            say(services.texts.console("chat_button_unknown", choice=line.strip()))
            continue
        outcome = await services.dialog.handle_employee(employee_id, event, "terminal")
        new_buttons = render(outcome, say)
        if outcome.replies:
            buttons = new_buttons


async def _name(services: Services, employee_id: int) -> str:
    from bot.db.models import Employee

    async with services.sessionmaker() as session:
        employee = await session.get(Employee, employee_id)
        return employee.name if employee else "?"


async def stdin_line() -> str | None:
    try:
        return await asyncio.to_thread(input, "> ")
    except EOFError:
        return None

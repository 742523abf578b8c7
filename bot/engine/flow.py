"""Declaring flows: a flow is a set of named steps; a step says what to show (a template and a
view function that gathers its data), which choices to offer, and how to handle a choice or
typed text. Handlers return where to go next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from bot.engine.context import Actor, Ctx


@dataclass(frozen=True, slots=True)
class Choice:
    """A button offered by a step. `label` is a key in templates/labels.j2 unless `text` is
    given (labels built from data, e.g. a team's name)."""

    action: str
    label: str = ""
    arg: str = ""
    text: str | None = None
    values: tuple[tuple[str, Any], ...] = ()
    # A Mini App button: opens this https address in Telegram (no callback, no step).
    web_app: str | None = None


def grid(choices: Sequence[Choice], width: int) -> list[list[Choice]]:
    """Buttons laid out `width` to a row (numbers, units, values)."""
    return [list(choices[i : i + width]) for i in range(0, len(choices), width)]


@dataclass(frozen=True, slots=True)
class Goto:
    step: str
    flow: str | None = None  # None: the same flow
    # The draft a newly entered flow starts with (e.g. which SKP a leader is reviewing).
    seed: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Reask:
    """Stay on the step: show `template` (an explanation of what went wrong) with the step's
    buttons, change nothing."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stay:
    """Stay on the step and show it again (after the handler changed something)."""


@dataclass(frozen=True, slots=True)
class Quiet:
    """Stay on the step without showing it again (the handler said what was needed)."""


Next: TypeAlias = Goto | Reask | Stay | Quiet
ViewFn: TypeAlias = Callable[["Ctx"], Awaitable[dict[str, Any]]]
ChoicesFn: TypeAlias = Callable[["Ctx", dict[str, Any]], Sequence[Sequence[Choice]]]
ChoiceHandler: TypeAlias = Callable[["Ctx", str, str], Awaitable[Next]]
TextHandler: TypeAlias = Callable[["Ctx", str], Awaitable[Next]]
# A file sent on the step: its name and content (None when it could not be read).
FileHandler: TypeAlias = Callable[["Ctx", str, bytes | None], Awaitable[Next]]


async def _no_view(_ctx: Ctx) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    template: str
    view: ViewFn = _no_view
    choices: ChoicesFn | None = None
    on_choice: ChoiceHandler | None = None
    on_text: TextHandler | None = None
    on_file: FileHandler | None = None
    # Template shown by /bantuan on this step (defaults to the flow's help).
    help: str | None = None


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: dict[str, Step]
    start: str
    help: str = "help_general"
    # Who may enter the flow (checked on every entry, not only when the menu is drawn).
    allowed: Callable[[Actor], Awaitable[bool]] | None = None
    # Commands that open this flow (e.g. "menu").
    commands: tuple[str, ...] = ()
    # Whether leaving it keeps the place, so coming back resumes (drafts); menus start over.
    resumable: bool = False

    def step(self, name: str) -> Step:
        return self.steps[name]


def flow(name: str, steps: Sequence[Step], **kwargs: Any) -> Flow:
    return Flow(name=name, steps={s.name: s for s in steps}, start=steps[0].name, **kwargs)


# A button bound to an object (an SKP, a report) rather than to the screen it sits on; it may
# lead somewhere (a Goto) or just answer (None).
ObjectAction: TypeAlias = Callable[["Ctx", str, str, int], Awaitable["Next | None"]]


class Registry:
    """All flows and the object-bound button namespaces the engine knows."""

    def __init__(self) -> None:
        self.flows: dict[str, Flow] = {}
        self.commands: dict[str, str] = {}
        self.object_actions: dict[str, ObjectAction] = {}

    def add(self, f: Flow) -> None:
        if f.name in self.flows:
            raise ValueError(f"flow {f.name} registered twice")
        self.flows[f.name] = f
        for command in f.commands:
            self.commands[command] = f.name

    def add_object_action(self, ns: str, handler: ObjectAction) -> None:
        if ns == "s" or ns in self.object_actions:
            raise ValueError(f"namespace {ns} is taken")
        self.object_actions[ns] = handler

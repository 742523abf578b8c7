"""What the dialog screens share: the limit and checks for typed notes, and short quotes."""

from __future__ import annotations

from bot.domain import skp_rules as rules
from bot.engine.callback import Callback
from bot.engine.flow import Reask
from bot.texts import kutip

NOTE_MAX = 1000
quoted = kutip


def arg_number(arg: str) -> int:
    """An id, revision or index from a button: ASCII digits in range, else -1 (which matches
    nothing and is refused like any stale or unknown object)."""
    if arg == "0":
        return 0
    value = Callback.object_id(arg)
    return value if value is not None else -1


def note_problem(text: str) -> Reask | None:
    """Why a typed note (an expectation, a reason, a need) cannot be taken; None: fine."""
    problem = rules.text_problem(text)
    if problem == "too_long" or len(text) > NOTE_MAX:
        return Reask("dialog_note_problem", {"problem": "too_long", "maximum": NOTE_MAX})
    if problem is not None:
        return Reask("dialog_note_problem", {"problem": problem, "maximum": NOTE_MAX})
    return None

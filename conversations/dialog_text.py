"""What the dialog screens share: the limit and checks for typed notes, and short quotes."""

from __future__ import annotations

from bot.domain import skp_rules as rules
from bot.engine.flow import Reask
from bot.texts import kutip

NOTE_MAX = 1000
quoted = kutip


def note_problem(text: str) -> Reask | None:
    """Why a typed note (an expectation, a reason, a need) cannot be taken; None: fine."""
    problem = rules.text_problem(text)
    if problem == "too_long" or len(text) > NOTE_MAX:
        return Reask("dialog_note_problem", {"problem": "too_long", "maximum": NOTE_MAX})
    if problem is not None:
        return Reask("dialog_note_problem", {"problem": problem, "maximum": NOTE_MAX})
    return None

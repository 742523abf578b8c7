"""The year in progress as pure rules: check-in rounds (their period keys), an item's
direction (higher or lower is better), its capaian = realisation against target, the latest
realisation per item, what the trajectory expects by a given month and whether an item is
behind it, and reading the months of a rencana aksi ("Jan–Mar: …; Apr: …").

Capaian is a percentage (Decimal, two decimals; shown the Indonesian way, "85,5%"); None
means there is nothing to compute ("belum ada", or no target)."""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain.policy import Aspek, Policy
from bot.domain.policy_progress import ProgressPolicy
from bot.domain.skp_input import TAG, parse_target

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
QUARTERS = 4


class Direction(enum.StrEnum):
    HIGHER = "higher"  # more is better (most IKI: a percentage reached, a count done)
    LOWER = "lower"  # less is better (a waiting time, a cost, a death rate)


def direction_of(aspek: Aspek | str, iki: str, policy: ProgressPolicy) -> Direction:
    """Lower is better for aspek biaya and for an IKI naming one of the policy's phrases
    (case and spacing aside)."""
    if aspek == Aspek.BIAYA:
        return Direction.LOWER
    pattern = _phrases(tuple(policy.lower_is_better))
    if pattern is not None and pattern.search(iki):
        return Direction.LOWER
    return Direction.HIGHER


@functools.lru_cache(maxsize=8)
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all of a policy's phrases: a round checks tens of thousands of IKI."""
    words = [r"\s+".join(re.escape(w) for w in p.split()) for p in phrases if p.split()]
    return re.compile("|".join(words), re.IGNORECASE) if words else None


def capaian(
    realisation: Decimal | None, target: Decimal | None, direction: Direction = Direction.HIGHER
) -> Decimal | None:
    """The capaian of one IKI in percent, two decimals, not capped (an evaluation may cap it):
    higher is better: realisation / target × 100; lower is better: (2 − realisation / target)
    × 100, never below 0 (at the target 100%, half of it 150%). None for "belum ada", no
    target, or a zero target that more-is-better cannot be measured against."""
    if realisation is None or target is None or realisation < 0 or target < 0:
        return None
    if direction is Direction.HIGHER:
        if target == 0:
            return None
        return (realisation / target * HUNDRED).quantize(CENT)
    if target == 0:
        return HUNDRED if realisation == 0 else Decimal(0).quantize(CENT)
    return max((2 - realisation / target) * HUNDRED, Decimal(0)).quantize(CENT)


# -- rounds -------------------------------------------------------------------------------------


def round_end_month(month: int, interval: int) -> int:
    """The last month of the round holding `month` (interval 2: Jan and Feb → 2)."""
    return -(-month // interval) * interval


def period_key(day: date | datetime, interval: int) -> str:
    """The round's key: its last month, "2026-03" (monthly: the month itself)."""
    return f"{day.year:04d}-{round_end_month(day.month, interval):02d}"


def key_month(key: str) -> int:
    """The month of a period key ("2026-03" → 3)."""
    return int(key[5:7])


def round_keys(year: int, interval: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(interval, 13, interval)]


# -- latest realisations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reported:
    """One item's realisation as one check-in reported it."""

    item_id: int
    period_key: str
    value: Decimal | None
    typed: str = ""


def latest_per_item(reported: Iterable[Reported], up_to: str | None = None) -> dict[int, Reported]:
    """Per item, the realisation of its latest check-in (up to the period key `up_to`, when
    given). A later "belum ada" stands: it is what the person said most recently."""
    latest: dict[int, Reported] = {}
    for r in reported:
        if up_to is not None and r.period_key > up_to:
            continue
        seen = latest.get(r.item_id)
        if seen is None or r.period_key >= seen.period_key:
            latest[r.item_id] = r
    return latest


# -- trajectory ---------------------------------------------------------------------------------


def expected_by(trajectory: Mapping[int, Decimal], month: int) -> Decimal | None:
    """What a quarterly trajectory (quarter → cumulative value by its end) expects at the end
    of `month`: linear within the quarter from the previous quarter's value (0 before Q1),
    two decimals (as it is shown and compared). None when the trajectory is empty or has no
    value for the quarter."""
    if not trajectory or not 1 <= month <= 12:
        return None
    quarter = (month - 1) // 3 + 1
    end = trajectory.get(quarter)
    if end is None:
        return None
    start = trajectory.get(quarter - 1, Decimal(0)) if quarter > 1 else Decimal(0)
    into = month - (quarter - 1) * 3  # 1..3 months into the quarter
    return (start + (end - start) * into / 3).quantize(CENT)


def is_behind(
    realisation: Decimal | None,
    expected: Decimal | None,
    direction: Direction,
    tolerance: Decimal,
) -> bool:
    """Whether an item is behind what its trajectory expects by now: its capaian against the
    expected value is below 100 − tolerance. "Belum ada" is behind once something is
    expected; nothing expected (no trajectory, or 0 so far) is never behind."""
    if expected is None or (expected == 0 and direction is Direction.HIGHER):
        return False
    if realisation is None:
        return True
    reached = capaian(realisation, expected, direction)
    return reached is not None and reached < HUNDRED - tolerance


@dataclass(frozen=True, slots=True)
class ItemProgress:
    item_id: int
    target: Decimal | None
    realisation: Decimal | None
    capaian: Decimal | None
    expected: Decimal | None
    behind: bool


def item_progress(
    item_id: int,
    target: Decimal | None,
    direction: Direction,
    latest: Reported | None,
    trajectory: Mapping[int, Decimal],
    month: int,
    policy: ProgressPolicy,
) -> ItemProgress:
    """One item's standing at the end of `month`: its latest realisation, capaian against
    the yearly target, what the trajectory expects and whether it is behind."""
    value = latest.value if latest is not None else None
    expected = expected_by(trajectory, month)
    return ItemProgress(
        item_id,
        target,
        value,
        capaian(value, target, direction),
        expected,
        is_behind(value, expected, direction, policy.behind_tolerance) if latest else False,
    )


# -- rencana aksi ------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "peb": 2, "mar": 3, "maret": 3,
    "apr": 4, "april": 4, "mei": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7,
    "agu": 8, "agt": 8, "ags": 8, "agus": 8, "agustus": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oktober": 10, "nov": 11, "nop": 11, "november": 11,
    "des": 12, "desember": 12,
}  # fmt: skip
_MONTH = r"([A-Za-z]{3,9}|[0-9]{1,2})"
_ACTION = re.compile(
    rf"\s*{_MONTH}\.?\s*(?:(?:-|–|—|s\.?d\.?|sampai|hingga)\s*{_MONTH}\.?)?\s*:\s*(.+)", re.S
)
MAX_ACTIONS = 12
ACTION_MAX_CHARS = 300


@dataclass(frozen=True, slots=True)
class PlannedAction:
    month_from: int
    month_to: int
    text: str


def _month(raw: str) -> int | None:
    if raw.isdigit():
        value = int(raw)
        return value if 1 <= value <= 12 else None
    return _MONTHS.get(raw.casefold())


def parse_actions(raw: str) -> list[PlannedAction] | str:
    """ "Jan–Mar: menyusun instrumen; Apr: uji coba" (one action a line or separated by ";")
    → the actions; otherwise the problem's name: empty, no_month (a part without "month:"),
    bad_month, months_reversed, too_many, too_long, too_short."""
    parts = [p.strip() for p in re.split(r"[;\n]+", raw or "") if p.strip()]
    if not parts:
        return "empty"
    if len(parts) > MAX_ACTIONS:
        return "too_many"
    actions = []
    for part in parts:
        match = _ACTION.fullmatch(part)
        if match is None:
            return "no_month"
        first, last, text = match.groups()
        start = _month(first)
        end = _month(last) if last is not None else start
        if start is None or end is None:
            return "bad_month"
        if end < start:
            return "months_reversed"
        text = " ".join(text.split())
        if len(text) > ACTION_MAX_CHARS:
            return "too_long"
        if sum(ch.isalpha() for ch in text) < 3:
            return "too_short"
        actions.append(PlannedAction(start, end, text))
    return actions


def trajectory_problem(
    values: Sequence[Decimal], target: Decimal | None, direction: Direction = Direction.HIGHER
) -> str | None:
    """Why quarterly values cannot be a trajectory (None: fine): four of them, none
    negative, the fourth the yearly target; a higher-is-better one does not go down."""
    if len(values) != QUARTERS:
        return "count"
    if any(v < 0 for v in values):
        return "negative"
    if direction is Direction.HIGHER and any(b < a for a, b in itertools.pairwise(values)):
        return "decreasing"
    if target is not None and values[-1] != target:
        return "end_differs"
    return None


# -- typed realisations ------------------------------------------------------------------------

NOT_YET = frozenset({"belum ada", "belum", "blm ada", "belum ada realisasi", "-"})
_PASTE_LINE = re.compile(r"\s*(?:butir\s*)?([0-9]{1,2})\s*[.):]?\s+(.+)", re.I | re.S)
MAX_PASTE_LINES = 40


@dataclass(frozen=True, slots=True)
class Realised:
    value: Decimal | None  # None: "belum ada"
    typed: str
    note: str = ""


def split_note(raw: str) -> tuple[str, str]:
    """ "4 kali; rapat dengan 5 provinsi" → ("4 kali", "rapat dengan 5 provinsi"); a tab
    (a pasted table's next cell) separates too."""
    parts = re.split(r"\s*[;\t]\s*", raw.strip(), maxsplit=1)
    value = parts[0]
    note = " ".join(parts[1].split()) if len(parts) > 1 else ""
    return value.strip(), note


def is_not_yet(raw: str) -> bool:
    return " ".join(raw.casefold().split()).rstrip(".!") in NOT_YET


def paste_lines(raw: str) -> list[tuple[int, str]] | str:
    """Several realisations at once, one a line: "1 4 kali", "2. 80%", "3 belum ada",
    "butir 4: 2 rumusan; catatan", or a table's rows (number, tab, value[, tab, note]).
    Returns (position, rest of the line) pairs, or the problem's name (empty, too_many,
    no_number: a line that does not start with an item number)."""
    lines = [line for line in (raw or "").splitlines() if line.strip()]
    if not lines:
        return "empty"
    if len(lines) > MAX_PASTE_LINES:
        return "too_many"
    found = []
    for line in lines:
        match = _PASTE_LINE.fullmatch(line.replace("\t", " \t", 1))
        if match is None:
            return "no_number"
        found.append((int(match.group(1)), match.group(2).strip()))
    return found


NOTE_MAX_CHARS = 500
# A capaian above this (in percent) is most likely a typing slip: the person is asked to check.
UNLIKELY_CAPAIAN = Decimal(1000)


def is_unlikely(value: Decimal | None) -> bool:
    return value is not None and value > UNLIKELY_CAPAIAN


def text_problem(text: str, maximum: int) -> str | None:
    """Why a typed note cannot be kept (None: fine): empty, html (markup such as <b>),
    too_long."""
    if not text.strip():
        return "empty"
    if TAG.search(text):
        return "html"
    if len(text) > maximum:
        return "too_long"
    return None


def read_realisation(raw: str, satuan: str, policy: Policy) -> Realised | str:
    """What a person typed for one item: "belum ada", or a number the Indonesian way with
    the item's satuan or none ("4", "4 kali", "80,5%"), then optionally "; a note". The
    problem's name otherwise: the target parser's (empty, not_number, negative, too_large,
    …), satuan_differs (another unit than the item's), note_too_long, html."""
    typed, note = split_note(raw)
    if len(note) > NOTE_MAX_CHARS:
        return "note_too_long"
    if TAG.search(note):
        return "html"
    if TAG.search(typed):
        return "html_value"
    if is_not_yet(typed):
        return Realised(None, "belum ada", note)
    parsed = parse_target(typed, policy)
    if isinstance(parsed, str):
        return parsed
    if parsed.satuan and parsed.satuan.casefold() != (satuan or "").casefold():
        return "satuan_differs"
    return Realised(parsed.value, " ".join(typed.split())[:80], note)

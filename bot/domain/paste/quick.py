"""Quick messages: the weights of all items at once, or one field of one item.

`parse_weights` reads "20 5 5 20 10 10 20 10 20" (numbers separated by spaces,
";", "|" or a comma followed by a space; a comma between digits is a decimal comma, so "17,5" is
one number and "20, 5, 17,5" is three; "20,5,5" is ambiguous and refused). `parse_quick_edit`
reads "3 target 90%", "5 bobot 15", "2 iki …", "4 rhk …", "1 satuan Dokumen", "2 aspek
kualitas", "3 jenis TUSI" (also "indikator" for iki and "rencana (kinerja)" for rhk)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.domain.paste.model import MAX_ROWS, QuickEdit
from bot.domain.skp_rules import parse_weight

_MAX_QUICK_CHARS = 2000
_WEIGHT_LABEL = re.compile(r"\s*bobot(?:nya)?\s*[:=]?\s*", re.IGNORECASE)


def parse_weights(text: str) -> list[Decimal] | None:
    """The weights of a "20 5 5 20 10 10 20 10 20" message, in order; None when the message is
    not only weights (see the module docstring for separators and decimal commas)."""
    if not isinstance(text, str) or len(text) > _MAX_QUICK_CHARS:
        return None
    body = _WEIGHT_LABEL.sub("", text, count=1) if _WEIGHT_LABEL.match(text) else text
    body = re.sub(r"[;|]", " ", body)
    body = re.sub(r",(?=\s|$)", " ", body)  # a comma before a space separates
    body = re.sub(r"\s+%", "%", body)
    tokens = body.split()
    if not tokens or len(tokens) > MAX_ROWS:
        return None
    weights = []
    for token in tokens:
        weight = parse_weight(token)
        if not isinstance(weight, Decimal):
            return None
        weights.append(weight)
    return weights


QUICK_FIELDS = {
    "target": "target",
    "bobot": "bobot",
    "iki": "iki",
    "indikator kinerja individu": "iki",
    "indikator kinerja": "iki",
    "indikator": "iki",
    "rhk": "rhk",
    "rencana hasil kerja": "rhk",
    "rencana kinerja": "rhk",
    "rencana": "rhk",
    "satuan": "satuan",
    "aspek": "aspek",
    "jenis iki": "jenis",
    "jenis": "jenis",
}
_FIELD_NAMES = "|".join(
    r"\s+".join(map(re.escape, name.split()))
    for name in sorted(QUICK_FIELDS, key=len, reverse=True)
)
_QUICK = re.compile(
    r"\s*(?:(?:no|nomor|butir)\.?\s*|#\s*)?([0-9]{1,3})\s*[.):]?\s+(" + _FIELD_NAMES + r")"
    r"(?![\w-])\s*[:=]?\s*(.+)",
    re.IGNORECASE | re.DOTALL,
)
_NOT_OURS = ("atasan", "pimpinan")  # "4 rhk atasan …" is the leader's RHK, not the item's


def parse_quick_edit(text: str) -> QuickEdit | None:
    """ "3 target 90%" → QuickEdit(3, "target", "90%"); None when the message is not one."""
    if not isinstance(text, str) or len(text) > _MAX_QUICK_CHARS:
        return None
    match = _QUICK.fullmatch(text)
    if match is None:
        return None
    number, name, value = match.groups()
    position = int(number)
    field_name = QUICK_FIELDS[" ".join(name.casefold().split())]
    value = " ".join(value.split())
    if not value or not 1 <= position <= MAX_ROWS:
        return None
    if field_name == "rhk" and value.casefold().startswith(_NOT_OURS):
        return None
    return QuickEdit(position, field_name, value)

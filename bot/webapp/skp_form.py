"""Reading the Mini App's SKP table: one row's fields as the chat reads them (the same pure
checks of bot.domain.skp_input), and the findings of the SKP as it would be with the row
changed. Pure apart from the policy passed in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bot.db.models import SkpItem
from bot.domain import paste
from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek, Policy, RuleProfile
from bot.services import skp as store
from bot.texts import Texts
from conversations.findings import describe, grouped


@dataclass
class Read:
    fields: store.ItemFields | None
    problems: dict[str, str] = field(default_factory=dict)


def fields_of(row: SkpItem) -> store.ItemFields:
    return store.ItemFields(
        jenis=row.jenis,
        rhk=row.rhk,
        aspek=row.aspek,
        iki=row.iki,
        target=row.target_value if row.target_value is not None else Decimal(0),
        satuan=row.satuan,
        bobot=row.bobot,
        leader_item_id=row.leader_item_id,
        leader_rhk=row.leader_rhk,
        mandatory_key=row.mandatory_key,
        perspective=row.perspective,
    )


def read_row(form: dict[str, str], row: SkpItem, policy: Policy) -> Read:
    """The row with the form's values, or what is wrong with them (field → problem code).
    A form without a bobot field (a unit head's table, where weights are not required)
    keeps the row's bobot."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in ("rhk", "iki"):
        text = " ".join(form.get(name, "").split())
        problem = rules.text_problem(text)
        if problem is not None:
            problems[name] = f"text_{problem}"
        values[name] = text
    try:
        values["aspek"] = Aspek(form.get("aspek", ""))
    except ValueError:
        problems["aspek"] = "aspek"
    satuan = " ".join(form.get("satuan", "").split())
    target = rules.parse_target(form.get("target", ""), policy)
    if isinstance(target, str):
        problems["target"] = f"target_{target}"
    else:
        values["target"] = target.value
        satuan = target.satuan or satuan
    if rules.satuan_problem(satuan):
        problems["satuan"] = "satuan"
    else:
        values["satuan"] = paste.normalise_satuan(satuan, policy)
    raw_weight = form.get("bobot", "").strip()
    if "bobot" not in form:
        values["bobot"] = row.bobot
    elif raw_weight:
        weight = rules.parse_weight(raw_weight)
        if isinstance(weight, str):
            problems["bobot"] = f"weight_{weight}"
        else:
            values["bobot"] = weight
    else:
        values["bobot"] = None
    if problems:
        return Read(None, problems)
    return Read(replace(fields_of(row), **values))


@dataclass(frozen=True)
class Change:
    """One field of a row as it was and as saved: "target", "bobot", "aspek", "rhk", "iki"
    (the target carries its satuan: (value, satuan))."""

    field: str
    before: Any
    after: Any


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def changes(before: store.ItemFields, after: store.ItemFields) -> list[Change]:
    """What a save changes, in the table's order; [] when it changes nothing."""
    found = []
    if not _same_text(before.rhk, after.rhk):
        found.append(Change("rhk", before.rhk, after.rhk))
    if before.aspek != after.aspek:
        found.append(Change("aspek", before.aspek.value, after.aspek.value))
    if not _same_text(before.iki, after.iki):
        found.append(Change("iki", before.iki, after.iki))
    if before.target != after.target or not _same_text(before.satuan, after.satuan):
        found.append(Change("target", (before.target, before.satuan), (after.target, after.satuan)))
    if before.bobot != after.bobot:
        found.append(Change("bobot", before.bobot, after.bobot))
    return found


@dataclass(frozen=True)
class Findings:
    """The chat's findings for the whole SKP (grouped, errors first), and the same findings
    by butir (its position), to show next to the row they are about."""

    summary: list[dict[str, Any]]
    by_item: dict[int, list[dict[str, Any]]]


def findings(
    texts: Texts,
    policy: Policy,
    profile: RuleProfile,
    rows: list[SkpItem],
    count_note: str | None,
    changed: dict[int, store.ItemFields] | None = None,
) -> Findings:
    """The findings the chat shows, for the rows as they are or with some of them changed
    (the live check while a row is edited)."""
    changed = changed or {}
    items = [changed[r.id].as_item() if r.id in changed else store.rule_item(r) for r in rows]
    described = describe(texts, rules.check_skp(policy, items, profile, count_note))
    by_item: dict[int, list[dict[str, Any]]] = {}
    for f in described:
        if isinstance(f["item"], int):
            by_item.setdefault(f["item"], []).append(dict(f))
    return Findings(grouped(described), by_item)

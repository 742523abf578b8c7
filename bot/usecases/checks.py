"""The rules in force for one SKP: its own period's policy and the profile that applies to its
owner (a unit head's IKI come from the PK). Flows show these findings; submit decides on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Period, Skp, SkpItem, Unit
from bot.db.session_memo import known_unit_head, note_unit_head
from bot.domain import skp_rules as rules
from bot.domain.policy import Policy, RuleProfile, default_policy
from bot.services import skp as store

_IS_UNIT_HEAD = select(exists().where(Unit.head_id == bindparam("employee_id")))


async def is_unit_head(session: AsyncSession, employee_id: int) -> bool:
    # The engine reads the acting person's roles with their link (bot.engine.context).
    known = known_unit_head(session, employee_id)
    if known is None:
        known = bool(await session.scalar(_IS_UNIT_HEAD, {"employee_id": employee_id}))
        note_unit_head(session, employee_id, known)
    return known


@dataclass(frozen=True, slots=True)
class Checked:
    policy: Policy
    unit_head: bool
    findings: list[rules.Finding]

    @property
    def profile(self) -> RuleProfile:
        return self.policy.rules_for(self.unit_head)

    @property
    def errors(self) -> list[rules.Finding]:
        return rules.errors(self.findings)

    @property
    def warnings(self) -> list[rules.Finding]:
        return rules.warnings(self.findings)

    @property
    def notes(self) -> list[rules.Finding]:
        return rules.notes(self.findings)


async def policy_of(
    session: AsyncSession, skp: Skp, catalog: Any = None, stamp: Any = None
) -> Policy:
    """The policy of the SKP's period (from the process's `catalog` while `stamp` holds)."""
    if catalog is not None:
        period = await catalog.period_by_id(session, skp.period_id, stamp)
        policy: Policy = await catalog.policy(session, period)
        return policy
    period = await session.get(Period, skp.period_id)
    return await store.policy_for(session, period) if period is not None else default_policy()


async def check(
    session: AsyncSession,
    skp: Skp,
    rows: list[SkpItem],
    catalog: Any = None,
    stamp: Any = None,
) -> Checked:
    """The findings for the SKP's items under its owner's rules, with what the owner recorded
    about them (the adjustment of the IKI count)."""
    policy = await policy_of(session, skp, catalog, stamp)
    unit_head = await is_unit_head(session, skp.employee_id)
    items = [store.rule_item(r) for r in rows]
    profile = policy.rules_for(unit_head)
    return Checked(policy, unit_head, rules.check_skp(policy, items, profile, skp.count_note))

"""Check-in reminders and the leaders' team digests of a round, planned into the outbox.

- `reminder_checkin`: everyone whose SKP is set, once per round (dedupe key), on the policy's
  check-in day (the previous working day if it is not one); leaders (someone's pejabat
  penilai) `leader_lead_days` working days earlier, so they go first. Re-checked before it is
  sent: nobody is reminded of a check-in already sent. Its button opens the check-in screen.
- `checkin_digest`: one message per leader per round, `digest_after_days` after the
  reminder: each person's check-in, items behind their trajectory pointed out; its button
  opens the team screen (paged there). Built from bulk reads: the statements do not grow
  with the size of a team."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Period, SkpStatus
from bot.domain import progress as rules
from bot.domain.policy import Policy
from bot.engine.callback import Callback
from bot.reminders.calendar import previous_working_day, zone
from bot.services import progress as read
from bot.texts import Texts

GO_NS = "go"
# People a digest message names; the rest are one tap away on the team screen.
DIGEST_SHOWN = 8


def _button(texts: Texts, label: str, action: str) -> list[list[dict[str, str]]]:
    return [[{"label": texts.label(label), "data": Callback(GO_NS, action, "", 0).encode()}]]


def round_dates(
    now: datetime, policy: Policy, holidays: frozenset[date]
) -> tuple[str, date, date, date]:
    """The round holding `now`: its key, the staff's and the leaders' reminder days and the
    digest day."""
    progress = policy.progress
    key = rules.period_key(now.date(), progress.checkin_interval_months)
    day = date(int(key[:4]), rules.key_month(key), progress.checkin_day)
    staff = previous_working_day(day, holidays)
    leaders = staff
    for _ in range(progress.leader_lead_days):
        leaders = previous_working_day(leaders - timedelta(days=1), holidays)
    digest = staff + timedelta(days=progress.digest_after_days)
    return key, staff, leaders, previous_working_day(digest, holidays)


async def plan_checkins(
    session: AsyncSession,
    plan: Any,
    texts: Texts,
    period: Period,
    policy: Policy,
    people: dict[int, Any],
    states: dict[int, Any],
    now: datetime,
    hour: int,
    holidays: frozenset[date],
    max_age: timedelta,
) -> None:
    key, staff_day, leader_day, digest_day = round_dates(now, policy, holidays)
    if not period.starts_on <= staff_day <= period.ends_on:
        return
    leaders = {p.penilai_id for p in people.values() if p.penilai_id is not None}
    month = texts.label(f"month_{rules.key_month(key)}") + f" {key[:4]}"
    html = texts.message("reminder_checkin", month=month)
    buttons = _button(texts, "checkin_open", "capaian")
    for person in sorted(people.values(), key=lambda p: p.id not in leaders):
        state = states.get(person.id)
        if state is None or state.status is not SkpStatus.SET:
            continue
        day = leader_day if person.id in leaders else staff_day
        at = datetime.combine(day, time(hour), zone(person.tz))
        if not at <= now <= at + max_age:
            continue
        plan.add(
            person.id,
            "reminder_checkin",
            f"checkin:{period.id}:{person.id}:{key}",
            html,
            at,
            now,
            buttons=buttons,
            unless={
                "kind": "checked_in",
                "employee_id": person.id,
                "period_id": period.id,
                "period_key": key,
            },
        )
    await _digests(
        session, plan, texts, period, policy, people, key, digest_day, now, hour, max_age
    )


async def _digests(
    session: AsyncSession,
    plan: Any,
    texts: Texts,
    period: Period,
    policy: Policy,
    people: dict[int, Any],
    key: str,
    day: date,
    now: datetime,
    hour: int,
    max_age: timedelta,
) -> None:
    due = [
        leader
        for leader in people.values()
        if (at := datetime.combine(day, time(hour), zone(leader.tz))) <= now <= at + max_age
    ]
    if not due:
        return
    # Everyone due (one time zone): no list of ids to send, every team is read.
    leader_ids = None if len(due) == len(people) else [p.id for p in due]
    teams = await read.team_skps(session, period.id, leader_ids)
    every = [skp for skps in teams.values() for skp in skps]
    found = await read.standings(
        session,
        every,
        key,
        policy.progress,
        scope=read.team_scope(period.id, leader_ids),
        with_evidence=False,
    )
    standings = {s.skp.id: s for s in found}
    month = texts.label(f"month_{rules.key_month(key)}") + f" {key[:4]}"
    buttons = _button(texts, "digest_open_team", "tim")
    for leader in due:
        team = [standings[skp.id] for skp in teams.get(leader.id, [])]
        if not team:
            continue
        # Who needs a look first: items behind, then not sent yet.
        ordered = sorted(team, key=lambda s: (not s.behind, s.submitted))
        html = texts.message(
            "checkin_digest",
            month=month,
            shown=ordered[:DIGEST_SHOWN],
            total=len(team),
            sent=sum(1 for s in team if s.submitted),
        )
        at = datetime.combine(day, time(hour), zone(leader.tz))
        plan.add(
            leader.id,
            "checkin_digest",
            f"checkin-digest:{leader.id}:{key}",
            html,
            at,
            now,
            buttons=buttons,
        )

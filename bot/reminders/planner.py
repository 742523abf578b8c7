"""Planning reminders into the outbox. Run on a schedule (every few minutes); each run writes
the reminders that are due now and have not been written yet. A reminder's dedupe key names
its person, kind and slot, and the outbox's unique constraint makes a second run (or a second
process) write nothing new. Every reminder carries an `unless` condition that the sender checks
again just before sending, so nobody is reminded of something already done.

Kinds, leaders first:
- `leader_plan`: a leader (someone's pejabat penilai) who has not sent a cascade to the team
  yet (the MPPH is not done), before the staff reminders start (`leader_lead_days` earlier);
- `staff`: an employee whose SKP is not submitted (not started, drafting, revision asked);
- `waiting`: a leader with submissions waiting more than `approval_wait_days` working days;
- `digest`: weekly progress of a unit for its head (with a chart), of all units for admins;
- `evaluation`: quarterly evaluation, for employees whose SKP is set (it opens the check-in);
- `reminder_checkin` and `checkin_digest`: the year's check-in rounds (bot.reminders.checkins)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.models import (
    Cascade,
    Employee,
    LinkStatus,
    Outbox,
    OutboxStatus,
    Period,
    RoleGrant,
    RoleName,
    Skp,
    SkpItem,
    SkpStatus,
    Team,
    TeamMember,
    TelegramLink,
    Unit,
)
from bot.engine.callback import Callback
from bot.reminders.calendar import (
    due_now,
    is_working_day,
    previous_working_day,
    slots,
    working_days_between,
    zone,
)
from bot.reminders.checkins import plan_checkins
from bot.services.skp import current_period, policy_for
from bot.texts import Texts

NOT_SUBMITTED = (None, SkpStatus.DRAFT, SkpStatus.REVISION)
WAITING = (SkpStatus.SUBMITTED, SkpStatus.SIGNED)
GO_NS = "go"  # buttons that only open a screen (see conversations.menu.on_go_button)


@dataclass(frozen=True)
class ReminderConfig:
    days_before: tuple[int, ...] = (14, 7, 3, 1, 0)
    hour: int = 9
    leader_lead_days: int = 3
    approval_wait_days: int = 2
    digest_weeks: int = 4
    digest_weekday: int = 0  # Monday
    evaluation_dates: tuple[tuple[int, int], ...] = ((31, 3), (30, 6), (30, 9), (15, 12))
    holidays: frozenset[date] = frozenset()
    max_age: timedelta = timedelta(hours=20)

    @classmethod
    def from_settings(cls, s: Settings) -> ReminderConfig:
        def day_month(raw: str) -> tuple[int, int]:
            day, month = raw.strip().split("-")
            return int(day), int(month)

        return cls(
            days_before=tuple(int(d) for d in s.reminder_days.split(",") if d.strip()),
            hour=s.reminder_hour,
            leader_lead_days=s.leader_lead_days,
            approval_wait_days=s.approval_wait_days,
            digest_weeks=s.digest_weeks,
            evaluation_dates=tuple(day_month(d) for d in s.evaluation_dates.split(",") if d),
            holidays=frozenset(date.fromisoformat(d.strip()) for d in s.holidays.split(",") if d),
            max_age=timedelta(hours=s.reminder_max_age_hours),
        )


@dataclass
class Person:
    id: int
    tz: str
    unit_id: int
    name: str
    penilai_id: int | None


@dataclass
class SkpState:
    status: SkpStatus | None = None
    items: int = 0
    submitted_at: datetime | None = None
    signed_at: datetime | None = None


@dataclass
class Plan:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        recipient: int,
        kind: str,
        key: str,
        html: str,
        at: datetime,
        now: datetime,
        buttons: Sequence[Sequence[dict[str, str]]] = (),
        unless: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        del at  # kept in the signature: the slot is in the dedupe key, the row is due now
        payload: dict[str, Any] = {"html": html, "buttons": [list(r) for r in buttons], **extra}
        if unless is not None:
            payload["unless"] = unless
        self.rows.append(
            {
                "recipient_id": recipient,
                "kind": kind,
                "dedupe_key": key,
                "payload": payload,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "created_at": now,
                # planned when due: `at` is when it became due, it goes out now
                "send_after": now,
            }
        )


class Planner:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        texts: Texts,
        config: ReminderConfig,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.texts = texts
        self.config = config
        self._rendered: dict[tuple[Any, ...], str] = {}

    def _button(self, label: str, action: str) -> list[dict[str, str]]:
        return [{"label": self.texts.label(label), "data": Callback(GO_NS, action, "", 0).encode()}]

    def _render(self, template: str, **context: Any) -> str:
        """Reminder texts repeat for thousands of people: render each variant once."""
        key = (template, *sorted((k, repr(v)) for k, v in context.items()))
        if key not in self._rendered:
            self._rendered[key] = self.texts.message(template, **context)
        return self._rendered[key]

    async def run(self, now: datetime) -> Counter[str]:
        """Write what is due now; returns how many new rows of each kind were written."""
        async with self.sessionmaker() as session, session.begin():
            period = await current_period(session, now.date())
            if period is None:
                return Counter()
            plan = Plan()
            people = await self._people(session)
            states = await self._states(session, period)
            deadline = period.draft_deadline or period.skp_deadline
            if deadline is not None:
                await self._leader_plans(session, plan, period, deadline, people, states, now)
                await self._staff(session, plan, period, deadline, people, states, now)
                await self._digests(session, plan, period, deadline, people, states, now)
            await self._waiting(session, plan, people, now)
            self._evaluations(plan, period, people, states, now)
            c = self.config
            await plan_checkins(
                session,
                plan,
                self.texts,
                period,
                await policy_for(session, period),
                people,
                states,
                now,
                c.hour,
                c.holidays,
                c.max_age,
            )
            created = await self._write(session, plan.rows)
        return created

    # -- who and where they stand ---------------------------------------------------------

    async def _people(self, session: AsyncSession) -> dict[int, Person]:
        """Active employees who can be reached on Telegram."""
        rows = await session.execute(
            select(Employee.id, Unit.timezone, Employee.unit_id, Employee.name, Employee.penilai_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .join(
                TelegramLink,
                and_(
                    TelegramLink.employee_id == Employee.id,
                    TelegramLink.status == LinkStatus.ACTIVE,
                    TelegramLink.unreachable_since.is_(None),
                ),
            )
            .where(Employee.active.is_(True))
        )
        return {r[0]: Person(r[0], r[1].value, r[2], r[3], r[4]) for r in rows}

    async def _states(self, session: AsyncSession, period: Period) -> dict[int, SkpState]:
        """Each employee's latest SKP version in the period: status and item count."""
        counts = select(SkpItem.skp_id, func.count().label("n")).group_by(SkpItem.skp_id).subquery()
        rows = await session.execute(
            select(
                Skp.employee_id,
                Skp.number,
                Skp.status,
                func.coalesce(counts.c.n, 0),
                Skp.submitted_at,
                Skp.signed_at,
            )
            .outerjoin(counts, counts.c.skp_id == Skp.id)
            .where(Skp.period_id == period.id)
            .order_by(Skp.employee_id, Skp.number)
        )
        states: dict[int, SkpState] = {}
        for employee_id, _number, status, items, submitted_at, signed_at in rows:
            states[employee_id] = SkpState(status, int(items), submitted_at, signed_at)
        return states

    # -- kinds --------------------------------------------------------------------------------

    def _due(
        self, people: Iterable[Person], deadline: date, hour: int, now: datetime
    ) -> list[tuple[int, datetime, list[Person]]]:
        """Per time zone, the countdown reminder due now (days before, when) and who is there."""
        c = self.config
        due = []
        for tz, group in _by_zone(people).items():
            slot = due_now(
                slots(deadline, c.days_before, hour, zone(tz), c.holidays), now, c.max_age
            )
            if slot is not None:
                due.append((slot[0], slot[1], group))
        return due

    async def _already(self, session: AsyncSession, kind: str, since: datetime) -> set[int]:
        """Who already has a row of this kind written since the slot became due: a later run
        in the same slot skips them instead of colliding on the unique key 100 000 times."""
        rows = await session.execute(
            select(Outbox.recipient_id).where(Outbox.kind == kind, Outbox.created_at >= since)
        )
        return {recipient for recipient in rows.scalars() if recipient is not None}

    async def _staff(
        self,
        session: AsyncSession,
        plan: Plan,
        period: Period,
        deadline: date,
        people: dict[int, Person],
        states: dict[int, SkpState],
        now: datetime,
    ) -> None:
        button = [self._button("reminder_open_skp", "skp")]
        for days, at, group in self._due(people.values(), deadline, self.config.hour, now):
            done = await self._already(session, "reminder_staff", at)
            for person in group:
                state = states.get(person.id, SkpState())
                if state.status not in NOT_SUBMITTED or person.id in done:
                    continue
                html = self._render(
                    "reminder_staff",
                    stage=_stage(state),
                    items=state.items,
                    days=days,
                    deadline=deadline,
                    year=period.year,
                )
                plan.add(
                    person.id,
                    "reminder_staff",
                    f"staff:{period.id}:{person.id}:{days}",
                    html,
                    at,
                    now,
                    button,
                    unless={"kind": "submitted", "employee_id": person.id, "period_id": period.id},
                )

    async def _leader_plans(
        self,
        session: AsyncSession,
        plan: Plan,
        period: Period,
        deadline: date,
        people: dict[int, Person],
        states: dict[int, SkpState],
        now: datetime,
    ) -> None:
        c = self.config
        leaders = set(
            (
                await session.execute(
                    select(Employee.penilai_id)
                    .where(Employee.penilai_id.is_not(None), Employee.active.is_(True))
                    .distinct()
                )
            ).scalars()
        )
        # The cascade is done once the leader has sent their roles to the team (the MPPH).
        leaders -= set(
            (
                await session.execute(
                    select(Cascade.leader_id).where(
                        Cascade.period_id == period.id, Cascade.sent_at.is_not(None)
                    )
                )
            ).scalars()
        )
        earlier = deadline - timedelta(days=c.leader_lead_days)
        button = [self._button("reminder_open_cascade", "kaskade")]
        leading = (p for p in people.values() if p.id in leaders)
        for days, at, group in self._due(leading, earlier, max(c.hour - 1, 0), now):
            for person in group:
                html = self._render(
                    "reminder_leader_plan",
                    days=days + c.leader_lead_days,
                    deadline=deadline,
                    has_rhk=bool(states.get(person.id, SkpState()).items),
                )
                plan.add(
                    person.id,
                    "reminder_leader_plan",
                    f"leadplan:{period.id}:{person.id}:{days}",
                    html,
                    at,
                    now,
                    button,
                    unless={"kind": "cascaded", "employee_id": person.id, "period_id": period.id},
                )

    async def _waiting(
        self, session: AsyncSession, plan: Plan, people: dict[int, Person], now: datetime
    ) -> None:
        c = self.config
        rows = await session.execute(
            select(Employee.penilai_id, Skp.submitted_at, Skp.signed_at, Skp.status)
            .join(Employee, Employee.id == Skp.employee_id)
            .where(Skp.status.in_(WAITING), Employee.penilai_id.is_not(None))
        )
        waiting: dict[int, int] = defaultdict(int)
        for leader_id, submitted_at, signed_at, status in rows:
            since = signed_at if status is SkpStatus.SIGNED else submitted_at
            if since is None or leader_id not in people:
                continue
            tz = zone(people[leader_id].tz)
            local_today = now.astimezone(tz).date()
            if (
                working_days_between(since.astimezone(tz).date(), local_today, c.holidays)
                > c.approval_wait_days
            ):
                waiting[leader_id] += 1
        button = [self._button("reminder_open_approvals", "persetujuan")]
        for leader_id, count in waiting.items():
            tz = zone(people[leader_id].tz)
            today = now.astimezone(tz).date()
            if not is_working_day(today, c.holidays):
                continue
            at = datetime.combine(today, time(c.hour), tz)
            if now < at:
                continue
            plan.add(
                leader_id,
                "reminder_waiting",
                f"waiting:{leader_id}:{today.isoformat()}",
                self._render("reminder_waiting", count=count, days=c.approval_wait_days),
                at,
                now,
                button,
                unless={"kind": "nothing_waiting", "leader_id": leader_id},
            )

    async def _digests(
        self,
        session: AsyncSession,
        plan: Plan,
        period: Period,
        deadline: date,
        people: dict[int, Person],
        states: dict[int, SkpState],
        now: datetime,
    ) -> None:
        c = self.config
        if not c.digest_weeks:
            return
        wib = zone("WIB")
        today = now.astimezone(wib).date()
        window_start = deadline - timedelta(weeks=c.digest_weeks)
        if not (window_start <= today <= deadline) or today.weekday() != c.digest_weekday:
            return
        at = datetime.combine(today, time(c.hour), wib)
        if now < at or now - at > c.max_age:
            return
        everyone = (
            await session.execute(
                select(Employee.id, Employee.name, Employee.unit_id).where(
                    Employee.active.is_(True)
                )
            )
        ).all()
        units = {u.id: u for u in (await session.execute(select(Unit))).scalars()}
        teams = defaultdict(list)
        for team_name, unit_id, member in await session.execute(
            select(Team.name, Team.unit_id, TeamMember.employee_id).join(
                TeamMember, TeamMember.team_id == Team.id
            )
        ):
            teams[(unit_id, team_name)].append(member)
        by_unit: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for emp_id, name, unit_id in everyone:
            by_unit[unit_id].append((emp_id, name))

        def tally(ids: Sequence[int]) -> dict[str, int]:
            counted = Counter(_bucket(states.get(i, SkpState()).status) for i in ids)
            return {b: counted.get(b, 0) for b in BUCKETS}

        key_day = today.isoformat()
        for unit_id, members in by_unit.items():
            unit = units[unit_id]
            if unit.head_id is None or unit.head_id not in people:
                continue
            ids = [m[0] for m in members]
            late = sorted(
                n for i, n in members if states.get(i, SkpState()).status in NOT_SUBMITTED
            )
            team_rows = [
                (name, tally(member_ids))
                for (team_unit, name), member_ids in sorted(teams.items())
                if team_unit == unit_id
            ]
            html = self.texts.message(
                "digest_unit",
                unit=unit,
                totals=tally(ids),
                late=late[:10],
                late_count=len(late),
                teams=team_rows,
                deadline=deadline,
                labels={b: self.texts.label(f"bucket_{b}") for b in BUCKETS},
            )
            plan.add(unit.head_id, "digest", f"digest:{unit_id}:{key_day}", html, at, now)
            chart = {
                "title": unit.name,
                "rows": [[self.texts.label("chart_all"), tally(ids)]]
                + [[name, counts] for name, counts in team_rows],
                "labels": {b: self.texts.label(f"bucket_{b}") for b in BUCKETS},
            }
            plan.add(
                unit.head_id,
                "digest_chart",
                f"digest-chart:{unit_id}:{key_day}",
                self.texts.message("digest_chart_caption", unit=unit),
                at,
                now,
                chart=chart,
            )
        admins = (
            await session.execute(
                select(RoleGrant.employee_id).where(RoleGrant.role == RoleName.ADMIN)
            )
        ).scalars()
        unit_rows = sorted(
            (units[u].name, tally([m[0] for m in members])) for u, members in by_unit.items()
        )
        overall = tally([e[0] for e in everyone])
        for admin_id in admins:
            if admin_id not in people:
                continue
            html = self.texts.message(
                "digest_admin",
                units=unit_rows[:40],
                more=max(len(unit_rows) - 40, 0),
                totals=overall,
                deadline=deadline,
                labels={b: self.texts.label(f"bucket_{b}") for b in BUCKETS},
            )
            plan.add(admin_id, "digest_admin", f"digest-admin:{admin_id}:{key_day}", html, at, now)

    def _evaluations(
        self,
        plan: Plan,
        period: Period,
        people: dict[int, Person],
        states: dict[int, SkpState],
        now: datetime,
    ) -> None:
        c = self.config
        self._evaluation_leaders(plan, period, people, states, now)
        for quarter, (day, month) in enumerate(c.evaluation_dates, start=1):
            target = date(period.year, month, day)
            for tz, group in _by_zone(people.values()).items():
                when = previous_working_day(target, c.holidays)
                at = datetime.combine(when, time(c.hour), zone(tz))
                if not (at <= now <= at + c.max_age):
                    continue
                html = self._render("reminder_evaluation", quarter=quarter, date=target)
                for person in group:
                    if states.get(person.id, SkpState()).status is not SkpStatus.SET:
                        continue
                    plan.add(
                        person.id,
                        "reminder_evaluation",
                        f"eval:{period.id}:{person.id}:{quarter}",
                        html,
                        at,
                        now,
                        # The evaluation starts from the year's check-ins.
                        buttons=[self._button("checkin_open", "capaian")],
                    )

    def _evaluation_leaders(
        self,
        plan: Plan,
        period: Period,
        people: dict[int, Person],
        states: dict[int, SkpState],
        now: datetime,
    ) -> None:
        """Leaders first: each pejabat penilai with staff whose SKP is set is led to the
        evaluation screen on the quarter's day (unless every evaluation is final by then)."""
        c = self.config
        staff: Counter[int] = Counter(
            p.penilai_id
            for p in people.values()
            if p.penilai_id is not None and states.get(p.id, SkpState()).status is SkpStatus.SET
        )
        for quarter, (day, month) in enumerate(c.evaluation_dates, start=1):
            target = date(period.year, month, day)
            when = previous_working_day(target, c.holidays)
            for leader_id, count in staff.items():
                leader = people.get(leader_id)
                if leader is None:
                    continue
                at = datetime.combine(when, time(c.hour), zone(leader.tz))
                if not (at <= now <= at + c.max_age):
                    continue
                plan.add(
                    leader_id,
                    "reminder_evaluation_leader",
                    f"eval-leader:{period.id}:{leader_id}:{quarter}",
                    self._render(
                        "reminder_evaluation_leader", quarter=quarter, date=target, count=count
                    ),
                    at,
                    now,
                    buttons=[self._button("eval_open_screen", "evaluasi")],
                    unless={
                        "kind": "evaluated",
                        "leader_id": leader_id,
                        "period": f"TW{quarter}",
                    },
                )

    # -- writing ---------------------------------------------------------------------------

    async def _write(self, session: AsyncSession, rows: list[dict[str, Any]]) -> Counter[str]:
        created: Counter[str] = Counter()
        if not rows:
            return created
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = (
            insert(Outbox)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Outbox.kind)
        )
        # Core, not the ORM's bulk path: a reminder row needs no identity map, and this is the
        # bulk of a 100 000-person run.
        connection = await session.connection()
        for start in range(0, len(rows), 2000):
            result = await connection.execute(stmt, rows[start : start + 2000])
            created.update(result.scalars())
        return created


BUCKETS = ("belum", "draf", "diajukan", "disetujui", "ditetapkan")


def _bucket(status: SkpStatus | None) -> str:
    if status is None:
        return "belum"
    if status in (SkpStatus.DRAFT, SkpStatus.REVISION):
        return "draf"
    if status is SkpStatus.SUBMITTED:
        return "diajukan"
    if status in (SkpStatus.AGREED, SkpStatus.SIGNED):
        return "disetujui"
    return "ditetapkan"


def _stage(state: SkpState) -> str:
    if state.status is SkpStatus.REVISION:
        return "revision"
    if state.status is None or state.items == 0:
        return "not_started"
    return "drafting"


def _by_zone(people: Any) -> dict[str, list[Person]]:
    grouped: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        grouped[person.tz].append(person)
    return grouped

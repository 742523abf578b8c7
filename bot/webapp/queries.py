"""The dashboard's numbers, as aggregate SQL: every employee's SKP put in one of the season's
buckets, counted per unit (or per team of a unit) with GROUP BY, with the named blockers
counted in the same statement. No loop per person: the unit overview is one statement
whatever the size of the organisation.

Buckets: belum mulai (no SKP, or a draft without items), then the SKP's own status. Blockers:
- menunggu atasan: submitted and not decided for `approval_wait_days` working days or more
  (counted in the unit's own time zone);
- atasan belum punya RHK: not submitted yet, and the penilai's SKP has no item yet (not for a
  unit head: their RHK come from their Perjanjian Kinerja, not from their atasan's SKP);
- data atasan dilaporkan salah: an open "Data saya salah" report about the atasan;
- tidak dapat dihubungi: the linked chat could not be reached (the bot was blocked)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    DateTime,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    DataReport,
    Employee,
    LinkStatus,
    Period,
    ReportStatus,
    Skp,
    SkpItem,
    SkpStatus,
    Team,
    TeamMember,
    TelegramLink,
    Unit,
)
from bot.reminders.calendar import ZONES, working_days_between, zone

NOT_STARTED = "belum"
BUCKETS = (
    NOT_STARTED,
    SkpStatus.DRAFT.value,
    SkpStatus.SUBMITTED.value,
    SkpStatus.REVISION.value,
    SkpStatus.AGREED.value,
    SkpStatus.SIGNED.value,
    SkpStatus.SET.value,
)
# Not yet with the atasan: these are late once the drafting deadline has passed.
UNSUBMITTED = (NOT_STARTED, SkpStatus.DRAFT.value, SkpStatus.REVISION.value)
BLOCKERS = ("waiting", "no_plan", "reported", "unreachable")


@dataclass
class Counts:
    """One row of the overview: a unit's (or a team's) people by bucket and blocker."""

    id: int | None
    name: str
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    blockers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BLOCKERS, 0))
    timezone: str = "WIB"
    late_draft: int = 0
    late_skp: int = 0

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    @property
    def done(self) -> int:
        return self.buckets[SkpStatus.SET.value]

    def add(self, other: Counts) -> None:
        for key, value in other.buckets.items():
            self.buckets[key] += value
        for key, value in other.blockers.items():
            self.blockers[key] += value
        self.late_draft += other.late_draft
        self.late_skp += other.late_skp


@dataclass(frozen=True)
class Season:
    """The moment and the calendar the numbers are taken against."""

    period: Period
    now: datetime
    wait_days: int
    holidays: frozenset[date] = frozenset()

    def waiting_cutoff(self, tz_code: str) -> datetime:
        """Submitted before this moment: waiting `wait_days` working days or more."""
        today = self.now.astimezone(zone(tz_code)).date()
        day = today
        while working_days_between(day, today, self.holidays) < self.wait_days:
            day -= timedelta(days=1)
        # Submitted on `day` or earlier (local): the working days after it reach the limit.
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(tz_code))

    def passed(self, deadline: date | None, tz_code: str) -> bool:
        """Whether the whole deadline day is over in the unit's time zone."""
        if deadline is None:
            return False
        end = datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=zone(tz_code))
        return self.now >= end

    def working_days_since(self, moment: datetime, tz_code: str) -> int:
        tz = zone(tz_code)
        return working_days_between(
            moment.astimezone(tz).date(), self.now.astimezone(tz).date(), self.holidays
        )


def _current(period_id: int) -> Any:
    """Each employee's SKP of the period that counts (the superseded versions do not), and
    whether it has items: computed once (a CTE) for the person and for their penilai."""
    return (
        select(
            Skp.id,
            Skp.employee_id,
            Skp.status,
            Skp.submitted_at,
            # Only a draft may be empty (a submitted SKP had items): one index probe per draft.
            case(
                (Skp.status == SkpStatus.DRAFT.value, exists().where(SkpItem.skp_id == Skp.id)),
                else_=true(),
            ).label("has_items"),
        )
        .where(Skp.period_id == period_id, Skp.status != SkpStatus.SUPERSEDED)
        .cte("cur")
    )


class _Columns:
    """The per-person expressions every query shares, over `joined` (employees, their unit
    and their SKP: hash joins, not a subquery per person)."""

    def __init__(self, season: Season) -> None:
        self.skp = skp = _current(season.period.id)
        self.bucket = case(
            (skp.c.id.is_(None), literal(NOT_STARTED)),
            (and_(skp.c.status == SkpStatus.DRAFT.value, ~skp.c.has_items), literal(NOT_STARTED)),
            else_=skp.c.status,
        )
        moment = DateTime(timezone=True)
        cutoff = case(
            *(
                (Unit.timezone == code, literal(season.waiting_cutoff(code), moment))
                for code in ZONES
            ),
            else_=literal(season.waiting_cutoff("WIB"), moment),
        )
        self.waiting = and_(skp.c.status == SkpStatus.SUBMITTED.value, skp.c.submitted_at < cutoff)
        unsubmitted = or_(skp.c.id.is_(None), skp.c.status.in_(("draf", "revisi")))
        # Whose plan exists: a small set to look the penilai up in (a join per person
        # misleads the planner by orders of magnitude).
        planned = select(skp.c.employee_id).where(skp.c.has_items)
        # A unit head (JPT) takes their RHK from the Perjanjian Kinerja: their atasan's
        # plan does not hold them up.
        heads = select(Unit.head_id).where(Unit.head_id.is_not(None))
        self.no_plan = and_(
            Employee.penilai_id.is_not(None),
            unsubmitted,
            Employee.penilai_id.not_in(planned),
            Employee.id.not_in(heads),
        )
        self.reported = Employee.id.in_(
            select(DataReport.employee_id).where(
                DataReport.status == ReportStatus.OPEN, DataReport.field == "atasan"
            )
        )
        self.unreachable = Employee.id.in_(
            select(TelegramLink.employee_id).where(
                TelegramLink.status == LinkStatus.ACTIVE,
                TelegramLink.unreachable_since.is_not(None),
            )
        )
        self.linked = (
            exists()
            .where(
                TelegramLink.employee_id == Employee.id, TelegramLink.status == LinkStatus.ACTIVE
            )
            .correlate(Employee)
        )

    def joined(self, *columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(Employee)
            .join(Unit, Unit.id == Employee.unit_id)
            .outerjoin(self.skp, self.skp.c.employee_id == Employee.id)
        )

    def flags(self) -> list[Any]:
        return [
            func.sum(case((flag, 1), else_=0))
            for flag in (self.waiting, self.no_plan, self.reported, self.unreachable)
        ]


def _fill(counts: Counts, bucket: str, n: int, blockers: Iterable[Any]) -> None:
    if bucket in counts.buckets:
        counts.buckets[bucket] += int(n)
    for key, value in zip(BLOCKERS, blockers, strict=True):
        counts.blockers[key] += int(value or 0)


def _lateness(season: Season, counts: Counts) -> None:
    period = season.period
    if season.passed(period.draft_deadline, counts.timezone):
        counts.late_draft = sum(counts.buckets[b] for b in UNSUBMITTED)
    if season.passed(period.skp_deadline, counts.timezone):
        counts.late_skp = counts.total - counts.done


async def analytic(session: AsyncSession) -> None:
    """PostgreSQL's JIT compiles these one-off aggregates for longer than they run (about
    half a second of the overview's 0.9 s at 100 000 people): off for this transaction."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))
        # The joins over every employee fit in memory instead of spilling in batches.
        await session.execute(text("SET LOCAL work_mem = '64MB'"))


async def unit_overview(
    session: AsyncSession, season: Season, unit_ids: Iterable[int], everything: bool = False
) -> list[Counts]:
    """Every visible unit's people by bucket and blocker: one statement (`everything`: all
    units, as an administrator sees them, without listing them in the query)."""
    wanted = sorted(set(unit_ids))
    await analytic(session)
    c = _Columns(season)
    stmt = (
        c.joined(Employee.unit_id, c.bucket, func.count(), *c.flags())
        .where(Employee.active.is_(True))
        .group_by(Employee.unit_id, c.bucket)
    )
    if not everything:  # an administrator's overview needs no list of every unit
        stmt = stmt.where(Employee.unit_id.in_(wanted))
    shown = select(Unit) if everything else select(Unit).where(Unit.id.in_(wanted))
    units = {
        u.id: Counts(u.id, u.name, timezone=u.timezone.value)
        for u in (await session.execute(shown)).scalars()
    }
    for unit_id, bucket, n, *blockers in (await session.execute(stmt)).all():
        _fill(units[unit_id], bucket, n, blockers)
    for counts in units.values():
        _lateness(season, counts)
    return sorted(units.values(), key=lambda u: u.name)


def _in_teams(unit_id: int, team_id: int | None = None) -> Any:
    """(employee, team) for the teams of a unit (or one of them): the members and the ketua
    tim, each person once per team even when the leader is also listed as a member."""
    team = aliased(Team)
    members = (
        select(TeamMember.employee_id.label("employee_id"), TeamMember.team_id.label("team_id"))
        .join(team, team.id == TeamMember.team_id)
        .where(team.unit_id == unit_id)
    )
    leaders = select(Team.leader_id.label("employee_id"), Team.id.label("team_id")).where(
        Team.unit_id == unit_id, Team.leader_id.is_not(None)
    )
    if team_id is not None:
        members = members.where(team.id == team_id)
        leaders = leaders.where(Team.id == team_id)
    return union(members, leaders).subquery("tm")


async def team_overview(session: AsyncSession, season: Season, unit: Unit) -> list[Counts]:
    """A unit's teams by bucket and blocker, each with its ketua tim (its people in no team
    as one row, id None)."""
    await analytic(session)
    c = _Columns(season)
    in_unit_team = _in_teams(unit.id)
    stmt = (
        c.joined(in_unit_team.c.team_id, c.bucket, func.count(), *c.flags())
        .outerjoin(in_unit_team, in_unit_team.c.employee_id == Employee.id)
        .where(Employee.active.is_(True), Employee.unit_id == unit.id)
        .group_by(in_unit_team.c.team_id, c.bucket)
    )
    teams: dict[int | None, Counts] = {
        t.id: Counts(t.id, t.name, timezone=unit.timezone.value)
        for t in (
            await session.execute(select(Team).where(Team.unit_id == unit.id).order_by(Team.name))
        ).scalars()
    }
    for team_id, bucket, n, *blockers in (await session.execute(stmt)).all():
        if team_id not in teams:
            teams[team_id] = Counts(None, "", timezone=unit.timezone.value)
        _fill(teams[team_id], bucket, n, blockers)
    for counts in teams.values():
        _lateness(season, counts)
    return list(teams.values())


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    nip: str
    jabatan: str
    bucket: str
    skp_id: int | None
    linked: bool
    waiting_days: int | None
    no_plan: bool
    reported: bool
    unreachable: bool

    @property
    def blocked(self) -> bool:
        return self.waiting_days is not None or self.no_plan or self.reported or self.unreachable


async def people(
    session: AsyncSession,
    season: Season,
    *,
    unit_id: int,
    team_id: int | None = None,
    no_team: bool = False,
    blocked_only: bool = False,
    employee_id: int | None = None,
    limit: int = 500,
) -> list[PersonRow]:
    """The people of a unit (or of one of its teams with its ketua tim, or those in none of
    its teams) with their bucket and blockers."""
    c = _Columns(season)
    stmt = (
        c.joined(
            Employee.id,
            Employee.name,
            Employee.nip,
            Employee.jabatan,
            c.bucket.label("bucket"),
            c.skp.c.id.label("skp_id"),
            c.skp.c.submitted_at,
            Unit.timezone,
            c.linked.label("linked"),
            c.waiting.label("waiting"),
            c.no_plan.label("no_plan"),
            c.reported.label("reported"),
            c.unreachable.label("unreachable"),
        )
        .where(Employee.active.is_(True), Employee.unit_id == unit_id)
        .order_by(Employee.name)
        .limit(limit)
    )
    if team_id is not None:
        stmt = stmt.where(Employee.id.in_(select(_in_teams(unit_id, team_id).c.employee_id)))
    elif no_team:
        stmt = stmt.where(Employee.id.not_in(select(_in_teams(unit_id).c.employee_id)))
    if employee_id is not None:
        stmt = stmt.where(Employee.id == employee_id)
    if blocked_only:
        stmt = stmt.where(or_(c.waiting, c.no_plan, c.reported, c.unreachable))
    rows = []
    for r in (await session.execute(stmt)).all():
        waiting = (
            season.working_days_since(r.submitted_at, r.timezone.value)
            if r.waiting and r.submitted_at is not None
            else None
        )
        rows.append(
            PersonRow(
                r.id,
                r.name,
                r.nip,
                r.jabatan,
                r.bucket,
                r.skp_id,
                bool(r.linked),
                waiting,
                bool(r.no_plan),
                bool(r.reported),
                bool(r.unreachable),
            )
        )
    return rows


async def buckets_of(
    session: AsyncSession, period_id: int, employee_ids: Iterable[int]
) -> dict[int, str]:
    """Each given employee's bucket in the period (a ketua tim's "Tim saya")."""
    wanted = sorted(set(employee_ids))
    if not wanted:
        return {}
    skp = _current(period_id)
    bucket = case(
        (skp.c.id.is_(None), literal(NOT_STARTED)),
        (and_(skp.c.status == SkpStatus.DRAFT.value, ~skp.c.has_items), literal(NOT_STARTED)),
        else_=skp.c.status,
    )
    rows = await session.execute(
        select(Employee.id, bucket)
        .outerjoin(skp, skp.c.employee_id == Employee.id)
        .where(Employee.id.in_(wanted))
    )
    return {int(employee_id): str(b) for employee_id, b in rows.all()}

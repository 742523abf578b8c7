"""Loading the organisation: units, employees (with their pejabat penilai), teams, team
members and organisational indicators. Everything is read and checked first; only a file
without a single problem is written, in one transaction (upserts by natural key, so loading
the same file twice changes nothing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AuditLog,
    Employee,
    Indicator,
    IndicatorKind,
    JenisJabatan,
    Period,
    RoleGrant,
    RoleName,
    Team,
    TeamMember,
    TimeZoneCode,
    Unit,
    UnitIndicator,
    UnitIndicatorRole,
)
from bot.domain.nip import nip_problem, normalise_nip
from bot.domain.numbers import parse_number
from bot.domain.org import find_cycle

# sheet -> (required columns, optional columns)
SHEETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "unit": (("kode", "nama"), ("induk", "zona_waktu", "kepala_nip", "kota")),
    "pegawai": (
        ("nip", "nama", "jabatan", "jenis_jabatan", "unit"),
        ("pangkat_golongan", "jenjang", "pejabat_penilai_nip", "admin"),
    ),
    "tim": (("kode", "nama", "unit"), ("ketua_nip",)),
    "anggota_tim": (("tim", "nip"), ()),
    "indikator": (
        ("tahun", "kode", "jenis", "nama"),
        ("induk", "target", "satuan", "unit", "peran", "sasaran"),
    ),
}
TRUE_WORDS = {"ya", "y", "1", "true", "benar", "admin"}
ROLE_WORDS = {
    "penanggung_jawab": UnitIndicatorRole.OWNER,
    "penanggung jawab": UnitIndicatorRole.OWNER,
    "pj": UnitIndicatorRole.OWNER,
    "kontributor": UnitIndicatorRole.CONTRIBUTOR,
}


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int | None  # spreadsheet row number (header = 1); None for a file-level problem
    column: str | None
    reason: str  # a key of templates/console.j2's import reasons


@dataclass
class Row:
    sheet: str
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass
class OrgData:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {s: [] for s in SHEETS})
    problems: list[Problem] = field(default_factory=list)

    def add(self, sheet: str, number: int, **values: Any) -> None:
        self.rows[sheet].append(Row(sheet, number, {k: _cell(v) for k, v in values.items()}))


@dataclass(frozen=True, slots=True)
class ImportResult:
    units: int
    employees: int
    teams: int
    members: int
    indicators: int


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


# -- reading files ------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _header(name: Any) -> str:
    return _cell(name).strip().lower().replace(" ", "_").replace("/", "_")


def _take(
    data: OrgData, sheet: str, header: list[str], rows: Iterable[tuple[int, list[Any]]]
) -> None:
    required, optional = SHEETS[sheet]
    for column in required:
        if column not in header:
            data.problems.append(Problem(sheet, None, column, "missing_column"))
    if any(p.sheet == sheet and p.reason == "missing_column" for p in data.problems):
        return
    known = set(required) | set(optional)
    for number, cells in rows:
        values = {h: _cell(v) for h, v in zip(header, cells, strict=False) if h in known}
        if any(v.strip() for v in values.values()):
            data.rows[sheet].append(Row(sheet, number, values))


def read_files(paths: list[Path]) -> OrgData:
    data = OrgData()
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            _read_xlsx(data, path)
        elif suffix == ".csv":
            sheet = path.stem.lower()
            if sheet not in SHEETS:
                data.problems.append(Problem(path.name, None, None, "unknown_csv_name"))
                continue
            _read_csv(data, sheet, path.read_bytes())
        else:
            data.problems.append(Problem(path.name, None, None, "unknown_file_type"))
    if not data.problems and not any(data.rows.values()):
        data.problems.append(Problem("-", None, None, "empty_file"))
    return data


def _read_xlsx(data: OrgData, path: Path) -> None:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        data.problems.append(Problem(path.name, None, None, "unreadable_file"))
        return
    try:
        for ws in workbook.worksheets:
            sheet = ws.title.strip().lower()
            if sheet not in SHEETS:
                continue
            rows = ws.iter_rows(values_only=True)
            header = [_header(h) for h in next(rows, ())]
            _take(data, sheet, header, ((i, list(r)) for i, r in enumerate(rows, start=2)))
    finally:
        workbook.close()


def _read_csv(data: OrgData, sheet: str, raw: bytes) -> None:
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [_header(h) for h in next(reader, [])]
    _take(data, sheet, header, ((i, r) for i, r in enumerate(reader, start=2)))


# -- checking -----------------------------------------------------------------------------


@dataclass
class _Known:
    units: set[str]
    unit_parent: dict[str, str | None]
    nips: set[str]
    penilai: dict[str, str | None]
    teams: set[str]


async def _known(session: AsyncSession) -> _Known:
    parent_rows = (await session.execute(select(Unit.id, Unit.code, Unit.parent_id))).all()
    code_by_id = {i: c for i, c, _ in parent_rows}
    unit_parent = {c: code_by_id.get(p) if p else None for _, c, p in parent_rows}
    emp_rows = (await session.execute(select(Employee.id, Employee.nip, Employee.penilai_id))).all()
    nip_by_id = {i: n for i, n, _ in emp_rows}
    penilai = {n: nip_by_id.get(p) if p else None for _, n, p in emp_rows}
    teams = set((await session.execute(select(Team.code))).scalars())
    return _Known(set(unit_parent), unit_parent, set(penilai), penilai, teams)


def check(data: OrgData, known: _Known) -> list[Problem]:
    problems = list(data.problems)

    def bad(row: Row, column: str, reason: str) -> None:
        problems.append(Problem(row.sheet, row.number, column, reason))

    def required(row: Row) -> bool:
        ok = True
        for column in SHEETS[row.sheet][0]:
            if not row.get(column):
                bad(row, column, "required")
                ok = False
        return ok

    # units
    unit_parent = dict(known.unit_parent)
    seen: set[str] = set()
    for row in data.rows["unit"]:
        if not required(row):
            continue
        code = row.get("kode")
        if code in seen:
            bad(row, "kode", "duplicate_unit")
        seen.add(code)
        if row.get("zona_waktu") and row.get("zona_waktu").upper() not in TimeZoneCode.__members__:
            bad(row, "zona_waktu", "bad_timezone")
        if len(row.get("kota")) > 100:
            bad(row, "kota", "too_long_100")
        unit_parent[code] = row.get("induk") or None
    all_units = known.units | seen
    for row in data.rows["unit"]:
        if row.get("induk") and row.get("induk") not in all_units:
            bad(row, "induk", "unknown_unit")
    cycle = find_cycle({k: v for k, v in unit_parent.items() if v is None or v in unit_parent})
    if cycle:
        problems.append(Problem("unit", None, "induk", "unit_cycle:" + " → ".join(cycle)))

    # employees
    penilai = dict(known.penilai)
    nips_in_file: dict[str, Row] = {}
    for row in data.rows["pegawai"]:
        if not required(row):
            continue
        nip = normalise_nip(row.get("nip"))
        row.values["nip"] = nip
        if (issue := nip_problem(nip)) is not None:
            bad(row, "nip", issue.value)
        elif nip in nips_in_file:
            bad(row, "nip", "duplicate_nip")
        nips_in_file[nip] = row
        if row.get("jenis_jabatan").upper() not in JenisJabatan.__members__:
            bad(row, "jenis_jabatan", "bad_jenis_jabatan")
        if row.get("unit") not in all_units:
            bad(row, "unit", "unknown_unit")
        boss = normalise_nip(row.get("pejabat_penilai_nip"))
        row.values["pejabat_penilai_nip"] = boss
        penilai[nip] = boss or None
    all_nips = known.nips | set(nips_in_file)
    for nip, row in nips_in_file.items():
        boss = row.get("pejabat_penilai_nip")
        if boss and boss == nip:
            bad(row, "pejabat_penilai_nip", "self_penilai")
        elif boss and boss not in all_nips:
            bad(row, "pejabat_penilai_nip", "unknown_penilai")
    chain = {k: v for k, v in penilai.items() if v != k and (v is None or v in penilai)}
    if (cycle := find_cycle(chain)) is not None:
        first = nips_in_file.get(cycle[0])
        problems.append(
            Problem(
                "pegawai",
                first.number if first else None,
                "pejabat_penilai_nip",
                "penilai_cycle:" + " → ".join(cycle),
            )
        )
    for row in data.rows["unit"]:
        head = normalise_nip(row.get("kepala_nip"))
        row.values["kepala_nip"] = head
        if head and head not in all_nips:
            bad(row, "kepala_nip", "unknown_nip")

    # teams and members
    team_codes: set[str] = set()
    for row in data.rows["tim"]:
        if not required(row):
            continue
        if row.get("kode") in team_codes:
            bad(row, "kode", "duplicate_team")
        team_codes.add(row.get("kode"))
        if row.get("unit") not in all_units:
            bad(row, "unit", "unknown_unit")
        leader = normalise_nip(row.get("ketua_nip"))
        row.values["ketua_nip"] = leader
        if leader and leader not in all_nips:
            bad(row, "ketua_nip", "unknown_nip")
    pairs: set[tuple[str, str]] = set()
    for row in data.rows["anggota_tim"]:
        if not required(row):
            continue
        nip = normalise_nip(row.get("nip"))
        row.values["nip"] = nip
        if row.get("tim") not in team_codes | known.teams:
            bad(row, "tim", "unknown_team")
        if nip not in all_nips:
            bad(row, "nip", "unknown_nip")
        if (row.get("tim"), nip) in pairs:
            bad(row, "nip", "duplicate_member")
        pairs.add((row.get("tim"), nip))

    # indicators
    codes: dict[tuple[str, str], Row] = {}
    for row in data.rows["indikator"]:
        if not required(row):
            continue
        year = row.get("tahun")
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            bad(row, "tahun", "bad_year")
        if row.get("jenis").upper() not in IndicatorKind.__members__:
            bad(row, "jenis", "bad_indicator_kind")
        if row.get("target") and parse_number(row.get("target")) is None:
            bad(row, "target", "bad_number")
        if row.get("unit") and row.get("unit") not in all_units:
            bad(row, "unit", "unknown_unit")
        if row.get("peran") and row.get("peran").lower() not in ROLE_WORDS:
            bad(row, "peran", "bad_indicator_role")
        key = (year, row.get("kode"))
        if key in codes and codes[key].get("unit") == row.get("unit"):
            bad(row, "kode", "duplicate_indicator")
        codes.setdefault(key, row)
    for row in data.rows["indikator"]:
        parent = row.get("induk")
        if parent and (row.get("tahun"), parent) not in codes:
            bad(row, "induk", "unknown_indicator")
    return problems


# -- writing ------------------------------------------------------------------------------


async def apply(session: AsyncSession, data: OrgData, now: datetime, actor: str) -> ImportResult:
    """Check, then write everything, or raise ImportFailed having written nothing."""
    problems = check(data, await _known(session))
    if problems:
        raise ImportFailed(problems)

    units = {u.code: u for u in (await session.execute(select(Unit))).scalars()}
    for row in data.rows["unit"]:
        unit = units.get(row.get("kode"))
        if unit is None:
            unit = units[row.get("kode")] = Unit(code=row.get("kode"))
            session.add(unit)
        unit.name = row.get("nama")
        unit.timezone = TimeZoneCode(row.get("zona_waktu").upper() or "WIB")
        if "kota" in row.values:  # a file without the column keeps what is there
            unit.kota = row.get("kota")
    await session.flush()
    for row in data.rows["unit"]:
        units[row.get("kode")].parent_id = units[row.get("induk")].id if row.get("induk") else None

    employees = {e.nip: e for e in (await session.execute(select(Employee))).scalars()}
    for row in data.rows["pegawai"]:
        emp = employees.get(row.get("nip"))
        if emp is None:
            emp = employees[row.get("nip")] = Employee(nip=row.get("nip"), created_at=now)
            session.add(emp)
        emp.name = row.get("nama")
        emp.pangkat_golongan = row.get("pangkat_golongan")
        emp.jabatan = row.get("jabatan")
        emp.jenis_jabatan = JenisJabatan(row.get("jenis_jabatan").upper())
        emp.jenjang = row.get("jenjang")
        emp.unit_id = units[row.get("unit")].id
        emp.active = True
        emp.updated_at = now
    await session.flush()
    admins = set(
        (
            await session.execute(
                select(RoleGrant.employee_id).where(RoleGrant.role == RoleName.ADMIN)
            )
        ).scalars()
    )
    for row in data.rows["pegawai"]:
        emp = employees[row.get("nip")]
        boss = row.get("pejabat_penilai_nip")
        emp.penilai_id = employees[boss].id if boss else None
        if "admin" in row.values:
            wants = row.get("admin").lower() in TRUE_WORDS
            if wants and emp.id not in admins:
                session.add(RoleGrant(employee_id=emp.id, role=RoleName.ADMIN))
            elif not wants and emp.id in admins:
                await session.execute(
                    delete(RoleGrant).where(
                        RoleGrant.employee_id == emp.id, RoleGrant.role == RoleName.ADMIN
                    )
                )
    for row in data.rows["unit"]:
        head = row.get("kepala_nip")
        units[row.get("kode")].head_id = employees[head].id if head else None

    teams = {t.code: t for t in (await session.execute(select(Team))).scalars()}
    for row in data.rows["tim"]:
        team = teams.get(row.get("kode"))
        if team is None:
            team = teams[row.get("kode")] = Team(code=row.get("kode"))
            session.add(team)
        team.name = row.get("nama")
        team.unit_id = units[row.get("unit")].id
        leader = row.get("ketua_nip")
        team.leader_id = employees[leader].id if leader else None
    await session.flush()
    member_rows = data.rows["anggota_tim"]
    touched = {teams[r.get("tim")].id for r in member_rows}
    if touched:
        # The file states each listed team's whole membership.
        await session.execute(delete(TeamMember).where(TeamMember.team_id.in_(touched)))
        session.add_all(
            TeamMember(team_id=teams[r.get("tim")].id, employee_id=employees[r.get("nip")].id)
            for r in member_rows
        )

    indicators = await _apply_indicators(session, data.rows["indikator"], units)
    result = ImportResult(
        units=len(data.rows["unit"]),
        employees=len(data.rows["pegawai"]),
        teams=len(data.rows["tim"]),
        members=len(member_rows),
        indicators=indicators,
    )
    session.add(
        AuditLog(
            at=now,
            actor_id=None,
            channel="cli",
            action="org.imported",
            object_type="organisation",
            object_id=None,
            details={"by": actor, **asdict(result)},
        )
    )
    await session.flush()
    return result


async def _apply_indicators(session: AsyncSession, rows: list[Row], units: dict[str, Unit]) -> int:
    if not rows:
        return 0
    periods: dict[int, Period] = {
        p.year: p for p in (await session.execute(select(Period))).scalars()
    }
    for year in {int(r.get("tahun")) for r in rows}:
        if year not in periods:
            periods[year] = ensure_period(session, year)
    await session.flush()
    existing = {
        (i.period_id, i.code): i for i in (await session.execute(select(Indicator))).scalars()
    }
    by_key: dict[tuple[int, str], Indicator] = {}
    for row in rows:
        period = periods[int(row.get("tahun"))]
        key = (period.id, row.get("kode"))
        ind = by_key.get(key) or existing.get(key)
        if ind is None:
            ind = Indicator(period_id=period.id, code=row.get("kode"))
            session.add(ind)
        by_key[key] = ind
        ind.kind = IndicatorKind(row.get("jenis").upper())
        ind.name = row.get("nama")
        target = parse_number(row.get("target")) if row.get("target") else None
        ind.target_value = Decimal(target) if target is not None else None
        ind.target_unit = row.get("satuan")
        if "sasaran" in row.values:  # a file without the column keeps what is there
            ind.sasaran = row.get("sasaran")
    await session.flush()
    links = {
        (u.indicator_id, u.unit_id): u
        for u in (await session.execute(select(UnitIndicator))).scalars()
    }
    for row in rows:
        period = periods[int(row.get("tahun"))]
        ind = by_key[(period.id, row.get("kode"))]
        parent = row.get("induk")
        ind.parent_id = by_key[(period.id, parent)].id if parent else None
        if row.get("unit"):
            unit_id = units[row.get("unit")].id
            role = ROLE_WORDS.get(row.get("peran").lower(), UnitIndicatorRole.OWNER)
            link = links.get((ind.id, unit_id))
            if link is None:
                link = links[(ind.id, unit_id)] = UnitIndicator(
                    indicator_id=ind.id, unit_id=unit_id
                )
                session.add(link)
            link.role = role
    return len(by_key)


def ensure_period(session: AsyncSession, year: int) -> Period:
    """A calendar-year period; the SKP must be set by the end of January (PermenPANRB 6/2022)."""
    period = Period(
        year=year,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        skp_deadline=date(year, 1, 31),
    )
    session.add(period)
    return period

"""Importing the organisation: good workbooks and CSV files load; broken ones are rejected
whole, each problem named with sheet, row, column and reason, and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.container import Services
from bot.db.models import Employee, Indicator, RoleGrant, Team, TeamMember, Unit
from bot.services import org_import

UNIT = [
    ["kode", "nama", "induk", "zona_waktu", "kepala_nip"],
    ["PUSAT", "Kantor Pusat", "", "WIB", "197303081998032002"],
    ["BALAI", "Balai Makassar", "PUSAT", "WITA", ""],
]
PEGAWAI = [
    [
        "nip",
        "nama",
        "pangkat_golongan",
        "jabatan",
        "jenis_jabatan",
        "jenjang",
        "unit",
        "pejabat_penilai_nip",
        "admin",
    ],
    ["197303081998032002", "Kepala Pusat", "IV/c", "Kepala", "JPT", "Pratama", "PUSAT", "", "ya"],
    [
        "1985 0721 2010 12 2 002",
        "Ketua Tim",
        "IV/a",
        "Analis",
        "JF",
        "Ahli Madya",
        "BALAI",
        "197303081998032002",
        "",
    ],
    [
        "199003032015032002",
        "Anggota",
        "III/c",
        "Analis",
        "JF",
        "Ahli Muda",
        "BALAI",
        "198507212010122002",
        "",
    ],
]
TIM = [["kode", "nama", "unit", "ketua_nip"], ["T1", "Tim Satu", "BALAI", "198507212010122002"]]
ANGGOTA = [["tim", "nip"], ["T1", "199003032015032002"]]
INDIKATOR = [
    ["tahun", "kode", "jenis", "nama", "induk", "target", "satuan", "unit", "peran"],
    ["2027", "IKK 1.1", "IKK", "Nilai contoh", "", "82,23", "Nilai", "PUSAT", "penanggung_jawab"],
    [
        "2027",
        "IKK 1.1.1",
        "IKK",
        "Jumlah contoh",
        "IKK 1.1",
        "1.575.000",
        "Orang",
        "BALAI",
        "kontributor",
    ],
]


def workbook(path: Path, **sheets: list[list[Any]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def good(**changes: list[list[Any]]) -> dict[str, list[list[Any]]]:
    sheets = {
        "unit": UNIT,
        "pegawai": PEGAWAI,
        "tim": TIM,
        "anggota_tim": ANGGOTA,
        "indikator": INDIKATOR,
    }
    sheets.update(changes)
    return {k: [list(r) for r in v] for k, v in sheets.items()}


async def run_import(services: Services, paths: list[Path]) -> org_import.ImportResult:
    async with services.sessionmaker() as session, session.begin():
        return await org_import.apply(
            session, org_import.read_files(paths), services.clock(), "test"
        )


async def counts(services: Services) -> tuple[int, ...]:
    async with services.sessionmaker() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Unit, Employee, Team, TeamMember, Indicator, RoleGrant)
            ]
        )


async def test_good_workbook_loads_and_is_idempotent(services: Services, tmp_path: Path) -> None:
    path = workbook(tmp_path / "org.xlsx", **good())
    result = await run_import(services, [path])
    assert (result.units, result.employees, result.teams, result.members, result.indicators) == (
        2,
        3,
        1,
        1,
        2,
    )
    first = await counts(services)
    assert first == (2, 3, 1, 1, 2, 1)
    await run_import(services, [path])
    assert await counts(services) == first
    async with services.sessionmaker() as session:
        balai = (await session.execute(select(Unit).where(Unit.code == "BALAI"))).scalar_one()
        assert balai.timezone.value == "WITA"
        katim = (
            await session.execute(select(Employee).where(Employee.nip == "198507212010122002"))
        ).scalar_one()
        assert katim.penilai_id is not None  # the NIP with spaces was normalised
        child = (
            await session.execute(select(Indicator).where(Indicator.code == "IKK 1.1.1"))
        ).scalar_one()
        assert child.target_value == 1575000
        assert child.parent_id is not None


async def test_csv_files_load(services: Services, tmp_path: Path) -> None:
    for name, rows in good().items():
        (tmp_path / f"{name}.csv").write_text(
            "\n".join(";".join(str(c) for c in r) for r in rows), encoding="utf-8"
        )
    paths = [tmp_path / f"{n}.csv" for n in ("unit", "pegawai", "tim", "anggota_tim", "indikator")]
    await run_import(services, paths)
    assert await counts(services) == (2, 3, 1, 1, 2, 1)


SASARAN = "Meningkatnya Kualitas Sumber Daya Manusia berdasarkan Sistem Merit"


async def sasaran_by_code(services: Services) -> dict[str, str]:
    async with services.sessionmaker() as session:
        rows = (await session.execute(select(Indicator.code, Indicator.sasaran))).all()
        return {code: sasaran for code, sasaran in rows}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
async def test_an_optional_sasaran_column_is_read(
    services: Services, tmp_path: Path, kind: str
) -> None:
    with_sasaran = [INDIKATOR[0] + ["Sasaran"], INDIKATOR[1] + [SASARAN], INDIKATOR[2] + [""]]
    sheets = good(indikator=with_sasaran)
    if kind == "xlsx":
        paths = [workbook(tmp_path / "org.xlsx", **sheets)]
    else:
        paths = []
        for name, rows in sheets.items():
            paths.append(tmp_path / f"{name}.csv")
            paths[-1].write_text(
                "\n".join(";".join(str(c) for c in r) for r in rows), encoding="utf-8"
            )
    await run_import(services, paths)
    assert await sasaran_by_code(services) == {"IKK 1.1": SASARAN, "IKK 1.1.1": ""}

    # a file without the column leaves the sasaran as it is
    await run_import(services, [workbook(tmp_path / "again.xlsx", **good())])
    assert await sasaran_by_code(services) == {"IKK 1.1": SASARAN, "IKK 1.1.1": ""}


def broken_cases() -> list[
    tuple[str, dict[str, list[list[Any]]], tuple[str, int | None, str | None, str]]
]:
    no_name = [r[:1] + r[2:] for r in PEGAWAI]
    bad_nip = [list(r) for r in PEGAWAI]
    bad_nip[2][0] = "12345"
    unknown_unit = [list(r) for r in PEGAWAI]
    unknown_unit[3][6] = "ENTAH"
    cycle = [list(r) for r in PEGAWAI]
    cycle[1][7] = "199003032015032002"  # the head reports to the member who reports to the katim
    dup = [list(r) for r in PEGAWAI] + [list(PEGAWAI[3])]
    bad_target = [list(r) for r in INDIKATOR]
    bad_target[1][5] = "82.5.1"
    return [
        ("missing column", good(pegawai=no_name), ("pegawai", None, "nama", "missing_column")),
        ("bad NIP", good(pegawai=bad_nip), ("pegawai", 3, "nip", "nip_length")),
        ("unknown unit", good(pegawai=unknown_unit), ("pegawai", 4, "unit", "unknown_unit")),
        (
            "reporting cycle",
            good(pegawai=cycle),
            ("pegawai", None, "pejabat_penilai_nip", "penilai_cycle"),
        ),
        ("duplicate NIP", good(pegawai=dup), ("pegawai", 5, "nip", "duplicate_nip")),
        ("bad number", good(indikator=bad_target), ("indikator", 2, "target", "bad_number")),
    ]


@pytest.mark.parametrize("case", broken_cases(), ids=[c[0] for c in broken_cases()])
async def test_broken_files_write_nothing(services: Services, tmp_path: Path, case: Any) -> None:
    _, sheets, (sheet, row, column, reason) = case
    path = workbook(tmp_path / "org.xlsx", **sheets)
    with pytest.raises(org_import.ImportFailed) as failed:
        await run_import(services, [path])
    found = [(p.sheet, p.row, p.column, p.reason.split(":")[0]) for p in failed.value.problems]
    if reason == "penilai_cycle":
        assert any(f[0] == sheet and f[2] == column and f[3] == reason for f in found), found
    else:
        assert (sheet, row, column, reason) in found, found
    assert await counts(services) == (0, 0, 0, 0, 0, 0)


async def test_every_problem_is_reported_at_once(services: Services, tmp_path: Path) -> None:
    rows = [list(r) for r in PEGAWAI]
    rows[1][0] = "abc"
    rows[2][4] = "XX"
    rows[3][6] = ""
    path = workbook(tmp_path / "org.xlsx", **good(pegawai=rows))
    with pytest.raises(org_import.ImportFailed) as failed:
        await run_import(services, [path])
    reasons = {(p.row, p.column, p.reason) for p in failed.value.problems}
    assert {
        (2, "nip", "nip_length"),
        (3, "jenis_jabatan", "bad_jenis_jabatan"),
        (4, "unit", "required"),
    } <= reasons


async def test_unknown_file_types_are_refused(services: Services, tmp_path: Path) -> None:
    odd = tmp_path / "org.txt"
    odd.write_text("x")
    wrong_csv = tmp_path / "orang.csv"
    wrong_csv.write_text("nip\n1")
    with pytest.raises(org_import.ImportFailed) as failed:
        await run_import(services, [odd, wrong_csv])
    assert {p.reason for p in failed.value.problems} == {"unknown_file_type", "unknown_csv_name"}

"""The administrators' command line, run as a user would (CliRunner, real database)."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from tests.conftest import PG_URL, reset_postgres
from tests.telegram_fake import BOT_USERNAME


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    url = PG_URL or f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    if PG_URL:
        asyncio.run(reset_postgres(PG_URL))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", BOT_USERNAME)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_run_without_token_says_what_to_set(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["run"])
    assert result.exit_code == 1
    assert "TELEGRAM_BOT_TOKEN" in result.output and len(result.output.strip().splitlines()) == 1


def test_demo_is_idempotent_and_lists_people(cli_env: CliRunner) -> None:
    first = cli_env.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "25 pegawai" in first.output and "199104172015022001" in first.output
    second = cli_env.invoke(app, ["demo"])
    assert second.exit_code == 0 and second.output == first.output


def test_invite_prints_deep_links_and_writes_csv(cli_env: CliRunner, tmp_path: Path) -> None:
    cli_env.invoke(app, ["demo"])
    one = cli_env.invoke(app, ["invite", "199002142015032001"])
    assert one.exit_code == 0, one.output
    assert f"https://t.me/{BOT_USERNAME}?start=" in one.output
    out = tmp_path / "undangan.csv"
    many = cli_env.invoke(app, ["invite", "--unit", "ROOSDM", "--csv", str(out)])
    assert many.exit_code == 0, many.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 16 and all(r["tautan"].startswith("https://t.me/") for r in rows)
    missing = cli_env.invoke(app, ["invite", "123"])
    assert missing.exit_code == 1 and "tidak ditemukan" in missing.output


def test_import_reports_problems_with_row_and_column(cli_env: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "pegawai.csv"
    bad.write_text(
        "nip,nama,jabatan,jenis_jabatan,unit\n12345,Budi,Analis,JF,X\n", encoding="utf-8"
    )
    result = cli_env.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    assert "pegawai baris 2, kolom nip: NIP harus 18 digit angka" in result.output
    assert "tidak ada data yang disimpan" in result.output


def test_terminal_chat_runs_the_same_dialogs(cli_env: CliRunner) -> None:
    cli_env.invoke(app, ["demo"])
    result = cli_env.invoke(
        app, ["chat", "--nip", "199104172015022001"], input="#1\n#9\n/koreksi\n"
    )
    assert result.exit_code == 0, result.output
    assert "Menu utama" in result.output and "Profil saya" in result.output
    assert "1991**********2001" in result.output
    assert 'Tidak ada tombol "#9"' in result.output
    assert "Data mana yang perlu diperbaiki?" in result.output


def test_migrate_down_and_up(cli_env: CliRunner) -> None:
    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    head = max(p.name.split("_")[0] for p in versions.glob("[0-9]*.py"))
    assert f"revisi {head}" in cli_env.invoke(app, ["migrate"]).output
    assert cli_env.invoke(app, ["migrate", "--down", "base"]).exit_code == 0
    assert f"revisi {head}" in cli_env.invoke(app, ["migrate"]).output


def test_an_administrator_loads_another_policy(cli_env: CliRunner, tmp_path: Path) -> None:
    import json

    cli_env.invoke(app, ["demo"])
    shown = cli_env.invoke(app, ["policy", "show", "--year", "2026"])
    assert shown.exit_code == 0 and json.loads(shown.output)["iki_count"] == {
        "min": 5,
        "max": 10,
        "adjustable": True,
    }
    document = json.loads(shown.output)
    document["name"] = "Instansi Contoh 2027"
    document["iki_count"] = {"min": 3, "max": 12}
    good = tmp_path / "kebijakan.json"
    good.write_text(json.dumps(document), encoding="utf-8")
    loaded = cli_env.invoke(app, ["policy", "load", str(good), "--year", "2026"])
    assert loaded.exit_code == 0 and "Instansi Contoh 2027" in loaded.output
    again = json.loads(cli_env.invoke(app, ["policy", "show", "--year", "2026"]).output)
    assert again["iki_count"] == {"min": 3, "max": 12}

    document["jenis"]["XX"] = "sideways"
    bad = tmp_path / "rusak.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    refused = cli_env.invoke(app, ["policy", "load", str(bad), "--year", "2026"])
    assert refused.exit_code == 1 and "tidak valid" in refused.output
    still = json.loads(cli_env.invoke(app, ["policy", "show", "--year", "2026"]).output)
    assert still["name"] == "Instansi Contoh 2027"
    missing = cli_env.invoke(app, ["policy", "show", "--year", "1999"])
    assert missing.exit_code == 1 and "belum ada" in missing.output


def test_documents_and_progress_export(cli_env: CliRunner, tmp_path: Path) -> None:
    import os
    import zipfile

    from openpyxl import load_workbook

    from bot.services.demo import KATIM_SBBL
    from tests.conftest import make_settings

    cli_env.invoke(app, ["demo"])

    async def seed() -> None:
        from bot.container import build_services
        from tests.conftest import Clock
        from tests.test_dialog_flow import seed_sbbl_skp

        class Shim:  # what seed_sbbl_skp needs of the test harness
            def __init__(self) -> None:
                self.services = build_services(
                    make_settings(os.environ["DATABASE_URL"]), clock=Clock()
                )

        shim = Shim()
        await seed_sbbl_skp(shim, KATIM_SBBL)  # type: ignore[arg-type]
        await shim.services.close()

    asyncio.run(seed())
    assert "--nip" in cli_env.invoke(app, ["dokumen", "--out", str(tmp_path / "x")]).output
    archive = tmp_path / "semua.zip"
    result = cli_env.invoke(app, ["dokumen", "--semua", "--out", str(archive), "--year", "2026"])
    assert result.exit_code == 0, result.output
    names = sorted(zipfile.ZipFile(archive).namelist())
    stem = f"SKP-2026-{KATIM_SBBL}-v1-draf"
    assert names == sorted(
        [f"{stem}.pdf", f"{stem}.docx", f"{stem}-ekinerja.xlsx", f"{stem}-ekinerja.csv"]
    )
    one = cli_env.invoke(app, ["dokumen", "--nip", KATIM_SBBL, "--out", str(tmp_path / "satu")])
    assert one.exit_code == 0 and (tmp_path / "satu" / f"{stem}.pdf").stat().st_size > 10_000

    report = tmp_path / "progres.xlsx"
    written = cli_env.invoke(
        app, ["progres", "--unit", "YANKESGA", "--out", str(report), "--year", "2026"]
    )
    assert written.exit_code == 0, written.output
    rows = [[c.value for c in r] for r in load_workbook(report).active.iter_rows()]
    assert rows[0][:3] == ["Unit kerja", "NIP", "Nama"]
    by_nip = {r[1]: r for r in rows[1:]}
    assert len(by_nip) == 7  # the director and her six staff
    intan = by_nip[KATIM_SBBL]
    assert intan[5] == "Draf" and intan[9:14] == [9, 100, 20, 0, 0]
    assert by_nip["199003032015032002"][5] == "Belum mulai"

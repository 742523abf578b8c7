"""The year-in-progress rules as pure functions: capaian in both directions, the latest
realisation per item, what a trajectory expects and when an item is behind, rounds, reading
realisations, pasted lines and a rencana aksi."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import progress as rules
from bot.domain.policy import default_policy
from bot.domain.progress import Direction, Reported

POLICY = default_policy()
D = Decimal
values = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)
targets = st.decimals(min_value=D("0.01"), max_value=10**6, places=2, allow_nan=False)


def test_capaian_examples() -> None:
    assert rules.capaian(D(3), D(4)) == D("75.00")
    assert rules.capaian(D("80.5"), D(100)) == D("80.50")
    assert rules.capaian(None, D(4)) is None  # belum ada
    assert rules.capaian(D(1), None) is None and rules.capaian(D(1), D(0)) is None
    # lower is better: at the target 100%, half of it 150%, twice it 0%
    assert rules.capaian(D(2), D(2), Direction.LOWER) == D(100)
    assert rules.capaian(D(1), D(2), Direction.LOWER) == D(150)
    assert rules.capaian(D(5), D(2), Direction.LOWER) == D(0)


@given(values, targets)
def test_capaian_grows_with_the_realisation_when_more_is_better(r: Decimal, t: Decimal) -> None:
    here, more = rules.capaian(r, t), rules.capaian(r + 1, t)
    assert here is not None and more is not None and more >= here >= 0
    assert (here >= 100) == (r >= t) or abs(r - t) < t / 10000


@given(values, targets)
def test_capaian_falls_with_the_realisation_when_less_is_better(r: Decimal, t: Decimal) -> None:
    here = rules.capaian(r, t, Direction.LOWER)
    more = rules.capaian(r + 1, t, Direction.LOWER)
    assert here is not None and more is not None and 0 <= more <= here <= 200


def test_direction_follows_aspek_and_the_policys_phrases() -> None:
    p = POLICY.progress
    assert rules.direction_of("biaya", "Persentase realisasi anggaran", p) is Direction.LOWER
    assert rules.direction_of("waktu", "Rata-rata waktu tunggu pelayanan", p) is Direction.LOWER
    assert rules.direction_of("kuantitas", "Jumlah Monev SBBL", p) is Direction.HIGHER


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 12), st.none() | values), max_size=30))
def test_the_latest_realisation_is_the_latest_rounds(rows: list[tuple[int, int, Decimal]]) -> None:
    reported = [Reported(i, f"2026-{m:02d}", v) for i, m, v in rows]
    latest = rules.latest_per_item(reported, "2026-06")
    for item, found in latest.items():
        months = [r.period_key for r in reported if r.item_id == item and r.period_key <= "2026-06"]
        assert found.period_key == max(months)
    assert all(r.period_key <= "2026-06" for r in latest.values())


def test_trajectory_expectations_and_behind() -> None:
    trajectory = {1: D(1), 2: D(2), 3: D(3), 4: D(4)}
    assert rules.expected_by(trajectory, 3) == D(1)
    assert rules.expected_by(trajectory, 5) == D("1.67")  # two decimals, as shown
    assert rules.expected_by({}, 5) is None
    tol = POLICY.progress.behind_tolerance
    assert rules.is_behind(D(0), D(1), Direction.HIGHER, tol)
    assert not rules.is_behind(D("0.95"), D(1), Direction.HIGHER, tol)
    assert rules.is_behind(None, D(1), Direction.HIGHER, tol)  # belum ada, something expected
    assert not rules.is_behind(None, None, Direction.HIGHER, tol)


@given(st.integers(1, 12), st.sampled_from([1, 2, 3, 4, 6, 12]))
def test_rounds_end_on_a_multiple_of_the_interval(month: int, interval: int) -> None:
    from datetime import date

    key = rules.period_key(date(2026, month, 5), interval)
    assert key in rules.round_keys(2026, interval) and rules.key_month(key) >= month


def test_reading_realisations_pastes_and_plans() -> None:
    read = rules.read_realisation
    assert read("4 kali; rapat 5 provinsi", "Kali", POLICY) == rules.Realised(
        D(4), "4 kali", "rapat 5 provinsi"
    )
    assert read("80,5%", "%", POLICY) == rules.Realised(D("80.5"), "80,5%")
    assert read("Belum ada", "%", POLICY) == rules.Realised(None, "belum ada")
    assert read("3 dokumen", "Kali", POLICY) == "satuan_differs"
    assert read("-1", "Kali", POLICY) == "negative" and read("1e309", "", POLICY) == "not_number"
    assert rules.paste_lines("1 4 kali\n2. 80%\nbutir 3: belum ada") == [
        (1, "4 kali"),
        (2, "80%"),
        (3, "belum ada"),
    ]
    assert rules.paste_lines("Laporan bulanan") == "no_number"
    assert rules.parse_actions("Jan–Mar: menyusun instrumen; Apr: uji coba") == [
        rules.PlannedAction(1, 3, "menyusun instrumen"),
        rules.PlannedAction(4, 4, "uji coba"),
    ]
    assert rules.parse_actions("Mar–Jan: x y z") == "months_reversed"
    assert rules.parse_actions("menyusun instrumen") == "no_month"
    assert rules.trajectory_problem([D(1), D(2), D(3), D(4)], D(4)) is None
    assert rules.trajectory_problem([D(2), D(1), D(3), D(4)], D(4)) == "decreasing"
    assert rules.trajectory_problem([D(1), D(2), D(3)], D(4)) == "count"


def test_the_realisation_sheet_never_holds_a_formula() -> None:
    import io

    from openpyxl import load_workbook

    from bot.documents.realisation import Sheet, sheet_csv, sheet_xlsx

    sheet = Sheet(
        "Realisasi SKP 2026",
        ["No", "Indikator Kinerja Individu", "Target", "Satuan", "Mar"],
        [[1, '=HYPERLINK("http://x","klik")', D(100), "%", "80,5"]],
    )
    cell = load_workbook(io.BytesIO(sheet_xlsx(sheet))).active["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","klik")'
    assert cell.quotePrefix
    text = sheet_csv(sheet).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ";100;" in text


def test_numbers_shown_have_at_most_two_decimals_and_unlikely_capaian_is_flagged() -> None:
    from bot.domain import evaluation as ev
    from bot.domain.policy import default_policy

    assert rules.expected_by({1: D(1), 2: D(11), 3: D(12), 4: D(14)}, 5) == D("7.67")
    weighted = ev.weighted_capaian(
        default_policy(), [ev.CapaianItem("utama", D(60), D("91.6667"))] * 1
    )
    assert weighted.total == D("55.00") and weighted.core.as_tuple().exponent == -2
    assert rules.is_unlikely(rules.capaian(D(1_000_000), D(4)))
    assert not rules.is_unlikely(rules.capaian(D(6), D(4)))

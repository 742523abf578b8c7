"""The SKP rules as pure functions: the policy as data, each lint finding against the deck's
good examples and bad variants, totals and composition, weight suggestions, and parsing of
targets and weights typed the Indonesian way."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.policy import (
    DEFAULT_POLICY_FILE,
    Policy,
    PolicyError,
    Severity,
    default_policy,
    parse_policy,
)
from bot.domain.skp_rules import (
    Item,
    Target,
    aspek_of,
    check_skp,
    default_perspective,
    errors,
    iki_findings,
    item_findings,
    lint_item,
    notes,
    parse_target,
    parse_weight,
    suggest_weight,
    text_problem,
    totals,
)
from tests.skp_examples import DECK_GOOD, sbbl_items

POLICY = default_policy()


def codes(findings: list) -> list[str]:
    return [f.code for f in findings]


def good(**changes: object) -> Item:
    base = Item(
        jenis="TUSI",
        rhk="Layanan administrasi kepegawaian diselesaikan sesuai standar waktu layanan",
        iki="Persentase layanan administrasi kepegawaian yang selesai tepat waktu",
        aspek="waktu",
        target=Decimal(96),
        satuan="%",
        bobot=Decimal(10),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_sbbl_katim_list_validates_clean_at_120_percent() -> None:
    items = sbbl_items()
    assert check_skp(POLICY, items) == []
    t = totals(POLICY, items)
    assert (t.count, t.core, t.beyond, t.grand) == (9, 100, 20, 120)
    assert t.has_cascade and t.by_jenis == {"CL": 50, "TUSI": 40, "MI": 10, "BYD": 20}


@pytest.mark.parametrize(("rhk", "iki", "satuan"), DECK_GOOD)
def test_deck_good_examples_lint_clean(rhk: str, iki: str, satuan: str) -> None:
    assert lint_item(POLICY, good(rhk=rhk, iki=iki, satuan=satuan)) == []


@pytest.mark.parametrize(
    ("changes", "code", "word"),
    [
        ({"iki": "Melaksanakan advokasi skrining bayi baru lahir"}, "iki_activity", "Melaksanakan"),
        ({"iki": "Mengikuti rapat koordinasi lintas program"}, "iki_activity", "Mengikuti"),
        (
            {"iki": "Jumlah rapat koordinasi LP/LS SBBL", "satuan": "Kali"},
            "iki_counts_activities",
            "rapat",
        ),
        (
            {"iki": "Jumlah pelaksanaan kegiatan sosialisasi SBBL"},
            "iki_counts_activities",
            "kegiatan",
        ),
        ({"iki": "Skrining bayi baru lahir di provinsi"}, "iki_no_measure", "Skrining"),
    ],
)
def test_activities_are_flagged_as_warnings(changes: dict, code: str, word: str) -> None:
    [finding] = [f for f in lint_item(POLICY, good(**changes)) if f.code == code]
    assert finding.params["word"] == word and not finding.is_error


@pytest.mark.parametrize(
    ("iki", "word", "alternative"),
    [
        (
            "Jumlah laporan monitoring SBBL",
            "laporan",
            "Persentase rekomendasi laporan monitoring SBBL yang ditindaklanjuti",
        ),
        (
            "Jumlah penyusunan laporan kinerja triwulan",  # a filler before the noun
            "laporan",
            "Persentase rekomendasi laporan kinerja triwulan yang ditindaklanjuti",
        ),
        (
            "Jumlah dokumen kebijakan yang disusun",
            "dokumen",
            "Persentase dokumen kebijakan yang ditetapkan tepat waktu dan dimanfaatkan",
        ),
        (
            # the deck's draft IKI, and the deck's own alternative
            "Jumlah NSPK Skrining Bayi Baru Lahir tersusun tepat waktu",
            "NSPK",
            "Persentase NSPK Skrining Bayi Baru Lahir tersusun tepat waktu",
        ),
        ("Jumlah NSPK SBBL yang disusun", "NSPK", "Persentase NSPK SBBL tersusun tepat waktu"),
        (
            # a follow-up report is still a report
            "Jumlah laporan tindak lanjut hasil pemeriksaan",
            "laporan",
            "Persentase rekomendasi laporan tindak lanjut hasil pemeriksaan yang ditindaklanjuti",
        ),
        (
            "Jumlah rekomendasi hasil audit kinerja",
            "rekomendasi",
            "Persentase rekomendasi hasil audit kinerja yang ditindaklanjuti",
        ),
        (
            "Banyaknya notulen rapat pimpinan",
            "notulen",
            "Persentase notulen rapat pimpinan yang ditindaklanjuti",
        ),
    ],
)
def test_a_count_of_reports_or_documents_is_an_error_with_an_output_based_alternative(
    iki: str, word: str, alternative: str
) -> None:
    [finding] = [
        f
        for f in lint_item(POLICY, good(iki=iki, satuan="Dokumen", aspek="kuantitas"))
        if f.code == "iki_counts_documents"
    ]
    assert finding.is_error  # the Surat Sekjen: IKI are not report or document counts
    assert finding.params == {"word": word, "alternative": alternative}
    # the suggestion lints clean of the same finding
    fixed = lint_item(POLICY, good(iki=alternative))
    assert "iki_counts_documents" not in codes(fixed)


@pytest.mark.parametrize(
    "iki",
    [
        # the deck's final SBBL list: counts of proposals, of advocacy sessions, of monitoring
        "Jumlah usulan penyediaan BMHP untuk mendukung pelaksanaan SBBL tahun 2026",
        "Jumlah Pelaksanaan Advokasi dan Koordinasi LP/LS Skrining Bayi Baru Lahir tahun 2026",
        "Jumlah Monitoring dan Evaluasi Pelaksanaan SBBL di 14 regional tahun 2026",
        # the deck's "Jumlah hasil analisis" (10 Analisis) and its RHK = output + qualifier table
        "Jumlah hasil analisis kesenjangan kinerja pegawai di lingkungan Ditjen Keslan",
        "Jumlah sertifikat hasil kalibrasi alat kesehatan",
        # a count of what was followed up is an outcome
        "Jumlah rekomendasi hasil advokasi yang ditindaklanjuti",
    ],
)
def test_counts_that_are_not_report_counts_pass(iki: str) -> None:
    found = codes(lint_item(POLICY, good(iki=iki, satuan="Kali", aspek="kuantitas")))
    assert "iki_counts_documents" not in found and "iki_counts_activities" not in found


def test_a_unit_heads_pk_indicator_that_counts_documents_is_only_a_warning() -> None:
    pk = good(iki="Jumlah NSPK bidang kesehatan keluarga yang ditetapkan", satuan="NSPK")
    [finding] = [
        f
        for f in lint_item(POLICY, pk, None, POLICY.rules_for(True))
        if f.code == "iki_counts_documents"
    ]
    assert not finding.is_error  # the PK's indicator is not the unit head's to reword


def test_percentage_rules() -> None:
    assert "percent_satuan" in codes(lint_item(POLICY, good(satuan="Dokumen")))
    # a percentage with aspek Kuantitas is questioned (a coverage may keep it); not for a
    # unit head, whose aspek is read from the PK (a coverage is Kuantitas there)
    [kuantitas] = [
        f for f in lint_item(POLICY, good(aspek="kuantitas")) if f.code == "percent_kuantitas"
    ]
    assert not kuantitas.is_error
    assert "percent_kuantitas" not in codes(lint_item(POLICY, good(aspek="kualitas")))
    head = POLICY.rules_for(True)
    assert "percent_kuantitas" not in codes(lint_item(POLICY, good(aspek="kuantitas"), None, head))
    assert "percent_kuantitas" not in codes(
        lint_item(POLICY, good(iki="Jumlah layanan kepegawaian yang selesai", aspek="kuantitas"))
    )
    assert "percent_over_100" in codes(lint_item(POLICY, good(target=Decimal(120))))
    assert "percent_over_100" not in codes(lint_item(POLICY, good(target=Decimal(100))))
    counted = good(iki="Jumlah pegawai yang dilayani tepat waktu", satuan="%")
    assert "count_with_percent" in codes(lint_item(POLICY, counted))


def test_target_not_a_number_is_an_error() -> None:
    [finding] = [f for f in lint_item(POLICY, good(target=None)) if f.code == "target_not_number"]
    assert finding.is_error


def test_rhk_needs_a_qualifier_and_vague_words_need_a_measure() -> None:
    assert codes(lint_item(POLICY, good(rhk="Layanan administrasi kepegawaian"))) == [
        "rhk_no_qualifier"
    ]
    vague = lint_item(POLICY, good(rhk="Meningkatkan kualitas layanan kepegawaian"))
    assert codes(vague) == ["vague_word"] and vague[0].params == {
        "word": "meningkatkan",
        "field": "rhk",
    }
    # "optimal" with a qualifier is the deck's own wording: fine.
    assert lint_item(POLICY, good(rhk=DECK_GOOD[3][0])) == []
    vague_iki = lint_item(POLICY, good(iki="Layanan kepegawaian yang optimal"))
    assert "vague_word" in codes(vague_iki) and "iki_no_measure" in codes(vague_iki)


VAGUE = ["meningkatkan", "ditingkatkan", "optimal", "optimalisasi", "mengoptimalkan", "maksimal"]


@pytest.mark.parametrize("word", VAGUE)
def test_vague_words_are_flagged_alike_in_the_rhk_and_the_iki(word: str) -> None:
    rhk = f"Layanan kepegawaian {word} bagi seluruh pegawai"
    iki = f"Persentase layanan kepegawaian {word} tahun 2026"  # a year is no measure
    for field, item in (("rhk", good(rhk=rhk)), ("iki", good(iki=iki))):
        [vague] = [f for f in lint_item(POLICY, item) if f.code == "vague_word"]
        assert vague.params == {"word": word, "field": field} and not vague.is_error
    # a standard, a limit or a number says what the word means: fine in both
    for measured in ("sesuai standar pelayanan", "paling lambat 3 hari"):
        assert "vague_word" not in codes(lint_item(POLICY, good(rhk=f"{rhk} {measured}")))
        assert "vague_word" not in codes(lint_item(POLICY, good(iki=f"{iki} {measured}")))


def test_peningkatan_as_a_noun_is_not_vague() -> None:
    # "Peningkatan kapasitas (webinar)" names the training in the deck's own list, and
    # "Persentase peningkatan …" measures a change; the RHK still needs its qualifier.
    for iki in (
        "Persentase peserta yang mengikuti peningkatan kapasitas (Webinar) SBBL",
        "Persentase peningkatan cakupan skrining bayi baru lahir",
    ):
        assert "vague_word" not in codes(lint_item(POLICY, good(iki=iki)))
    assert codes(lint_item(POLICY, good(rhk="Peningkatan kualitas layanan kepegawaian"))) == [
        "rhk_no_qualifier"
    ]


def test_a_unit_heads_rhk_is_the_pk_sasaran_and_is_not_judged() -> None:
    head = POLICY.rules_for(True)
    sasaran = "Meningkatnya Kualitas Sumber Daya Manusia berdasarkan Sistem Merit"
    assert "vague_word" in codes(lint_item(POLICY, good(rhk=sasaran)))
    assert lint_item(POLICY, good(rhk=sasaran), None, head) == []


def test_the_iki_step_checks_only_the_iki() -> None:
    items = sbbl_items()
    typed = replace(
        items[0], iki="Jumlah laporan monitoring SBBL", target=None, satuan="", bobot=None
    )
    found = iki_findings(POLICY, typed, [(1, items[1])])
    assert codes(found) == ["iki_counts_documents"]  # not the missing target, satuan, bobot
    assert codes(iki_findings(POLICY, replace(typed, iki=items[1].iki), [(2, items[1])])) == [
        "duplicate_iki"
    ]
    assert iki_findings(POLICY, replace(typed, iki=items[0].iki), []) == []
    # aspek Kuantitas, chosen just before, is questioned on a percentage IKI
    assert codes(iki_findings(POLICY, replace(typed, iki=items[0].iki, aspek="kuantitas"), [])) == [
        "percent_kuantitas"
    ]
    # the RHK's findings wait for the card
    assert (
        iki_findings(POLICY, replace(typed, iki=items[0].iki, rhk="Meningkatkan layanan"), []) == []
    )


def test_iki_length() -> None:
    assert "iki_too_short" in codes(lint_item(POLICY, good(iki="Persentase layanan")))
    long_iki = "Persentase layanan " + "administrasi kepegawaian yang tuntas " * 8
    assert "iki_too_long" in codes(lint_item(POLICY, good(iki=long_iki)))


def test_cascade_item_needs_the_leaders_rhk() -> None:
    assert "cascade_without_leader_rhk" in codes(lint_item(POLICY, good(jenis="CL")))
    assert lint_item(POLICY, good(jenis="CL", leader_rhk="RHK atasan")) == []


def test_counts_totals_duplicates_and_mandatory() -> None:
    items = sbbl_items()
    found = check_skp(POLICY, items[:4])
    assert {"count_low", "core_total", "beyond_total", "mandatory_missing"} <= set(codes(found))
    [low] = [f for f in found if f.code == "count_low"]
    assert low.is_error and low.params == {"count": 4, "minimum": 5}
    # a unit head's SKP comes from the PK: counts do not apply
    assert "count_low" not in codes(check_skp(POLICY, items[:4], POLICY.rules_for(True)))
    too_many = items + [
        replace(items[5], iki=f"Jumlah monitoring SBBL wilayah {n}") for n in range(2)
    ]
    assert "count_high" in codes(check_skp(POLICY, too_many))
    duplicated = [*items, items[1]]
    [dup] = [f for f in check_skp(POLICY, duplicated) if f.code == "duplicate_iki"]
    assert dup.item == 10 and dup.params == {"other": 2} and dup.is_error


def test_more_than_ten_iki_with_a_recorded_adjustment_is_a_note() -> None:
    items = sbbl_items()
    eleven = [
        *items[:5],
        # the monitoring item (10%) split over three regions: 5 + 2,5 + 2,5
        *(
            replace(items[5], iki=f"Jumlah monitoring SBBL wilayah {n}", bobot=Decimal(weight))
            for n, weight in enumerate(("5", "2.5", "2.5"))
        ),
        *items[6:],
    ]
    assert len(eleven) == 11
    [high] = [f for f in check_skp(POLICY, eleven) if f.code == "count_high"]
    assert high.is_error and high.params == {"count": 11, "maximum": 10, "adjustable": True}
    # a blank note is no note
    assert "count_high" in codes(check_skp(POLICY, eleven, None, "   "))
    noted = check_skp(POLICY, eleven, None, " Disepakati dengan  Biro OSDM Setjen ")
    [note] = [f for f in noted if f.code == "count_high_noted"]
    assert note.severity is Severity.NOTE and not note.is_error and notes(noted) == [note]
    assert note.params == {"count": 11, "maximum": 10, "note": "Disepakati dengan Biro OSDM Setjen"}
    assert "count_high" not in codes(noted) and not errors(noted)
    # another policy that does not allow it keeps the error, note or not
    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    document["iki_count"] = {"min": 5, "max": 10}
    strict = parse_policy(document)
    [high] = [f for f in check_skp(strict, eleven, None, "Disepakati") if f.code == "count_high"]
    assert high.is_error and high.params["adjustable"] is False


def test_composition_follows_the_cascade_not_the_title() -> None:
    items = sbbl_items()
    as_tusi = [replace(i, jenis="TUSI", leader_rhk="") if i.jenis == "CL" else i for i in items]
    # Without a direct cascade the composition is TUSI 90 / MI 10: exactly this list.
    assert check_skp(POLICY, as_tusi) == []
    shifted = [
        replace(items[0], bobot=Decimal(10)),
        *items[1:4],
        replace(items[4], bobot=Decimal(20)),
        *items[5:],
    ]
    found = [f for f in check_skp(POLICY, shifted) if f.code == "composition"]
    assert {(f.params["jenis"], f.params["total"], f.params["expected"]) for f in found} == {
        ("CL", 40, 50),
        ("TUSI", 50, 40),
    }
    assert all(not f.is_error for f in found)


def test_weight_suggestion_is_what_is_left_of_the_share() -> None:
    items = sbbl_items()
    assert suggest_weight(POLICY, [], "CL") == 50
    assert suggest_weight(POLICY, [], "TUSI") == 90  # no cascade yet
    assert suggest_weight(POLICY, items[:1], "TUSI") == 40  # a CL item exists
    assert suggest_weight(POLICY, items[:3], "CL") == 20
    assert suggest_weight(POLICY, items, "BYD") == 0
    assert suggest_weight(POLICY, items[:8], "BYD") == 20
    # never past what is left of Core 100%: TUSI items weighted 85 leave 15 for a first CL
    # item, whose own share (50) the composition would suggest
    heavy = [replace(items[4], bobot=Decimal(85)), items[7]]
    assert suggest_weight(POLICY, heavy, "CL") == 5
    assert suggest_weight(POLICY, [replace(items[4], bobot=Decimal(100))], "MI") == 0
    # never past what is left of Beyond 20%
    assert suggest_weight(POLICY, [replace(items[8], bobot=Decimal("12.5"))], "BYD") == Decimal(
        "7.5"
    )


def test_item_findings_report_a_duplicate_by_its_position() -> None:
    items = sbbl_items()
    found = item_findings(POLICY, items[2], [(1, items[0]), (7, items[2])])
    assert [(f.code, f.params) for f in found] == [("duplicate_iki", {"other": 7})]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("17,5", Target(Decimal("17.5"), "")),
        ("1.575.000", Target(Decimal(1575000), "")),
        ("100%", Target(Decimal(100), "%")),
        ("100 %", Target(Decimal(100), "%")),
        ("4 kali", Target(Decimal(4), "Kali")),
        ("82,23 Nilai", Target(Decimal("82.23"), "Nilai")),
        ("2 rumusan", Target(Decimal(2), "Rumusan")),
        ("Rp 17.300.000.000", Target(Decimal(17300000000), "Rupiah")),
        ("100 persen", Target(Decimal(100), "%")),
        ("85%", Target(Decimal(85), "%")),
        ("85 Persen", Target(Decimal(85), "%")),
        ("4x", Target(Decimal(4), "Kali")),
        ("4 X", Target(Decimal(4), "Kali")),
        ("4 KALI", Target(Decimal(4), "Kali")),
        ("2 nspk", Target(Decimal(2), "NSPK")),
        ("10 analisis kebijakan", Target(Decimal(10), "analisis kebijakan")),
        ("", "empty"),
        ("tinggi", "not_number"),
        ("1.5", "not_number"),
        ("-5", "negative"),
        ("5000%", "too_large"),
        ("99999999999999999", "too_large"),
        ("3 " + "x" * 50, "satuan_too_long"),
    ],
)
def test_parse_target(typed: str, expected: object) -> None:
    assert parse_target(typed, POLICY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20", Decimal(20)),
        ("20%", Decimal(20)),
        ("7,5", Decimal("7.5")),
        ("abc", "not_number"),
        ("150", "too_large"),
        ("0", "not_positive"),
        ("-10", "not_positive"),
        ("", "empty"),
        ("7,555", "too_precise"),
    ],
)
def test_parse_weight(typed: str, expected: object) -> None:
    assert parse_weight(typed) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("x" * 5000, "too_long"),
        ("<b>Persentase</b> layanan", "html"),
        ("🎯🎯🎯🎯🎯🎯🎯🎯", "no_words"),
        ("Nilai", "too_short"),
        ("Nilai IP ASN", None),
    ],
)
def test_text_problems(text: str, problem: str | None) -> None:
    assert text_problem(text) == problem


def test_another_policy_is_data(tmp_path: Path) -> None:
    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    document["iki_count"] = {"min": 3, "max": 12}
    document["severity"]["composition"] = "off"
    document["mandatory"] = []
    policy = parse_policy(document)
    items = sbbl_items()[:3]
    found = codes(check_skp(policy, items))
    assert "count_low" not in found and "mandatory_missing" not in found
    document["composition"]["with_cascade"]["XYZ"] = 5
    with pytest.raises(PolicyError, match="unknown types"):
        parse_policy(document)


# -- unit heads (JPT): their own profile ------------------------------------------------------

DIRECTIVE_KEYS = ["realisasi_anggaran", "sakip", "mutasi", "direktif"]


def pk_item(iki: str, target: int, satuan: str, jenis: str = "CL", **changes: object) -> Item:
    base = Item(
        jenis=jenis,
        rhk="Indeks Penerapan Sistem Merit Kemenkes",
        iki=iki,
        aspek="kualitas",
        target=Decimal(target),
        satuan=satuan,
        bobot=None,
        leader_rhk="IKP 33.3 Indeks Penerapan Sistem Merit Kemenkes",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def directive_items(policy: Policy = POLICY) -> list[Item]:
    profile = policy.rules_for(True)
    return [
        Item(d.jenis, d.rhk, d.iki, d.aspek.value, d.target, d.satuan, d.bobot)
        for d in profile.listed
    ]


def test_unit_heads_have_their_own_rules_as_policy_data() -> None:
    head = POLICY.rules_for(True)
    assert head.unit_head and head.iki_count is None and head.composition is None
    assert head.core_total is None and head.beyond_total is None and not head.weights_required
    assert [m.key for m in head.listed] == DIRECTIVE_KEYS  # IPASN is for non-leaders
    assert [p.code for p in head.perspectives] == [
        "penerima_layanan",
        "proses_bisnis",
        "penguatan_internal",
        "anggaran",
    ]
    by_key = {m.key: m for m in head.listed}
    assert (by_key["mutasi"].target, by_key["mutasi"].satuan) == (10, "%")
    assert (by_key["direktif"].target, by_key["direktif"].satuan) == (100, "%")
    assert by_key["sakip"].iki == "Nilai SAKIP Unit Kerja" and by_key["sakip"].satuan == "Nilai"
    assert all(m.bobot is None for m in head.listed)

    # two PK items without weights, plus the four directives: nothing to fix
    items = [
        pk_item("Indeks Kualitas SDM Sekretariat Jenderal", 82, "Nilai"),
        pk_item("Nilai Sistem Merit Kemenkes", 87, "Nilai", jenis="MI"),
        *directive_items(),
    ]
    assert check_skp(POLICY, items, head) == []
    # the same list under everyone's rules: count, totals, weights and IPASN
    staff = codes(check_skp(POLICY, items))
    for code in ("core_total", "beyond_total", "incomplete", "mandatory_missing"):
        assert code in staff
    assert "count_low" not in staff  # six items
    few = codes(check_skp(POLICY, items[:2]))
    assert "count_low" in few and "count_low" not in codes(check_skp(POLICY, items[:2], head))

    # a directive left out is a warning (one tap away), never an error
    found = check_skp(POLICY, items[:2], head)
    assert {f.code for f in found} == {"mandatory_missing"} and not errors(found)
    assert [f.params["key"] for f in found] == DIRECTIVE_KEYS
    # the PK's sasaran needs no qualifier; the card agrees with the list
    assert item_findings(POLICY, items[0], [], head) == []
    assert "rhk_no_qualifier" in codes(item_findings(POLICY, items[0], []))


def test_a_unit_head_profile_may_require_weights_and_give_totals() -> None:
    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    document["unit_head"].update(weights_required=True, core_total=100)
    with pytest.raises(PolicyError, match="no bobot"):
        parse_policy(document)
    for directive in document["unit_head"]["directives"]:
        directive["bobot"] = 10
    document["unit_head"]["iki_count"] = {"min": 3, "max": 12}
    policy = parse_policy(document)
    head = policy.rules_for(True)
    items = [pk_item("Indeks Kualitas SDM Sekretariat Jenderal", 82, "Nilai")]
    found = codes(check_skp(policy, [*items, *directive_items(policy)], head))
    assert "incomplete" in found and "core_total" in found
    assert "count_low" not in found and "beyond_total" not in found
    # 60 for the PK item and 10 for each of the four directives: Core 100
    weighted = [replace(items[0], bobot=Decimal(60)), *directive_items(policy)]
    assert check_skp(policy, weighted, head) == []


def test_a_policy_without_the_unit_head_profile_still_loads() -> None:
    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    del document["unit_head"]
    del document["vocabulary"]["aspek"]
    policy = parse_policy(document)
    head = policy.rules_for(True)
    assert head.iki_count is None and head.core_total is None and not head.weights_required
    assert head.listed == () and len(head.perspectives) == 4
    assert policy.pk_jenis("IKK") == "CL" and policy.pk_jenis("IKD") == "TUSI"
    # the staff rules are the document's, as before
    assert policy.rules_for(False).iki_count == policy.iki_count
    assert [m.key for m in policy.rules_for(False).listed] == ["ipasn"]
    # perspectives may be given as codes; a new one gets a readable label
    document["unit_head"] = {"perspectives": ["anggaran", "mitra_kerja"], "mandatory_applies": True}
    policy = parse_policy(document)
    head = policy.rules_for(True)
    assert [(p.code, p.label) for p in head.perspectives] == [
        ("anggaran", "Anggaran"),
        ("mitra_kerja", "Mitra Kerja"),
    ]
    assert [m.key for m in head.listed] == ["ipasn"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"jenis": "XYZ"}, "unknown type"),
        ({"perspective": "lainnya"}, "unknown perspective"),
        ({"key": "ipasn"}, "reuse a key"),
    ],
)
def test_a_bad_directive_is_refused(change: dict[str, str], message: str) -> None:
    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    document["unit_head"]["directives"][0].update(change)
    with pytest.raises(PolicyError, match=message):
        parse_policy(document)


@pytest.mark.parametrize(
    ("iki", "satuan", "aspek"),
    [
        (
            "Persentase penduduk penerima pemeriksaan kesehatan gratis bayi baru lahir",
            "%",
            "kuantitas",
        ),
        ("Indeks Kualitas SDM Sekretariat Jenderal", "Nilai", "kualitas"),
        ("Nilai SAKIP Unit Kerja", "Nilai", "kualitas"),
        ("Persentase Realisasi Anggaran Unit Kerja", "%", "biaya"),
        ("Persentase penyusunan SKP pegawai tepat waktu", "%", "waktu"),
        ("Persentase fasilitas pelayanan kesehatan dengan obat sesuai standar", "%", "kualitas"),
        ("Jumlah monitoring pelaksanaan SBBL di 14 regional", "Kali", "kuantitas"),
        ("Rata-rata waktu tunggu layanan", "Hari", "waktu"),
        ("Persentase Mutasi Pegawai antar Unit Kerja", "%", "kuantitas"),
    ],
)
def test_the_aspek_is_read_from_the_indicator(iki: str, satuan: str, aspek: str) -> None:
    assert aspek_of(POLICY, iki, satuan).value == aspek


def test_a_default_perspective_comes_from_the_policy_keywords() -> None:
    chosen = POLICY.rules_for(True).perspectives
    assert default_perspective(chosen, "Persentase penduduk penerima pemeriksaan") == (
        "penerima_layanan"
    )
    assert default_perspective(chosen, "Nilai Sistem Merit Kemenkes") == "penguatan_internal"
    assert default_perspective(chosen, "Persentase Realisasi Anggaran") == "anggaran"
    assert default_perspective(chosen, "Usia Harapan Hidup Sehat") is None
    assert default_perspective(chosen, "Usia Harapan Hidup Sehat", "Nilai Kinerja Anggaran") == (
        "anggaran"
    )


def test_units_are_the_policys_spelling_with_synonyms_as_data() -> None:
    assert [POLICY.canonical_satuan(u) for u in ("persen", "%", " x ", "kali", "dokumen")] == [
        "%",
        "%",
        "Kali",
        "Kali",
        "Dokumen",
    ]
    assert POLICY.canonical_satuan("analisis  kebijakan") == "analisis kebijakan"  # unknown
    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    document["satuan_synonyms"]["buah"] = "Unit"
    with pytest.raises(PolicyError, match="satuan_synonyms"):
        parse_policy(document)


def test_templates_say_kesalahan_not_galat() -> None:
    root = Path(__file__).resolve().parents[1] / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix in (".html", ".j2", ".txt")
        and "galat" in path.read_text(encoding="utf-8").casefold()
    ]
    assert offenders == []


# -- the findings of a list seen before come from memory, and only for that very list ----------


@settings(max_examples=60, deadline=None)
@given(
    changes=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=8),
            st.sampled_from(["bobot", "target", "iki", "satuan"]),
            st.integers(min_value=0, max_value=120),
        ),
        max_size=4,
    ),
    unit_head=st.booleans(),
    note=st.sampled_from([None, "", "Disepakati dengan unit eselon I"]),
)
def test_remembered_findings_are_those_of_the_list_as_it_is(
    changes: list[tuple[int, str, int]], unit_head: bool, note: str | None
) -> None:
    from bot.domain import skp_rules

    policy = default_policy()
    items = sbbl_items()
    for index, field, value in changes:
        item = items[index]
        if field == "bobot":
            items[index] = replace(item, bobot=Decimal(value))
        elif field == "target":
            items[index] = replace(item, target=Decimal(value))
        elif field == "iki":
            items[index] = replace(item, iki=f"Jumlah laporan kegiatan {value}")
        else:
            items[index] = replace(item, satuan="Dokumen" if value % 2 else "%")
        # after each change: asked twice (the second from memory), as a fresh check says
        profile = policy.rules_for(unit_head)
        first = check_skp(policy, items, profile, note)
        again = check_skp(policy, items, policy.rules_for(unit_head), note)
        assert first == again == skp_rules._check_skp(policy, items, profile, note)
    # and the other owner's rules on the same list are not taken from memory
    other = policy.rules_for(not unit_head)
    assert check_skp(policy, items, other, note) == skp_rules._check_skp(policy, items, other, note)

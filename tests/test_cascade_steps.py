"""PRIMA step by step: the MPPH's "back" returns where the leader was; strategies and
activities renamed and deleted; bad input in R and M changes nothing; an extra role for a
person goes again; a stale button under an assignee's summary changes nothing; targets added
up per satuan and the beban split checked only in the leader's satuan; twenty long roles page
and fit; the deck's merit-system cascade over two levels (aspects summed in Nilai)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from bot.db.models import AuditLog, CascadeActivity, CascadeAssignment, CascadeMethod, SkpItem
from bot.services.cascade_checks import split_findings, target_sums
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV
from tests.conftest import Harness
from tests.test_cascade_flow import OUTPUT, ROLES, assign, build_plan, rhk_for, spell_out


async def test_back_from_the_mpph_returns_where_the_leader_was(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2051)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await director.click("M: Jabarkan")
    await director.click("Daftar peran")
    await director.click("Lihat MPPH")
    back = await director.click("Kembali")
    assert "M — Mulai jabarkan IKI" in back.text
    ajak = await director.click("A: Ajak")
    assert "A — Ajak dialog kinerja" in ajak.text
    mpph = await director.click("Lihat MPPH")
    assert "MPPH" in mpph.text
    back = await director.click("Kembali")
    assert "A — Ajak dialog kinerja" in back.text
    # and from the A screen on, the walk goes on where it was
    back = await director.click("Kembali")
    assert "M — Mulai jabarkan IKI" in back.text


async def test_strategies_and_activities_are_renamed_and_deleted(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2061)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    # bad input changes nothing: a line too short among several, more than 10 lines
    before = await bot.count(CascadeActivity)
    await director.click("Kegiatan untuk strategi 3")
    refused = await director.send("Pemantauan cakupan SBBL per provinsi\nRapat\nRapat koordinasi")
    assert "Baris 2: teks terlalu singkat" in refused.text
    assert "Belum ada yang ditambahkan" in refused.text
    refused = await director.send("\n".join(f"Kegiatan tambahan nomor {n}" for n in range(11)))
    assert "Paling banyak 10 baris sekaligus" in refused.text
    assert await bot.count(CascadeActivity) == before
    await director.click("Kembali")

    # rename strategy 2 and activity 3.1
    pick = await director.click("Ubah strategi atau kegiatan")
    assert "✏️ 2" in pick.labels() and "✏️ 3.1" in pick.labels()
    edit = await director.click("✏️ 2")
    assert "Ubah strategi 2" in edit.text and "Sosialisasi, Advokasi" in edit.text
    refused = await director.send("<b>x</b>")
    assert "tag HTML" in refused.text
    tree = await director.send("Sosialisasi, advokasi, dan pelatihan SBBL bagi nakes dan LP/LS")
    assert "<b>Strategi 2</b>. Sosialisasi, advokasi, dan pelatihan SBBL" in tree.text
    await director.click("Ubah strategi atau kegiatan")
    await director.click("✏️ 3.1")
    tree = await director.send("Monitoring dan evaluasi SBBL di 14 regional lokus target")
    assert "3.1 Monitoring dan evaluasi SBBL di 14 regional" in tree.text
    actions = [a.action for a in await bot.rows(AuditLog)]
    assert "cascade.strategy_renamed" in actions and "cascade.activity_renamed" in actions

    # delete from the rename screen (the confirmation first)
    await director.click("Ubah strategi atau kegiatan")
    await director.click("✏️ 1.2")
    confirm = await director.click("Hapus")
    assert "Hapus kegiatan 1.2: <i>Penyediaan BMHP SBBL" in confirm.text
    tree = await director.click("Ya, hapus")
    assert director.answers()[-1]["text"] == "Kegiatan dihapus."
    assert await bot.count(CascadeActivity) == before - 1
    assert "1.2" not in tree.text.split("Strategi 2")[0]


async def test_bad_role_input_changes_nothing_and_extra_roles_can_go(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2071)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await director.click("M: Jabarkan")
    await director.click(OUTPUT)
    await director.send(ROLES[0][2])
    await director.send(ROLES[0][3])
    refused = await director.send("2")  # no satuan
    assert "belum menyebut satuannya" in refused.text
    refused = await director.send("dua NSPK")
    assert "belum berupa angka target" in refused.text
    [role] = await bot.rows(CascadeAssignment)
    assert role.target_value is None
    listed = await director.send("2 NSPK")
    assert "M — Mulai jabarkan IKI" in listed.text  # nothing left to spell out
    # another IKI for Intan under 1.1, then removed again (it was not sent)
    await director.click("IKI lain untuk Intan (1.1)")
    screen = director.last
    assert "Peran 2/2 · [1.1] Intan" in screen.text
    assert "✅ Pendekatan output antara (tidak langsung)" in screen.labels()
    assert await bot.count(CascadeAssignment) == 2
    await director.click("Hapus peran ini")
    assert director.answers()[-1]["text"] == "Peran dihapus."
    assert await bot.count(CascadeAssignment) == 1
    # ticking her off in I takes back a role not sent
    await director.click("Kembali")
    await director.click("Kegiatan 1.1")
    await director.click("Intan")
    assert await bot.count(CascadeAssignment) == 0


async def test_a_stale_summary_button_changes_nothing(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 2081)
    intan = await bot.onboard(KATIM_SBBL, 2082)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await director.click("M: Jabarkan")
    await spell_out(director, 1, OUTPUT, ROLES[0][3], "2 NSPK", rhk=ROLES[0][2])
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    await director.click("Kembali")
    await spell_out(director, 1, OUTPUT, ROLES[0][3], "3 NSPK", rhk=ROLES[0][2])
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    first_change = intan.last
    await director.click("Kembali")
    await spell_out(director, 1, OUTPUT, ROLES[0][3], "4 NSPK", rhk=ROLES[0][2])
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    # the older summary's button: the proposal changed since
    await intan.click("Terapkan ke draf saya", first_change)
    assert "sudah berubah" in intan.answers()[-1]["text"]
    [draft] = await bot.rows(SkpItem, SkpItem.iki == ROLES[0][3])
    assert draft.target_value == 2
    await intan.click("Terapkan ke draf saya", intan.last)
    [draft] = await bot.rows(SkpItem, SkpItem.iki == ROLES[0][3])
    assert draft.target_value == 4


def test_targets_add_up_per_satuan_and_a_beban_split_only_in_the_leaders() -> None:
    def role(method: CascadeMethod, iki: str, value: str, satuan: str, who: int = 1) -> Any:
        return CascadeAssignment(
            assignee_id=who, method=method, iki=iki, target_value=Decimal(value), satuan=satuan
        )

    beban, aspek = CascadeMethod.BEBAN, CascadeMethod.ASPEK
    roles = [
        role(CascadeMethod.OUTPUT_ANTARA, "Jumlah NSPK SBBL", "2", "NSPK"),
        role(CascadeMethod.OUTPUT_ANTARA, "Jumlah usulan BMHP", "2", "Rumusan"),
        role(beban, "Jumlah monev SBBL", "2", "Kali", 1),
        role(beban, "Jumlah monev SBBL", "2", "kali", 2),
        role(CascadeMethod.LAYANAN, "Persentase rekomendasi", "100", "%"),
        role(CascadeMethod.LAYANAN, "Persentase peserta", "80", "%"),
    ]
    sums = target_sums(roles)
    assert sums.parts == [(2, "NSPK"), (2, "Rumusan"), (4, "Kali")] and sums.percent == 2
    # the leader's 70%: counts are not compared with it, percentages never summed
    assert split_findings(roles, Decimal(70), "%") == []
    # the leader's 5 Kali: the split in Kali must add up to it
    [finding] = split_findings(roles, Decimal(5), "Kali")
    assert finding.code == "split_sum" and finding.params["total"] == 4
    assert split_findings(roles, Decimal(4), "Kali") == []
    # the parts of one split are summed per the leader's RHK, whatever each IKI says
    regions = [
        role(beban, "Jumlah regional wilayah barat yang dimonev", "2", "Kali", 1),
        role(beban, "Jumlah regional wilayah timur yang dimonev", "2", "Kali", 2),
    ]
    assert split_findings(regions, Decimal(4), "Kali") == []
    [finding] = split_findings(regions, Decimal(6), "Kali")
    assert finding.params["total"] == 4 and finding.params["parts"] == 2
    # parts in different satuan cannot be added
    mixed = [role(beban, "Jumlah sesi", "2", "Kali"), role(beban, "Jumlah sesi", "50", "%", 2)]
    assert [f.code for f in split_findings(mixed, Decimal(4), "Kali")] == ["split_mixed_units"]
    # an aspect split is summed in the leader's satuan only
    aspects = [role(aspek, "Nilai aspek A", "10", "Nilai"), role(aspek, "Nilai B", "5", "Indeks")]
    [finding] = split_findings(aspects, Decimal(380), "Nilai")
    assert finding.code == "aspect_sum" and finding.params["total"] == 10


MERIT = [  # (ketua tim, aspect activity, method, IKI, target) — the deck's merit-system split
    (
        "Hendro",
        "Perencanaan kebutuhan dan peta jabatan",
        "Pembagian aspek",
        "Nilai aspek perencanaan kebutuhan sistem merit",
        "10 Nilai",
    ),
    (
        "Maya",
        "Pemenuhan dan pengadaan ASN",
        "Pembagian aspek",
        "Nilai aspek pengadaan dan rencana pemenuhan sistem merit",
        "50 Nilai",
    ),
    (
        "Lina",
        "Pengembangan karier dan manajemen talenta",
        "Pembagian aspek",
        "Nilai aspek pengembangan karier sistem merit",
        "153,5 Nilai",
    ),
    (
        "Yusuf",
        "Layanan mutasi dan administrasi kepegawaian",
        "Pendekatan layanan",
        "Persentase layanan administrasi kepegawaian yang selesai tepat waktu",
        "96%",
    ),
    (
        "Dewi",
        "Manajemen kinerja ASN",
        "Pembagian aspek",
        "Nilai aspek manajemen kinerja sistem merit",
        "77,5 Nilai",
    ),
    (
        "Rudi",
        "Penggajian, penghargaan dan disiplin",
        "Pembagian aspek",
        "Nilai aspek penghargaan dan disiplin sistem merit",
        "38 Nilai",
    ),
    (
        "Agus",
        "Sistem informasi dan data kepegawaian",
        "Pembagian aspek",
        "Nilai aspek sistem informasi sistem merit",
        "59,5 Nilai",
    ),
]


async def test_the_merit_system_cascade_two_levels(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    from bot.services.demo import KARO, KATIM_PENKIN

    karo = await bot.onboard(KARO, 2201)
    dewi = await bot.onboard(KATIM_PENKIN, 2202)
    await karo.command("skp")
    await karo.click("Isi dari Perjanjian Kinerja")
    # the unit head's own merit RHK (380), next to the PK's five indicators
    await karo.click("Tambah hasil kerja")
    await karo.click("TUSI")
    await karo.send(
        "Terwujudnya penerapan sistem merit dalam manajemen ASN Kemenkes sesuai ketentuan"
    )
    await karo.click("Kualitas")
    await karo.send("Nilai penerapan sistem merit Kemenkes")
    await karo.send("380 Nilai")
    if any(label.startswith("✅") for label in karo.last.labels()):  # the satuan, confirmed
        await karo.click("✅")
    await karo.send("10")
    await karo.click("Simpan")
    assert "6. [TUSI] Nilai penerapan sistem merit Kemenkes — 380 Nilai" in karo.last.text

    await karo.command("kaskade")
    await karo.click("RHK 6")
    await karo.click("R: Rumuskan")
    # a strategy and its seven aspect activities in one message
    lines = ["Penerapan sistem merit per aspek penilaian KASN"] + [m[1] for m in MERIT]
    await karo.send("\n".join(lines))
    assert await bot.count(CascadeActivity) == 7
    await karo.click("I: Identifikasi")
    for n, (who, *_rest) in enumerate(MERIT, start=1):
        await assign(karo, f"1.{n}", who)
    await karo.click("M: Jabarkan")
    for n, (_who, _activity, method, iki, target) in enumerate(MERIT, start=1):
        await spell_out(karo, n, method, iki, target)
    checks = await karo.click("A: Ajak")
    # the aspects in Nilai are summed against the 380 Nilai; the 96% is not added to them
    assert "per aspek 388,5 Nilai, dibandingkan target RHK Anda 380 Nilai" in checks.text
    assert "388,5 Nilai · 1 IKI dalam persen" in checks.text
    await karo.click("Kirim usulan ke tim")
    assert any("7 draf butir baru" in t for t in karo.texts_since(-3))

    # the Penilaian Kinerja Katim cascades her draft to her 7 members, one per eselon-1 unit
    await dewi.command("kaskade")
    await dewi.click("RHK 1")
    await dewi.click("R: Rumuskan")
    await dewi.send("Pendampingan manajemen kinerja per unit eselon I")
    await dewi.send("Pendampingan penetapan SKP di unit eselon I binaan")
    await dewi.click("I: Identifikasi")  # the only activity, at once
    members = ["Fitri", "Bayu", "Sinta", "Taufik", "Nadia", "Irfan", "Rina"]
    for name in members:
        await dewi.click(name)
    await dewi.click("M: Jabarkan")
    for n in range(1, 8):
        await spell_out(
            dewi,
            n,
            "Pembagian wilayah",
            "Persentase SKP pegawai unit eselon I binaan yang ditetapkan tepat waktu",
            "100%",
        )
    checks = await dewi.click("A: Ajak")
    assert "tanpa metode pembagian" not in checks.text  # same IKI, divided by region
    await dewi.click("Kirim usulan ke tim")
    assert any("7 draf butir baru" in t for t in dewi.texts_since(-3))

    await karo.command("kaskade")
    await karo.click("Lihat MPPH")
    await karo.click("MPPH (XLSX)")
    [xlsx] = [d for d in transport.documents_to(2201) if d.filename.startswith("MPPH")]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert [ws.title for ws in book.worksheets] == ["MPPH"]  # two levels stacked on one sheet
    rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    assert rows[4][0] == "Ratna Wulandari"
    assert rows[4][7] == "Nilai penerapan sistem merit Kemenkes — 380 Nilai"  # the 6th item
    top = {r[0]: r for r in rows[5:12]}
    assert len(top) == 7 and rows[12][0] == "Target Ratna Wulandari"
    lina = top["Lina Marlina"]
    assert lina[7] == rhk_for("Nilai aspek pengembangan karier sistem merit") + " — 153,5 Nilai"
    assert lina[2] == "-"
    assert rows[16][0] == "Dewi Anggraini"  # level 2, below, in the same columns
    below = rows[17:24]
    assert all(r[7].startswith("Persentase SKP pegawai unit eselon I") for r in below)


async def test_twenty_long_roles_page_and_every_screen_fits(bot: Harness) -> None:
    """20 roles of 500-character RHK and IKI (three IKI each for Intan under every activity):
    the list of roles pages, the role screens quote short, the assignee's one summary lists
    12 items and counts the rest."""
    from bot.db.models import Employee
    from tests.test_limits import TEXT, fits, long_text

    director = await bot.onboard(DIREKTUR, 2301)
    intan = await bot.onboard(KATIM_SBBL, 2302)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    async with bot.services.sessionmaker() as session, session.begin():
        people = {
            e.nip: e.id
            for e in (await session.execute(select(Employee))).scalars()
            if e.nip in (KATIM_SBBL, KATIM_SURV)
        }
        for activity in (await session.execute(select(CascadeActivity))).scalars():
            for n, nip in enumerate([KATIM_SBBL] * 3 + [KATIM_SURV], start=1):
                session.add(
                    CascadeAssignment(
                        activity_id=activity.id,
                        assignee_id=people[nip],
                        method=CascadeMethod.OUTPUT_ANTARA,
                        rhk=long_text(TEXT, f"RHK{activity.id}x{n}"),
                        iki=long_text(TEXT, f"IKI{activity.id}x{n}"),
                        target_value=Decimal(n),
                        satuan="Kali" if n % 2 else "%",
                    )
                )
    overview = fits(await director.click("I: Identifikasi"))
    assert "Intan Purnamasari (3 IKI), Wahyu Setiawan" in overview.text
    listed = fits(await director.click("M: Jabarkan"))
    assert "<i>Halaman 1/4</i>" in listed.text and "✏️ 6" in listed.labels()
    fits(await director.click("Berikutnya"))
    fits(await director.click("✏️ 7"))
    fits(await director.click("Pakai RHK yang sama"))
    fits(await director.click("IKI tetap"))
    fits(await director.click("Daftar peran"))
    fits(await director.click("IKI lain untuk salah satu peran"))
    fits(await director.click("Kembali"))
    ajak = fits(await director.click("A: Ajak"))
    assert "20 peran siap untuk 2 pegawai" in ajak.text
    assert "Target tim per satuan: 20 Kali · 10 IKI dalam persen" in ajak.text
    await director.click("Kirim usulan ke tim")
    summary = fits(intan.last)
    assert "12. RHK:" in summary.text and "… dan 3 butir lainnya" in summary.text

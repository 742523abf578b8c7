"""PRIMA through the real Application with the deck's SBBL example: the director's SKP from
the PK, IKK 5.1.1 → 3 strategies → 5 activities → the SBBL and Surveilans teams → IKI and
targets; the checks (coverage, duplication, the beban split against the parent target, people
without a role) failing then passing; one action sending draft items to the whole team; a
change after sending only through the assignee; the MPPH in chat and as XLSX."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.db.models import Cascade, CascadeAssignment, SkpItem
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV
from tests.conftest import Harness
from tests.telegram_fake import ChatClient
from tests.test_dialog_flow import employee_id

STRATEGIES = {
    "Penguatan regulasi dan kebijakan skrining bayi baru lahir": [
        "Penyusunan NSPK skrining bayi baru lahir",
        "Advokasi dan koordinasi lintas program dan lintas sektor",
    ],
    "Peningkatan kapasitas dan mutu layanan skrining": [
        "Peningkatan kapasitas tenaga kesehatan melalui webinar",
        "Monitoring dan evaluasi pelaksanaan skrining di 14 regional",
    ],
    "Penguatan surveilans dan pemanfaatan data skrining": [
        "Pemantauan cakupan skrining bayi baru lahir per provinsi",
    ],
}


async def build_plan(director: ChatClient) -> None:
    await director.command("kaskade")
    pahami = await director.click("RHK 1")
    assert "IT 1 Usia Harapan Hidup Sehat" in pahami.text and "IKK 5.1.1" in pahami.text
    assert "Pertanyaan pemandu" in pahami.text
    await director.send(
        "IKK 5.1.1 diturunkan dari IKP 5.1; pemangku kepentingan: dinkes dan labkesda."
    )
    for n, (strategy, activities) in enumerate(STRATEGIES.items(), start=1):
        await director.click("➕ Strategi")
        await director.send(strategy)
        for activity in activities:
            await director.click(f"Kegiatan untuk strategi {n}")
            await director.send(activity)
    tree = director.last
    assert "3.1 Pemantauan cakupan skrining" in tree.text


async def assign(director: ChatClient, activity: str, *names: str) -> None:
    await director.click(f"Kegiatan {activity}")
    for name in names:
        await director.click(name)
    await director.click("Selesai")


async def spell_out(director: ChatClient, n: int, method: str, iki: str, target: str) -> None:
    await director.click(f"✏️ {n}")
    await director.click(method)
    await director.send(iki)
    await director.send(target)


async def test_the_sbbl_prima_example_end_to_end(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    director = await bot.onboard(DIREKTUR, 2001)
    intan = await bot.onboard(KATIM_SBBL, 2002)
    wahyu = await bot.onboard(KATIM_SURV, 2003)

    # the unit head's SKP from the PK
    await director.command("skp")
    prefilled = await director.click("Isi dari Perjanjian Kinerja")
    assert "Persentase penduduk penerima pemeriksaan kesehatan gratis" in prefilled.text
    [source] = await bot.rows(SkpItem)
    assert source.target_value == 70 and source.satuan == "%" and source.jenis == "CL"
    assert source.leader_rhk.startswith("IKP 5.1")
    # RHK = the PK's sasaran; no weight: the Kemenkes profile for unit heads requires none
    assert source.rhk.startswith("Persentase kab/kota dengan cakupan pemeriksaan")
    assert source.bobot is None and source.aspek.value == "kuantitas"
    # the unit head tags the item with its perspective
    await director.click("Ubah, hapus")
    await director.click("1")
    await director.click("Ubah")
    await director.click("Ubah isian")
    card = await director.click("Perspektif")
    card = await director.click("Penerima Layanan")
    assert "Perspektif: Penerima Layanan" in card.text
    await director.click("Simpan")
    [source] = await bot.rows(SkpItem)
    assert source.perspective == "penerima_layanan"

    await build_plan(director)
    await director.click("I: Identifikasi")
    await assign(director, "1.1", "Intan")
    await assign(director, "1.2", "Intan")
    await assign(director, "2.1", "Intan")
    await assign(director, "2.2", "Intan", "Wahyu")
    ajak = await director.click("M: Jabarkan")
    assert "belum dijabarkan" in ajak.text

    await spell_out(
        director, 1, "Pendekatan output antara", "Persentase NSPK SBBL tersusun tepat waktu", "100%"
    )
    await spell_out(director, 2, "Pendekatan layanan", "Melaksanakan advokasi SBBL", "4 kali")
    assert "kata kerja" in director.last.text  # the SMART-C lint on the leader's IKI
    await spell_out(
        director,
        2,
        "Pendekatan layanan",
        "Persentase rekomendasi advokasi SBBL yang ditindaklanjuti",
        "100%",
    )
    await spell_out(
        director,
        3,
        "Pendekatan layanan",
        "Persentase peserta webinar SBBL yang lulus evaluasi",
        "100%",
    )
    # the same result to two people with no division method: duplication
    await spell_out(director, 4, "Pendekatan layanan", "Jumlah monev SBBL di regional", "40 kali")
    await spell_out(director, 5, "Pendekatan layanan", "Jumlah monev SBBL di regional", "30 kali")
    checks = await director.click("A: Ajak")
    assert "Kegiatan 3.1 belum ada yang mengerjakan" in checks.text
    assert "tanpa metode pembagian" in checks.text

    # divided by load: the parts must add up to the parent target (70)
    await director.click("Kembali")
    await spell_out(director, 4, "beban kuantitatif", "Jumlah monev SBBL di regional", "40 kali")
    await spell_out(director, 5, "beban kuantitatif", "Jumlah monev SBBL di regional", "20 kali")
    checks = await director.click("A: Ajak")
    assert "tanpa metode pembagian" not in checks.text
    assert "Pembagian beban berjumlah 60, sedangkan target RHK Anda 70" in checks.text
    await director.click("Kembali")
    await spell_out(director, 5, "beban kuantitatif", "Jumlah monev SBBL di regional", "30 kali")
    await director.click("Kembali")  # back to I
    await director.click("Kembali")  # back to R
    await director.click("I: Identifikasi")
    await assign(director, "3.1", "Wahyu")
    await director.click("M: Jabarkan")
    await spell_out(
        director,
        6,
        "Pendekatan output antara",
        "Persentase provinsi dengan data cakupan SBBL mutakhir",
        "90%",
    )
    checks = await director.click("A: Ajak")
    assert "Semua kegiatan tercakup" in checks.text

    # one action: draft items for the whole team
    before_intan, before_wahyu = intan.mark(), wahyu.mark()
    await director.click("Kirim usulan ke tim")
    assert "6 draf butir baru" in director.received[-2].text
    intan_id, wahyu_id = await employee_id(bot, KATIM_SBBL), await employee_id(bot, KATIM_SURV)
    assert len(intan.texts_since(before_intan)) == 4 and len(wahyu.texts_since(before_wahyu)) == 2
    assert "menjabarkan RHK-nya kepada Anda" in intan.texts_since(before_intan)[0]
    drafts = [i for i in await bot.rows(SkpItem) if i.leader_item_id == source.id]
    assert len(drafts) == 6 and all(d.leader_rhk == source.rhk for d in drafts)
    assert {d.jenis for d in drafts} == {"TUSI", "CL"}
    overview = await intan.command("skp")
    assert "Persentase NSPK SBBL tersusun tepat waktu" in overview.text
    assert "hal harus diperbaiki" in overview.text  # weights still to be set by Intan

    # a change after sending reaches the assignee as a question, not a silent edit
    await director.command("kaskade")
    await director.click("RHK 1")
    await director.click("R: Rumuskan")
    await director.click("I: Identifikasi")
    await director.click("M: Jabarkan")
    await spell_out(
        director, 1, "Pendekatan output antara", "Persentase NSPK SBBL tersusun tepat waktu", "95%"
    )
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    [nspk] = [d for d in await bot.rows(SkpItem) if d.iki.startswith("Persentase NSPK")]
    assert nspk.target_value == 100  # untouched until Intan decides
    await intan.click("Terapkan ke draf saya", intan.last)
    [nspk] = [d for d in await bot.rows(SkpItem) if d.iki.startswith("Persentase NSPK")]
    assert nspk.target_value == 95

    # the MPPH, in chat and as XLSX
    await director.command("kaskade")
    mpph = await director.click("Lihat MPPH")
    assert "Intan Purnamasari: Persentase NSPK SBBL" in mpph.text
    await director.click("MPPH (XLSX)")
    [xlsx] = [d for d in transport.documents_to(2001) if d.filename.startswith("MPPH")]
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[1][:3] == ["No", "Nama", "Jabatan"] and rows[1][3].startswith("1. Persentase")
    by_name = {r[1]: r for r in rows[2:]}
    assert set(by_name) == {"Intan Purnamasari", "Wahyu Setiawan"}
    assert "Persentase NSPK SBBL tersusun tepat waktu" in by_name["Intan Purnamasari"][3]
    assert by_name["Wahyu Setiawan"][2] == "Epidemiolog Kesehatan Ahli Madya"
    assert await bot.count(Cascade) == 1 and await bot.count(CascadeAssignment) == 6
    assignees = {a.assignee_id for a in await bot.rows(CascadeAssignment)}
    assert assignees == {intan_id, wahyu_id}


async def test_only_leaders_cascade_and_only_to_their_staff(bot: Harness) -> None:
    staff = await bot.onboard("199003032015032002", 2101)  # Putri, an SBBL team member
    menu = await staff.command("kaskade")
    assert "Menu utama" in menu.text and "hanya untuk peran tertentu" in staff.received[-2].text
    director = await bot.onboard(DIREKTUR, 2102)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    checks = await director.click("I: Identifikasi")
    await director.click("M: Jabarkan")
    checks = await director.click("A: Ajak")
    assert "Intan Purnamasari belum mendapat peran" in checks.text  # people without a role
    assert "Wahyu Setiawan belum mendapat peran" in checks.text
    await director.click("Kembali")
    await director.click("Kembali")
    assign_screen = await director.click("Kegiatan 1.1")
    # a forged toggle for someone who does not report to her is refused
    forged = assign_screen.buttons[0][0]["callback_data"].replace(
        f":{await employee_id(bot, KATIM_SBBL)}:",
        f":{await employee_id(bot, '199003032015032002')}:",
    )
    await director.click_data(forged, assign_screen)
    assert "tidak dikenali" in director.answers()[-1]["text"]
    assert await bot.count(CascadeAssignment) == 0


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
    await karo.click("✅")
    await karo.send("10")
    await karo.click("Simpan")
    assert "6. [TUSI] Nilai penerapan sistem merit Kemenkes — 380 Nilai" in karo.last.text

    await karo.command("kaskade")
    await karo.click("RHK 6")
    await karo.click("R: Rumuskan")
    await karo.click("➕ Strategi")
    await karo.send("Penerapan sistem merit per aspek penilaian KASN")
    for _who, activity, *_rest in MERIT:
        await karo.click("Kegiatan untuk strategi 1")
        await karo.send(activity)
    await karo.click("I: Identifikasi")
    for n, (who, *_rest) in enumerate(MERIT, start=1):
        await assign(karo, f"1.{n}", who)
    await karo.click("M: Jabarkan")
    for n, (_who, _activity, method, iki, target) in enumerate(MERIT, start=1):
        await spell_out(karo, n, method, iki, target)
    checks = await karo.click("A: Ajak")
    assert "Jumlah target per aspek 388,5, dibandingkan target RHK Anda 380" in checks.text
    assert (
        "Semua kegiatan tercakup" not in checks.text
        or "belum ada yang mengerjakan" not in checks.text
    )
    await karo.click("Kirim usulan ke tim")
    assert "7 draf butir baru" in karo.received[-2].text

    # the Penilaian Kinerja Katim cascades her draft to her 7 members, one per eselon-1 unit
    await dewi.command("kaskade")
    await dewi.click("RHK 1")
    await dewi.click("R: Rumuskan")
    await dewi.click("➕ Strategi")
    await dewi.send("Pendampingan manajemen kinerja per unit eselon I")
    await dewi.click("Kegiatan untuk strategi 1")
    await dewi.send("Pendampingan penetapan SKP di unit eselon I binaan")
    await dewi.click("I: Identifikasi")
    await dewi.click("Kegiatan 1.1")
    members = ["Fitri", "Bayu", "Sinta", "Taufik", "Nadia", "Irfan", "Rina"]
    for name in members:
        await dewi.click(name)
    await dewi.click("Selesai")
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
    assert "7 draf butir baru" in dewi.received[-2].text

    await karo.command("kaskade")
    await karo.click("Lihat MPPH")
    await karo.click("MPPH (XLSX)")
    [xlsx] = [d for d in transport.documents_to(2201) if d.filename.startswith("MPPH")]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert [ws.title for ws in book.worksheets] == ["Ratna Wulandari", "Dewi Anggraini"]
    top = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    assert len(top) == 2 + 7 and top[1][8] == "6. Nilai penerapan sistem merit Kemenkes"
    lina = next(r for r in top if r[1] == "Lina Marlina")
    assert lina[8] == "Nilai aspek pengembangan karier sistem merit" and lina[3] == "-"
    below = [[c.value for c in r] for r in book.worksheets[1].iter_rows()]
    assert len(below) == 2 + 7
    assert all(r[3].startswith("Persentase SKP pegawai unit eselon I") for r in below[2:])

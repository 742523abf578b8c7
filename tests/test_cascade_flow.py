"""PRIMA through the real Application with the deck's SBBL example: the director's SKP from
the PK, IKK 5.1.1 → 3 strategies → 5 activities → the SBBL and Surveilans teams → RHK, IKI
and targets (two IKI for one person under activities 2.1 and 3.1, as in the deck); the checks
(coverage, duplication, people without a role) failing then passing; the team's targets
summed per satuan; one action sending draft items to the whole team, each assignee getting
one summary; changes after sending only through the assignee; the MPPH in chat and as XLSX.
The single steps (renaming, the MPPH's "back", bad input, long lists) are in
tests/test_cascade_steps.py."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.db.models import (
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeStrategy,
    Outbox,
    SkpItem,
)
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV
from tests.conftest import Harness
from tests.telegram_fake import ChatClient, Sent
from tests.test_dialog_flow import employee_id

# The deck's "Rumuskan" slide for IKK 5.1.1 (strategy → its activities).
STRATEGIES = {
    "Penyediaan Kebijakan & Sarana/Prasarana terkait Skrining Bayi Baru Lahir": [
        "NSPK Skrining Bayi Baru Lahir",
        "Penyediaan BMHP SBBL ke Dit. Penyanfar",
    ],
    "Sosialisasi, Advokasi, & Pelatihan": [
        "Advokasi dan rekomendasi advokasi LP/LS Skrining Bayi Baru Lahir",
        "Pelatihan/penyegaran guna meningkatkan kapasitas Tenaga Kesehatan dalam Pelaksanaan SBBL",
    ],
    "Monitoring, Evaluasi dan Perbaikan berkelanjutan": [
        "Monitoring dan Evaluasi Pelaksanaan Skrining Bayi Baru Lahir",
    ],
}
OUTPUT = "Pendekatan output antara"
# The deck's "Mulai jabarkan" slide: (activity, who, RHK, IKI, target); Intan's second IKI
# under 2.1 and 3.1 share the RHK of her first.
ROLES = [
    (
        "1.1",
        "Intan",
        "NSPK skrining bayi baru lahir format buku saku interaktif tersusun sesuai ketentuan",
        "Jumlah NSPK Skrining Bayi Baru Lahir tersusun tepat waktu",
        "2 NSPK",
    ),
    (
        "1.2",
        "Intan",
        "Rumusan BMHP SBBL yang menjadi acuan pengadaan tersusun sesuai kebutuhan",
        "Jumlah usulan penyediaan BMHP untuk mendukung pelaksanaan SBBL",
        "2 Rumusan",
    ),
    (
        "2.1",
        "Intan",
        "Advokasi SBBL di 14 lokus target terlaksana sesuai jadwal dan ditindaklanjuti",
        "Jumlah Pelaksanaan Advokasi dan Koordinasi LP/LS Skrining Bayi Baru Lahir",
        "4 Kali",
    ),
    (
        "2.1",
        "Intan",
        "",  # the same RHK, one tap
        "Persentase rekomendasi hasil advokasi skrining bayi baru lahir yang ditindaklanjuti",
        "100%",
    ),
    (
        "2.2",
        "Intan",
        "Webinar peningkatan kapasitas tenaga kesehatan tentang SBBL terlaksana sesuai standar",
        "Persentase peserta yang mengikuti peningkatan kapasitas (Webinar) SBBL",
        "100%",
    ),
    (
        "3.1",
        "Intan",
        "Monitoring dan evaluasi SBBL di 14 regional terlaksana sesuai jadwal dan ditindaklanjuti",
        "Jumlah Monitoring dan Evaluasi Pelaksanaan SBBL di 14 regional lokus target",
        "4 Kali",
    ),
    (
        "3.1",
        "Intan",
        "",
        "Persentase Penyelesaian Rekomendasi Monitoring dan Evaluasi Pelaksanaan SBBL",
        "80%",
    ),
    (
        "3.1",
        "Wahyu",
        "Data surveilans SBBL 14 regional dianalisis tepat waktu sebagai bahan monev",
        "Persentase data surveilans SBBL di 14 regional yang dianalisis tepat waktu",
        "100%",
    ),
]


def rhk_for(iki: str) -> str:
    return f"{iki} dicapai sesuai ketentuan"


async def build_plan(director: ChatClient) -> None:
    """P, then R the three ways: a strategy with its activities in one message; a strategy,
    then its activities in one message; a strategy through its button, then one activity."""
    await director.command("kaskade")
    pahami = await director.click("RHK 1")
    assert "IT 1 Usia Harapan Hidup Sehat" in pahami.text and "IKK 5.1.1" in pahami.text
    assert "Pertanyaan pemandu" in pahami.text
    await director.send(
        "IKK 5.1.1 diturunkan dari IKP 5.1; pemangku kepentingan: dinkes dan labkesda."
    )
    (s1, a1), (s2, a2), (s3, a3) = STRATEGIES.items()
    tree = await director.send("\n".join([s1, *(f"- {a}" for a in a1)]))
    assert "1.2 Penyediaan BMHP SBBL" in tree.text
    asked = await director.send(s2)
    assert "<b>Strategi 2</b>. Sosialisasi" in asked.text
    assert "satu kegiatan per baris" in asked.text
    await director.send("\n".join(a2))
    await director.click("➕ Strategi")
    await director.send(s3)
    tree = await director.send(a3[0])
    assert "3.1 Monitoring dan Evaluasi Pelaksanaan" in tree.text


async def assign(director: ChatClient, activity: str, *names: str) -> None:
    """Tick who contributes to the activity (I opens the first one itself while nobody has a
    role yet), then back to the overview."""
    if f"pada kegiatan {activity}?" not in director.last.text:
        await director.click(f"Kegiatan {activity}")
    for name in names:
        await director.click(name)
    await director.click("Selesai")


def _numbered(sent: Sent) -> list[str]:
    return [label for label in sent.labels() if label.startswith("✏️ ") and label[3:4].isdigit()]


async def to_role(director: ChatClient, n: int) -> None:
    """To the list of roles, on the page with role n."""
    if not _numbered(director.last):
        await director.click("Daftar peran")
    while f"✏️ {n}" not in director.last.labels():
        first = int(_numbered(director.last)[0][3:])
        await director.click("Sebelumnya" if n < first else "Berikutnya")


async def pick_method(director: ChatClient, method: str) -> None:
    if not any(label.startswith("✅ ") and method in label for label in director.last.labels()):
        await director.click(method)


async def spell_out(
    director: ChatClient, n: int, method: str, iki: str, target: str, rhk: str | None = None
) -> Sent:
    """From wherever M is: role n's method, RHK, IKI and target."""
    await to_role(director, n)
    await director.click(f"✏️ {n}")
    await pick_method(director, method)
    await director.send(rhk or rhk_for(iki))
    await director.send(iki)
    return await director.send(target)


def outbox_to(rows: list[Outbox], recipient_id: int) -> list[Outbox]:
    return [r for r in rows if r.recipient_id == recipient_id]


async def test_the_sbbl_prima_example_end_to_end(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    director = await bot.onboard(DIREKTUR, 2001)
    intan = await bot.onboard(KATIM_SBBL, 2002)
    await bot.onboard(KATIM_SURV, 2003)
    intan_id, wahyu_id = await employee_id(bot, KATIM_SBBL), await employee_id(bot, KATIM_SURV)

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
    assert await bot.count(CascadeStrategy) == 3 and await bot.count(CascadeActivity) == 5

    # I: straight to the first activity, from one to the next, the last one on to M
    screen = await director.click("I: Identifikasi")
    assert "Siapa yang berkontribusi pada kegiatan 1.1?" in screen.text
    for label in ("1.2", "2.1", "2.2", "3.1"):
        await director.click("Intan")
        screen = await director.click(f"Lanjut ke kegiatan {label}")
        assert f"kegiatan {label}?" in screen.text
    await director.click("Intan")
    await director.click("Wahyu")
    # M: straight to the first role, then role after role; Intan's second IKI under 2.1 and
    # 3.1, its RHK one tap away
    screen = await director.click("M: Jabarkan")
    assert "Peran 1/6 · [1.1] Intan Purnamasari" in screen.text and "belum dipilih" in screen.text
    refused = await director.send(ROLES[0][2])  # the method first
    assert "Pilih dulu metode pembagiannya" in refused.text
    await director.click(OUTPUT)
    for number, (label, who, rhk, iki, target) in enumerate(ROLES, start=1):
        screen = director.last
        assert f"[{label}] {who}" in screen.text
        if who == "Wahyu":
            await director.click("Pendekatan layanan")
        if rhk:
            iki_screen = await director.send(rhk)
        else:
            iki_screen = await director.click("Pakai RHK yang sama")
        assert "Ketik IKI-nya" in iki_screen.text
        await director.send(iki)
        saved = await director.send(target)
        if number in (3, 6):  # another IKI for Intan under the same activity
            assert f"✅ Tersimpan — {number}. [{label}] Intan" in saved.text
            await director.click(f"IKI lain untuk Intan ({label})")
    listed = director.last
    assert "Target per satuan: 2 NSPK + 2 Rumusan + 8 Kali · 4 IKI dalam persen" in listed.text
    assert await bot.count(CascadeAssignment) == 8

    # the SMART-C lint of drafting on the leader's RHK and IKI, as they are typed
    await to_role(director, 5)
    await director.click("✏️ 5")
    iki_screen = await director.send("Webinar peningkatan kapasitas SBBL")
    assert "RHK belum memuat kualifier" in iki_screen.text
    target_screen = await director.send("Melaksanakan webinar SBBL bagi tenaga kesehatan")
    assert "IKI diawali kata kerja “Melaksanakan”" in target_screen.text
    listed = await director.click("Target tetap")
    assert "kata kerja" in listed.text  # and on the list
    await spell_out(director, 5, OUTPUT, ROLES[4][3], "100%", rhk=ROLES[4][2])
    # the same result to two people with no division method: duplication
    await spell_out(director, 8, "Pendekatan layanan", ROLES[5][3], "2 Kali")
    checks = await director.click("A: Ajak")
    assert "diberikan kepada lebih dari satu orang tanpa metode pembagian" in checks.text
    await director.click("Kembali")
    await spell_out(director, 8, "Pendekatan layanan", ROLES[7][3], "100%", rhk=ROLES[7][2])
    checks = await director.click("A: Ajak")
    assert "Semua kegiatan tercakup" in checks.text
    assert "Target tim per satuan: 2 NSPK + 2 Rumusan + 8 Kali · 4 IKI dalam persen" in checks.text
    assert "8 peran siap untuk 2 pegawai" in checks.text

    # one action: draft items for the whole team, one summary per assignee
    await director.click("Kirim usulan ke tim")
    assert any("8 draf butir baru" in t for t in director.texts_since(-3))
    proposals = await bot.rows(Outbox, Outbox.kind == "cascade_proposal")
    assert len(outbox_to(proposals, intan_id)) == 1 and len(outbox_to(proposals, wahyu_id)) == 1
    summary = intan.last
    assert "Draf butir baru di SKP Anda" in summary.text
    for _label, who, _rhk, iki, _target in ROLES:
        assert (iki[:60] in summary.text) == (who == "Intan")
    assert "7. RHK:" in summary.text and "8. RHK:" not in summary.text
    drafts = [i for i in await bot.rows(SkpItem) if i.leader_item_id == source.id]
    assert len(drafts) == 8 and all(d.leader_rhk == source.rhk for d in drafts)
    # the RHK is the one the leader wrote, not the activity's name
    by_iki = {d.iki: d for d in drafts}
    assert by_iki[ROLES[0][3]].rhk == ROLES[0][2]
    assert by_iki[ROLES[3][3]].rhk == ROLES[2][2]  # the shared RHK
    activities = [a for listed in STRATEGIES.values() for a in listed]
    assert not any(d.rhk in activities for d in drafts)
    assert by_iki[ROLES[0][3]].satuan == "NSPK" and by_iki[ROLES[0][3]].jenis == "TUSI"
    overview = await intan.command("skp")
    assert "Jumlah NSPK Skrining Bayi Baru Lahir" in overview.text

    # two changes after sending: one summary asks about both; the drafts wait for Intan
    await director.command("kaskade")
    await director.click("RHK 1")
    await director.click("R: Rumuskan")
    await director.click("I: Identifikasi")
    await director.click("M: Jabarkan")
    await spell_out(director, 1, OUTPUT, ROLES[0][3], "3 NSPK", rhk=ROLES[0][2])
    await spell_out(director, 4, OUTPUT, ROLES[3][3], "95%", rhk=ROLES[2][2])
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    proposals = await bot.rows(Outbox, Outbox.kind == "cascade_proposal")
    assert len(outbox_to(proposals, intan_id)) == 2
    assert "Usulan yang berubah" in intan.last.text and "2 NSPK → 3 NSPK" in intan.last.text
    assert "Terapkan 2 perubahan" in intan.last.labels()[0]
    nspk = next(d for d in await bot.rows(SkpItem) if d.iki == ROLES[0][3])
    assert nspk.target_value == 2  # untouched until Intan decides
    # sending again asks nothing new
    await director.click("Kirim usulan ke tim")
    assert len(outbox_to(await bot.rows(Outbox, Outbox.kind == "cascade_proposal"), intan_id)) == 2
    await intan.click("Terapkan 2 perubahan", intan.last)
    assert intan.answers()[-1]["text"] == "Perubahan diterapkan ke draf SKP Anda."
    changed = {d.iki: d.target_value for d in await bot.rows(SkpItem)}
    assert changed[ROLES[0][3]] == 3 and changed[ROLES[3][3]] == 95

    # the MPPH, in chat and as XLSX: the peran hasil is the role's RHK
    await director.command("kaskade")
    mpph = await director.click("Lihat MPPH")
    assert f"Intan Purnamasari: {ROLES[0][2][:40]}" in mpph.text
    back = await director.click("Kembali")
    assert "Kaskade ke tim (PRIMA)" in back.text  # opened from the list of RHK: back there
    await director.click("Lihat MPPH")
    await director.click("MPPH (XLSX)")
    [xlsx] = [d for d in transport.documents_to(2001) if d.filename.startswith("MPPH")]
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    # the deck's layout (tests/test_documents_mpph.py has it cell by cell)
    assert rows[3][:3] == ["Pegawai", "Jabatan", "Output/Output Antara/Layanan"]
    assert rows[4][0] == "Sri Rahayu" and rows[4][2].startswith("Persentase")
    by_name = {r[0]: r for r in rows[5:7]}
    assert set(by_name) == {"Intan Purnamasari", "Wahyu Setiawan"}
    assert ROLES[0][2] in by_name["Intan Purnamasari"][2]
    assert by_name["Wahyu Setiawan"][1] == "Epidemiolog Kesehatan Ahli Madya"
    assert await bot.count(Cascade) == 1 and await bot.count(CascadeAssignment) == 8


async def test_only_leaders_cascade_and_only_to_their_staff(bot: Harness) -> None:
    staff = await bot.onboard("199003032015032002", 2101)  # Putri, an SBBL team member
    menu = await staff.command("kaskade")
    assert "Menu utama" in menu.text
    assert any("hanya untuk peran tertentu" in t for t in staff.texts_since(-2))
    director = await bot.onboard(DIREKTUR, 2102)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await build_plan(director)
    await director.click("I: Identifikasi")
    await director.click("Selesai")
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

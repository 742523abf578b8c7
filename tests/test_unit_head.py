"""Unit heads (JPT) through the real Application, under the policy's unit-head profile: the
SKP from the PK (RHK = the PK's sasaran, IKI and target from the PK, the aspek read from the
indicator), the four directive IKI one tap each, perspectives, and submission to their own
pejabat penilai without the ketua tim/anggota rules (5–10 IKI, Beyond, composition, weights)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from bot.db.models import Employee, Skp, SkpItem, SkpStatus
from bot.services.demo import DIREKTUR, DIRJEN, KARO, SASARAN_OSDM
from tests.conftest import Harness
from tests.test_dialog_flow import approve, employee_id, set_skp, sign

DIRECTIVES = {
    "realisasi_anggaran": "Persentase Realisasi Anggaran Unit Kerja",
    "sakip": "Nilai SAKIP Unit Kerja",
    "mutasi": "Persentase Mutasi Pegawai antar Unit Kerja",
    "direktif": "Persentase pelaksanaan Direktif pimpinan",
}
IKP_5_1 = "Persentase kab/kota dengan cakupan pemeriksaan kesehatan gratis >80%"
RULES_OF_STAFF = {"Jumlah IKI", "Beyond", "komposisi", "Bobot", "bobot", "Core"}


async def items_of(bot: Harness, nip: str) -> list[SkpItem]:
    owner = await employee_id(bot, nip)
    async with bot.services.sessionmaker() as session:
        skp_id = await session.scalar(select(Skp.id).where(Skp.employee_id == owner))
        return list(
            (
                await session.execute(
                    select(SkpItem).where(SkpItem.skp_id == skp_id).order_by(SkpItem.position)
                )
            ).scalars()
        )


async def test_a_director_fills_from_the_pk_adds_the_directives_and_submits(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 3001)
    overview = await director.command("skp")
    # the four directive IKI, one tap each; the mandatory IPASN is not a unit head's
    offered = [label for label in overview.labels() if "IKI wajib" in label]
    assert len(offered) == 4 and not any("Profesionalitas" in label for label in offered)
    await director.click(f"IKI wajib: {DIRECTIVES['mutasi']}")
    assert director.answers()[-1]["text"] == "IKI wajib ditambahkan."

    # a directive tapped first does not keep the PK out
    await director.click("Isi dari Perjanjian Kinerja")
    assert "1 hasil kerja dari Perjanjian Kinerja" in director.answers()[-1]["text"]
    assert not any("Perjanjian Kinerja" in label for label in director.last.labels())
    _mutasi, pk = await items_of(bot, DIREKTUR)
    # RHK = the PK's sasaran; the deck gives none for IKK 5.1.1, so the IKP it measures stands
    # in (not a generated sentence)
    assert pk.rhk == IKP_5_1 and "tercapai sesuai target" not in pk.rhk
    assert pk.iki.startswith("Persentase penduduk penerima pemeriksaan kesehatan gratis")
    assert (pk.target_value, pk.satuan, pk.jenis) == (70, "%", "CL")
    assert pk.aspek.value == "kuantitas" and pk.bobot is None
    assert pk.leader_rhk == f"IKP 5.1 {IKP_5_1}" and pk.perspective == "penerima_layanan"

    for key in ("realisasi_anggaran", "sakip", "direktif"):
        await director.click(f"IKI wajib: {DIRECTIVES[key]}")
        assert director.answers()[-1]["text"] == "IKI wajib ditambahkan."
    assert not any("IKI wajib" in label for label in director.last.labels())

    rows = await items_of(bot, DIREKTUR)
    keys = ["mutasi", None, "realisasi_anggaran", "sakip", "direktif"]
    assert [r.mandatory_key for r in rows] == keys
    assert {r.iki for r in rows if r.mandatory_key} == set(DIRECTIVES.values())
    by_key = {r.mandatory_key: r for r in rows}
    assert (by_key["mutasi"].target_value, by_key["mutasi"].satuan) == (10, "%")
    assert (by_key["direktif"].target_value, by_key["direktif"].satuan) == (100, "%")
    assert all(r.bobot is None for r in rows)
    assert {r.aspek.value for r in rows} == {"kuantitas", "biaya", "kualitas"}
    assert {r.perspective for r in rows} == {
        "penerima_layanan",
        "anggaran",
        "penguatan_internal",
        "proses_bisnis",
    }

    # the head tags an item with another perspective (the buttons come from the policy)
    await director.click("Ubah, hapus")
    await director.click("5")  # Persentase pelaksanaan Direktif pimpinan
    await director.click("Ubah")
    card = await director.click("Ubah isian")
    picker = await director.click("Perspektif")
    assert [label for label in picker.labels() if "Kembali" not in label] == [
        "Penerima Layanan",
        "Proses Bisnis",
        "Penguatan Internal",
        "Anggaran",
    ]
    card = await director.click("Penerima Layanan")
    assert "Perspektif: Penerima Layanan" in card.text
    assert "Isian belum lengkap" not in card.text  # no bobot is needed
    await director.click("Simpan")
    assert (await items_of(bot, DIREKTUR))[4].perspective == "penerima_layanan"

    # submitted to their own pejabat penilai with no count/Beyond/composition/weight finding
    review = await director.click("Ajukan ke atasan")
    assert not any(word in review.text for word in RULES_OF_STAFF), review.text
    assert "Isian belum lengkap" not in review.text
    await director.click("Ya, ajukan")
    head_id, penilai_id = await employee_id(bot, DIREKTUR), await employee_id(bot, DIRJEN)
    [skp] = await bot.rows(Skp, Skp.employee_id == head_id)
    assert skp.status is SkpStatus.SUBMITTED and skp.penilai_id == penilai_id

    # the Dirjen approves, the head signs, the Dirjen sets it
    dirjen = await bot.onboard(DIRJEN, 3003)
    await dirjen.command("persetujuan")
    review = await dirjen.click("1. ")
    assert "Tidak ada hal yang terbuka" in review.text
    await approve(dirjen, review)
    await sign(director, director.last)
    await set_skp(dirjen, dirjen.last)
    [skp] = await bot.rows(Skp, Skp.employee_id == head_id)
    assert skp.status is SkpStatus.SET and skp.set_by_id == penilai_id


async def test_the_biro_head_gets_the_pk_with_its_directive_iki_recognised(bot: Harness) -> None:
    karo = await bot.onboard(KARO, 3002)
    await karo.command("skp")
    await karo.click("Isi dari Perjanjian Kinerja")
    rows = await items_of(bot, KARO)
    assert [r.iki for r in rows] == [
        "Indeks Kualitas SDM Sekretariat Jenderal",
        "Nilai Evaluasi Kelembagaan",
        "Nilai Sistem Merit Kemenkes",
        "Persentase Realisasi Anggaran Unit Kerja",
        "Nilai SAKIP Unit Kerja",
    ]
    # RHK = the PK's sasaran sentence (Sasaran Kegiatan), shared by all five indicators
    assert [r.rhk for r in rows] == [SASARAN_OSDM] * 5
    # the leader's result each supports is still the indicator above it
    assert [r.leader_rhk for r in rows] == [
        "IKP 33.3 Indeks Penerapan Sistem Merit Kemenkes",
        "ISS 33 Nilai Reformasi Birokrasi Kementerian Kesehatan",
        "IKP 33.3 Indeks Penerapan Sistem Merit Kemenkes",
        "IKP 33.2 Nilai Kinerja Anggaran Kementerian Kesehatan",
        "IKP 33.2 Nilai Kinerja Anggaran Kementerian Kesehatan",
    ]
    assert [r.jenis for r in rows] == ["CL", "CL", "MI", "TUSI", "TUSI"]
    assert [r.aspek.value for r in rows] == ["kualitas"] * 3 + ["biaya", "kualitas"]
    assert [r.target_value for r in rows] == [
        Decimal(t) for t in ("82", "86.4", "87", "96", "82.23")
    ]
    # the PK's IKD are the directive IKI: recognised, so only two remain to add
    assert [r.mandatory_key for r in rows] == [None, None, None, "realisasi_anggaran", "sakip"]
    assert all(r.perspective for r in rows)
    offered = [label for label in karo.last.labels() if "IKI wajib" in label]
    assert len(offered) == 2
    assert "Mutasi Pegawai" in offered[0] and "Direktif pimpinan" in offered[1]

    # the PK fills an empty SKP only
    assert not any("Perjanjian Kinerja" in label for label in karo.last.labels())

    # a ketua tim keeps everyone's rules: the directive IKI are not theirs
    async with bot.services.sessionmaker() as session:
        katim = await session.scalar(
            select(Employee.nip).where(Employee.penilai_id == await employee_id(bot, KARO))
        )
    assert katim is not None
    staff = await bot.onboard(katim, 3003)
    overview = await staff.command("skp")
    offered = [label for label in overview.labels() if "IKI wajib" in label]
    assert len(offered) == 1 and "Profesionalitas" in offered[0]

"""The demo organisation, built from the deck's worked data (DOMAIN.md) with fictional people:
Biro Organisasi dan SDM (unit head, 7 ketua tim, the Penilaian Kinerja team's 7 members and
the unit's PK indicators) and Direktorat Pelayanan Kesehatan Keluarga (SBBL and Surveilans
teams, the IT 1 → ISS 5 → IKP 5.1 → IKK 5.1.1 chain). It goes through the same import code
as a real file, so loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.org_import import OrgData

YEAR = 2026


@dataclass(frozen=True)
class Person:
    nip: str
    name: str
    pangkat: str
    jabatan: str
    jenis: str
    jenjang: str
    unit: str
    penilai: str | None
    admin: bool = False


# NIP: birth date + appointment month + sex + sequence; all fictional.
SEKJEN = "196805121994031001"
KARO = "197303081998032002"
DIRJEN = "196909171995031001"
DIREKTUR = "197411232000122001"
KATIM_PENKIN = "198204152008012003"
KATIM_SBBL = "198507212010122002"
KATIM_SURV = "198310052009011004"

PEOPLE: list[Person] = [
    Person(
        SEKJEN,
        "Arif Wicaksono",
        "Pembina Utama (IV/e)",
        "Sekretaris Jenderal",
        "JPT",
        "Madya",
        "SETJEN",
        None,
    ),
    Person(
        KARO,
        "Ratna Wulandari",
        "Pembina Utama Muda (IV/c)",
        "Kepala Biro Organisasi dan Sumber Daya Manusia",
        "JPT",
        "Pratama",
        "ROOSDM",
        SEKJEN,
    ),
    Person(
        "198001102005011001",
        "Hendro Saputra",
        "Pembina (IV/a)",
        "Analis Organisasi Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    Person(
        "198106242006042002",
        "Maya Kartika",
        "Pembina (IV/a)",
        "Analis SDM Aparatur Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    Person(
        "197912302005012001",
        "Lina Marlina",
        "Pembina Tingkat I (IV/b)",
        "Analis SDM Aparatur Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    Person(
        "198303182009121002",
        "Yusuf Hidayat",
        "Pembina (IV/a)",
        "Analis SDM Aparatur Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    Person(
        KATIM_PENKIN,
        "Dewi Anggraini",
        "Pembina (IV/a)",
        "Analis SDM Aparatur Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    Person(
        "198402292010011003",
        "Rudi Hermawan",
        "Pembina (IV/a)",
        "Analis SDM Aparatur Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    Person(
        "198511112010121001",
        "Agus Prasetyo",
        "Pembina (IV/a)",
        "Pranata Komputer Ahli Madya",
        "JF",
        "Ahli Madya",
        "ROOSDM",
        KARO,
    ),
    # The Penilaian Kinerja team: one PIC per eselon-1 unit (pembagian wilayah).
    Person(
        "199002142015032001",
        "Fitri Handayani",
        "Penata (III/c)",
        "Analis SDM Aparatur Ahli Muda",
        "JF",
        "Ahli Muda",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    Person(
        "198909092014031002",
        "Bayu Nugroho",
        "Penata Tingkat I (III/d)",
        "Analis SDM Aparatur Ahli Muda",
        "JF",
        "Ahli Muda",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    Person(
        "199205202017012001",
        "Sinta Permata",
        "Penata Muda Tingkat I (III/b)",
        "Analis SDM Aparatur Ahli Pertama",
        "JF",
        "Ahli Pertama",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    Person(
        "199108032016021001",
        "Taufik Rahman",
        "Penata (III/c)",
        "Analis SDM Aparatur Ahli Muda",
        "JF",
        "Ahli Muda",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    Person(
        "199312122019032001",
        "Nadia Safitri",
        "Penata Muda (III/a)",
        "Analis SDM Aparatur Ahli Pertama",
        "JF",
        "Ahli Pertama",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    Person(
        "198807072013011001",
        "Irfan Maulana",
        "Penata Tingkat I (III/d)",
        "Analis SDM Aparatur Ahli Muda",
        "JF",
        "Ahli Muda",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    Person(
        "199406252020122001",
        "Rina Oktaviani",
        "Penata Muda (III/a)",
        "Pranata SDM Aparatur Terampil",
        "JF",
        "Terampil",
        "ROOSDM",
        KATIM_PENKIN,
    ),
    # An HR administrator of the Biro (Sistem Informasi ASN team).
    Person(
        "199104172015022001",
        "Yuliana Putri",
        "Penata (III/c)",
        "Pranata Komputer Ahli Muda",
        "JF",
        "Ahli Muda",
        "ROOSDM",
        "198511112010121001",
        admin=True,
    ),
    # Direktorat Pelayanan Kesehatan Keluarga
    Person(
        DIRJEN,
        "Budi Santoso",
        "Pembina Utama (IV/e)",
        "Direktur Jenderal Kesehatan Primer dan Komunitas",
        "JPT",
        "Madya",
        "DJKPK",
        None,
    ),
    Person(
        DIREKTUR,
        "Sri Rahayu",
        "Pembina Utama Muda (IV/c)",
        "Direktur Pelayanan Kesehatan Keluarga",
        "JPT",
        "Pratama",
        "YANKESGA",
        DIRJEN,
    ),
    Person(
        KATIM_SBBL,
        "Intan Purnamasari",
        "Pembina (IV/a)",
        "Administrator Kesehatan Ahli Madya",
        "JF",
        "Ahli Madya",
        "YANKESGA",
        DIREKTUR,
    ),
    Person(
        "199003032015032002",
        "Putri Lestiani",
        "Penata (III/c)",
        "Administrator Kesehatan Ahli Muda",
        "JF",
        "Ahli Muda",
        "YANKESGA",
        KATIM_SBBL,
    ),
    Person(
        "199211212018011001",
        "Galih Pratama",
        "Penata Muda Tingkat I (III/b)",
        "Analis Kebijakan Ahli Pertama",
        "JA",
        "Ahli Pertama",
        "YANKESGA",
        KATIM_SBBL,
    ),
    Person(
        KATIM_SURV,
        "Wahyu Setiawan",
        "Pembina (IV/a)",
        "Epidemiolog Kesehatan Ahli Madya",
        "JF",
        "Ahli Madya",
        "YANKESGA",
        DIREKTUR,
    ),
    Person(
        "199109192016042001",
        "Lestari Wibowo",
        "Penata (III/c)",
        "Epidemiolog Kesehatan Ahli Muda",
        "JF",
        "Ahli Muda",
        "YANKESGA",
        KATIM_SURV,
    ),
    Person(
        "199501012020121002",
        "Dimas Aditya",
        "Penata Muda (III/a)",
        "Epidemiolog Kesehatan Ahli Pertama",
        "JF",
        "Ahli Pertama",
        "YANKESGA",
        KATIM_SURV,
    ),
]

UNITS = [
    ("KEMENKES", "Kementerian Kesehatan", "", "WIB", ""),
    ("SETJEN", "Sekretariat Jenderal", "KEMENKES", "WIB", SEKJEN),
    ("ROOSDM", "Biro Organisasi dan Sumber Daya Manusia", "SETJEN", "WIB", KARO),
    ("DJKPK", "Direktorat Jenderal Kesehatan Primer dan Komunitas", "KEMENKES", "WIB", DIRJEN),
    ("YANKESGA", "Direktorat Pelayanan Kesehatan Keluarga", "DJKPK", "WIB", DIREKTUR),
]

TEAMS = [
    ("OSDM-ORTALA", "Organisasi dan Tata Laksana", "ROOSDM", "198001102005011001"),
    ("OSDM-PENATAAN", "Penataan ASN", "ROOSDM", "198106242006042002"),
    ("OSDM-TALENTA", "Manajemen Talenta", "ROOSDM", "197912302005012001"),
    ("OSDM-PROMUT", "Promosi dan Mutasi", "ROOSDM", "198303182009121002"),
    ("OSDM-PENKIN", "Penilaian Kinerja ASN", "ROOSDM", KATIM_PENKIN),
    (
        "OSDM-DISIPLIN",
        "Penegakan Disiplin dan Pemberian Penghargaan ASN",
        "ROOSDM",
        "198402292010011003",
    ),
    ("OSDM-SIASN", "Sistem Informasi ASN", "ROOSDM", "198511112010121001"),
    ("KESGA-SBBL", "Skrining Bayi Baru Lahir", "YANKESGA", KATIM_SBBL),
    ("KESGA-SURV", "Surveilans Kesehatan Keluarga", "YANKESGA", KATIM_SURV),
]

MEMBERS = [("OSDM-PENKIN", p.nip) for p in PEOPLE if p.penilai == KATIM_PENKIN] + [
    ("OSDM-SIASN", "199104172015022001"),
    ("KESGA-SBBL", "199003032015032002"),
    ("KESGA-SBBL", "199211212018011001"),
    ("KESGA-SURV", "199109192016042001"),
    ("KESGA-SURV", "199501012020121002"),
]

# (code, kind, name, parent, target, satuan, unit, peran)
INDICATORS = [
    (
        "IT 6",
        "IT",
        "Nilai Good Public Governance Kementerian Kesehatan",
        "",
        "",
        "",
        "SETJEN",
        "penanggung_jawab",
    ),
    (
        "ISS 33",
        "ISS",
        "Nilai Reformasi Birokrasi Kementerian Kesehatan",
        "IT 6",
        "92,16",
        "%",
        "SETJEN",
        "penanggung_jawab",
    ),
    (
        "IKP 33.2",
        "IKP",
        "Nilai Kinerja Anggaran Kementerian Kesehatan",
        "ISS 33",
        "",
        "",
        "SETJEN",
        "penanggung_jawab",
    ),
    (
        "IKP 33.3",
        "IKP",
        "Indeks Penerapan Sistem Merit Kemenkes",
        "ISS 33",
        "0,87",
        "Indeks",
        "SETJEN",
        "penanggung_jawab",
    ),
    (
        "IKK 33.3.1",
        "IKK",
        "Indeks Kualitas SDM Sekretariat Jenderal",
        "IKP 33.3",
        "82",
        "Nilai",
        "ROOSDM",
        "penanggung_jawab",
    ),
    (
        "IKK 33.4.4",
        "IKK",
        "Nilai Evaluasi Kelembagaan",
        "ISS 33",
        "86,4",
        "Nilai",
        "ROOSDM",
        "penanggung_jawab",
    ),
    (
        "IKM 33.3.1",
        "IKM",
        "Nilai Sistem Merit Kemenkes",
        "IKP 33.3",
        "87",
        "Nilai",
        "ROOSDM",
        "penanggung_jawab",
    ),
    (
        "IKD 33.2.1",
        "IKD",
        "Persentase Realisasi Anggaran Unit Kerja",
        "IKP 33.2",
        "96",
        "%",
        "ROOSDM",
        "penanggung_jawab",
    ),
    (
        "IKD 33.2.2",
        "IKD",
        "Nilai SAKIP Unit Kerja",
        "IKP 33.2",
        "82,23",
        "Nilai",
        "ROOSDM",
        "penanggung_jawab",
    ),
    (
        "IT 1",
        "IT",
        "Usia Harapan Hidup Sehat (Healthy Adjusted Life Expectancy/HALE)",
        "",
        "63,5",
        "Tahun",
        "DJKPK",
        "kontributor",
    ),
    (
        "ISS 5",
        "ISS",
        "Cakupan penerima pemeriksaan kesehatan gratis",
        "IT 1",
        "46",
        "%",
        "DJKPK",
        "penanggung_jawab",
    ),
    (
        "IKP 5.1",
        "IKP",
        "Persentase kab/kota dengan cakupan pemeriksaan kesehatan gratis >80%",
        "ISS 5",
        "60",
        "%",
        "YANKESGA",
        "penanggung_jawab",
    ),
    (
        "IKK 5.1.1",
        "IKK",
        "Persentase penduduk penerima pemeriksaan kesehatan gratis kelompok usia bayi baru lahir",
        "IKP 5.1",
        "70",
        "%",
        "YANKESGA",
        "penanggung_jawab",
    ),
]

# The PK's sasaran each indicator measures (a unit head's RHK), as the Biro's PK states it:
# "Sasaran Kegiatan" of Kegiatan 6793 Pengelolaan Organisasi dan Manajemen ASN. The deck gives
# none for IKK 5.1.1, so the Direktorat's RHK falls back to the IKP above it.
SASARAN_OSDM = (
    "Meningkatnya Kualitas Sumber Daya Manusia berdasarkan Sistem Merit dan Tata Kelola "
    "Kelembagaan Kemenkes yang Efektif dan Efisien"
)
SASARAN = {
    code: SASARAN_OSDM
    for code in ("IKK 33.3.1", "IKK 33.4.4", "IKM 33.3.1", "IKD 33.2.1", "IKD 33.2.2")
}


def demo_data() -> OrgData:
    data = OrgData()
    for i, (code, name, parent, tz, head) in enumerate(UNITS, start=2):
        data.add("unit", i, kode=code, nama=name, induk=parent, zona_waktu=tz, kepala_nip=head)
    for i, p in enumerate(PEOPLE, start=2):
        data.add(
            "pegawai",
            i,
            nip=p.nip,
            nama=p.name,
            pangkat_golongan=p.pangkat,
            jabatan=p.jabatan,
            jenis_jabatan=p.jenis,
            jenjang=p.jenjang,
            unit=p.unit,
            pejabat_penilai_nip=p.penilai or "",
            admin="ya" if p.admin else "tidak",
        )
    for i, (code, name, unit, leader) in enumerate(TEAMS, start=2):
        data.add("tim", i, kode=code, nama=name, unit=unit, ketua_nip=leader)
    for i, (team, nip) in enumerate(MEMBERS, start=2):
        data.add("anggota_tim", i, tim=team, nip=nip)
    for i, (code, kind, name, parent, target, satuan, unit, role) in enumerate(INDICATORS, start=2):
        data.add(
            "indikator",
            i,
            tahun=YEAR,
            kode=code,
            jenis=kind,
            nama=name,
            induk=parent,
            target=target,
            satuan=satuan,
            unit=unit,
            peran=role,
            sasaran=SASARAN.get(code, ""),
        )
    return data

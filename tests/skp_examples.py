"""The deck's worked SKP examples, as the rules and the flows see them."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.skp_rules import Item

LEADER_IKI = (
    "Persentase penduduk penerima pemeriksaan kesehatan gratis kelompok usia bayi baru lahir"
)
LEADER_RHK = "Terwujudnya pelaksanaan skrining bayi baru lahir sesuai standar di seluruh provinsi"

# The SBBL Katim's final list (DOMAIN.md): Core 20+5+5+20+10+10+20+10 = 100%, Beyond 20%.
# The deck gives IKI, targets and weights; the RHK wording and the CL/TUSI split (50/40, the
# policy's composition for someone with a direct cascade) are ours.
# (jenis, rhk, aspek, iki, target as typed, satuan, bobot as typed)
SBBL_KATIM: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "CL",
        "NSPK skrining bayi baru lahir tersusun sesuai ketentuan dan tepat waktu",
        "waktu",
        "Persentase NSPK Skrining Bayi Baru Lahir (Lampiran RKMK Pelayanan Pasca Persalinan) tahun 2026 tersusun tepat waktu",
        "100%",
        "%",
        "20",
    ),
    (
        "CL",
        "Usulan penyediaan BMHP skrining bayi baru lahir dirumuskan sesuai kebutuhan daerah",
        "kuantitas",
        "Jumlah usulan penyediaan BMHP untuk mendukung pelaksanaan SBBL tahun 2026",
        "2 rumusan",
        "Rumusan",
        "5",
    ),
    (
        "CL",
        "Advokasi dan koordinasi LP/LS skrining bayi baru lahir terlaksana sesuai rencana",
        "kuantitas",
        "Jumlah Pelaksanaan Advokasi dan Koordinasi LP/LS Skrining Bayi Baru Lahir tahun 2026",
        "4 kali",
        "Kali",
        "5",
    ),
    (
        "CL",
        "Rekomendasi hasil advokasi skrining bayi baru lahir ditindaklanjuti sesuai target",
        "kualitas",
        "Persentase rekomendasi hasil advokasi skrining bayi baru lahir yang ditindaklanjuti",
        "100%",
        "%",
        "20",
    ),
    (
        "TUSI",
        "Peningkatan kapasitas (webinar) SBBL terselenggara sesuai standar",
        "kualitas",
        "Persentase peserta yang mengikuti peningkatan kapasitas (Webinar) SBBL tahun 2026",
        "100%",
        "%",
        "10",
    ),
    (
        "TUSI",
        "Monitoring dan evaluasi SBBL di 14 regional terlaksana sesuai jadwal",
        "kuantitas",
        "Jumlah Monitoring dan Evaluasi Pelaksanaan SBBL di 14 regional tahun 2026",
        "4 kali",
        "Kali",
        "10",
    ),
    (
        "TUSI",
        "Rekomendasi monitoring dan evaluasi SBBL diselesaikan sesuai target waktu",
        "kualitas",
        "Persentase Penyelesaian Rekomendasi Monitoring dan Evaluasi Pelaksanaan SBBL di 14 regional tahun 2026",
        "80%",
        "%",
        "20",
    ),
    (
        "MI",
        "Indeks Profesionalitas ASN yang optimal dicapai sesuai ketentuan dan target yang ditetapkan",
        "kualitas",
        "Nilai Indeks Profesionalitas ASN (IPASN)",
        "82 Nilai",
        "Nilai",
        "10",
    ),
    (
        "BYD",
        "Program reward dan sharing session success story Labkesda terselenggara sesuai rencana",
        "kuantitas",
        "Jumlah Inisiatif Program Reward & Sharing Session dari Success Story Labkesda dengan pencapaian terbaik skrining bayi baru lahir",
        "1 Program",
        "Program",
        "20",
    ),
]


def sbbl_items() -> list[Item]:
    from bot.domain.numbers import parse_number

    items = []
    for jenis, rhk, aspek, iki, target, satuan, bobot in SBBL_KATIM:
        value = parse_number(target.split()[0].rstrip("%"))
        items.append(
            Item(
                jenis,
                rhk,
                iki,
                aspek,
                value,
                satuan,
                Decimal(bobot),
                LEADER_RHK if jenis == "CL" else "",
            )
        )
    return items


# The deck's "RHK = output + qualifier" table: good pairs that must lint clean.
DECK_GOOD: list[tuple[str, str, str]] = [
    (
        "Layanan laboratorium patologi klinik dengan waktu tunggu pelayanan kurang dari 2 jam dilakukan sesuai standar/ketentuan",
        "Persentase layanan laboratorium patologi klinik dengan waktu tunggu pelayanan kurang dari 2 jam",
        "%",
    ),
    (
        "Karya ilmiah hasil riset tentang xxx disusun sesuai ketentuan dan siap dipublikasikan",
        "Jumlah karya ilmiah hasil riset tentang xxx",
        "Dokumen",
    ),
    (
        "Kalibrasi alat kesehatan yang tersertifikasi dilakukan sesuai ketentuan dan target waktu yang ditetapkan",
        "Jumlah sertifikat hasil kalibrasi alat kesehatan",
        "Dokumen",
    ),
    (
        "Indeks Profesionalitas ASN yang optimal dicapai sesuai ketentuan dan target yang ditetapkan",
        "Nilai IP ASN",
        "Nilai",
    ),
    (
        "Data rekapitulasi kehadiran pegawai dikelola dan diolah yang siap menjadi salah satu dasar pembayaran remunerasi",
        "Jumlah data rekapitulasi kehadiran pegawai",
        "Dokumen",
    ),
]

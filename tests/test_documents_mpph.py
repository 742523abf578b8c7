"""The MPPH as XLSX, cell by cell against the deck's Biro OSDM example ("Simulasi Penyusunan
MPPH"): the Kepala Biro's 380 Nilai divided over seven ketua tim (pembagian aspek; Promosi
dan Mutasi non-direct), and the Penilaian Kinerja ketua tim's result divided over her seven
members by region, stacked below as "MPPH 2 Tingkat" shows. The cells are the assignees'
current items (one changed after it was sent), a role not sent yet is marked as a proposal;
each column's foot has the leader's target and the sum per satuan; borders, wrapping, A4
landscape fitted to the width, the heading rows repeated on every printed page."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.container import Services
from bot.db.models import CascadeMethod, Employee, SkpItem, SkpStatus
from bot.documents.mpph import mpph_matrix, mpph_xlsx
from bot.domain.numbers import parse_number
from bot.services import cascade as cas
from bot.services import cascade_send
from bot.services import skp as store
from bot.services.demo import KARO, KATIM_PENKIN
from tests.document_seeds import seed_skp
from tests.test_documents_sheets import HOSTILE, sheet_xml

MERIT_RHK = "Terwujudnya Penerapan Sistem Merit Dalam Manajemen ASN Kemenkes"
MERIT_IKI = "Nilai penerapan sistem merit Kemenkes"
ASPEK, LAYANAN, WILAYAH = CascadeMethod.ASPEK, CascadeMethod.LAYANAN, CascadeMethod.WILAYAH


def merit(aspect: str) -> str:
    return f"Nilai penerapan sistem merit aspek {aspect} dicapai secara valid dan lengkap"


def aspect(name: str, target: str) -> tuple[CascadeMethod, str, str, str]:
    """A role of the deck's pembagian aspek: the aspect's merit value as RHK and IKI."""
    return (ASPEK, merit(name), f"Nilai penerapan sistem merit aspek {name}", target)


def service(rhk: str, iki: str, target: str) -> tuple[CascadeMethod, str, str, str]:
    """A non-direct role (pendekatan layanan)."""
    return (LAYANAN, rhk, iki, target)


# (ketua tim, [(method, peran hasil / RHK, IKI, target)]) — the deck's slides 1/5 to 5/5
TEAMS = [
    ("Hendro Saputra", [aspect("perencanaan kebutuhan sub aspek peta jabatan", "10 Nilai")]),
    (
        "Maya Kartika",
        [
            aspect("perencanaan kebutuhan sub aspek rencana pemenuhan", "10 Nilai"),
            aspect("pengadaan", "40 Nilai"),
        ],
    ),
    (
        "Lina Marlina",
        [
            aspect("pengembangan karier", "97,5 Nilai"),
            aspect("manajemen kinerja sub aspek penggunaan hasil penilaian", "10 Nilai"),
            aspect("sistem informasi sub aspek assessment center", "6 Nilai"),
            aspect("promosi dan mutasi", "40 Nilai"),
        ],
    ),
    (
        "Yusuf Hidayat",
        [
            service(
                "Rancangan kebijakan mutasi PNS dari instansi lain disusun sesuai ketentuan",
                "Jumlah surat edaran terkait mutasi PNS",
                "1 Rancangan",
            ),
            service(
                "Penerimaan PNS dari instansi lain dilaksanakan secara terbuka dan kompetitif",
                "Persentase pelaksanaan penerimaan PNS dari instansi lain",
                "100%",
            ),
            service(
                "Layanan administrasi kepegawaian dikelola sesuai aturan",
                "Persentase layanan administrasi kepegawaian",
                "96%",
            ),
        ],
    ),
    (
        "Dewi Anggraini",
        [
            aspect("manajemen kinerja", "67,5 Nilai"),
            aspect("pengembangan karier sub aspek kesenjangan kinerja", "10 Nilai"),
        ],
    ),
    (
        "Rudi Hermawan",
        [
            aspect("penggajian, penghargaan dan disiplin", "30 Nilai"),
            aspect("perlindungan dan pelayanan", "8 Nilai"),
        ],
    ),
    (
        "Agus Prasetyo",
        [
            aspect("sistem informasi", "14 Nilai"),
            aspect("perencanaan kebutuhan sub aspek data kepegawaian", "20 Nilai"),
            aspect("penggajian sub aspek tunjangan kinerja dan data disiplin", "17,5 Nilai"),
            aspect("perlindungan dan pelayanan sub aspek fasilitas layanan", "8 Nilai"),
        ],
    ),
]
# The Penilaian Kinerja members: one PIC per eselon-1 unit (pembagian wilayah), 100% each.
REGIONS = {
    "Bayu Nugroho": "Ditjen SDMK",
    "Fitri Handayani": "Ditjen Farmalkes",
    "Irfan Maulana": "Setjen",
    "Nadia Safitri": "Ditjen Kesprimkom",
    "Rina Oktaviani": "BKPK dan Itjen",
    "Sinta Permata": "Ditjen P2",
    "Taufik Rahman": "Ditjen Keslan",
}


def member_rhk(region: str) -> str:
    return f"Kontrak kinerja unit kerja di {region} yang didampingi tersusun terukur"


def split(target: str) -> tuple[Decimal, str]:
    value, _, satuan = target.replace("%", " %").partition(" ")
    number = parse_number(value)
    assert number is not None
    return number, satuan.strip()


async def cascade_roles(
    services: Services, leader_nip: str, source_position: int, roles: list[tuple]
) -> None:
    """The leader's cascade of their item at `source_position`: one strategy, an activity per
    assignee, the roles (assignee's name, method, RHK, IKI, target), sent as draft items."""
    now = services.clock()
    async with services.sessionmaker() as session, session.begin():
        leader = (
            await session.execute(select(Employee).where(Employee.nip == leader_nip))
        ).scalar_one()
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = await store.latest_skp(session, leader.id, period.id)
        assert skp is not None
        source = next(
            i for i in await store.items_of(session, skp.id) if i.position == source_position
        )
        cascade = await cas.open_cascade(session, leader.id, period, source, now)
        strategy = await cas.add_strategy(session, cascade, "Strategi pencapaian")
        people = {p.name: p for p in await cas.reports_of(session, leader.id)}
        for name, method, rhk, iki, target in roles:
            activity = await cas.add_activity(session, strategy, f"Kegiatan {name}")
            role = await cas.add_role(session, activity.id, people[name].id, method)
            role.rhk, role.iki = rhk, iki
            role.target_value, role.satuan = split(target)
        await session.flush()
        nodes = await cas.tree(session, cascade.id)
        policy = await store.policy_for(session, period)
        await cascade_send.send(session, cascade, nodes, period, policy, now)


async def seed_biro(services: Services) -> None:
    await seed_skp(
        services,
        KARO,
        [("TUSI", MERIT_RHK, "kualitas", MERIT_IKI, "380", "Nilai", "10")],
        status=SkpStatus.SET,
    )
    roles = [(who, *role) for who, team_roles in TEAMS for role in team_roles]
    await cascade_roles(services, KARO, 1, roles)
    wilayah = [
        (name, WILAYAH, member_rhk(region), "Persentase kontrak kinerja terukur", "100%")
        for name, region in REGIONS.items()
    ]
    await cascade_roles(services, KATIM_PENKIN, 1, wilayah[:6])
    # Lina raised a target in her draft after it was sent; Taufik's role is not sent yet
    async with services.sessionmaker() as session, session.begin():
        await session.execute(
            update(SkpItem)
            .where(SkpItem.iki == "Nilai penerapan sistem merit aspek pengembangan karier")
            .values(target_value=Decimal(100), rhk=merit("pengembangan karier") + " (revisi)")
        )
    await cascade_roles_unsent(services, wilayah[6])


async def cascade_roles_unsent(services: Services, role: tuple) -> None:
    name, method, rhk, iki, target = role
    async with services.sessionmaker() as session, session.begin():
        dewi = (
            await session.execute(select(Employee).where(Employee.nip == KATIM_PENKIN))
        ).scalar_one()
        period = await store.current_period(session, services.clock().date())
        assert period is not None
        skp = await store.latest_skp(session, dewi.id, period.id)
        assert skp is not None
        [source, *_] = await store.items_of(session, skp.id)
        cascade = await cas.open_cascade(session, dewi.id, period, source, services.clock())
        [strategy] = await cas.tree(session, cascade.id)
        activity = await cas.add_activity(session, strategy.strategy, f"Kegiatan {name}")
        person = next(p for p in await cas.reports_of(session, dewi.id) if p.name == name)
        row = await cas.add_role(session, activity.id, person.id, method)
        row.rhk, row.iki = rhk, iki
        row.target_value, row.satuan = split(target)


def cell(rhk: str, target: str) -> str:
    return f"{rhk} — {target}"


async def test_the_biro_osdm_mpph_two_levels_cell_by_cell(demo: Services) -> None:
    await seed_biro(demo)
    async with demo.sessionmaker() as session:
        karo = (await session.execute(select(Employee).where(Employee.nip == KARO))).scalar_one()
        period = await store.current_period(session, demo.clock().date())
        assert period is not None
        matrix = await mpph_matrix(session, karo, period)
    content = mpph_xlsx(matrix, demo.documents.texts)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][0] == "MATRIKS PEMBAGIAN PERAN DAN HASIL (MPPH)"
    assert rows[1][0] == "Biro Organisasi dan Sumber Daya Manusia — Periode 2026"
    band = ["Pegawai", "Jabatan", "Output/Output Antara/Layanan"]
    assert rows[3] == band
    assert rows[4] == [
        "Ratna Wulandari",
        "Kepala Biro Organisasi dan Sumber Daya Manusia",
        cell(MERIT_IKI, "380 Nilai"),
    ]
    expected = {}
    for who, team_roles in TEAMS:
        lines = [cell(rhk, target) for _m, rhk, _iki, target in team_roles]
        expected[who] = "\n".join(lines)
    expected["Lina Marlina"] = expected["Lina Marlina"].replace(
        cell(merit("pengembangan karier"), "97,5 Nilai"),
        cell(merit("pengembangan karier") + " (revisi)", "100 Nilai"),
    )
    level1 = {r[0]: r for r in rows[5:12]}
    assert list(level1) == sorted(expected)  # the leader's people, by name
    for who, text in expected.items():
        assert level1[who][2] == text, who
    assert level1["Dewi Anggraini"][1] == "Analis SDM Aparatur Ahli Madya"
    # the column's foot: the parent's target, the peran hasil summed per satuan (the deck's
    # aspects add up to 388,5 Nilai, 391 after Lina's change; percentages are not added)
    assert rows[12] == ["Target Ratna Wulandari", None, "380 Nilai"]
    assert rows[13] == [
        "Jumlah peran hasil",
        None,
        "391 Nilai + 1 Rancangan; 2 IKI dalam persen (tidak dijumlahkan)",
    ]
    # level 2, stacked below in the same column: the ketua tim, then her members
    assert rows[14] == [None, None, None] and rows[15] == band
    assert rows[16][0] == "Dewi Anggraini" and rows[16][2] == expected["Dewi Anggraini"]
    members = {r[0]: r[2] for r in rows[17:24]}
    assert list(members) == sorted(REGIONS)
    for name, region in REGIONS.items():
        mark = " (usulan, belum dikirim)" if name == list(REGIONS)[-1] else ""
        assert members[name] == cell(member_rhk(region), "100%") + mark, name
    assert rows[24] == ["Target Dewi Anggraini", None, "77,5 Nilai"]
    assert rows[25] == ["Jumlah peran hasil", None, "7 IKI dalam persen (tidak dijumlahkan)"]
    assert len(rows) == 26

    # print set-up: borders, wrapping, A4 landscape fitted to one page wide, headings repeated
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$4:$5"
    for row in sheet.iter_rows(min_row=4, max_row=26):
        for c in row:
            if row[0].value is None:
                continue
            assert c.border.left.style == "thin" and c.border.bottom.style == "thin", c.coordinate
            assert c.alignment.wrap_text, c.coordinate
    assert sheet["A4"].font.bold and sheet["C4"].fill.fgColor.rgb.endswith("D9D9D9")


async def test_the_mpph_keeps_typed_formulas_as_text(demo: Services) -> None:
    await seed_skp(
        demo,
        KARO,
        [("TUSI", MERIT_RHK, "kualitas", HOSTILE[3], "380", "Nilai", "10")],
        status=SkpStatus.SET,
    )
    roles = [("Maya Kartika", ASPEK, HOSTILE[0], HOSTILE[1], "10 Nilai")]
    await cascade_roles(demo, KARO, 1, roles)
    async with demo.sessionmaker() as session, session.begin():
        await session.execute(
            update(Employee).where(Employee.name == "Maya Kartika").values(jabatan=HOSTILE[2])
        )
    async with demo.sessionmaker() as session:
        karo = (await session.execute(select(Employee).where(Employee.nip == KARO))).scalar_one()
        period = await store.current_period(session, demo.clock().date())
        assert period is not None
        matrix = await mpph_matrix(session, karo, period)
    content = mpph_xlsx(matrix, demo.documents.texts)
    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).active
    [maya] = [r for r in sheet.iter_rows() if r[0].value == "Maya Kartika"]
    assert (maya[1].value, maya[1].data_type, maya[1].quotePrefix) == (HOSTILE[2], "s", True)
    assert maya[2].value == cell(HOSTILE[0], "10 Nilai") and maya[2].quotePrefix
    leader = next(r for r in sheet.iter_rows() if r[0].value == "Ratna Wulandari")
    assert leader[2].value == cell(HOSTILE[3], "380 Nilai") and leader[2].quotePrefix

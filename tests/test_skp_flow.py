"""Susun SKP through the real Application: the deck's SBBL list drafted item by item and
submitted, editing, deleting and reordering, resuming after a restart and from the terminal,
bad input, stale and forged buttons, and submission blocked by errors or confirmed past
warnings."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from bot.db.models import AuditLog, DialogState, Employee, Outbox, Skp, SkpItem, SkpStatus
from bot.engine.types import Event
from bot.services.demo import DIREKTUR, KATIM_SBBL
from tests.conftest import Harness
from tests.skp_examples import LEADER_IKI, LEADER_RHK, SBBL_KATIM
from tests.telegram_fake import ChatClient, Sent

ASPEK = {"kuantitas": "Kuantitas", "kualitas": "Kualitas", "waktu": "Waktu", "biaya": "Biaya"}
LINK = {"CL": "RHK 1", "TUSI": "TUSI", "MI": "MI", "BYD": "BYD"}


async def add_item(
    c: ChatClient,
    *,
    link: str,
    rhk: str,
    aspek: str,
    iki: str,
    target: str,
    bobot: str,
    satuan: str | None = None,
    then_more: bool = False,
) -> Sent:
    """One item through the wizard: the type from step 1 is not asked again; an IKI with
    findings shows them at once and is kept ("Lanjutkan"). Returns the card as saved. With
    `then_more` it is saved with "Simpan & tambah lagi", which opens the next item at its RHK
    with the same RHK atasan or jenis ("Kembali" picks another)."""
    step = c.last
    if "Langkah 2/7" in step.text and "Sama dengan butir sebelumnya" in step.text:
        # after "Simpan & tambah lagi": the previous item's RHK atasan or jenis is kept
        same = (
            "RHK atasan yang didukung" in step.text
            if link.startswith("RHK")
            else f"Jenis IKI: <b>{link}</b>" in step.text
        )
        if not same:
            await c.click("Kembali")
            step = await c.click(link)
    else:
        if "Langkah 1/7" not in step.text:
            await c.click("Tambah hasil kerja")
        step = await c.click(link)
    assert "Langkah 2/7" in step.text
    assert "Langkah 3/7" in (await c.send(rhk)).text
    assert "Langkah 4/7" in (await c.click(ASPEK[aspek])).text
    after_iki = await c.send(iki)
    if "Pemeriksaan IKI" in after_iki.text:
        after_iki = await c.click("Lanjutkan")
    assert "Langkah 5/7" in after_iki.text
    after_target = await c.send(target)
    if satuan is not None:
        assert "Langkah 6/7" in after_target.text
        await c.click(satuan)
    assert "Langkah 7/7" in c.last.text and "Jenis IKI" not in c.last.text
    card = await c.send(bobot)
    assert "Ringkasan butir" in card.text
    assert card.labels()[0] == "💾 Simpan"  # the same action in the same place
    if then_more:
        nxt = await c.click("Simpan & tambah lagi")
        assert "tersimpan" in nxt.text and "Langkah 2/7" in nxt.text
    else:
        await c.click("Simpan")
    return card


async def add_sbbl_items(
    c: ChatClient, rows: list[tuple[str, str, str, str, str, str, str]], then_more: bool = False
) -> None:
    """The deck's rows through the wizard, one after the other (with `then_more`, each but the
    last saved with "Simpan & tambah lagi")."""
    for n, (jenis, rhk, aspek, iki, target, satuan, bobot) in enumerate(rows, start=1):
        needs_satuan = not any(ch.isalpha() or ch == "%" for ch in target)
        await add_item(
            c,
            link=LINK[jenis],
            rhk=rhk,
            aspek=aspek,
            iki=iki,
            target=target,
            bobot=bobot,
            satuan=satuan if needs_satuan else None,
            then_more=then_more and n < len(rows),
        )


async def leader_with_one_rhk(bot: Harness) -> ChatClient:
    """The director drafts her own SKP (one item) so her staff can intervene it."""
    director = await bot.onboard(DIREKTUR, 801)
    await director.command("skp")
    await add_item(
        director,
        link="TUSI",
        rhk=LEADER_RHK,
        aspek="kualitas",
        iki=LEADER_IKI,
        target="70%",
        bobot="100",
    )
    return director


async def test_the_sbbl_katim_drafts_the_decks_list_and_submits(bot: Harness) -> None:
    director = await leader_with_one_rhk(bot)
    katim = await bot.onboard(KATIM_SBBL, 802)
    overview = await katim.click("Susun SKP")
    assert "SKP 2026" in overview.text and "Belum ada hasil kerja" in overview.text
    # the MI item is added with one tap below
    await add_sbbl_items(katim, [row for row in SBBL_KATIM if row[0] != "MI"])
    overview = katim.last
    assert "Core: <b>90%</b>" in overview.text and "Beyond: <b>20%</b>" in overview.text
    await katim.click("IKI wajib: Nilai Indeks Profesionalitas ASN")
    overview = katim.last
    assert "Jumlah IKI: <b>9</b>" in overview.text
    assert "Core: <b>100%</b>" in overview.text and "Total bobot: 120%" in overview.text
    assert "Tidak ada temuan" in overview.text
    assert not any("IKI wajib" in label for label in overview.labels())

    review = await katim.click("Ajukan ke atasan")
    assert "memenuhi seluruh ketentuan" in review.text and "Sri Rahayu" in review.text
    before_leader = director.mark()
    _, submit_data = katim.find_button("Ya, ajukan", review)
    mark = katim.mark()
    await katim.click("Ya, ajukan")
    assert any("sudah diajukan kepada <b>Sri Rahayu</b>" in t for t in katim.texts_since(mark))
    assert "🔒" in katim.last.text and "Tambah hasil kerja" not in str(katim.last.labels())

    async with bot.services.sessionmaker() as session:
        katim_id = await session.scalar(select(Employee.id).where(Employee.nip == KATIM_SBBL))
        skp = (await session.execute(select(Skp).where(Skp.employee_id == katim_id))).scalar_one()
        items = list(
            (
                await session.execute(
                    select(SkpItem).where(SkpItem.skp_id == skp.id).order_by(SkpItem.position)
                )
            ).scalars()
        )
    assert skp.status is SkpStatus.SUBMITTED and skp.submitted_at is not None
    assert [i.jenis for i in items] == ["CL"] * 4 + ["TUSI"] * 3 + ["BYD", "MI"]
    assert sum(i.bobot for i in items) == 120
    assert items[0].leader_rhk == LEADER_RHK and items[0].leader_item_id is not None
    assert items[1].target_value == 2 and items[1].satuan == "Rumusan"
    assert items[0].target_value == 100 and items[0].satuan == "%"
    assert items[8].mandatory_key == "ipasn" and items[8].target_value == 82

    # the leader was told, through the outbox, in the same transaction as the submission
    [note] = await bot.rows(Outbox, Outbox.kind == "skp_submitted")
    assert note.sent_at is not None
    [told] = director.texts_since(before_leader)
    assert "Intan Purnamasari" in told and "mengajukan SKP 2026" in told
    actions = [a.action for a in await bot.rows(AuditLog, AuditLog.object_type == "skp")]
    assert actions.count("skp.item_added") == 10 and actions[-1] == "skp.submitted"

    # a second press of the same button is refused and sends nothing twice
    await katim.click_data(submit_data, review)
    assert "pesan lama" in katim.answers()[-1]["text"]
    assert await bot.count(Outbox, Outbox.kind == "skp_submitted") == 1


async def test_typed_values_are_parsed_the_indonesian_way(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 811)
    await katim.command("skp")
    await add_item(
        katim,
        link="TUSI",
        rhk="Anggaran kegiatan SBBL direalisasikan sesuai rencana penarikan dana",
        aspek="biaya",
        iki="Jumlah realisasi anggaran kegiatan SBBL tahun 2026",
        target="1.575.000",
        satuan="Nilai",
        bobot="17,5",
    )
    [item] = await bot.rows(SkpItem)
    assert item.target_value == Decimal(1575000) and item.bobot == Decimal("17.5")
    assert "1.575.000 Nilai · bobot 17,5%" in katim.last.text


async def test_bad_input_gets_an_explanation_and_changes_nothing(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 821)
    await katim.command("skp")
    await katim.click("Tambah hasil kerja")
    await katim.click("TUSI")

    async def state() -> dict:
        [s] = await bot.rows(DialogState, DialogState.step == "rhk")
        return dict(s.data)

    before = await state()
    for typed, expected in [
        ("   ", "belum diisi"),
        ("x" * 5000, "terlalu panjang: paling banyak 500 karakter"),
        ("<b>Laporan</b> tersusun sesuai ketentuan", "tag HTML"),
        ("🎯🎯🎯🎯🎯🎯", "bukan hanya simbol atau emoji"),
        ("Rapat", "terlalu singkat"),
    ]:
        reply = await katim.send(typed)
        assert expected in reply.text, (typed, reply.text)
        assert await state() == before
    await katim.send("Layanan kepegawaian diselesaikan sesuai standar waktu")
    await katim.click("Kualitas")
    await katim.send("Persentase layanan kepegawaian yang selesai tepat waktu")
    for typed, expected in [
        ("abc", "belum berupa angka"),
        ("-5", "tidak boleh negatif"),
        ("5000%", "terlalu besar"),
    ]:
        assert expected in (await katim.send(typed)).text
    [s] = await bot.rows(DialogState)
    assert s.step == "target" and "target" not in s.data["draft"]["item"]
    await katim.send("96%")  # the type came with step 1: the weight is next
    for typed, expected in [("abc", "bukan angka bobot"), ("150", "paling besar 100%")]:
        assert expected in (await katim.send(typed)).text
    [s] = await bot.rows(DialogState)
    assert s.step == "bobot" and "bobot" not in s.data["draft"]["item"]
    card = await katim.send("10")
    assert "Ringkasan butir" in card.text

    # a second click on Simpan: the first took it, the second is refused and adds nothing
    save = katim.find_button("Simpan", card)
    await katim.click("Simpan", card)
    await katim.click_data(save[1], card)
    assert "pesan lama" in katim.answers()[-1]["text"]
    assert await bot.count(SkpItem) == 1


async def test_edit_delete_and_reorder(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 831)
    await katim.command("skp")
    for jenis, rhk, aspek, iki, target, _satuan, bobot in SBBL_KATIM[4:7]:
        await add_item(
            katim, link=LINK[jenis], rhk=rhk, aspek=aspek, iki=iki, target=target, bobot=bobot
        )

    async def ikis() -> list[str]:
        async with bot.services.sessionmaker() as session:
            rows = await session.execute(select(SkpItem.iki).order_by(SkpItem.position))
            return [r[0][:25] for r in rows]

    first, second, third = await ikis()
    await katim.click("Ubah, hapus")
    await katim.click("3")
    await katim.click("Naikkan")
    assert await ikis() == [first, third, second]

    # edit the target of (now) item 2 from its card
    await katim.click("Kembali")
    await katim.click("2")
    await katim.click("Ubah")
    fields = await katim.click("Ubah isian")
    assert "Perspektif" not in str(fields.labels())  # a unit head's tag only
    await katim.click("Target")
    card = await katim.send("75%")
    assert "Ringkasan butir" in card.text and "75%" in card.text
    await katim.click("Simpan")
    items = await bot.rows(SkpItem, SkpItem.position == 2)
    assert items[0].target_value == 75 and await bot.count(SkpItem) == 3

    await katim.click("Ubah, hapus")
    await katim.click("1")
    await katim.click("Hapus")
    await katim.click("Ya, hapus")
    assert await ikis() == [third, second]
    positions = sorted(i.position for i in await bot.rows(SkpItem))
    assert positions == [1, 2]
    actions = {a.action for a in await bot.rows(AuditLog, AuditLog.object_type == "skp")}
    assert {"skp.item_moved", "skp.item_updated", "skp.item_deleted"} <= actions


async def test_resumes_after_a_restart_and_from_the_terminal(bot: Harness, transport) -> None:  # type: ignore[no-untyped-def]
    katim = await bot.onboard(KATIM_SBBL, 841)
    await katim.command("skp")
    await katim.click("Tambah hasil kerja")
    await katim.click("TUSI")
    await katim.send("Layanan kepegawaian diselesaikan sesuai standar waktu")
    await katim.command("menu")  # leaves the draft parked
    await bot.app.shutdown()
    async with Harness(bot.services, transport) as restarted:
        again = restarted.client(841)
        step = await again.command("skp")
        assert "Langkah 3/7" in step.text
        assert any("Melanjutkan" in m.text for m in again.received[-3:])
        await again.click("Kualitas")
    await bot.app.initialize()
    # the terminal chat drives the same flow for the same person, at the same place
    async with bot.services.sessionmaker() as session:
        katim_id = await session.scalar(select(Employee.id).where(Employee.nip == KATIM_SBBL))
    outcome = await bot.services.dialog.handle_employee(
        katim_id,
        Event.from_text("Persentase layanan kepegawaian yang selesai tepat waktu"),
        "terminal",
    )
    assert "Langkah 5/7" in outcome.replies[-1].html
    [s] = await bot.rows(DialogState, DialogState.employee_id == katim_id)
    assert s.data["draft"]["item"]["aspek"] == "kualitas"


async def test_errors_block_and_warnings_ask_for_confirmation(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 851)
    await katim.command("skp")
    card = await add_item(
        katim,
        link="TUSI",
        rhk="Monitoring SBBL",  # no qualifier: a warning
        aspek="kuantitas",
        iki="Melaksanakan monitoring SBBL di 14 regional",  # an activity: a warning
        target="4 kali",
        bobot="90",
    )
    card_findings = card.text  # the card shown before "Simpan"
    assert "kata kerja “Melaksanakan”" in card_findings and "kualifier" in card_findings
    review = await katim.click("Ajukan ke atasan")
    assert "belum dapat diajukan" in review.text
    assert "Baru ada 1 IKI" in review.text and "Beyond 0%" in review.text
    assert not any("ajukan" in label.lower() and "📨" in label for label in review.labels())
    # a forged "submit" for this step is refused on the server
    forged = review.buttons[0][0]["callback_data"].replace("back", "submit")
    await katim.click_data(forged, review)
    assert "tidak dikenali" in katim.answers()[-1]["text"]
    assert (await bot.rows(Skp))[0].status is SkpStatus.DRAFT

    # fill up to clean totals but keep the two warnings
    await katim.click("Kembali ke SKP")
    for jenis, rhk, aspek, iki, target, _satuan, bobot in SBBL_KATIM[4:7]:
        await add_item(
            katim, link=LINK[jenis], rhk=rhk, aspek=aspek, iki=iki, target=target, bobot=bobot
        )
    review = await katim.click("Ajukan ke atasan")
    assert "belum dapat diajukan" in review.text  # Core 130%, no Beyond, no IPASN
    await katim.click("Kembali ke SKP")
    await katim.click("Ubah, hapus")
    await katim.click("1")
    await katim.click("Ubah")
    await katim.click("Ubah isian")
    await katim.click("Bobot")
    await katim.send("50")
    await katim.click("Simpan")
    await katim.click("IKI wajib")
    beyond = SBBL_KATIM[8]
    await add_item(
        katim,
        link="BYD",
        rhk=beyond[1],
        aspek=beyond[2],
        iki=beyond[3],
        target=beyond[4],
        bobot=beyond[6],
    )
    review = await katim.click("Ajukan ke atasan")
    assert "saran perbaikan" in review.text and "Tetap ajukan" in str(review.labels())
    await katim.click("Tetap ajukan")
    assert (await bot.rows(Skp))[0].status is SkpStatus.SUBMITTED
    [audit] = await bot.rows(AuditLog, AuditLog.action == "skp.submitted")
    assert audit.details["warnings"] >= 2


async def test_the_period_policy_from_the_database_is_the_one_applied(
    bot: Harness, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import json

    from bot.db.models import Period
    from bot.domain.policy import DEFAULT_POLICY_FILE
    from bot.services import skp as store

    document = json.loads(DEFAULT_POLICY_FILE.read_text())
    document.update(name="Instansi Contoh", iki_count={"min": 2, "max": 12}, mandatory=[])
    path = tmp_path / "kebijakan.json"
    path.write_text(json.dumps(document))
    async with bot.services.sessionmaker() as session, session.begin():
        period = (await session.execute(select(Period))).scalar_one()
        await store.load_policy(session, period, path, bot.services.clock())
    katim = await bot.onboard(KATIM_SBBL, 861)
    overview = await katim.command("skp")
    assert "(ketentuan 2–12)" in overview.text
    assert not any("IKI wajib" in label for label in overview.labels())


# -- issue 13: the lint that follows the Surat Sekjen, a steadier wizard -----------------------


async def start_item(c: ChatClient, link: str, rhk: str, aspek: str) -> Sent:
    await c.click("Tambah hasil kerja")
    await c.click(link)
    await c.send(rhk)
    return await c.click(ASPEK[aspek])


async def test_the_iki_is_checked_as_soon_as_it_is_typed(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 871)
    await katim.command("skp")
    await start_item(
        katim, "TUSI", "Laporan monitoring SBBL tersusun sesuai ketentuan", "kuantitas"
    )
    checked = await katim.send("Jumlah laporan monitoring SBBL di 14 regional")
    assert "Pemeriksaan IKI" in checked.text and "Langkah 4/7" in checked.text
    assert "⛔" in checked.text and "bukan jumlah laporan atau jumlah dokumen" in checked.text
    # the output-based alternative, built from the IKI as typed
    alternative = (
        "Persentase rekomendasi laporan monitoring SBBL di 14 regional yang ditindaklanjuti"
    )
    assert alternative in checked.text
    assert checked.labels() == ["➡️ Lanjutkan dengan IKI ini", "⬅️ Kembali"]
    # retyped: a percentage with aspek Kuantitas and a vague word are questioned at once
    again = await katim.send("Persentase layanan monitoring SBBL yang optimal")
    assert "Pemeriksaan IKI" in again.text
    assert "aspeknya Kuantitas" in again.text and "Kata “optimal” pada IKI" in again.text
    assert "⛔" not in again.text
    [state] = await bot.rows(DialogState)
    assert state.data["draft"]["item"]["iki"] == "Persentase layanan monitoring SBBL yang optimal"
    # back to the IKI step, and a clean IKI goes straight on to the target
    assert "Langkah 4/7" in (await katim.click("Kembali")).text
    target = await katim.send("Jumlah provinsi yang menindaklanjuti rekomendasi monitoring SBBL")
    assert "Langkah 5/7" in target.text and "Pemeriksaan IKI" not in target.text

    # a report count kept anyway ("Lanjutkan") is an error at submission
    await katim.click("Kembali")
    await katim.send("Jumlah laporan monitoring SBBL di 14 regional")
    assert "Langkah 5/7" in (await katim.click("Lanjutkan")).text
    await katim.send("4 laporan")
    card = await katim.send("100")
    assert "Ringkasan butir" in card.text and "bukan jumlah laporan" in card.text
    await katim.click("Simpan")
    review = await katim.click("Ajukan ke atasan")
    assert "belum dapat diajukan" in review.text and alternative in review.text


async def test_the_decks_list_passes_without_errors(bot: Harness) -> None:
    """The SBBL list counts proposals, advocacy sessions and monitoring: none is a report
    count, so the IKI step has nothing to say about any of its items."""
    katim = await bot.onboard(KATIM_SBBL, 872)
    await katim.command("skp")
    for _jenis, rhk, aspek, iki, _target, _satuan, _bobot in SBBL_KATIM[1:3] + SBBL_KATIM[5:6]:
        await start_item(katim, "TUSI", rhk, aspek)
        reply = await katim.send(iki)
        assert "Langkah 5/7" in reply.text, reply.text
        await katim.command("skp")


async def test_units_are_the_policys_and_the_type_is_not_asked_again(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 873)
    await katim.command("skp")
    kept = []
    for typed, satuan_typed in (
        ("100 persen", None),
        ("85%", None),
        ("4x", None),
        ("12", "persen"),
        ("3", "kali"),
    ):
        await start_item(
            katim, "BYD", "Inisiatif layanan SBBL terlaksana sesuai rencana", "kualitas"
        )
        await katim.send("Persentase provinsi yang menerapkan inisiatif layanan SBBL")
        step = await katim.send(typed)
        if satuan_typed is not None:
            assert "Langkah 6/7" in step.text
            step = await katim.send(satuan_typed)
        # the type came with step 1 (BYD): straight to the weight
        assert "Langkah 7/7" in step.text and "Bobot</b> untuk IKI BYD" in step.text
        card = await katim.send("4")
        kept.append(card.text.split("Target: ", 1)[1].split("\n", 1)[0])
        await katim.click("Buang butir ini")
        await katim.click("Ya, buang")
    assert kept == ["100%", "85%", "4 Kali", "12%", "3 Kali"]
    # the type can still be changed from the card
    await start_item(katim, "TUSI", "Layanan kepegawaian diselesaikan sesuai standar", "waktu")
    await katim.send("Persentase layanan kepegawaian yang selesai tepat waktu")
    await katim.send("96%")
    await katim.send("10")
    await katim.click("Ubah isian")
    jenis = await katim.click("Jenis IKI")
    assert "✅ TUSI" in str(jenis.labels()) and "⬅️ Kembali ke ringkasan" in jenis.labels()
    card = await katim.click("MI — IKI wajib")
    assert "Jenis: MI" in card.text and card.labels()[0] == "💾 Simpan"


async def test_discarding_asks_first_and_a_partial_fix_returns_to_the_card(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 874)
    await katim.command("skp")
    jenis, rhk, aspek, iki, target, _satuan, bobot = SBBL_KATIM[4]
    card = await add_item(
        katim, link=LINK[jenis], rhk=rhk, aspek=aspek, iki=iki, target=target, bobot=bobot
    )
    assert card.labels() == [
        "💾 Simpan",
        "💾 Simpan & tambah lagi",
        "✏️ Ubah isian",
        "🗑 Buang butir ini",
    ]

    # a saved item: change only its IKI; the card comes back with Simpan, no later step asked
    await katim.click("Ubah, hapus")
    await katim.click("1")
    await katim.click("Ubah")
    await katim.click("Ubah isian")
    step = await katim.click("IKI")
    assert "⬅️ Kembali ke ringkasan" in step.labels()
    checked = await katim.send("Jumlah laporan webinar peningkatan kapasitas SBBL")
    assert "Pemeriksaan IKI" in checked.text and "⬅️ Kembali ke ringkasan" in checked.labels()
    fixed = await katim.send("Persentase peserta webinar SBBL yang lulus uji kompetensi")
    assert "Ringkasan butir" in fixed.text and fixed.labels()[0] == "💾 Simpan"
    await katim.click("Ubah isian")
    await katim.click("Target")
    fixed = await katim.send("90 persen")
    assert "Ringkasan butir" in fixed.text and "Target: 90%" in fixed.text

    # discarding the changes asks first; "Batal" keeps them on the card
    confirm = await katim.click("Buang butir ini")
    assert "Yakin membatalkan perubahan" in confirm.text
    assert confirm.labels() == ["🗑 Ya, buang", "Batal"]
    back = await katim.click("Batal")
    assert "Ringkasan butir" in back.text and "Target: 90%" in back.text
    await katim.click("Buang butir ini")
    await katim.click("Ya, buang")
    [row] = await bot.rows(SkpItem)
    assert row.iki == iki and row.target_value == 100  # the stored item as it was

    # a new item: discarding it asks too, and nothing is stored
    await katim.click("Tambah hasil kerja")
    await katim.click("TUSI")
    await katim.send("Layanan kepegawaian diselesaikan sesuai standar")
    await katim.click("Kualitas")
    await katim.send("Persentase layanan kepegawaian yang selesai tepat waktu")
    await katim.send("96%")
    card = await katim.send("10")
    assert "Yakin membuang butir ini" in (await katim.click("Buang butir ini")).text
    await katim.click("Ya, buang")
    assert await bot.count(SkpItem) == 1


async def test_suggested_weights_are_indonesian_and_within_what_is_left(bot: Harness) -> None:
    await leader_with_one_rhk(bot)
    katim = await bot.onboard(KATIM_SBBL, 875)
    await katim.command("skp")
    rhk = "Layanan kepegawaian diselesaikan sesuai standar waktu layanan"
    await start_item(katim, "TUSI", rhk, "waktu")
    await katim.send("Persentase layanan kepegawaian yang selesai tepat waktu")
    step = await katim.send("96%")
    assert "Pakai saran: 90%" in step.labels()  # TUSI without a direct cascade: 90
    await katim.send("72,5")
    await katim.click("Simpan")
    await start_item(katim, "TUSI", rhk, "waktu")
    await katim.send("Persentase usulan mutasi pegawai yang selesai tepat waktu")
    step = await katim.send("90%")
    assert "<b>17,5%</b>" in step.text and "Pakai saran: 17,5%" in step.labels()
    card = await katim.click("Pakai saran")
    assert "Bobot: 17,5%" in card.text
    await katim.click("Simpan")
    # a direct cascade would have CL 50, but only 10 is left of Core 100
    await start_item(
        katim, "RHK 1", "Skrining bayi baru lahir terlaksana sesuai standar", "kualitas"
    )
    await katim.send("Persentase bayi baru lahir yang diskrining sesuai standar")
    step = await katim.send("80%")
    assert "Pakai saran: 10%" in step.labels() and "Pakai saran: 50%" not in step.labels()
    # Beyond: what is left of 20
    await katim.send("10")
    await katim.click("Simpan")
    await start_item(katim, "BYD", "Inisiatif layanan SBBL terlaksana sesuai rencana", "kualitas")
    await katim.send("Persentase provinsi yang menerapkan inisiatif layanan SBBL")
    assert "Pakai saran: 20%" in (await katim.send("100%")).labels()


async def seed_items(bot: Harness, count: int) -> None:
    """The SBBL list, stored directly, plus monitoring items (weights 0,1) up to `count`."""
    from tests.test_dialog_flow import seed_sbbl_skp

    skp_id = await seed_sbbl_skp(bot, KATIM_SBBL)
    async with bot.services.sessionmaker() as session, session.begin():
        skp = await session.get(Skp, skp_id)
        rows = (await session.execute(select(SkpItem).where(SkpItem.skp_id == skp_id))).scalars()
        monitoring = next(r for r in rows if r.iki.startswith("Jumlah Monitoring"))
        extra = count - len(SBBL_KATIM)
        monitoring.bobot = Decimal(10) - Decimal("0.1") * extra
        from bot.services import skp as store
        from conversations.skp_place import row_to_draft

        for n in range(extra):
            fields = dict(row_to_draft(monitoring))
            await store.add_item(
                session,
                skp,
                store.ItemFields(
                    jenis="TUSI",
                    rhk=fields["rhk"],
                    aspek=monitoring.aspek,
                    iki=f"Jumlah monitoring SBBL di wilayah {n + 1}",
                    target=Decimal(4),
                    satuan="Kali",
                    bobot=Decimal("0.1"),
                ),
                bot.services.clock(),
            )


async def test_more_than_ten_iki_with_the_adjustment_recorded(bot: Harness) -> None:
    director = await bot.onboard(DIREKTUR, 876)
    katim = await bot.onboard(KATIM_SBBL, 877)
    await seed_items(bot, 11)
    overview = await katim.command("skp")
    assert "Jumlah IKI: <b>11</b>" in overview.text and "⛔ 1 hal" in overview.text
    review = await katim.click("Ajukan ke atasan")
    assert "Ada 11 IKI; paling banyak 10 IKI." in review.text
    assert "catat penyesuaiannya" in review.text
    assert "📝 Catat penyesuaian jumlah IKI" in review.labels()
    assert not any("ajukan" in label and "📨" in label for label in review.labels())

    step = await katim.click("Catat penyesuaian jumlah IKI")
    assert "Penyesuaian jumlah IKI" in step.text and "11 IKI" in step.text
    assert "terlalu singkat" in (await katim.send("Sudah.")).text
    assert "paling banyak 300" in (await katim.send("x" * 301)).text
    assert (await bot.rows(Skp))[0].count_note is None
    note = "Disepakati dengan Biro OSDM Setjen & unit eselon I < 12 IKI, 20 Januari 2026"
    review = await katim.send(note)
    assert (
        "Ajukan SKP ke atasan" in review.text
        and "penyesuaian dengan unit eselon I dicatat" in review.text
    )
    assert "&amp; unit eselon I &lt; 12 IKI" in review.text  # the person's words, escaped
    assert "📨 Ya, ajukan" in review.labels() and "📝 Ubah catatan penyesuaian" in review.labels()
    [skp] = await bot.rows(Skp)
    assert skp.count_note == note
    [audit] = await bot.rows(AuditLog, AuditLog.action == "skp.count_note")
    assert audit.details["note"] == note

    # the leader sees the note on the review screen
    await katim.click("Ya, ajukan")
    assert (await bot.rows(Skp))[0].status is SkpStatus.SUBMITTED
    await director.command("persetujuan")
    home = await director.click("1. Intan")
    assert "Penyesuaian jumlah IKI dengan unit eselon I" in home.text
    assert "Disepakati dengan Biro OSDM Setjen &amp; unit eselon I &lt; 12 IKI" in home.text
    assert "0 kesalahan" not in home.text and "11 IKI" in home.text


async def test_a_cleared_adjustment_brings_the_error_back(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 878)
    await seed_items(bot, 11)
    await katim.command("skp")
    await katim.click("Ajukan ke atasan")
    await katim.click("Catat penyesuaian jumlah IKI")
    await katim.send("Disepakati dengan unit eselon I pada rapat Januari")
    overview = await katim.command("skp")
    assert "📝 Penyesuaian jumlah IKI dengan unit eselon I" in overview.text
    assert "✅ Tidak ada temuan" in overview.text
    await katim.click("Ajukan ke atasan")
    await katim.click("Ubah catatan penyesuaian")
    review = await katim.click("Hapus catatan")
    assert "belum dapat diajukan" in review.text and "Catat penyesuaian" in str(review.labels())
    assert (await bot.rows(Skp))[0].count_note is None
    # ten items again: no note needed, none offered
    await katim.click("Kembali ke SKP")
    await katim.click("Ubah, hapus")
    await katim.click("11")
    await katim.click("Hapus")
    await katim.click("Ya, hapus")
    review = await katim.click("Ajukan ke atasan")
    assert "penyesuaian" not in str(review.labels()).lower()


async def test_save_and_add_more_keeps_the_rhk_atasan_until_changed(bot: Harness) -> None:
    await leader_with_one_rhk(bot)
    katim = await bot.onboard(KATIM_SBBL, 8811)
    await katim.click("Susun SKP")
    # CL, CL, TUSI: the second keeps the first's RHK atasan, the third picks TUSI instead
    await add_sbbl_items(katim, [SBBL_KATIM[0], SBBL_KATIM[1], SBBL_KATIM[4]], then_more=True)
    async with bot.services.sessionmaker() as session:
        katim_id = await session.scalar(select(Employee.id).where(Employee.nip == KATIM_SBBL))
        rows = (
            await session.execute(
                select(SkpItem.jenis, SkpItem.leader_item_id)
                .join(Skp, Skp.id == SkpItem.skp_id)
                .where(Skp.employee_id == katim_id)
                .order_by(SkpItem.position)
            )
        ).all()
    assert [r.jenis for r in rows] == ["CL", "CL", "TUSI"]
    assert rows[0].leader_item_id is not None and rows[0].leader_item_id == rows[1].leader_item_id
    assert rows[2].leader_item_id is None

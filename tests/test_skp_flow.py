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
from tests.telegram_fake import ChatClient

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
) -> None:
    await c.click("Tambah hasil kerja")
    step = await c.click(link)
    assert "Langkah 2/8" in step.text
    assert "Langkah 3/8" in (await c.send(rhk)).text
    assert "Langkah 4/8" in (await c.click(ASPEK[aspek])).text
    assert "Langkah 5/8" in (await c.send(iki)).text
    after_target = await c.send(target)
    if satuan is not None:
        assert "Langkah 6/8" in after_target.text
        await c.click(satuan)
    assert "Langkah 7/8" in c.last.text
    await c.click("✅")  # the type picked at step 1, confirmed
    assert "Langkah 8/8" in c.last.text
    await c.send(bobot)
    assert "Ringkasan butir" in c.last.text
    await c.click("Simpan")


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
    for jenis, rhk, aspek, iki, target, _satuan, bobot in SBBL_KATIM:
        if jenis == "MI":
            continue  # added with one tap below
        needs_satuan = not any(ch.isalpha() or ch == "%" for ch in target)
        await add_item(
            katim,
            link=LINK[jenis],
            rhk=rhk,
            aspek=aspek,
            iki=iki,
            target=target,
            bobot=bobot,
            satuan=_satuan if needs_satuan else None,
        )
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
    await katim.click("Ya, ajukan")
    assert "sudah diajukan kepada <b>Sri Rahayu</b>" in katim.received[-2].text
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
    await katim.send("96%")
    await katim.click("✅")
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
        assert "Melanjutkan" in again.received[-2].text and "Langkah 3/8" in step.text
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
    assert "Langkah 5/8" in outcome.replies[-1].html
    [s] = await bot.rows(DialogState, DialogState.employee_id == katim_id)
    assert s.data["draft"]["item"]["aspek"] == "kualitas"


async def test_errors_block_and_warnings_ask_for_confirmation(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 851)
    await katim.command("skp")
    await add_item(
        katim,
        link="TUSI",
        rhk="Monitoring SBBL",  # no qualifier: a warning
        aspek="kuantitas",
        iki="Melaksanakan monitoring SBBL di 14 regional",  # an activity: a warning
        target="4 kali",
        bobot="90",
    )
    card_findings = katim.received[-3].text  # the card shown before "Simpan"
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

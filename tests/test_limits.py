"""Robust under Telegram's limits. The fake transport answers as Telegram does (HTML must
parse, ≤ 4096 characters after parsing, captions ≤ 1024, callback_data ≤ 64 bytes, ≤ 100
buttons), and every screen holds the worst case the policy allows: 20 items of 500-character
IKI and RHK, 20 expectations of 1000 characters with counter-proposals and resource needs,
a cascade of 8 strategies × 3 activities of 500 characters. Long lists page ("Halaman 2/3",
◀️/▶️), long texts are quoted short with the whole text one tap away, and the buttons that
matter (Ajukan, Setujui, …) are always there. The `bot` fixture fails any test in which
Telegram would have refused a request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Defaults, ExtBot

from bot.db.models import (
    AuditLog,
    CascadeActivity,
    CascadeStrategy,
    ExpectationKind,
    Skp,
    SkpExpectation,
    SkpStatus,
)
from bot.domain.contract import TargetValue
from bot.domain.numbers import parse_number
from bot.domain.policy import Aspek, default_policy
from bot.services import skp as store
from bot.services.demo import DIREKTUR, DIRJEN, KATIM_SBBL
from bot.services.outbox import OutboxSender
from bot.usecases import agreements
from bot.usecases.base import Tx
from tests.conftest import Harness
from tests.telegram_fake import (
    BASE_URL,
    MESSAGE_MAX,
    TOKEN,
    FakeTelegram,
    Refusal,
    Sent,
    parse_html,
    visible_text,
)
from tests.test_dialog_flow import employee_id

ITEMS = 20  # bot.services.skp.MAX_ITEMS
TEXT = 500  # an RHK, IKI, strategy or activity (bot.domain.skp_rules.TEXT_MAX_CHARS)
NOTE = 1000  # an expectation, a reason, a need (conversations.dialog_text.NOTE_MAX)


def long_text(length: int, tag: str) -> str:
    """`length` characters of words, starting with `tag`, with characters HTML must escape
    (and no tag: the input checks would refuse one)."""
    words = (
        f"Persentase {tag} layanan skrining & mutu data < 5 hari > target yang "
        "ditindaklanjuti sesuai standar nasional oleh fasilitas kesehatan"
    ).split()
    out = ""
    while len(out) < length:
        out += words[len(out.split()) % len(words)] + " "
    text = out[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fits(message: Sent) -> Sent:
    """The message as Telegram shows it fits (the transport checked it; this says so)."""
    assert len(visible_text(message.text, "HTML")) <= MESSAGE_MAX
    assert "dipotong" not in message.text, "the last resort cut this screen"
    return message


async def seed_long_skp(bot: Harness, nip: str, unit_head: bool = False) -> int:
    """An SKP of 20 items, each RHK, IKI and leader RHK 500 characters."""
    now = bot.services.clock()
    async with bot.services.sessionmaker() as session, session.begin():
        emp = await employee_id(bot, nip)
        period = await store.current_period(session, now.date())
        assert period is not None
        skp = await store.open_skp(session, emp, period, now, default_policy())
        for n in range(1, ITEMS + 1):
            fields = store.ItemFields(
                jenis="TUSI",
                rhk=long_text(TEXT, f"RHK{n}"),
                aspek=Aspek("kuantitas"),
                iki=long_text(TEXT, f"IKI{n}"),
                target=parse_number("100") or Decimal(0),
                satuan="%",
                bobot=None if unit_head else Decimal(5),
                leader_rhk=long_text(TEXT, f"ATASAN{n}"),
            )
            await store.add_item(session, skp, fields, now)
        return skp.id


async def tx_as(bot: Harness, nip: str, session: AsyncSession) -> Tx:
    actor = await employee_id(bot, nip)
    return Tx(session, bot.services.clock(), actor, "test", bot.services.texts)


def sender(bot: Harness) -> OutboxSender:
    return bot.app.bot_data["sender"]  # type: ignore[no-any-return]


# -- the transport -------------------------------------------------------------------------------


def test_the_fake_parses_html_as_telegram_does() -> None:
    assert parse_html("<b>a</b> &amp; <i>b</i> &lt;c&gt; &quot;d&quot; &#128512; &#x41;") == (
        'a & b <c> "d" 😀 A'
    )
    assert parse_html('<a href="https://x.id/?a=1&amp;b=2">x</a>') == "x"
    assert parse_html('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>') == "st"
    assert parse_html("<blockquote>q</blockquote><pre><code>c</code></pre>") == "qc"
    assert parse_html("a & b > c &nbsp;") == "a & b > c &nbsp;"  # not entities: as they are
    for bad, reason in (
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", "Unmatched end tag at byte offset 4"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("é <br>", 'Unsupported start tag "br" at byte offset 3'),
    ):
        with pytest.raises(Refusal) as refused:
            parse_html(bad)
        assert refused.value.description.startswith("Bad Request: can't parse entities: ")
        assert reason in refused.value.description, refused.value.description


async def test_ptb_sees_a_400_for_what_telegram_refuses() -> None:
    transport = FakeTelegram()
    bot = ExtBot(
        TOKEN,
        base_url=BASE_URL,
        request=transport,
        get_updates_request=transport,
        defaults=Defaults(parse_mode=ParseMode.HTML),
    )
    await bot.initialize()
    # 4096 characters after parsing are fine, however long the HTML
    await bot.send_message(5, "&amp;" * MESSAGE_MAX)
    await bot.send_message(5, "<b>x</b>" * MESSAGE_MAX)
    too_many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(n), callback_data=str(n))] for n in range(101)]
    )
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="d" * 65)]])
    for call, message in (
        (bot.send_message(5, "x" * (MESSAGE_MAX + 1)), "Message is too long"),
        (bot.send_message(5, "<b>x"), "Can't parse entities"),
        (bot.send_message(5, "   "), "Message text is empty"),
        (bot.send_message(5, "x", reply_markup=long_data), "Button_data_invalid"),
        (bot.send_message(5, "x", reply_markup=too_many), "Reply markup is too long"),
        (bot.send_document(5, b"x", filename="a.pdf", caption="y" * 1025), "caption is too long"),
        (bot.answer_callback_query("1", "z" * 201), "Message_too_long"),
    ):
        with pytest.raises(BadRequest) as refused:
            await call
        assert message.lower() in str(refused.value).lower(), str(refused.value)
    assert len(transport.refused) == 7
    # an emoji outside the BMP is one character to Telegram (it counts code points)
    await bot.send_message(5, "😀" * MESSAGE_MAX)


# -- /skp: the employee's overview -----------------------------------------------------------------


async def test_the_skp_overview_pages_20_long_items_and_ajukan_stays(bot: Harness) -> None:
    katim = await bot.onboard(KATIM_SBBL, 7101)
    await seed_long_skp(bot, KATIM_SBBL)
    overview = fits(await katim.command("skp"))
    assert "Hasil kerja</b> · <i>Halaman 1/2</i>" in overview.text
    assert "10. [TUSI] Persentase IKI10" in overview.text and "11. [TUSI]" not in overview.text
    assert "&amp; mutu data &lt; 5 hari" in overview.text  # user text escaped, then quoted
    assert "📨 Ajukan ke atasan" in overview.labels() and "Berikutnya ▶️" in overview.labels()
    second = fits(await katim.click("Berikutnya"))
    assert "<i>Halaman 2/2</i>" in second.text and "20. [TUSI] Persentase IKI20" in second.text
    assert "◀️ Sebelumnya" in second.labels() and "Berikutnya ▶️" not in second.labels()
    assert "📨 Ajukan ke atasan" in second.labels()
    # the whole item is one tap away
    await katim.click("Ubah, hapus")
    picked = fits(katim.last)
    assert "20. [TUSI] Persentase IKI20" in picked.text
    item = fits(await katim.click("20"))
    iki = escaped(long_text(TEXT, "IKI20"))
    assert iki in item.text
    card = fits(await katim.click("Ubah"))
    assert iki in card.text and "💾 Simpan" in card.labels()
    await katim.click("Buang butir ini")
    await katim.click("Ya, buang")  # discarding asks first
    # 20 items of 500 characters: count and length findings for each, a page at a time
    findings = fits(await katim.click("Lihat temuan"))
    assert "<i>Halaman 1/" in findings.text and "Berikutnya ▶️" in findings.labels()
    pages = int(findings.text.split("<i>Halaman 1/", 1)[1].split("<", 1)[0])
    for _ in range(pages - 1):
        findings = fits(await katim.click("Berikutnya"))
    assert f"<i>Halaman {pages}/{pages}</i>" in findings.text
    await katim.click("Kembali")
    review = fits(await katim.click("Ajukan ke atasan"))
    assert "belum dapat diajukan" in review.text and "temuan lain" in review.text


# -- /persetujuan: 20 items, 20 expectations of 1000 characters, counters and needs ----------------


async def test_a_leader_reviews_20_long_expectations_and_approves(bot: Harness) -> None:
    dirjen = await bot.onboard(DIRJEN, 7201)
    director = await bot.onboard(DIREKTUR, 7202)
    skp_id = await seed_long_skp(bot, DIREKTUR, unit_head=True)
    overview = fits(await director.command("skp"))
    assert "📨 Ajukan ke atasan" in overview.labels()
    await director.click("Ajukan ke atasan")
    await director.click("ajukan")
    # the notice of the submission: 20 items quoted short, with the leader's buttons
    notice = fits(dirjen.last)
    assert "mengajukan SKP 2026" in notice.text and "20. [TUSI]" in notice.text
    assert {"✅ Setujui", "↩️ Minta revisi"} <= set(notice.labels()), notice.labels()

    # 20 target expectations of 1000 characters, each answered with a counter-proposal and
    # two resource needs of 1000 characters (the employee's messages go out one by one)
    async with bot.services.sessionmaker() as session, session.begin():
        tx = await tx_as(bot, DIRJEN, session)
        for item in await store.items_of(session, skp_id):
            await agreements.set_expectation(
                tx,
                skp_id,
                ExpectationKind.TARGET,
                long_text(NOTE, f"EKSP{item.position}"),
                item_id=item.id,
                target=TargetValue(Decimal(100), "%"),
            )
    await sender(bot).drain()
    asked = fits(director.last)
    assert "👍 Setuju" in asked.labels()
    overview = fits(await director.command("skp"))
    assert "menunggu tanggapan Anda atas 20 ekspektasi; 5 yang pertama" in overview.text
    assert len([label for label in overview.labels() if "Tanggapi" in label]) == 5
    assert "💬 Dialog kinerja (20)" in overview.labels()

    async with bot.services.sessionmaker() as session, session.begin():
        tx = await tx_as(bot, DIREKTUR, session)
        for exp in await agreements.expectations_of(session, skp_id):
            await agreements.answer(
                tx,
                exp.id,
                counter=TargetValue(Decimal(90), "%"),
                reason=long_text(NOTE, f"ALASAN{exp.id}"),
                needs=[
                    agreements.Need("sdm", long_text(NOTE, "SDM")),
                    agreements.Need("anggaran", long_text(NOTE, "DANA")),
                ],
            )
    await sender(bot).drain()
    fits(dirjen.last)

    await dirjen.command("persetujuan")
    home = fits(await dirjen.click("1. "))
    assert "<b>Hasil kerja</b> · <i>Halaman 1/2</i>" in home.text
    assert "Menunggu keputusan Anda</b> (60; 5 yang pertama)" in home.text
    assert "Ekspektasi pimpinan: 20 (20 dibahas)" in home.text
    labels = home.labels()
    assert "✅ Terima usulan 1" in labels and "✅ Terima usulan 5" in labels
    assert "✅ Terima usulan 6" not in labels and "↩️ Minta revisi" in labels
    assert "💬 Dialog kinerja (60)" in labels
    second = fits(await dirjen.click("Berikutnya"))
    assert "20. [TUSI]" in second.text and "✅ Terima usulan 1" in second.labels()
    # the whole item is one tap away for the leader too
    fits(await dirjen.click("Lihat butir"))
    item = fits(await dirjen.click("20"))
    assert escaped(long_text(TEXT, "IKI20")) in item.text
    assert escaped(long_text(TEXT, "RHK20")) in item.text
    await dirjen.click("Kembali")
    await dirjen.click("Kembali")
    log = fits(await dirjen.click("Dialog kinerja"))
    assert "<i>Halaman 1/15</i>" in log.text and "1. [butir 1]" in log.text
    log = fits(await dirjen.click("Berikutnya"))
    assert "<i>Halaman 2/15</i>" in log.text and "5. [butir 5]" in log.text
    await dirjen.click("Kembali")
    # one decided: the next one moves up
    await dirjen.click("Terima usulan 1")
    home = fits(dirjen.last)
    assert "Menunggu keputusan Anda</b> (59; 5 yang pertama)" in home.text

    # everything decided: "Setujui" is there, then signing, setting and the final notices
    async with bot.services.sessionmaker() as session, session.begin():
        tx = await tx_as(bot, DIRJEN, session)
        for exp in await agreements.expectations_of(session, skp_id):
            if agreements.counter_pending(exp):
                await agreements.decide_counter(tx, exp.id, True)
        for res in await agreements.resources_of(session, skp_id):
            if res.status.value == "diusulkan":
                await agreements.decide_resource(tx, res.id, True)
    await sender(bot).drain()
    await dirjen.command("persetujuan")
    home = fits(await dirjen.click("1. "))
    assert "Tidak ada hal yang terbuka" in home.text and "✅ Setujui" in home.labels()
    fits(await dirjen.click("Setujui", home))  # the confirmation
    fits(await dirjen.click("Lihat SKP"))  # the items in full, one a page
    fits(await dirjen.click("Berikutnya"))
    await dirjen.click("Kembali ke konfirmasi")
    await dirjen.click("Ya, setujui")
    confirmation = fits(await director.click("Tandatangani SKP", director.last))
    assert "<b>20 IKI</b>" in confirmation.text and "✍️ Ya, tandatangani" in confirmation.labels()
    fits(await director.click("Ya, tandatangani"))
    fits(await dirjen.click("Tetapkan SKP", dirjen.last))
    await dirjen.click("Ya, tetapkan")
    [skp] = await bot.rows(Skp, Skp.id == skp_id)
    assert skp.status is SkpStatus.SET
    for who in (director, dirjen):
        final = fits(next(m for m in reversed(who.received) if "SKP ditetapkan" in m.text))
        assert "20. [TUSI]" in final.text and "Ekspektasi pimpinan: 20 (20 disepakati)" in (
            final.text
        )
        assert "berkas PDF dan DOCX" in final.text
    overview = fits(await director.command("skp"))
    assert "🔍 Lihat butir" in overview.labels()
    await director.click("Lihat butir")
    item = fits(await director.click("20"))
    assert "Persentase IKI20" in item.text and item.labels() == ["⬅️ Kembali"]
    assert await bot.count(SkpExpectation) == ITEMS


# -- /kaskade: 8 strategies × 3 activities of 500 characters; deleting --------------------------


async def test_a_cascade_of_8_strategies_pages_and_a_strategy_can_be_deleted(
    bot: Harness,
) -> None:
    director = await bot.onboard(DIREKTUR, 7301)
    await seed_long_skp(bot, DIREKTUR, unit_head=True)
    fits(await director.command("kaskade"))
    fits(await director.click("RHK 1"))
    fits(await director.click("R: Rumuskan"))
    for s in range(1, 9):
        await director.click("➕ Strategi")
        fits(await director.send(long_text(TEXT, f"Strategi{s}")))  # its activities asked next
        for a in range(1, 4):
            # the page turns to where the new strategy (or activity) shows: its button is there
            if a > 1:
                await director.click(f"Kegiatan untuk strategi {s}")
            tree = fits(await director.send(long_text(TEXT, f"Kegiatan{s}x{a}")))
            assert f"{s}.{a} Persentase Kegiatan{s}x{a}" in tree.text
    assert await bot.count(CascadeActivity) == 24
    assert "<i>Halaman 4/4</i>" in director.last.text
    first = fits(await director.click("Sebelumnya"))
    assert "<i>Halaman 3/4</i>" in first.text and "(lanjutan)" not in first.text

    # I and A page the same tree (I opens the first activity while nobody has a role)
    fits(await director.click("I: Identifikasi"))
    identify = fits(await director.click("Selesai"))
    assert any(label.startswith("👥 Kegiatan") for label in identify.labels())
    await director.click("Kegiatan 6.1")
    await director.click("Intan")
    fits(await director.click("Selesai"))
    fits(await director.click("M: Jabarkan"))  # straight to the one role
    fits(await director.click("Daftar peran"))
    ajak = fits(await director.click("A: Ajak"))
    assert "temuan lain" in ajak.text and "📨 Kirim usulan ke tim" not in ajak.labels()
    await director.click("Kembali")
    await director.click("Kembali")
    await director.click("Kembali")

    # delete strategy 2 with its three activities; the ones after it move up
    pick = fits(await director.click("Hapus strategi atau kegiatan"))
    assert "<i>Halaman 3/4</i>" in pick.text  # the page the tree was on
    while "🗑 2" not in pick.labels():
        pick = fits(await director.click("Sebelumnya"))
    assert "🗑 2" in pick.labels() and "🗑 1.3" in pick.labels()
    confirm = fits(await director.click("🗑 2"))
    assert "Hapus strategi 2: <i>Persentase Strategi2" in confirm.text
    assert "Ikut terhapus: 3 kegiatan." in confirm.text
    tree = fits(await director.click("Ya, hapus"))
    assert director.answers()[-1]["text"] == "Strategi dihapus."
    assert await bot.count(CascadeStrategy) == 7 and await bot.count(CascadeActivity) == 21
    assert "<b>Strategi 2</b>. Persentase Strategi3" in tree.text
    # and an activity (the one with a role: the role goes with it, it was not sent)
    await director.click("Hapus strategi atau kegiatan")
    while "🗑 5.1" not in director.last.labels():
        await director.click("Berikutnya")
    confirm = fits(await director.click("🗑 5.1"))
    assert "Hapus kegiatan 5.1: <i>Persentase Kegiatan6x1" in confirm.text
    assert "Ikut terhapus: 1 peran." in confirm.text
    await director.click("Ya, hapus")
    assert director.answers()[-1]["text"] == "Kegiatan dihapus."
    assert await bot.count(CascadeActivity) == 20
    actions = [a.action for a in await bot.rows(AuditLog)]
    assert "cascade.strategy_deleted" in actions and "cascade.activity_deleted" in actions
    # the MPPH in chat: 20 RHK of 500 characters and everyone under each, a page at a time
    await director.command("kaskade")
    mpph = fits(await director.click("Lihat MPPH"))
    assert "<i>Halaman 1/" in mpph.text and "Berikutnya ▶️" in mpph.labels()


async def test_a_sent_role_keeps_its_activity(bot: Harness) -> None:
    """A role already in someone's draft SKP is theirs: its activity cannot be deleted."""
    director = await bot.onboard(DIREKTUR, 7401)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await director.command("kaskade")
    await director.click("RHK 1")
    await director.click("R: Rumuskan")
    await director.click("➕ Strategi")
    await director.send("Penguatan regulasi skrining bayi baru lahir")
    await director.send("Penyusunan NSPK skrining bayi baru lahir")  # its activity, asked next
    await director.click("I: Identifikasi")  # the only activity, at once
    await director.click("Intan")
    await director.click("Selesai")
    await director.click("M: Jabarkan")  # the only role, at once
    await director.click("Pendekatan output antara")
    await director.send("NSPK skrining bayi baru lahir tersusun sesuai ketentuan")
    await director.send("Persentase NSPK SBBL tersusun tepat waktu")
    await director.send("100%")
    await director.click("A: Ajak")
    await director.click("Kirim usulan ke tim")
    for _ in range(3):
        await director.click("Kembali")
    await director.click("Hapus strategi atau kegiatan")
    await director.click("🗑 1")
    await director.click("Ya, hapus")
    assert "sudah dikirim ke draf SKP pegawai" in director.answers()[-1]["text"]
    assert await bot.count(CascadeStrategy) == 1 and await bot.count(CascadeActivity) == 1


def test_the_last_resort_cuts_a_message_still_too_long(caplog: pytest.LogCaptureFixture) -> None:
    """A screen the templates failed to bound is cut (tags closed, a note appended) rather
    than refused by Telegram, and the log names the template."""
    from bot.texts import Texts

    html = Texts().message("unknown_command", command="<kata> " * 2000)
    text = parse_html(html)  # still valid HTML for Telegram
    assert len(text) <= MESSAGE_MAX and text.endswith("(pesan dipotong karena terlalu panjang)")
    assert "message unknown_command is too long" in caplog.text


def test_every_template_compiles_at_start_up() -> None:
    """The bot compiles its templates as it starts (nobody's first screen waits for it): all
    of them, and a broken one stops it there rather than in someone's step."""
    from pathlib import Path

    from bot.texts import TEMPLATES_DIR, Texts

    texts = Texts()
    on_disk = [p for p in Path(TEMPLATES_DIR).rglob("*") if p.suffix in (".html", ".j2")]
    assert texts.warm() == len(on_disk) > 150

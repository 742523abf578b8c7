"""Hostile text on every text step of every flow, through the real Application and the strict
fake Telegram (HTML must parse, ≤ 4096 characters, 64-byte callback data).

The text steps are read from the flow registry (every `Step` with `on_text`): each must be
listed in `TEXT_STEPS` with the kind of answer it takes and hammered by one of the tests
(`GROUPS`), so a new text step without hostile coverage fails `test_every_text_step_is_covered`.
Each step is reached as the right person by pressing the real buttons, its dialog state is
kept, and before each entry of the corpus the person is put back on exactly that state. For
every entry: no error (nothing logged at ERROR, no "terjadi kendala", no request Telegram would
refuse), an answer, and either nothing stored changes (the organisation, SKPs, items,
expectations, resource lines, cascades, reports, links, audit log, outbox — and the person's
place and draft) or the entry is one the step is known to take (`ACCEPTED`: e.g. "100 %" as a
target, "a & b < c" as a note), which is then kept as typed and shown escaped (a screen whose
HTML does not parse is refused by the fake Telegram). Steps that read tables also get the
corpus as the cells of a pasted table and as files; commands and an unknown account get it
too."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import update

from bot.db.models import Skp, SkpItem, SkpStatus, TelegramLink
from bot.domain import skp_rules as rules
from bot.engine.types import Event, EventKind
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV
from conversations import build_registry
from tests.conftest import Clock, Harness
from tests.hostile_world import (
    CORPUS,
    NAMES,
    differences,
    employee_id,
    no_errors,
    no_trouble,
    place,
    put_state,
    set_skp_of,
    snapshot,
    state_of,
)
from tests.telegram_fake import ChatClient
from tests.test_dialog_flow import seed_sbbl_skp, submit
from tests.test_limits import sender

ADMIN = "199104172015022001"  # the demo's HR administrator
PUTRI = "199003032015032002"  # staff of the SBBL Katim
GALIH = "199211212018011001"  # staff of the SBBL Katim

# What each kind of text step takes from the corpus (the rest must change nothing).
# RHK, IKI, notes, strategies: ≥ 8 characters, 3 letters, no tag (a list: each line so)
WORDS = {"amp lt", "line breaks"}
ACCEPTED: dict[str, set[str]] = {
    "words": WORDS,
    # strategies and activities, one a line: a line that is only a bullet ("•") is refused
    "lines": {"amp lt"},
    # "Data saya salah": 5–1000 characters of anything visible (a NIP is digits only)
    "report": {"html bold", "script tag", "amp lt", "emoji", "1e309", "17,5,5", "1.000,00"}
    | {"100 %", "line breaks"},
    "date": set(),
    "target": {"1.000,00", "100 %"},  # on an item counted in %
    # a satuan is short plain text that is not a number
    "satuan": {"amp lt", "emoji", "rtl override", "NaN"},
    "weight": {"100 %"},
    # on the /skp overview (9 items): a table, all weights at once or "3 target 90%"
    "overview": set(),
    # where a pasted table is waited for, previewed or a row of it typed again
    "table": set(),
    # a pasted table of hostile cells: shown as a preview (in the draft), stored only on
    # "Simpan semua"
    "cells": NAMES,
    # a realisation pasted as "<item> <value>" lines on the check-in screen
    "realisations": set(),
    # a check-in's note, a leader's feedback or change request: plain text up to 1000
    # characters (no markup)
    "note": {"amp lt", "emoji", "rtl override", "1e309", "NaN", "-0", "full-width digits"}
    | {"17,5,5", "1.000,00", "100 %", "line breaks"},
    # a rencana aksi ("Jan–Mar: …") or four quarterly values
    "plan": set(),
}
TEXT_STEPS: dict[tuple[str, str], str] = {
    ("onboarding", "wrong_note"): "report",
    ("menu", "deadline_text"): "date",
    ("koreksi", "note"): "report",
    ("skp", "rhk"): "words",
    ("skp", "iki"): "words",
    ("skp", "iki_check"): "words",  # the IKI typed again after its findings
    ("skp", "count_note"): "words",
    ("skp", "target"): "target",
    ("skp", "satuan"): "satuan",
    ("skp", "bobot"): "weight",
    ("skp", "change_note"): "words",
    ("skp", "overview"): "overview",
    ("skp", "pick"): "overview",  # the overview's typed commands work on the item list,
    ("skp", "item"): "overview",  # on an item
    ("skp", "findings"): "overview",  # and on the findings
    ("skp", "paste_wait"): "table",
    ("skp", "paste"): "table",
    ("skp", "paste_fix"): "table",
    ("tinjau", "exp_target"): "target",
    ("tinjau", "exp_text"): "words",
    ("tinjau", "value_text"): "words",
    ("tinjau", "kons_text"): "words",
    ("tinjau", "revise_note"): "words",
    ("tinjau", "change_note"): "words",
    ("tanggapan", "counter"): "target",
    ("tanggapan", "reason"): "words",
    ("tanggapan", "need_text"): "words",
    ("kaskade", "pahami"): "words",
    ("kaskade", "rumuskan"): "lines",  # a strategy typed on the R screen
    ("kaskade", "strategy_text"): "lines",
    ("kaskade", "activity_text"): "lines",
    ("kaskade", "edit_line"): "words",
    ("kaskade", "role_rhk"): "words",
    ("kaskade", "role_iki"): "words",
    ("kaskade", "role_target"): "target",
    ("evaluasi", "perilaku"): "words",  # the leader's note on a BerAKHLAK value
    ("evaluasi", "note"): "words",
    ("evaluasi", "respond"): "words",
    ("capaian", "home"): "realisations",
    ("capaian", "item"): "target",  # a realisation of an item counted in %
    ("capaian", "note"): "note",
    ("rencana", "item"): "plan",
    ("rencana_tinjau", "change"): "note",
    ("umpan", "text"): "note",
}
# Which test below hammers which steps, in order.
GROUPS: dict[str, list[tuple[str, str]]] = {
    "joining": [("onboarding", "wrong_note"), ("menu", "deadline_text"), ("koreksi", "note")],
    "drafting": [
        ("skp", s) for s in ("rhk", "iki", "iki_check", "target", "satuan", "bobot", "count_note")
    ]
    + [("skp", "change_note")],
    "pasting": [
        ("skp", s)
        for s in ("overview", "paste_wait", "paste", "paste_fix", "pick", "item", "findings")
    ],
    "dialog": [
        ("tinjau", "exp_target"),
        ("tinjau", "exp_text"),
        ("tinjau", "value_text"),
        ("tinjau", "kons_text"),
        ("tanggapan", "counter"),
        ("tanggapan", "reason"),
        ("tanggapan", "need_text"),
        ("tinjau", "change_note"),
        ("tinjau", "revise_note"),
    ],
    "cascade": [
        ("kaskade", s)
        for s in (
            "pahami",
            "rumuskan",
            "strategy_text",
            "activity_text",
            "edit_line",
            "role_rhk",
            "role_iki",
            "role_target",
        )
    ],
    "evaluation": [("evaluasi", "perilaku"), ("evaluasi", "note"), ("evaluasi", "respond")],
    "progress": [
        ("capaian", "home"),
        ("capaian", "item"),
        ("capaian", "note"),
        ("rencana", "item"),
        ("umpan", "text"),
        ("rencana_tinjau", "change"),
    ],
}


def text_steps() -> set[tuple[str, str]]:
    registry = build_registry()
    return {
        (f.name, s.name) for f in registry.flows.values() for s in f.steps.values() if s.on_text
    }


def test_every_text_step_is_covered() -> None:
    assert text_steps() == set(TEXT_STEPS), "list each text step and what it takes"
    grouped = [step for steps in GROUPS.values() for step in steps]
    assert sorted(grouped) == sorted(TEXT_STEPS), "and hammer it in one of the tests"
    for kind in TEXT_STEPS.values():
        assert ACCEPTED[kind] <= NAMES


def test_what_postgresql_cannot_store_never_reaches_it() -> None:
    """A NUL in a command is echoed in the answer, which is stored (PostgreSQL refuses it);
    a satuan is one line, as it is in a target ("5 Dokumen")."""
    assert Event.from_text("/\x00") == Event(EventKind.COMMAND, "", "")
    assert Event.from_text("/sk\x00p a\x00b") == Event(EventKind.COMMAND, "skp", "ab")
    assert rules.satuan_problem("Dokumen\nlaporan") and not rules.satuan_problem("Dokumen")


class Hammer:
    """Sends the whole corpus to the step a person is on, restoring that step before each."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.sent = 0
        self.steps: list[tuple[str, str]] = []

    async def run(
        self,
        client: ChatClient,
        nip: str,
        step: tuple[str, str],
        relink: bool = False,
        cells: bool = False,
        once: bool = False,
    ) -> None:
        """`cells`: each entry as the cells of a pasted table, not as it is. `once`: the step
        makes something that exists once (a change of an SKP, a revision): after the first
        text taken, the others are answered with why not, and store nothing."""
        bot = self.bot
        emp_id = await employee_id(bot, nip)
        state = await state_of(bot, emp_id)
        assert (state.flow, state.step) == step, (state.flow, state.step, client.last.text)
        kind = "cells" if cells else TEXT_STEPS[step]
        accepted = ACCEPTED[kind]
        saved = dict(state.data or {})
        made = False
        for name, entry in CORPUS:
            text = f"RHK\tIKI\tTarget\n{entry}\t{entry}\t{entry}" if cells else entry
            await put_state(bot, emp_id, state.flow, state.step, saved)
            if relink:  # a person who confirms who they are by reporting wrong data
                await pending_again(bot, emp_id)
            before = await snapshot(bot)
            mark = client.mark()
            await client.send(text)
            self.sent += 1
            replies = client.texts_since(mark)
            assert replies, f"{step}: no answer to {name}"
            no_trouble(replies)
            now = await state_of(bot, emp_id)
            after = await snapshot(bot)
            changed = differences(before, after)
            moved = place(now) != place(state)
            taken = moved or bool(changed)
            assert taken == (name in accepted), (
                f"{step}: {name} {'taken' if taken else 'refused'}",
                changed,
                place(now)[:2],
                replies[-1][:300],
            )
            if kind == "cells":  # a preview, nothing stored
                assert not changed and place(now)[:2] == ("skp", "paste"), (name, changed)
            if taken and once and made:
                assert not changed, (step, name, changed)
                continue
            made = made or bool(changed)
            if taken and kind in ("words", "lines", "report"):
                # a text is kept as typed (invisible characters dropped), whatever it holds;
                # of a list, its first line at least (the others may be rows of their own)
                new = [row for t in changed for row in after[t] if row not in before[t]]
                kept = " ".join(strings([new, place(now)[2]]))
                first = visible(text).splitlines()[0]
                assert " ".join(first.split()) in " ".join(kept.split()), (step, name, kept[:500])
        # back on the step, with its buttons (an accepted entry moved on)
        await put_state(bot, emp_id, state.flow, state.step, saved)
        if relink:
            await pending_again(bot, emp_id)
        await client.command("bantuan")
        if not cells:
            self.steps.append(step)

    def done(self, group: str, tables: int = 0) -> None:
        assert self.steps == GROUPS[group]
        assert self.sent == (len(self.steps) + tables) * len(CORPUS)
        print(f"\n{group}: {len(self.steps)} text steps, {self.sent} entries sent")


def strings(value: object) -> list[str]:
    """Every text in rows and drafts (nested tuples, lists and dicts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return []


def visible(text: str) -> str:
    """What is left of a typed text once invisible and control characters are dropped."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


async def pending_again(bot: Harness, emp_id: int) -> None:
    async with bot.services.sessionmaker() as session, session.begin():
        await session.execute(
            update(TelegramLink)
            .where(TelegramLink.employee_id == emp_id)
            .values(status="pending", confirmed_at=None)
        )


async def changes_of(bot: Harness, nip: str) -> list[str | None]:
    """The notes of the changes (perubahan SKP) started for this person's SKP."""
    emp_id = await employee_id(bot, nip)
    rows = await bot.rows(Skp, Skp.employee_id == emp_id, Skp.number > 1)
    return [row.change_note for row in rows]


# -- onboarding, the menu, koreksi ----------------------------------------------------------------


async def test_hostile_text_when_joining_and_in_the_menus(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    hammer = Hammer(bot)
    newcomer = bot.client(8101)
    await newcomer.command("start", await bot.invite(PUTRI))
    await newcomer.click("Data saya salah")
    await newcomer.click("Atasan")
    await hammer.run(newcomer, PUTRI, ("onboarding", "wrong_note"), relink=True)

    admin = await bot.onboard(ADMIN, 8102)
    await admin.click("Status aktivasi")
    await admin.click("Tenggat periode")
    await admin.click("Batas penyusunan")
    await hammer.run(admin, ADMIN, ("menu", "deadline_text"))

    galih = await bot.onboard(GALIH, 8103)
    await galih.command("koreksi")
    await galih.click("Atasan")
    await hammer.run(galih, GALIH, ("koreksi", "note"))
    hammer.done("joining")
    no_errors(caplog)


# -- /skp: the item wizard and a change -----------------------------------------------------------


async def test_hostile_text_while_drafting(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    hammer = Hammer(bot)
    katim = await bot.onboard(KATIM_SBBL, 8201)
    await katim.command("skp")
    await katim.click("Tambah hasil kerja")
    await katim.click("TUSI")
    await hammer.run(katim, KATIM_SBBL, ("skp", "rhk"))
    await katim.send("Layanan skrining bayi baru lahir terlaksana sesuai standar")
    await katim.click("Kuantitas")
    await hammer.run(katim, KATIM_SBBL, ("skp", "iki"))
    await katim.send("Jumlah laporan skrining bayi baru lahir yang diverifikasi")
    await hammer.run(katim, KATIM_SBBL, ("skp", "iki_check"))  # a report count: shown at once
    await katim.send("Jumlah laporan skrining bayi baru lahir yang diverifikasi")
    await katim.click("Lanjutkan")
    await hammer.run(katim, KATIM_SBBL, ("skp", "target"))
    await katim.send("12")
    await hammer.run(katim, KATIM_SBBL, ("skp", "satuan"))
    await katim.send("Laporan")
    await hammer.run(katim, KATIM_SBBL, ("skp", "bobot"))
    await katim.send("10")
    assert "Simpan" in str(katim.last.labels())  # the wizard still works after all that
    await katim.click("Simpan")
    for _ in range(2):  # 19 items: more than 10, the adjustment may be recorded
        await seed_sbbl_skp(bot, KATIM_SBBL)
    await katim.command("skp")
    await katim.click("Ajukan ke atasan")
    await katim.click("Catat penyesuaian")
    await hammer.run(katim, KATIM_SBBL, ("skp", "count_note"))

    await bot.onboard(DIREKTUR, 8202)
    surv = await bot.onboard(KATIM_SURV, 8203)
    await set_skp_of(bot, KATIM_SURV, DIREKTUR)
    await surv.command("skp")
    await surv.click("Ajukan perubahan SKP")
    await surv.click("Penugasan mendesak")
    await hammer.run(surv, KATIM_SURV, ("skp", "change_note"), once=True)
    assert await changes_of(bot, KATIM_SURV) == ["a & b < c"]
    hammer.done("drafting")
    no_errors(caplog)


# -- /skp: typed on the overview, pasted tables --------------------------------------------------


async def test_hostile_text_on_the_overview_and_pasted_tables(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    hammer = Hammer(bot)
    katim = await bot.onboard(KATIM_SBBL, 8251)
    await seed_sbbl_skp(bot, KATIM_SBBL)
    await katim.command("skp")
    await hammer.run(katim, KATIM_SBBL, ("skp", "overview"))
    await hammer.run(katim, KATIM_SBBL, ("skp", "overview"), cells=True)
    await hostile_files(bot, katim)
    await katim.click("Tambah hasil kerja")
    await katim.click("Tempel tabel")
    await hammer.run(katim, KATIM_SBBL, ("skp", "paste_wait"))
    await katim.send(
        "RHK\tIKI\tTarget\n"
        "Layanan skrining bayi baru lahir terlaksana sesuai standar\t"
        "Persentase bayi baru lahir yang diskrining\t<b>banyak</b>"
    )
    await hammer.run(katim, KATIM_SBBL, ("skp", "paste"))
    await katim.click("Perbaiki baris 2")
    await hammer.run(katim, KATIM_SBBL, ("skp", "paste_fix"))
    await katim.send(
        "Layanan skrining bayi baru lahir terlaksana sesuai standar\t"
        "Persentase bayi baru lahir yang diskrining\t90%"
    )
    await katim.click("Simpan semua")  # the pasted row, fixed, is stored
    assert await bot.count(SkpItem) == 10
    await katim.click("Ubah, hapus, atau urutkan")
    await hammer.run(katim, KATIM_SBBL, ("skp", "pick"))
    await katim.click("1", katim.last)
    await hammer.run(katim, KATIM_SBBL, ("skp", "item"))
    await katim.command("skp")
    await katim.click("Lihat temuan")
    await hammer.run(katim, KATIM_SBBL, ("skp", "findings"))
    hammer.done("pasting", tables=1)
    no_errors(caplog)


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def hostile_files(bot: Harness, client: ChatClient) -> None:
    """Files sent on the overview (a table to read): each entry as the file's name and as
    its cells, in .xlsx and .csv, and files that are no table at all. Each is answered (a
    preview, or why it cannot be read) and nothing is stored."""
    emp_id = await employee_id(bot, KATIM_SBBL)
    state = await state_of(bot, emp_id)
    files: list[tuple[str, bytes]] = []
    for _name, entry in CORPUS:
        cell = entry.replace("\x00", "")  # a workbook cannot hold a NUL; a CSV can
        files.append((f"{entry}.xlsx", workbook([["RHK", "IKI", "Target"], [cell] * 3])))
        files.append((f"{entry}.csv", f"RHK;IKI;Target\n{entry};{entry};{entry}\n".encode()))
    files += [
        ("rusak.xlsx", b"PK\x03\x04bukan zip"),
        ("kosong.xlsx", b""),
        ("biner.csv", b"\xff\xfe\x00\x00\x80"),
        ("panjang.csv", b"a;b;c\n" * 5000),
        ("skp.pdf", b"%PDF-1.4"),
        ("tanpa-titik", b"RHK;IKI;Target"),
    ]
    before = await snapshot(bot)
    for filename, content in files:
        await put_state(bot, emp_id, state.flow, state.step, dict(state.data or {}))
        mark = client.mark()
        await client.send_file(filename, content)
        replies = client.texts_since(mark)
        assert replies, filename
        no_trouble(replies)
        assert place(await state_of(bot, emp_id))[:2] in (("skp", "overview"), ("skp", "paste"))
    assert differences(before, await snapshot(bot)) == {}
    await put_state(bot, emp_id, state.flow, state.step, dict(state.data or {}))
    await client.command("bantuan")
    print(f"\nfiles: {len(files)} sent")


# -- /persetujuan and the employee's answer ------------------------------------------------------


async def review_home(director: ChatClient) -> None:
    await director.command("persetujuan")
    await director.click("1. Intan")


async def test_hostile_text_in_the_dialog_kinerja(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    hammer = Hammer(bot)
    director = await bot.onboard(DIREKTUR, 8301)
    katim = await bot.onboard(KATIM_SBBL, 8302)
    await bot.onboard(KATIM_SURV, 8303)
    await seed_sbbl_skp(bot, KATIM_SBBL)
    await submit(katim)

    await review_home(director)
    await director.click("Ekspektasi hasil / target")
    await director.click("1")  # item 1 is counted in %
    await director.click("Target dan standar")
    await hammer.run(director, DIREKTUR, ("tinjau", "exp_target"))
    await director.send("90%")
    await hammer.run(director, DIREKTUR, ("tinjau", "exp_text"))  # "a & b < c" is sent

    await review_home(director)
    await director.click("Ekspektasi perilaku")
    await director.click("Kolaboratif")
    await hammer.run(director, DIREKTUR, ("tinjau", "value_text"))

    await review_home(director)
    await director.click("Lampiran")
    await director.click("Konsekuensi positif")
    await hammer.run(director, DIREKTUR, ("tinjau", "kons_text"))

    # the employee answers the target expectation on item 1
    await katim.command("skp")
    await katim.click("Tanggapi: butir 1")
    await katim.click("Usulkan target lain")
    await hammer.run(katim, KATIM_SBBL, ("tanggapan", "counter"))
    await katim.send("80")
    await hammer.run(katim, KATIM_SBBL, ("tanggapan", "reason"))
    await katim.send("Data skrining dari daerah baru lengkap pada triwulan kedua.")
    await katim.click("Sampaikan kebutuhan dukungan")
    await katim.click("SDM")
    await hammer.run(katim, KATIM_SBBL, ("tanggapan", "need_text"))

    # a set SKP: the leader starts a change
    surv_skp = await set_skp_of(bot, KATIM_SURV, DIREKTUR)
    await sender(bot).drain()
    await director.click_data(f"skp:det:{surv_skp}:0")
    await director.click("Mulai perubahan SKP")
    await director.click("Penugasan mendesak")
    await hammer.run(director, DIREKTUR, ("tinjau", "change_note"), once=True)
    assert await changes_of(bot, KATIM_SURV) == ["a & b < c"]  # one change, as typed

    await review_home(director)
    await director.click("Minta revisi")
    await hammer.run(director, DIREKTUR, ("tinjau", "revise_note"), once=True)
    assert "a &amp; b &lt; c" in katim.last.text  # the revision note, escaped
    hammer.done("dialog")
    no_errors(caplog)


# -- /kaskade -------------------------------------------------------------------------------------


async def test_hostile_text_in_the_cascade(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    hammer = Hammer(bot)
    director = await bot.onboard(DIREKTUR, 8401)
    await bot.onboard(KATIM_SBBL, 8402)
    await director.command("skp")
    await director.click("Isi dari Perjanjian Kinerja")
    await director.command("kaskade")
    await director.click("RHK 1")
    await hammer.run(director, DIREKTUR, ("kaskade", "pahami"))
    await director.click("R: Rumuskan")
    await hammer.run(director, DIREKTUR, ("kaskade", "rumuskan"))  # adds "a & b < c"
    await director.click("➕ Strategi")
    await hammer.run(director, DIREKTUR, ("kaskade", "strategy_text"))  # and again
    await director.click("Kembali")
    await director.click("Kegiatan untuk strategi 1")
    await hammer.run(director, DIREKTUR, ("kaskade", "activity_text"))
    await director.click("Kembali")
    await director.click("Ubah strategi atau kegiatan")
    await director.click("✏️ 1.1")
    await hammer.run(director, DIREKTUR, ("kaskade", "edit_line"))
    await director.click("Kembali")
    await director.click("I: Identifikasi")  # the first activity, at once
    await director.click("Intan")
    await director.click("Selesai")
    await director.click("M: Jabarkan")  # the only role, at once
    await director.click("Pendekatan output antara")
    await hammer.run(director, DIREKTUR, ("kaskade", "role_rhk"))
    await director.send("NSPK skrining bayi baru lahir tersusun sesuai ketentuan")
    await hammer.run(director, DIREKTUR, ("kaskade", "role_iki"))
    await director.send("Persentase NSPK skrining bayi baru lahir tersusun tepat waktu")
    await director.send("100%")  # counted in % from here on
    await director.click("✏️ 1")
    await director.click("RHK tetap")
    await director.click("IKI tetap")
    await hammer.run(director, DIREKTUR, ("kaskade", "role_target"))
    hammer.done("cascade")
    no_errors(caplog)


# -- where no text is asked: a menu, commands, someone unknown ------------------------------------


async def test_hostile_text_where_none_is_asked(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = bot.client(8501)
    katim = await bot.onboard(KATIM_SBBL, 8502)
    await katim.command("skp")  # their SKP exists: opening it again creates nothing
    await katim.command("menu")
    emp_id = await employee_id(bot, KATIM_SBBL)
    home = place(await state_of(bot, emp_id))
    assert home[:2] == ("menu", "home")
    before = await snapshot(bot)
    sent = 0
    for name, text in CORPUS:
        for client, typed in (
            (stranger, text),
            (stranger, f"/start {text}"),
            (stranger, f"/{text}"),
            (katim, text),
            (katim, f"/{text}"),
            (katim, f"/start {text}"),
            (katim, f"/skp {text}"),
        ):
            mark = client.mark()
            await client.send(typed)
            sent += 1
            replies = client.texts_since(mark)
            assert replies, (name, typed[:20])
            no_trouble(replies)
            if typed.startswith("/skp"):
                await katim.command("menu")
            elif client is katim:
                assert place(await state_of(bot, emp_id)) == home, (name, typed[:20])
    assert differences(before, await snapshot(bot)) == {}
    assert sent == 7 * len(CORPUS)
    print(f"\nnone asked: {sent} entries sent")
    no_errors(caplog)


# -- /evaluasi: a value's note, the evaluation's notes, the employee's response -----------------


async def test_hostile_text_in_the_evaluation(
    bot: Harness, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import UTC, datetime

    from tests.evaluation_seeds import seed_set_skp_with_progress

    clock.now = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
    hammer = Hammer(bot)
    katim = await bot.onboard(KATIM_SBBL, 8601)
    putri = await bot.onboard(PUTRI, 8602)
    await seed_set_skp_with_progress(bot.services, PUTRI)
    await katim.command("evaluasi")
    await katim.click("Putri Lestiani")
    await katim.click("Sesuai ekspektasi")
    await hammer.run(katim, KATIM_SBBL, ("evaluasi", "perilaku"))
    await katim.click("Sesuai ekspektasi")
    for _ in range(6):
        await katim.click("Sesuai ekspektasi")
    await katim.click("Sesuai ekspektasi")  # the overall perilaku rating: the summary
    await katim.click("Tindak lanjut")
    await hammer.run(katim, KATIM_SBBL, ("evaluasi", "note"))
    await katim.click("Kembali")
    await katim.click("Finalkan evaluasi")
    await katim.click("Ya, finalkan")
    await putri.click("Tanggapi")
    await hammer.run(putri, PUTRI, ("evaluasi", "respond"))
    hammer.done("evaluation")
    no_errors(caplog)


# -- the year in progress: check-in, rencana aksi, feedback -----------------------------------


async def test_hostile_text_in_the_year_in_progress(
    bot: Harness, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import UTC, datetime

    from tests.document_seeds import seed_skp

    clock.now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    hammer = Hammer(bot)
    director = await bot.onboard(DIREKTUR, 8701)
    katim = await bot.onboard(KATIM_SBBL, 8702)
    await seed_skp(bot.services, KATIM_SBBL, status=SkpStatus.SET)
    await katim.command("capaian")
    await hammer.run(katim, KATIM_SBBL, ("capaian", "home"))
    await katim.click("1")
    await hammer.run(katim, KATIM_SBBL, ("capaian", "item"))
    await katim.command("capaian")
    await katim.click("Catatan")
    await hammer.run(katim, KATIM_SBBL, ("capaian", "note"))
    await katim.command("rencana")
    await katim.click("1")
    await hammer.run(katim, KATIM_SBBL, ("rencana", "item"))
    await katim.send("Jan–Des: menyusun NSPK")
    await katim.click("Kembali")
    await katim.click("Ajukan ke atasan")
    await katim.click("Ajukan tetap")
    await director.command("umpan")
    await director.click("Intan")
    await director.click("Perlu dialog")
    await hammer.run(director, DIREKTUR, ("umpan", "text"))
    notice = next(m for m in reversed(director.received) if "mengajukan rencana aksi" in m.text)
    await director.click("Minta perubahan", notice)
    await hammer.run(director, DIREKTUR, ("rencana_tinjau", "change"), once=True)
    hammer.done("progress")
    no_errors(caplog)

"""Forged button presses by every kind of actor, through the real Application and the strict fake
Telegram.

A demo organisation is driven, by pressing the real buttons, to where every kind of object
button exists: two submitted SKPs in different units, each with a target expectation its
employee answered with a counter-proposal and a resource need (the leader's decision buttons), a
BerAKHLAK expectation (the employee's buttons), a data report (the administrators' button) and a
cascade whose sent proposal the leader changed (the assignee's buttons). The callback data seen
on those screens is then pressed, as it is, aimed at every object of its kind, and mutated (ids
±1, 2³¹, 20 digits, negative, "²", versions changed, namespaces and actions swapped, garbage, 64
and 65 bytes), by: the employee, their leader, an employee of another unit, a unit head, an
administrator, a Telegram account nobody invited and one invited but not yet confirmed; and each
presses their own screen's step buttons aimed at other objects. A press the presser may make is
not sent (their own SKP's buttons for their side: the employee's for the employee, the leader's
for the leader; their own cascade proposals; a data report for an administrator); every other
one is: the employee pressing the leader's "Setujui" on their own SKP as much as a stranger
pressing it. For each press: no error, the press is answered (answerCallbackQuery, once), and
nothing stored changes (SKPs, items, expectations, resource lines, cascades, reports, links, the
audit log, the outbox without the presser's own reply). A rightful press at the end shows that
the comparison sees a change when there is one."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.db.models import (
    Cascade,
    CascadeActivity,
    CascadeAssignment,
    CascadeStrategy,
    DataReport,
    Employee,
    Evaluation,
    RoleGrant,
    RoleName,
    Skp,
    SkpExpectation,
    SkpResource,
)
from bot.engine.callback import MAX_BYTES, Callback
from bot.services.demo import DIREKTUR, KARO, KATIM_PENKIN, KATIM_SBBL, KATIM_SURV
from conversations import build_registry
from tests.conftest import Harness
from tests.evaluation_seeds import seed_set_skp_with_progress
from tests.hostile_world import Watcher, employee_id, no_errors, no_trouble
from tests.telegram_fake import ChatClient
from tests.test_dialog_flow import seed_sbbl_skp, submit

ADMIN = "199104172015022001"
FITRI = "199002142015032001"  # Penilaian Kinerja team (ROOSDM), assessed by KATIM_PENKIN
PUTRI = "199003032015032002"  # staff of the SBBL Katim
GALIH = "199211212018011001"  # staff of the SBBL Katim
STEP_NS = "s"
# Every action an object namespace knows of (and some it does not): pressed on every object.
ACTIONS: dict[str, tuple[str, ...]] = {
    "skp": ("open", "sign", "ok", "set", "dis", "det", "rev", "approve"),
    "exp": ("ok", "re", "acc", "keep", "del"),
    "res": ("ok", "no", "del"),
    "cas": ("apply", "keep", "take", "leave"),
    "rep": ("done", "open"),
    "go": ("skp", "persetujuan", "kaskade", "menu", "capaian", "rencana", "tim"),
    "ev": ("open", "view", "resp", "del"),
    "rap": ("ok", "chg", "view", "del"),
}
# Which side of an SKP a button is for: its employee, or the leader who assesses it.
EMPLOYEE_ACTIONS = {("skp", "open"), ("skp", "sign"), ("exp", "ok"), ("exp", "re")}
LEADER_ACTIONS = {
    ("skp", "ok"),
    ("skp", "set"),
    ("skp", "dis"),
    ("skp", "det"),
    ("skp", "rev"),
    ("exp", "acc"),
    ("exp", "keep"),
    ("res", "ok"),
    ("res", "no"),
}
ODD_IDS = ("0", "-1", str(2**31 - 1), str(2**31), "99999999999999999999", "²", "１２", "", "1a")
ODD_VERSIONS = ("999999999", "1234567890", "-1", "²", "")


@dataclass
class Actor:
    name: str
    client: ChatClient
    nip: str | None  # None: a Telegram account nobody invited
    emp_id: int | None = None
    admin: bool = False


@dataclass
class Tally:
    presses: int = 0
    skipped_rightful: int = 0
    by_actor: dict[str, int] = field(default_factory=dict)


def forge(data: str, other_ns: bool = True) -> tuple[list[str], list[str]]:
    """Mutations of real callback data: (those that still name an object: the id ±1, the
    version ±1, another namespace; and those that cannot: odd ids and versions, missing or
    extra fields, 64 and 65 bytes)."""
    parts = data.split(":")
    if len(parts) != 4:
        return [], []
    ns, action, obj, version = parts
    near: list[str] = []
    if obj.isdigit():
        near += [f"{ns}:{action}:{int(obj) + d}:{version}" for d in (-1, 1)]
    elif obj:  # a step button's argument ("a12", "items.2", "skp")
        near += [f"{ns}:{action}:{obj}x:{version}"]
    if version.isdigit():
        near += [
            f"{ns}:{action}:{obj}:{int(version) + d}" for d in (-1, 1) if int(version) + d >= 0
        ]
    if other_ns:
        near += [f"{o}:{action}:{obj}:{version}" for o in (*ACTIONS, STEP_NS) if o != ns]
    base = f"{ns}:{action}:{obj}:"
    odd = [f"{ns}:{action}:{o}:{version}" for o in ODD_IDS]
    odd += [f"{ns}:{action}:{obj}:{o}" for o in ODD_VERSIONS]
    odd += [
        base + "1" * (MAX_BYTES - len(base)),  # 64 bytes, the version too long
        f"{ns}:{action}:{obj}{'7' * (MAX_BYTES - len(base))}:1",  # 65 bytes
        f"{ns}:{action}:{obj}:{version}:{version}",
        f"{ns}:{action}:{obj}",
        f"{ns}::{obj}:{version}",
        f"{ns}:{action}²:{obj}:{version}",
    ]
    keep = lambda items: [d for d in dict.fromkeys(items) if d != data]  # noqa: E731
    return keep(near), keep(odd)


GARBAGE = [
    "",
    ":",
    ":::",
    "x" * 64,
    "é" * 32,
    "9" * 64,
    "s:go:skp:" + "1" * 55,
    "\x00",
    "skp:ok:1:1\x00",
    "skp:ok:\u200b1:1",
    "skp:ok:1:1 ",
]


class World:
    """The organisation with every kind of object button on someone's screen."""

    def __init__(self, bot: Harness) -> None:
        self.bot = bot
        self.actors: list[Actor] = []

    async def build(self) -> None:
        bot = self.bot
        self.intan = await bot.onboard(KATIM_SBBL, 9101)
        self.direktur = await bot.onboard(DIREKTUR, 9102)
        self.fitri = await bot.onboard(FITRI, 9103)
        self.dewi = await bot.onboard(KATIM_PENKIN, 9104)
        self.karo = await bot.onboard(KARO, 9105)
        self.admin = await bot.onboard(ADMIN, 9106)
        self.wahyu = await bot.onboard(KATIM_SURV, 9107)
        self.stranger = bot.client(9108)
        await self.stranger.command("start")
        # invited and not yet confirmed: only the confirmation is open to them
        self.newcomer = bot.client(9109)
        await self.newcomer.command("start", await bot.invite(PUTRI))

        # two SKPs submitted, in two units, each with a negotiated target and a need
        for employee, nip, leader, name in (
            (self.intan, KATIM_SBBL, self.direktur, "Intan"),
            (self.fitri, FITRI, self.dewi, "Fitri"),
        ):
            await seed_sbbl_skp(bot, nip)
            await submit(employee)
            await leader.command("persetujuan")
            await leader.click(f"1. {name}")
            await leader.click("Ekspektasi hasil / target")
            await leader.click("1")
            await leader.click("Target dan standar")
            await leader.send("90%")
            await leader.send("Mohon target ini dipenuhi di seluruh provinsi tahun ini.")
            await employee.command("skp")
            await employee.click("Tanggapi: butir 1")
            await employee.click("Usulkan target lain")
            await employee.send("80")
            await employee.send("Data dari daerah baru lengkap pada triwulan kedua tahun ini.")
            await employee.click("Sampaikan kebutuhan dukungan")
            await employee.click("SDM")
            await employee.send("Satu tenaga pengolah data untuk verifikasi laporan daerah.")
            await employee.click("Kirim tanggapan")
            await leader.command("persetujuan")
            await leader.click(f"1. {name}")
            await leader.click("Ekspektasi perilaku")
            await leader.click("Kolaboratif")
            await leader.click("Pakai contoh 1")
        # a data report for the administrators
        await self.fitri.command("koreksi")
        await self.fitri.click("Atasan")
        await self.fitri.send("Atasan langsung saya Dewi Anggraini, Ketua Tim Penilaian Kinerja.")
        # a cascade sent to Wahyu, then changed: his buttons to take the change or not
        d = self.direktur
        await d.command("skp")
        await d.click("Isi dari Perjanjian Kinerja")
        await d.command("kaskade")
        await d.click("RHK 1")
        await d.click("R: Rumuskan")
        await d.click("➕ Strategi")
        await d.send("Penguatan surveilans kesehatan keluarga di seluruh provinsi")
        await d.send("Penyusunan pedoman surveilans kesehatan keluarga")  # asked next
        await d.click("I: Identifikasi")  # the only activity, at once
        await d.click("Wahyu")
        await d.click("Selesai")
        await d.click("M: Jabarkan")  # the only role, at once
        await d.click("Pendekatan output antara")
        for target in ("100%", "90%"):
            if target != "100%":
                await d.click("✏️ 1")
            await d.send("Pedoman surveilans kesehatan keluarga tersusun sesuai ketentuan")
            await d.send("Persentase pedoman surveilans kesehatan keluarga tersusun tepat waktu")
            await d.send(target)
            await d.click("A: Ajak")
            await d.click("Kirim usulan ke tim")
            await d.click("Kembali")

        # an evaluation finalised by Intan for Galih: his notice's buttons (`ev`)
        self.galih = await bot.onboard(GALIH, 9110)
        await seed_set_skp_with_progress(bot.services, GALIH)
        await self.intan.command("evaluasi")
        await self.intan.click("Galih Pratama")
        await self.intan.click("Di atas ekspektasi")
        for _ in range(7):
            await self.intan.click("Sesuai ekspektasi")
        await self.intan.click("Sesuai ekspektasi")
        await self.intan.click("Finalkan evaluasi")
        await self.intan.click("Ya, finalkan")
        assert "Tanggapi" in " ".join(self.galih.last.labels())
        # Galih's rencana aksi submitted to Intan: her notice's buttons (`rap`)
        await self.galih.command("rencana")
        await self.galih.click("1")
        await self.galih.send("Jan–Des: menyusun dan melaksanakan kegiatan")
        await self.galih.click("Kembali")
        await self.galih.click("Ajukan ke atasan")
        await self.galih.click("Ajukan tetap")  # the other items have no plan yet
        assert "Setujui rencana aksi" in " ".join(self.intan.last.labels())
        # everyone's own SKP exists: opening one creates nothing during the presses
        for client in (self.karo, self.admin, self.dewi, self.wahyu):
            await client.command("skp")
        # the leaders on the review of their employee's SKP (step buttons with objects)
        for leader, name in ((self.direktur, "Intan"), (self.dewi, "Fitri")):
            await leader.command("persetujuan")
            await leader.click(f"1. {name}")
        for employee in (self.intan, self.fitri):
            await employee.command("skp")
        await self.admin.command("menu")
        await self.admin.click("Laporan data salah")

        self.actors = [
            Actor("employee", self.intan, KATIM_SBBL),
            Actor("their leader", self.direktur, DIREKTUR),
            Actor("employee of another unit", self.fitri, FITRI),
            Actor("unit head", self.karo, KARO),
            Actor("administrator", self.admin, ADMIN, admin=True),
            Actor("unlinked", self.stranger, None),
            Actor("invited, not confirmed", self.newcomer, PUTRI),
        ]
        for actor in self.actors:
            if actor.nip is not None:
                actor.emp_id = await employee_id(bot, actor.nip)

    def seen(self) -> list[str]:
        """The object buttons on every screen and notice sent, in order."""
        data = [
            b.get("callback_data", "")
            for m in self.bot.transport.messages.values()
            for row in m.buttons
            for b in row
        ]
        return list(dict.fromkeys(d for d in data if d and not d.startswith(f"{STEP_NS}:")))

    async def objects(self) -> dict[str, list[int]]:
        """The ids of every object a button may name, by namespace."""
        async with self.bot.services.sessionmaker() as session:

            async def ids(model: type) -> list[int]:
                rows = await session.execute(select(model.id).order_by(model.id))  # type: ignore[attr-defined]
                return list(rows.scalars())

            return {
                "skp": await ids(Skp),
                "exp": await ids(SkpExpectation),
                "res": await ids(SkpResource),
                "cas": sorted({*await ids(CascadeAssignment), *await ids(Cascade)}),
                "rep": await ids(DataReport),
                "ev": await ids(Evaluation),
                "rap": await ids(Skp),
            }

    async def skp_of(self, nip: str) -> int:
        emp_id = await employee_id(self.bot, nip)
        async with self.bot.services.sessionmaker() as session:
            found = await session.scalar(select(Skp.id).where(Skp.employee_id == emp_id))
        assert found is not None
        return found

    async def version(self, ns: str, obj: int) -> int:
        """The version a button for this object would carry now: an SKP's revision; the
        version of the newest button seen for it otherwise."""
        if ns == "skp":
            async with self.bot.services.sessionmaker() as session:
                return int(await session.scalar(select(Skp.revision).where(Skp.id == obj)) or 0)
        found = [d.split(":")[3] for d in self.seen() if d.split(":")[0:3:2] == [ns, str(obj)]]
        return int(found[-1]) if found else 0

    async def rightful(self, actor: Actor, data: str) -> bool:
        """Whether `actor` may press this: a button of their own SKP's objects meant for
        their side (the employee's or the leader's), their own cascade proposals, any data
        report as an administrator. The employee pressing their leader's button, or the
        other way round, is not rightful."""
        callback = Callback.decode(data)
        if callback is None or actor.emp_id is None or callback.ns in (STEP_NS, "go"):
            return False
        obj = Callback.object_id(callback.obj)
        if obj is None:
            return False
        me = actor.emp_id
        async with self.bot.services.sessionmaker() as session:
            if callback.ns == "rep":
                return actor.admin
            if callback.ns == "ev":
                row = (
                    await session.execute(
                        select(Evaluation.employee_id, Evaluation.evaluator_id).where(
                            Evaluation.id == obj
                        )
                    )
                ).one_or_none()
                if row is None:
                    return False
                return (callback.action in ("view", "resp") and me == row[0]) or (
                    callback.action == "open" and me == row[1]
                )
            if callback.ns == "rap":  # a rencana aksi: its employee's leader decides
                leader = await session.scalar(
                    select(Employee.penilai_id)
                    .join(Skp, Skp.employee_id == Employee.id)
                    .where(Skp.id == obj)
                )
                return callback.action in ("ok", "chg", "view") and me == leader
            if callback.ns == "cas":
                mine = await session.scalar(
                    select(CascadeAssignment.id)
                    .join(CascadeActivity, CascadeActivity.id == CascadeAssignment.activity_id)
                    .join(CascadeStrategy, CascadeStrategy.id == CascadeActivity.strategy_id)
                    .where(
                        CascadeAssignment.assignee_id == me,
                        (CascadeAssignment.id == obj) | (CascadeStrategy.cascade_id == obj),
                    )
                    .limit(1)
                )
                return mine is not None
            skp_id: int | None = obj
            if callback.ns == "exp":
                skp_id = await session.scalar(
                    select(SkpExpectation.skp_id).where(SkpExpectation.id == obj)
                )
            elif callback.ns == "res":
                skp_id = await session.scalar(
                    select(SkpResource.skp_id).where(SkpResource.id == obj)
                )
            elif callback.ns != "skp":
                return False
            if skp_id is None:
                return False
            row = (
                await session.execute(
                    select(Skp.employee_id, Employee.penilai_id)
                    .join(Employee, Employee.id == Skp.employee_id)
                    .where(Skp.id == skp_id)
                )
            ).one_or_none()
            if row is None:
                return False
            button = (callback.ns, callback.action)
            return (button in EMPLOYEE_ACTIONS and me == row[0]) or (
                button in LEADER_ACTIONS and me == row[1]
            )


async def press(actor: Actor, data: str, watcher: Watcher) -> None:
    """Press `data` as `actor` (on the last message they received); it must be answered once,
    without an error, and change nothing stored."""
    client = actor.client
    mark = client.mark()
    update = client.callback_update(data)
    assert update.callback_query is not None
    query_id = update.callback_query.id
    await client.process(update)
    answers = [p for p in client.answers() if p.get("callback_query_id") == query_id]
    assert len(answers) == 1, (actor.name, data, answers)
    assert "kendala" not in str(answers[0].get("text") or ""), (actor.name, data, answers)
    no_trouble(client.texts_since(mark))
    changed = await watcher.look()
    assert changed == {}, (actor.name, data, changed)


async def test_forged_presses_change_nothing(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    world = World(bot)
    await world.build()
    seen = world.seen()
    # every object namespace the bot knows has a button on some screen
    assert {d.split(":", 1)[0] for d in seen} == set(build_registry().object_actions), seen
    objects = await world.objects()
    assert all(objects.values()), objects
    # the SKPs in question: the two submitted ones, and the one the cascade went to
    objects["skp"] = [await world.skp_of(nip) for nip in (KATIM_SBBL, FITRI, KATIM_SURV)]

    # pressed by everyone: every object button as seen; every action of every namespace on
    # every object of its kind; one button of each namespace with its id or version one off,
    # or in another namespace
    everyone: list[str] = list(seen)
    for ns, actions in ACTIONS.items():
        for obj in objects.get(ns, [0]):
            version = await world.version(ns, obj)
            everyone += [f"{ns}:{action}:{obj}:{version}" for action in actions]
    by_ns = {d.split(":", 1)[0]: d for d in reversed(seen)}
    for data in by_ns.values():
        everyone += forge(data)[0]
    # pressed by one actor each, in turn: one button of each (namespace, action) with odd ids
    # and versions, and garbage (refused before anyone's rights are looked at)
    kinds = {tuple(d.split(":", 2)[:2]): d for d in reversed(seen)}
    odd = [m for data in kinds.values() for m in forge(data)[1]] + GARBAGE
    decided = sorted({*objects["exp"], *objects["res"]})  # what the leader's buttons name

    tally = Tally()
    watcher = Watcher(bot)
    await watcher.look()
    for n, actor in enumerate(world.actors):
        # the step buttons of the actor's own screen, one off, stale, or naming other objects
        steps = [
            b["callback_data"]
            for row in actor.client.last.buttons
            for b in row
            if b.get("callback_data", "").startswith(f"{STEP_NS}:")
        ]
        forged_steps: list[str] = []
        for data in steps:
            forged_steps += forge(data, other_ns=False)[0]
            ns, action, obj, version = data.split(":")
            if obj.isdigit():
                forged_steps += [f"{ns}:{action}:{i}:{version}" for i in decided]
        mine = odd[n :: len(world.actors)]
        for data in dict.fromkeys([*everyone, *forged_steps, *mine]):
            if await world.rightful(actor, data):
                tally.skipped_rightful += 1
                continue
            await press(actor, data, watcher)
            tally.presses += 1
            tally.by_actor[actor.name] = tally.by_actor.get(actor.name, 0) + 1
    no_errors(caplog)
    assert len(tally.by_actor) == len(world.actors)
    assert all(count > 50 for count in tally.by_actor.values()), tally
    print(f"\nforged presses: {tally.presses} {tally.by_actor}; rightful: {tally.skipped_rightful}")

    # a rightful press changes what it should: the comparison above would have seen it
    accept = next(d for d in seen if d.startswith("exp:acc:"))
    assert await world.rightful(world.actors[1], accept)
    await world.direktur.click_data(accept)
    assert "skp_expectations" in await watcher.look()


async def test_admin_role_is_checked_on_the_report_button(bot: Harness) -> None:
    """A data report's button, forwarded to someone who is no administrator, does nothing;
    the role is read at the press, not when the message was sent."""
    fitri = await bot.onboard(FITRI, 9201)
    admin = await bot.onboard(ADMIN, 9202)
    await fitri.command("koreksi")
    await fitri.click("Atasan")
    await fitri.send("Atasan langsung saya Dewi Anggraini, Ketua Tim Penilaian Kinerja.")
    _, done = admin.find_button("Tandai sudah ditindaklanjuti")
    async with bot.services.sessionmaker() as session, session.begin():
        grant = await session.scalar(select(RoleGrant).where(RoleGrant.role == RoleName.ADMIN))
        assert grant is not None
        await session.delete(grant)
    watcher = Watcher(bot)
    await watcher.look()
    actor = Actor("former administrator", admin, ADMIN, await employee_id(bot, ADMIN))
    await press(actor, done, watcher)

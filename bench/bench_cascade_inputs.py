"""Benchmark: what a leader types and taps for the deck's PRIMA cascade of IKK 5.1.1 (3
strategies, 5 activities, the SBBL and Surveilans teams, the IKI of the deck's "Mulai
jabarkan" slide), through the real Application and the fake Telegram transport, following
the screens' own prompts. Prints the inputs (typed messages and button presses) and what the
bot sent: new messages and edits in the leader's chat, messages to each assignee. Asserts
nothing.

Two walks: "deck" is the slide as it is (8 roles: Intan's two IKI under 2.1 and 3.1, an RHK
written for each role); "6 roles" is the walk the count before issue 13 measured (one IKI per
person and activity). Before issue 13 that walk took 63 inputs (21 new messages and 42 edits
in the leader's chat with the calm chat, one message per activity), Intan got 5 messages (one
per item) and Wahyu 1; the deck's second IKI could not be given, and every assignee's RHK was
the activity's name.

    .venv/bin/python bench/bench_cascade_inputs.py
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from common import database

from bot.container import build_services
from bot.db import migrate as migrations
from bot.services import org_import
from bot.services.demo import DIREKTUR, KATIM_SBBL, KATIM_SURV, demo_data
from tests.conftest import Clock, Harness, make_settings
from tests.telegram_fake import ChatClient, FakeTelegram, Sent

STRATEGIES = [
    (
        "Penyediaan Kebijakan & Sarana/Prasarana terkait Skrining Bayi Baru Lahir",
        ["NSPK Skrining Bayi Baru Lahir", "Penyediaan BMHP SBBL ke Dit. Penyanfar"],
    ),
    (
        "Sosialisasi, Advokasi, & Pelatihan",
        [
            "Advokasi dan rekomendasi advokasi LP/LS Skrining Bayi Baru Lahir",
            "Pelatihan/penyegaran guna meningkatkan kapasitas Tenaga Kesehatan dalam "
            "Pelaksanaan SBBL",
        ],
    ),
    (
        "Monitoring, Evaluasi dan Perbaikan berkelanjutan",
        ["Monitoring dan Evaluasi Pelaksanaan Skrining Bayi Baru Lahir"],
    ),
]
CONTRIBUTORS = [("1.1", ["Intan"]), ("1.2", ["Intan"]), ("2.1", ["Intan"]), ("2.2", ["Intan"])]
CONTRIBUTORS += [("3.1", ["Intan", "Wahyu"])]
OUTPUT, SERVICE = "Pendekatan output antara", "Pendekatan layanan"
# (method, RHK — "" for the same as the person's other IKI in the activity —, IKI, target,
# whether it is a second IKI for the person under the activity)
DECK = [
    (
        OUTPUT,
        "NSPK skrining bayi baru lahir format buku saku interaktif tersusun sesuai ketentuan",
        "Jumlah NSPK Skrining Bayi Baru Lahir tersusun tepat waktu",
        "2 NSPK",
        False,
    ),
    (
        OUTPUT,
        "Rumusan BMHP SBBL yang menjadi acuan pengadaan tersusun sesuai kebutuhan",
        "Jumlah usulan penyediaan BMHP untuk mendukung pelaksanaan SBBL",
        "2 Rumusan",
        False,
    ),
    (
        OUTPUT,
        "Advokasi SBBL di 14 lokus target terlaksana sesuai jadwal dan ditindaklanjuti",
        "Jumlah Pelaksanaan Advokasi dan Koordinasi LP/LS Skrining Bayi Baru Lahir",
        "4 Kali",
        False,
    ),
    (
        OUTPUT,
        "",
        "Persentase rekomendasi hasil advokasi skrining bayi baru lahir yang ditindaklanjuti",
        "100%",
        True,
    ),
    (
        OUTPUT,
        "Webinar peningkatan kapasitas tenaga kesehatan tentang SBBL terlaksana sesuai standar",
        "Persentase peserta yang mengikuti peningkatan kapasitas (Webinar) SBBL",
        "100%",
        False,
    ),
    (
        OUTPUT,
        "Monitoring dan evaluasi SBBL di 14 regional terlaksana sesuai jadwal",
        "Jumlah Monitoring dan Evaluasi Pelaksanaan SBBL di 14 regional lokus target",
        "4 Kali",
        False,
    ),
    (
        OUTPUT,
        "",
        "Persentase Penyelesaian Rekomendasi Monitoring dan Evaluasi Pelaksanaan SBBL",
        "80%",
        True,
    ),
    (
        SERVICE,
        "Data surveilans SBBL 14 regional dianalisis tepat waktu sebagai bahan monev",
        "Persentase data surveilans SBBL di 14 regional yang dianalisis tepat waktu",
        "100%",
        False,
    ),
]
SIX = [role for role in DECK if not role[4]]


@dataclass
class Leader:
    """The leader's chat, counting what they do."""

    chat: ChatClient
    inputs: Counter[str] = field(default_factory=Counter)

    async def send(self, text: str) -> Sent:
        self.inputs["typed"] += 1
        return await self.chat.send(text)

    async def click(self, label: str) -> Sent:
        self.inputs["pressed"] += 1
        return await self.chat.click(label)


async def walk(leader: Leader, roles: list[tuple[str, str, str, str, bool]]) -> None:
    await leader.send("/kaskade")
    await leader.click("RHK 1")
    await leader.click("R: Rumuskan")
    for strategy, activities in STRATEGIES:
        await leader.send(strategy)  # the screen asks for its activities next
        await leader.send("\n".join(activities))  # one a line
    await leader.click("I: Identifikasi")  # straight to activity 1.1
    for n, (_activity, names) in enumerate(CONTRIBUTORS):
        for name in names:
            await leader.click(name)
        if n < len(CONTRIBUTORS) - 1:
            await leader.click("Lanjut ke kegiatan")
    await leader.click("M: Jabarkan")  # straight to the first role
    method = ""
    for n, (role_method, rhk, iki, target, _second) in enumerate(roles):
        if role_method != method:  # the method used last is kept
            await leader.click(role_method)
            method = role_method
        if rhk:
            await leader.send(rhk)
        else:
            await leader.click("Pakai RHK yang sama")
        await leader.send(iki)
        await leader.send(target)
        if n + 1 < len(roles) and roles[n + 1][4]:
            await leader.click("IKI lain untuk")  # the person's next IKI, same activity
    await leader.click("A: Ajak")
    await leader.click("Kirim usulan ke tim")


def sent_to(transport: FakeTelegram, chat_id: int, since: int, api: str) -> int:
    return sum(
        1
        for name, params in transport.calls[since:]
        if name == api and str(params.get("chat_id")) == str(chat_id)
    )


async def run(name: str, roles: list[tuple[str, str, str, str, bool]]) -> None:
    with database("sqlite") as url:
        services = build_services(make_settings(url), clock=Clock())
        await migrations.upgrade(services.db)
        async with services.sessionmaker() as session, session.begin():
            await org_import.apply(session, demo_data(), services.clock(), "bench")
        transport = FakeTelegram()
        async with Harness(services, transport) as bot:
            chat = await bot.onboard(DIREKTUR, 1)
            await bot.onboard(KATIM_SBBL, 2)
            await bot.onboard(KATIM_SURV, 3)
            await chat.command("skp")
            await chat.click("Isi dari Perjanjian Kinerja")
            since = len(transport.calls)
            leader = Leader(chat)
            await walk(leader, roles)
            ajak = [t for t in chat.texts_since(-3) if "Target tim per satuan" in t]
            totals = ajak[-1].split("Target tim per satuan: ", 1)[1].split("\n")[0] if ajak else ""
            print(
                f"{name}: {len(roles)} roles | inputs {sum(leader.inputs.values())} "
                f"({leader.inputs['typed']} typed, {leader.inputs['pressed']} pressed) | "
                f"leader's chat: {sent_to(transport, 1, since, 'sendMessage')} new messages, "
                f"{sent_to(transport, 1, since, 'editMessageText')} edits | "
                f"to Intan {sent_to(transport, 2, since, 'sendMessage')}, "
                f"to Wahyu {sent_to(transport, 3, since, 'sendMessage')} message(s) | "
                f"targets: {totals}"
            )
        await services.close()


async def main() -> None:
    await run("deck", DECK)
    await run("6 roles", SIX)


if __name__ == "__main__":
    asyncio.run(main())

"""The main menu and the views that need nothing but the organisation: one's profile, a ketua
tim's team, a unit head's unit, and the administrators' activation status and data reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, exists, func, literal, select
from sqlalchemy.orm import joinedload

from bot.db.models import (
    DataReport,
    Employee,
    Invitation,
    LinkStatus,
    ReportStatus,
    Skp,
    SkpStatus,
    Team,
    TeamMember,
    TelegramLink,
    Unit,
)
from bot.engine.callback import Callback
from bot.engine.context import Ctx, Role
from bot.engine.flow import Choice, Goto, Next, Reask, Stay, Step, flow
from bot.engine.runtime import HOME
from bot.usecases import evaluation, organisation, skp_lifecycle
from bot.usecases.base import Refused
from bot.webapp import queries
from bot.webapp.links import LINKS
from conversations import admin_outbox, data_report, privacy, review, web_login
from conversations.people import identity_card
from conversations.period import period_in_force

REPORTS_SHOWN = 8

BACK = [Choice("back", "back")]


async def home_view(ctx: Ctx) -> dict[str, Any]:
    roles = await ctx.actor.roles()
    open_reports = 0
    if Role.ADMIN in roles:
        open_reports = (
            await ctx.session.scalar(
                select(func.count())
                .select_from(DataReport)
                .where(DataReport.status == ReportStatus.OPEN)
            )
            or 0
        )
    leads = await review.is_leader(ctx.actor)
    return {
        "employee": ctx.actor.employee,
        "roles": roles,
        "Role": Role,
        "open_reports": open_reports,
        "leads": leads,
        "waiting": await skp_lifecycle.waiting_count(ctx.session, ctx.actor.id) if leads else 0,
        # The evaluation screen: for leaders, and for whoever has been evaluated.
        "evaluated": not leads and await evaluation.has_final(ctx.session, ctx.actor.id),
        **await _year_in_progress(ctx, leads),
    }


async def _year_in_progress(ctx: Ctx, leads: bool) -> dict[str, bool]:
    """Whether the person's SKP is set (check-ins open) and whether someone they assess has
    a set one (the team's check-ins): the menu offers those screens only then."""
    own = exists().where(Skp.employee_id == ctx.actor.id, Skp.status == SkpStatus.SET)
    team = (
        exists()
        .where(Skp.employee_id == Employee.id, Skp.status == SkpStatus.SET)
        .where(Employee.penilai_id == ctx.actor.id)
    )
    row = (await ctx.session.execute(select(own, team if leads else literal(False)))).one()
    return {"checkin": bool(row[0]), "team_checkin": bool(row[1])}


def home_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    roles = view["roles"]
    rows = [[Choice("go", "menu_skp", "skp")]]
    if view["leads"]:
        label = "menu_review_n" if view["waiting"] else "menu_review"
        rows.append([Choice("go", label, "persetujuan", values=(("n", view["waiting"]),))])
    if view["checkin"]:
        rows.append([Choice("go", "menu_checkin", "capaian")])
    if view["team_checkin"]:
        rows.append([Choice("go", "menu_team_checkin", "tim")])
    if view["leads"] or view["evaluated"]:
        rows.append([Choice("go", "menu_evaluation", "evaluasi")])
    rows.append([Choice("go", "menu_profile", "profile")])
    if Role.TEAM_LEAD in roles or Role.UNIT_HEAD in roles:
        rows.append([Choice("go", "menu_cascade", "kaskade")])
    if Role.TEAM_LEAD in roles:
        rows.append([Choice("go", "menu_team", "team")])
    if Role.UNIT_HEAD in roles:
        rows.append([Choice("go", "menu_unit", "unit")])
    if (Role.ADMIN in roles or Role.UNIT_HEAD in roles) and LINKS.dashboard:
        rows.append([Choice("go", "menu_web", "web")])
    if Role.ADMIN in roles:
        rows.append([Choice("go", "menu_admin_status", "admin_status")])
        rows.append(
            [
                Choice(
                    "go",
                    "menu_admin_reports",
                    "admin_reports",
                    values=(("count", view["open_reports"]),),
                )
            ]
        )
    rows.append([Choice("go", "menu_help", "help")])
    return rows


async def on_home(ctx: Ctx, _action: str, arg: str) -> Next:
    if arg == "help":
        return Reask("help_general")
    if arg == "skp":
        return Goto("overview", "skp")
    if arg == "kaskade":
        return Goto("pick", "kaskade")
    if arg == "persetujuan":
        return Goto("list", "tinjau")
    if arg == "web":
        return await web_login.send_link(ctx)
    if arg in YEAR_SCREENS:
        return Goto(*YEAR_SCREENS[arg])
    return Goto(arg)


async def on_go_button(ctx: Ctx, action: str, _obj: str, _version: int) -> Next | None:
    """Buttons in reminders that only open a screen (the flow checks who may enter)."""
    if action == "skp":
        return Goto("overview", "skp")
    if action == "persetujuan":
        return Goto("list", "tinjau")
    if action == "kaskade":
        return Goto("pick", "kaskade")
    # The year in progress: check-in reminders, feedback, the plan's answer, team digests.
    if action in YEAR_SCREENS:
        return Goto(*YEAR_SCREENS[action])
    ctx.notice("button_invalid", alert=True)
    return None


YEAR_SCREENS = {
    "capaian": ("home", "capaian"),
    "rencana": ("home", "rencana"),
    "tim": ("team", "umpan"),
    "evaluasi": ("list", "evaluasi"),
}


async def on_back(ctx: Ctx, action: str, _arg: str) -> Next:
    if action == "wrong":
        return Goto("field", "koreksi")
    return HOME


def back_only(_ctx: Ctx, _view: dict[str, Any]) -> list[list[Choice]]:
    return [BACK]


def unit_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [Choice("progress", arg=str(u["unit"].id), text=f"📊 {u['unit'].name[:40]} (XLSX)")]
        for u in view["units"]
    ]
    return [*rows, BACK]


def admin_status_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [
        [Choice("progress", "menu_progress", "all")],
        [Choice("deadlines", "menu_deadlines")],
        *admin_outbox.status_rows(view),
        BACK,
    ]


DEADLINE_FIELDS = ("draft_deadline", "skp_deadline")


async def deadlines_view(ctx: Ctx) -> dict[str, Any]:
    return {"period": await period_in_force(ctx)}


def deadlines_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    if view["period"] is None:
        return [BACK]
    return [[Choice("field", f"deadline_{f}", f)] for f in DEADLINE_FIELDS] + [BACK]


async def on_deadlines(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return Goto("admin_status")
    ctx.data["deadline"] = arg
    return Goto("deadline_text")


async def deadline_text_view(ctx: Ctx) -> dict[str, Any]:
    view = await deadlines_view(ctx)
    field = ctx.data.get("deadline", "draft_deadline")
    return {**view, "label": ctx.texts.label(f"deadline_{field}")}


async def on_deadline_text(ctx: Ctx, text: str) -> Next:
    from bot.db.models import Period
    from bot.domain.numbers import parse_date

    if not await ctx.actor.has(Role.ADMIN):
        ctx.say("not_allowed")
        return HOME
    day = parse_date(text)
    view = await deadlines_view(ctx)
    period: Period | None = view["period"]
    if period is None:
        return Goto("deadlines")
    if day is None or not (period.starts_on.year - 1 <= day.year <= period.ends_on.year + 1):
        return Reask("deadline_bad_date", {"typed": text[:40]})
    field = ctx.data.get("deadline", "draft_deadline")
    if field not in DEADLINE_FIELDS:
        return Goto("deadlines")
    try:
        await organisation.set_deadline(ctx.tx, period.id, field, day)
    except Refused:
        ctx.say("not_allowed")
        return HOME
    ctx.notice("deadline_saved")
    return Goto("deadlines")


async def on_deadline_back(_ctx: Ctx, _action: str, _arg: str) -> Next:
    return Goto("deadlines")


async def on_progress(ctx: Ctx, action: str, arg: str) -> Next:
    """A unit head asks for their unit's progress report, an administrator for everyone's."""
    if action == "deadlines":
        return Goto("deadlines")
    if action == "outbox":
        return Goto(admin_outbox.STEP)
    if action != "progress":
        return await on_back(ctx, action, arg)
    period = await period_in_force(ctx)
    if period is None:
        ctx.say("skp_no_period")
        return Stay()
    unit_id: int | None = None
    if arg == "all":
        if not await ctx.actor.has(Role.ADMIN):
            ctx.notice("not_authorised", alert=True)
            return Stay()
    else:
        unit_id = Callback.object_id(arg)
        unit = await ctx.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None or unit.head_id != ctx.actor.id:
            ctx.notice("not_authorised", alert=True)
            return Stay()
        unit_id = unit.id
    await ctx.notify(
        ctx.actor.id,
        "progress_report",
        "progress_caption",
        document={"report": "progress", "period_id": period.id, "unit_id": unit_id},
        period=period,
    )
    ctx.notice("documents_queued")
    return Stay()


def profile_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    return [[Choice("wrong", "data_wrong")], *privacy.profile_rows(view), BACK]


async def on_profile(ctx: Ctx, action: str, arg: str) -> Next:
    chosen = await privacy.on_profile_choice(ctx, action)
    return chosen if chosen is not None else await on_back(ctx, action, arg)


async def profile_view(ctx: Ctx) -> dict[str, Any]:
    card = await identity_card(ctx.session, ctx.actor.id)
    teams = (
        (
            await ctx.session.execute(
                select(Team.name)
                .join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.employee_id == ctx.actor.id)
                .order_by(Team.name)
            )
        )
        .scalars()
        .all()
    )
    return {
        **card,
        "teams": list(teams),
        "roles": await ctx.actor.roles(),
        "Role": Role,
        "telegram": await privacy.has_telegram(ctx),
    }


def _linked_flag() -> Any:
    return (
        select(func.count())
        .where(TelegramLink.employee_id == Employee.id, TelegramLink.status == LinkStatus.ACTIVE)
        .correlate(Employee)
        .scalar_subquery()
    )


async def team_view(ctx: Ctx) -> dict[str, Any]:
    teams = (
        (
            await ctx.session.execute(
                select(Team).where(Team.leader_id == ctx.actor.id).order_by(Team.name)
            )
        )
        .scalars()
        .all()
    )
    result: list[dict[str, Any]] = []
    for team in teams:
        members = (
            await ctx.session.execute(
                select(Employee, _linked_flag())
                .join(TeamMember, TeamMember.employee_id == Employee.id)
                .where(TeamMember.team_id == team.id)
                .order_by(Employee.name)
            )
        ).all()
        result.append({"team": team, "members": [(m, bool(linked)) for m, linked in members]})
    period = await period_in_force(ctx)
    member_ids = [m.id for t in result for m, _linked in t["members"]]
    statuses = await queries.buckets_of(ctx.session, period.id, member_ids) if period else {}
    return {"teams": result, "statuses": statuses}


async def unit_view(ctx: Ctx) -> dict[str, Any]:
    units = (
        (
            await ctx.session.execute(
                select(Unit).where(Unit.head_id == ctx.actor.id).order_by(Unit.name)
            )
        )
        .scalars()
        .all()
    )
    result = []
    for unit in units:
        total, linked = (
            await ctx.session.execute(
                select(
                    func.count(), func.coalesce(func.sum(case((_linked_flag() > 0, 1), else_=0)), 0)
                )
                .select_from(Employee)
                .where(Employee.unit_id == unit.id, Employee.active.is_(True))
            )
        ).one()
        teams = (
            await ctx.session.execute(
                select(Team, func.count(TeamMember.employee_id))
                .options(joinedload(Team.leader))
                .outerjoin(TeamMember, TeamMember.team_id == Team.id)
                .where(Team.unit_id == unit.id)
                .group_by(Team.id)
                .order_by(Team.name)
            )
        ).all()
        result.append({"unit": unit, "total": total, "linked": linked, "teams": teams})
    return {"units": result}


async def admin_status_view(ctx: Ctx) -> dict[str, Any]:
    linked = _linked_flag()
    invited = (
        select(func.count())
        .where(
            Invitation.employee_id == Employee.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > ctx.now,
        )
        .correlate(Employee)
        .scalar_subquery()
    )
    rows = (
        await ctx.session.execute(
            select(
                Unit.name,
                func.count(Employee.id),
                func.coalesce(func.sum(case((linked > 0, 1), else_=0)), 0),
                func.coalesce(func.sum(case(((linked == 0) & (invited > 0), 1), else_=0)), 0),
            )
            .join(Employee, Employee.unit_id == Unit.id)
            .where(Employee.active.is_(True))
            .group_by(Unit.id, Unit.name)
            .order_by(Unit.name)
        )
    ).all()
    totals = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    unreachable = (
        await ctx.session.execute(
            select(Employee.name, Employee.nip, TelegramLink.unreachable_since)
            .join(TelegramLink, TelegramLink.employee_id == Employee.id)
            .where(
                TelegramLink.status == LinkStatus.ACTIVE,
                TelegramLink.unreachable_since.is_not(None),
            )
            .order_by(TelegramLink.unreachable_since)
            .limit(30)
        )
    ).all()
    failed = await admin_outbox.status_view(ctx)
    return {"rows": rows, "totals": totals, "unreachable": unreachable, **failed}


async def admin_reports_view(ctx: Ctx) -> dict[str, Any]:
    reports = await data_report.open_reports(ctx, REPORTS_SHOWN)
    return {
        "reports": reports,
        "labels": {r.id: ctx.texts.label(f"field_{r.field}") for r in reports},
    }


def admin_reports_choices(_ctx: Ctx, view: dict[str, Any]) -> list[list[Choice]]:
    rows = [
        [
            Choice(
                "resolve",
                "resolve_report_n",
                str(r.id),
                values=(("n", n), ("name", r.employee.name[:40])),
            )
        ]
        for n, r in enumerate(view["reports"], start=1)
    ]
    return [*rows, BACK]


async def on_admin_reports(ctx: Ctx, action: str, arg: str) -> Next:
    if action == "back":
        return HOME
    if not await ctx.actor.has(Role.ADMIN):  # the role may have been withdrawn meanwhile
        ctx.say("not_allowed")
        return HOME
    report_id = Callback.object_id(arg)
    if report_id is None:
        ctx.notice("button_invalid", alert=True)
        return Stay()
    await data_report.resolve(ctx, report_id)
    return Stay()


FLOW = flow(
    "menu",
    [
        Step("home", "menu_home", view=home_view, choices=home_choices, on_choice=on_home),
        Step(
            "profile", "profile", view=profile_view, choices=profile_choices, on_choice=on_profile
        ),
        *privacy.STEPS,
        Step("team", "team", view=team_view, choices=back_only, on_choice=on_back),
        Step("unit", "unit", view=unit_view, choices=unit_choices, on_choice=on_progress),
        Step(
            "admin_status",
            "admin_status",
            view=admin_status_view,
            choices=admin_status_choices,
            on_choice=on_progress,
        ),
        Step(
            "deadlines",
            "admin_deadlines",
            view=deadlines_view,
            choices=deadlines_choices,
            on_choice=on_deadlines,
        ),
        Step(
            "deadline_text",
            "admin_deadline_text",
            view=deadline_text_view,
            choices=back_only,
            on_choice=on_deadline_back,
            on_text=on_deadline_text,
        ),
        Step(
            "admin_reports",
            "admin_reports",
            view=admin_reports_view,
            choices=admin_reports_choices,
            on_choice=on_admin_reports,
        ),
        *admin_outbox.STEPS,
    ],
    commands=("menu",),
)

"""The HR dashboard: completion by unit and team, blockers, lateness, the unreachable and the
open data reports, and downloads. Every page and download checks the session and the
person's scope (bot.webapp.scope) on the server."""

from __future__ import annotations

import asyncio
import io
import zipfile
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.db.models import Employee, Skp, SkpItem, SkpStatus, Team, Unit
from bot.usecases import web_login
from bot.webapp import auth, lists, queries
from bot.webapp.base import Refuse, WebBase, form_of, int_param
from bot.webapp.scope import Scope, dashboard_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(name: str, content: bytes, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


class Dashboard(WebBase):
    def routes(self) -> list[Route]:
        return [
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/keluar", self.logout, methods=["POST"]),
            Route("/dasbor", self.overview, methods=["GET"]),
            Route("/dasbor/unit/{unit_id:int}", self.unit, methods=["GET"]),
            Route("/dasbor/unit/{unit_id:int}/tim/{team}", self.team, methods=["GET"]),
            Route("/dasbor/pegawai/{employee_id:int}", self.person, methods=["GET"]),
            Route("/dasbor/tidak-terjangkau", self.unreachable, methods=["GET"]),
            Route("/dasbor/laporan", self.reports, methods=["GET"]),
            Route("/dasbor/unduh/progres", self.progress_all, methods=["GET"]),
            Route("/dasbor/unit/{unit_id:int}/progres.xlsx", self.progress_unit, methods=["GET"]),
            Route("/dasbor/unit/{unit_id:int}/dokumen.zip", self.documents_zip, methods=["GET"]),
            Route("/dasbor/unit/{unit_id:int}/mpph.xlsx", self.mpph, methods=["GET"]),
        ]

    # -- signing in ---------------------------------------------------------------------
    async def login_page(self, request: Request) -> Response:
        # Opening the link only shows a button: Telegram's link preview fetches the page
        # too, and must not use the one-time token up.
        token = request.query_params.get("t", "")[:100]
        return self.page("login", token=token)

    async def login(self, request: Request) -> Response:
        form = await form_of(request)
        async with self.changing(None) as tx:
            login = await web_login.redeem(tx, form.get("t", ""), self.session_end)
        if login is None:
            return self.page("login_failed", http_status=403)
        response = RedirectResponse("/dasbor", status_code=303)
        self.start_session(response, auth.DASH, login.employee_id, login.session_id)
        return response

    async def logout(self, request: Request) -> Response:
        """The session ends on the server too: a copy of the cookie is refused from now on."""
        found = self.session_of(request, auth.DASH)
        if found is not None:
            async with self.changing(found.employee_id) as tx:
                await web_login.log_out(tx, found.sid, found.employee_id)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.COOKIE, path="/")
        return response

    async def _scope(self, request: Request, session: AsyncSession) -> Scope:
        found = self.session_of(request, auth.DASH)
        if found is None or not await web_login.session_open(
            session, found.sid, found.employee_id, self.now
        ):
            raise Refuse(401)
        scope = await dashboard_scope(session, found.employee_id)
        if scope is None:
            raise Refuse(403)
        return scope

    async def _unit(self, request: Request, session: AsyncSession) -> tuple[Scope, Unit]:
        scope = await self._scope(request, session)
        unit_id = int(request.path_params["unit_id"])
        if not scope.sees(unit_id):
            raise Refuse(403)
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise Refuse(404)
        return scope, unit

    # -- pages --------------------------------------------------------------------------
    def _common(self, scope: Scope, season: queries.Season | None) -> dict[str, Any]:
        return {
            "me": scope.employee,
            "admin": scope.admin,
            "season": season,
            "period": season.period if season else None,
            "buckets": queries.BUCKETS,
            "blockers": queries.BLOCKERS,
        }

    async def overview(self, request: Request) -> Response:
        async with self.reading() as session:
            scope = await self._scope(request, session)
            season = await self.season(session)
            units = []
            if season is not None:
                units = await queries.unit_overview(
                    session, season, scope.unit_ids, everything=scope.admin
                )
        total = queries.Counts(None, "")
        for counts in units:
            total.add(counts)
        return self.page("overview", units=units, total=total, **self._common(scope, season))

    async def unit(self, request: Request) -> Response:
        async with self.reading() as session:
            scope, unit = await self._unit(request, session)
            season = await self.season(session)
            teams, blocked, documents = [], [], False
            if season is not None:
                teams = await queries.team_overview(session, season, unit)
                blocked = await queries.people(
                    session, season, unit_id=unit.id, blocked_only=True, limit=200
                )
                documents = bool(
                    await session.scalar(select(_documented(unit.id, season).exists()))
                )
            [counts] = await queries.unit_overview(session, season, [unit.id]) if season else [None]
        return self.page(
            "unit",
            unit=unit,
            counts=counts,
            teams=teams,
            blocked=blocked,
            documents=documents,
            **self._common(scope, season),
        )

    async def team(self, request: Request) -> Response:
        async with self.reading() as session:
            scope, unit = await self._unit(request, session)
            raw = request.path_params["team"]
            team = None
            if raw != "lain":
                team_id = int_param(raw)
                team = await session.get(Team, team_id) if team_id is not None else None
                if team is None or team.unit_id != unit.id:
                    raise Refuse(404)
            season = await self.season(session)
            rows = []
            if season is not None:
                rows = await queries.people(
                    session,
                    season,
                    unit_id=unit.id,
                    team_id=team.id if team else None,
                    no_team=team is None,
                )
        return self.page("team", unit=unit, team=team, people=rows, **self._common(scope, season))

    async def person(self, request: Request) -> Response:
        async with self.reading() as session:
            scope = await self._scope(request, session)
            employee = await session.get(Employee, int(request.path_params["employee_id"]))
            if employee is None or not scope.sees(employee.unit_id):
                raise Refuse(403)
            season = await self.season(session)
            unit = await session.get(Unit, employee.unit_id)
            rows = (
                await queries.people(
                    session, season, unit_id=employee.unit_id, employee_id=employee.id
                )
                if season
                else []
            )
            row = rows[0] if rows else None
            skp, items = await _skp_and_items(session, employee.id, season)
            penilai = (
                await session.get(Employee, employee.penilai_id) if employee.penilai_id else None
            )
        return self.page(
            "person",
            employee=employee,
            unit=unit,
            row=row,
            skp=skp,
            items=items,
            penilai=penilai,
            **self._common(scope, season),
        )

    async def unreachable(self, request: Request) -> Response:
        async with self.reading() as session:
            scope = await self._scope(request, session)
            rows = await lists.unreachable(session, scope.unit_ids)
            season = await self.season(session)
        return self.page("unreachable", rows=rows, **self._common(scope, season))

    async def reports(self, request: Request) -> Response:
        async with self.reading() as session:
            scope = await self._scope(request, session)
            rows = await lists.open_reports(session, scope.unit_ids)
            season = await self.season(session)
        return self.page("reports", rows=rows, **self._common(scope, season))

    # -- downloads ----------------------------------------------------------------------
    async def progress_all(self, request: Request) -> Response:
        async with self.reading() as session:
            scope = await self._scope(request, session)
            if not scope.admin:
                raise Refuse(403)
            season = await self.season(session)
        if season is None:
            raise Refuse(404)
        file = await self.services.documents.progress(season.period.id, None)
        return _download(file.name, file.content, XLSX)

    async def progress_unit(self, request: Request) -> Response:
        async with self.reading() as session:
            _scope, unit = await self._unit(request, session)
            season = await self.season(session)
        if season is None:
            raise Refuse(404)
        file = await self.services.documents.progress(season.period.id, unit.id)
        return _download(file.name, file.content, XLSX)

    async def mpph(self, request: Request) -> Response:
        async with self.reading() as session:
            _scope, unit = await self._unit(request, session)
            season = await self.season(session)
        if season is None or unit.head_id is None:
            raise Refuse(404)
        file = await self.services.documents.mpph(unit.head_id, season.period.id)
        # Named by the unit, like the other downloads (not by the head's NIP).
        return _download(f"MPPH-{season.period.year}-{unit.code}.xlsx", file.content, XLSX)

    async def documents_zip(self, request: Request) -> Response:
        """The unit's SKP documents (PDF) of the period: those with hasil kerja."""
        async with self.reading() as session:
            _scope, unit = await self._unit(request, session)
            season = await self.season(session)
            if season is None:
                raise Refuse(404)
            skp_ids = list((await session.execute(_documented(unit.id, season))).scalars())
        if not skp_ids:
            return self.page("no_documents", http_status=404, unit=unit)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for skp_id in skp_ids:
                file = await self.services.documents.build(skp_id, "pdf")
                archive.writestr(file.name, file.content)
                await asyncio.sleep(0)
        name = f"skp-{season.period.year}-{unit.code}.zip"
        return _download(name, buffer.getvalue(), "application/zip")


def _documented(unit_id: int, season: queries.Season) -> Any:
    """The unit's SKPs of the period that make a document: those with hasil kerja."""
    return (
        select(Skp.id)
        .join(Employee, Employee.id == Skp.employee_id)
        .where(
            Employee.unit_id == unit_id,
            Skp.period_id == season.period.id,
            Skp.status != SkpStatus.SUPERSEDED,
            select(SkpItem.id).where(SkpItem.skp_id == Skp.id).exists(),
        )
        .order_by(Employee.name)
    )


async def _skp_and_items(
    session: AsyncSession, employee_id: int, season: queries.Season | None
) -> tuple[Skp | None, list[SkpItem]]:
    if season is None:
        return None, []
    skp = (
        await session.execute(
            select(Skp)
            .where(
                Skp.employee_id == employee_id,
                Skp.period_id == season.period.id,
                Skp.status != SkpStatus.SUPERSEDED,
            )
            .order_by(Skp.number.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if skp is None:
        return None, []
    items = list(
        (
            await session.execute(
                select(SkpItem).where(SkpItem.skp_id == skp.id).order_by(SkpItem.position)
            )
        ).scalars()
    )
    return skp, items

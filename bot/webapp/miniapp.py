"""The SKP as a Telegram Mini App: the "Buka tabel SKP" button opens /app inside Telegram;
its script sends the initData Telegram gave it to /app/masuk, where it is checked with the
bot token (bot.webapp.auth) and exchanged for a session cookie. The table edits the owner's
items through the same use cases as the chat (bot.usecases.drafting), shows the chat's
findings while a row is edited, and tells the person's chat what changed. The pejabat
penilai opens it read-only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.db.models import Employee, LinkStatus, Period, Skp, SkpItem, TelegramLink, Unit
from bot.domain import skp_rules as rules
from bot.domain.policy import Aspek, Policy
from bot.engine.callback import Callback
from bot.engine.types import Button
from bot.reminders.planner import GO_NS
from bot.services import skp as store
from bot.usecases import drafting
from bot.usecases.base import Refused, Tx
from bot.webapp import auth, skp_form
from bot.webapp.base import SECURITY_HEADERS, Refuse, WebBase, form_of, int_param

EDIT, READ = "edit", "read"


class MiniApp(WebBase):
    def routes(self) -> list[Route]:
        return [
            Route("/app", self.shell, methods=["GET"]),
            Route("/app/masuk", self.sign_in, methods=["POST"]),
            Route("/app/skp", self.own_skp, methods=["GET"]),
            Route("/app/skp/{skp_id:int}", self.table, methods=["GET"]),
            # A row is saved at the table's own address (the form names the row): a save
            # refused for a bad value shows the table again without leaving it.
            Route("/app/skp/{skp_id:int}", self.save_row, methods=["POST"]),
            # The address of earlier pages' forms, still answered.
            Route("/app/skp/{skp_id:int}/butir/{item_id:int}", self.save_row, methods=["POST"]),
            Route(
                "/app/skp/{skp_id:int}/butir/{item_id:int}/geser", self.move_row, methods=["POST"]
            ),
            Route("/app/skp/{skp_id:int}/periksa", self.check_row, methods=["POST"]),
        ]

    async def shell(self, _request: Request) -> Response:
        return self.page("app_shell")

    async def sign_in(self, request: Request) -> Response:
        form = await form_of(request)
        token = self.settings.require_token()
        user = auth.check_init_data(
            form.get("init_data", ""), token, self.now, self.settings.webapp_max_age_seconds
        )
        if user is None:
            return JSONResponse({"ok": False}, status_code=403)
        async with self.reading() as session:
            employee_id = await session.scalar(
                select(TelegramLink.employee_id)
                .join(Employee, Employee.id == TelegramLink.employee_id)
                .where(
                    TelegramLink.tg_user_id == user.tg_user_id,
                    TelegramLink.status == LinkStatus.ACTIVE,
                    Employee.active.is_(True),
                )
            )
        if employee_id is None:
            return JSONResponse({"ok": False}, status_code=403)
        skp_id = int_param(form.get("skp"))
        target = f"/app/skp/{skp_id}" if skp_id else "/app/skp"
        response = JSONResponse({"ok": True, "next": target})
        self.start_session(response, auth.APP, int(employee_id))
        return response

    def _actor_id(self, request: Request) -> int:
        found = self.session_of(request, auth.APP)
        if found is None:
            raise Refuse(401)
        return found.employee_id

    async def own_skp(self, request: Request) -> Response:
        actor_id = self._actor_id(request)
        async with self.changing(actor_id) as tx:
            period = await store.current_period(tx.session, tx.now.date())
            if period is None:
                return self.page("app_no_period")
            policy = await store.policy_for(tx.session, period)
            # As the chat's /skp does: the person's SKP of the period, opened on first use.
            skp = await store.open_skp(tx.session, actor_id, period, tx.now, policy)
            skp_id = skp.id
        return RedirectResponse(f"/app/skp/{skp_id}", status_code=303)

    async def _load(self, session: AsyncSession, actor_id: int, skp_id: int) -> tuple[Skp, str]:
        skp = (
            await session.execute(
                select(Skp).options(joinedload(Skp.employee)).where(Skp.id == skp_id)
            )
        ).scalar_one_or_none()
        if skp is None:
            raise Refuse(404)
        if skp.employee_id == actor_id:
            return skp, EDIT if store.is_editable(skp) else READ
        if actor_id in (skp.penilai_id, skp.employee.penilai_id):
            return skp, READ
        raise Refuse(403)

    async def _view(
        self,
        session: AsyncSession,
        skp: Skp,
        mode: str,
        *,
        actor_id: int,
        typed: dict[int, dict[str, str]] | None = None,
        problems: dict[int, dict[str, str]] | None = None,
        saved: int | None = None,
        unchanged: int | None = None,
    ) -> dict[str, Any]:
        period = await session.get(Period, skp.period_id)
        assert period is not None
        policy = await store.policy_for(session, period)
        rows = await store.items_of(session, skp.id)
        # The owner's rules, as the chat applies them (a unit head's profile may not ask
        # for weights).
        profile = policy.rules_for(await _heads_unit(session, skp.employee_id))
        described = skp_form.findings(self.texts, policy, profile, rows, skp.count_note)
        problems = problems or {}
        positions = {r.id: r.position for r in rows}
        return {
            "skp": skp,
            "owner": skp.employee,
            "own": skp.employee_id == actor_id,
            "period": period,
            "rows": rows,
            "mode": mode,
            "rules": profile,
            # Weights are asked for where the owner's rules need them, or the SKP uses them.
            "weights": profile.weights_required
            or profile.core_total is not None
            or any(r.bobot is not None for r in rows),
            "findings": described.summary,
            "item_findings": described.by_item,
            "totals": rules.totals(policy, [store.rule_item(r) for r in rows]),
            "status": self.texts.label(f"status_{skp.status.value}"),
            "jenis": {
                r.id: self.texts.label(f"jenis_{r.jenis}")
                if self.texts.has_label(f"jenis_{r.jenis}")
                else r.jenis
                for r in rows
            },
            "aspek": [a.value for a in Aspek],
            "typed": typed or {},
            "problems": problems,
            "problem_rows": {positions[i]: p for i, p in problems.items() if i in positions},
            "saved": saved,
            "unchanged": unchanged,
        }

    async def table(self, request: Request) -> Response:
        actor_id = self._actor_id(request)
        async with self.reading() as session:
            skp, mode = await self._load(session, actor_id, int(request.path_params["skp_id"]))
            view = await self._view(
                session,
                skp,
                mode,
                actor_id=actor_id,
                saved=int_param(request.query_params.get("disimpan")),
                unchanged=int_param(request.query_params.get("tetap")),
            )
        return self.page("app_table", **view)

    async def save_row(self, request: Request) -> Response:
        """Save one row; nothing changed: nothing saved, audited or told. A bad value shows
        the table again, at the table's address, with the row as typed."""
        actor_id = self._actor_id(request)
        skp_id = int(request.path_params["skp_id"])
        form = await form_of(request)
        item_id = request.path_params.get("item_id") or int_param(form.get("item"))
        async with self.changing(actor_id) as tx:
            skp, mode = await self._load(tx.session, actor_id, skp_id)
            row = await tx.session.get(SkpItem, item_id) if item_id else None
            if mode != EDIT or row is None or row.skp_id != skp.id:
                raise Refuse(403)
            period_policy = await _policy(tx.session, skp)
            read = skp_form.read_row(form, row, period_policy)
            if read.fields is None:
                view = await self._view(
                    tx.session,
                    skp,
                    mode,
                    actor_id=actor_id,
                    typed={row.id: form},
                    problems={row.id: read.problems},
                )
                return self.page("app_table", http_status=422, **view)
            position = row.position
            changed = skp_form.changes(skp_form.fields_of(row), read.fields)
            if not changed:
                return RedirectResponse(
                    f"/app/skp/{skp_id}?tetap={position}#butir-{position}", status_code=303
                )
            try:
                await drafting.update_item(tx, skp.id, row.id, read.fields, source="webapp")
            except Refused as exc:
                raise Refuse(403) from exc
            await _tell_chat(tx, skp, position, row.iki, changes=changed)
        return RedirectResponse(
            f"/app/skp/{skp_id}?disimpan={position}#butir-{position}", status_code=303
        )

    async def move_row(self, request: Request) -> Response:
        actor_id = self._actor_id(request)
        skp_id = int(request.path_params["skp_id"])
        form = await form_of(request)
        delta = {"naik": -1, "turun": 1}.get(form.get("arah", ""))
        if delta is None:
            raise Refuse(400)
        async with self.changing(actor_id) as tx:
            skp, mode = await self._load(tx.session, actor_id, skp_id)
            if mode != EDIT:
                raise Refuse(403)
            try:
                row = await drafting.move_item(
                    tx, skp.id, int(request.path_params["item_id"]), delta
                )
            except Refused as exc:
                raise Refuse(403) from exc
            await _tell_chat(tx, skp, row.position, row.iki, moved=True)
        return RedirectResponse(f"/app/skp/{skp_id}", status_code=303)

    async def check_row(self, request: Request) -> Response:
        """The findings with one row as typed so far (nothing is saved)."""
        actor_id = self._actor_id(request)
        form = await form_of(request)
        async with self.reading() as session:
            skp, _mode = await self._load(session, actor_id, int(request.path_params["skp_id"]))
            policy = await _policy(session, skp)
            rows = await store.items_of(session, skp.id)
            item_id = int_param(form.get("item"))
            row = next((r for r in rows if r.id == item_id), None)
            changed = {}
            problems: dict[str, str] = {}
            if row is not None:
                read = skp_form.read_row(form, row, policy)
                problems = read.problems
                if read.fields is not None:
                    changed[row.id] = read.fields
            profile = policy.rules_for(await _heads_unit(session, skp.employee_id))
            described = skp_form.findings(
                self.texts, policy, profile, rows, skp.count_note, changed
            )
        # The SKP's summary (the row's problems named with its butir) and, for the row
        # being edited, its own problems and findings, shown next to it.
        html = self.texts.env.get_template("web/_check.html").render(
            findings=described.summary,
            problem_rows={row.position: problems} if row is not None and problems else {},
            position=row.position if row is not None else None,
            row_findings=described.by_item.get(row.position, []) if row is not None else [],
            row_problems=problems,
            label=self.texts.label,
        )
        return HTMLResponse(html, headers=SECURITY_HEADERS)


async def _policy(session: AsyncSession, skp: Skp) -> Policy:
    period = await session.get(Period, skp.period_id)
    assert period is not None
    return await store.policy_for(session, period)


async def _heads_unit(session: AsyncSession, employee_id: int) -> bool:
    return bool(await session.scalar(select(exists().where(Unit.head_id == employee_id))))


async def _tell_chat(
    tx: Tx,
    skp: Skp,
    position: int,
    iki: str,
    moved: bool = False,
    changes: list[skp_form.Change] | None = None,
) -> None:
    """The chat shows the change, what it was: a notice with a button back to the SKP
    screen."""
    button = Button(tx.texts.label("reminder_open_skp"), Callback(GO_NS, "skp", "", 0).encode())
    await tx.notify(
        skp.employee_id,
        "webapp_saved",
        "skp_webapp_saved",
        buttons=[[button]],
        position=position,
        iki=iki,
        moved=moved,
        changes=changes or [],
    )

"""The messages the use cases leave for the other side of the dialog, with the buttons that
answer them. Buttons are bound to objects (`skp`, `exp`, `res`) and carry the SKP's revision
where a stale press must be refused; bot handlers re-check everything on the server."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from bot.db.models import (
    Employee,
    Outbox,
    OutboxStatus,
    Skp,
    SkpExpectation,
    SkpItem,
    SkpResource,
)
from bot.engine.types import Button
from bot.usecases.base import Tx

SKP_NS, EXP_NS, RES_NS = "skp", "exp", "res"
# Quoted texts in notifications are shortened; the full text is one tap away.
QUOTE = 160


def leader_buttons(tx: Tx, skp: Skp) -> list[list[Button]]:
    """Under a submission: approve, ask for a revision, discuss, see the details."""
    return [
        [
            tx.button("skp_approve", SKP_NS, "ok", skp.id, skp.revision),
            tx.button("skp_revise", SKP_NS, "rev", skp.id, skp.revision),
        ],
        [
            tx.button("skp_discuss", SKP_NS, "dis", skp.id, skp.revision),
            tx.button("skp_detail", SKP_NS, "det", skp.id, skp.revision),
        ],
    ]


async def _send(
    tx: Tx, recipient_id: int | None, skp: Skp, kind: str, template: str, **context: Any
) -> None:
    """A message about `skp`, said once per event (the kind, the SKP's revision, a key)."""
    if recipient_id is None:
        return
    context.setdefault("leader", await tx.session.get(Employee, skp.employee.penilai_id or 0))
    await tx.notify(
        recipient_id,
        kind,
        template,
        buttons=context.pop("buttons", None),
        dedupe_key=f"{kind}:{skp.id}:{skp.revision}:{context.pop('key', '')}",
        skp=skp,
        employee=skp.employee,
        quote=QUOTE,
        **context,
    )


async def _employee(tx: Tx, skp: Skp, kind: str, template: str, **context: Any) -> None:
    await _send(tx, skp.employee_id, skp, kind, template, **context)


async def _leader(tx: Tx, skp: Skp, kind: str, template: str, **context: Any) -> None:
    await _send(tx, skp.employee.penilai_id, skp, kind, template, **context)


def _open_button(tx: Tx, skp: Skp) -> list[list[Button]]:
    return [[tx.button("skp_open", SKP_NS, "open", skp.id)]]


# -- lifecycle ---------------------------------------------------------------------------------


async def submitted(tx: Tx, skp: Skp, **context: Any) -> None:
    await _leader(
        tx, skp, "skp_submitted", "skp_submitted_leader", buttons=leader_buttons(tx, skp), **context
    )


async def withdrawn(tx: Tx, skp: Skp) -> None:
    await _leader(tx, skp, "skp_withdrawn", "skp_withdrawn_leader")


async def revision_requested(tx: Tx, skp: Skp, **context: Any) -> None:
    await _employee(
        tx, skp, "skp_revision", "skp_revision_employee", buttons=_open_button(tx, skp), **context
    )


async def approved(tx: Tx, skp: Skp) -> None:
    buttons = [[tx.button("skp_sign", SKP_NS, "sign", skp.id, skp.revision)]]
    await _employee(tx, skp, "skp_approved", "skp_approved_employee", buttons=buttons)


async def signed(tx: Tx, skp: Skp) -> None:
    buttons = [[tx.button("skp_set", SKP_NS, "set", skp.id, skp.revision)]]
    await _leader(tx, skp, "skp_signed", "skp_signed_leader", buttons=buttons)


async def set_final(tx: Tx, skp: Skp, summary: dict[str, Any]) -> None:
    """Both people get the SKP as set, and its files."""
    context = {k: v for k, v in summary.items() if k not in ("skp", "employee", "leader")}
    for recipient in (skp.employee_id, skp.set_by_id):
        await _send(
            tx,
            recipient,
            skp,
            "skp_set",
            "skp_set_final",
            key=recipient,
            leader=summary["leader"],
            **context,
        )
    status = tx.texts.label(f"status_{skp.status.value}")
    for recipient in {skp.employee_id, skp.set_by_id or skp.employee_id}:
        await documents(tx, skp, recipient, ("pdf", "docx"), status, occasion="set")


async def change_started(tx: Tx, new: Skp, by_leader: bool, **context: Any) -> None:
    if by_leader:
        await _employee(
            tx, new, "skp_change", "skp_change_employee", buttons=_open_button(tx, new), **context
        )
    else:
        await _leader(tx, new, "skp_change", "skp_change_started_notice", **context)


class DocumentRequest(enum.StrEnum):
    """What became of a request for an SKP's files; each is the label key of the answer."""

    QUEUED = "documents_queued"  # built and sent once this step has committed
    PREPARING = "documents_preparing"  # asked before and not sent yet: nothing added
    JUST_SENT = "documents_just_sent"  # this version went moments ago: see above


# A version's files sent this recently are not sent again on request.
RESEND_AFTER = timedelta(minutes=2)
DOCUMENT_KIND, DOCUMENT_TEMPLATE = "skp_document", "skp_document_caption"


async def documents(
    tx: Tx,
    skp: Skp,
    recipient_id: int,
    formats: Sequence[str],
    status_label: str,
    occasion: str | None = None,
) -> DocumentRequest:
    """The SKP's files, built and sent by the outbox sender once this step has committed.
    With an `occasion` (e.g. "set") they are sent once for it. On request (no occasion) each
    file is one outbox row per SKP revision, format and recipient: asked again while it waits,
    nothing is added; asked again once it went (more than `RESEND_AFTER` ago) or failed, the
    same row goes again. A changed SKP has a new revision, hence new files."""
    outcomes = []
    for fmt in formats:
        document = {"skp_id": skp.id, "format": fmt}
        context: dict[str, Any] = {"skp": skp, "employee": skp.employee, "status": status_label}
        if occasion:
            key = f"doc:{skp.id}:{skp.revision}:{fmt}:{recipient_id}:{occasion}"
            await tx.notify(
                recipient_id,
                DOCUMENT_KIND,
                DOCUMENT_TEMPLATE,
                dedupe_key=key,
                document=document,
                **context,
            )
            outcomes.append(DocumentRequest.QUEUED)
            continue
        key = f"doc:{skp.id}:{skp.revision}:{fmt}:{recipient_id}:ask"
        outcomes.append(await _on_request(tx, key, recipient_id, document, context))
    if DocumentRequest.QUEUED in outcomes:
        return DocumentRequest.QUEUED
    if DocumentRequest.PREPARING in outcomes:
        return DocumentRequest.PREPARING
    return DocumentRequest.JUST_SENT if outcomes else DocumentRequest.QUEUED


async def realisation_sheet(
    tx: Tx, skp_id: int, recipient_id: int, key: str, stamp: str, **context: Any
) -> DocumentRequest:
    """The realisation sheet (XLSX and CSV) of an SKP up to round `key`, on request, as the
    SKP's files are: `stamp` names the content (what was recorded so far), so a sheet asked
    for after a new realisation is a new file however soon; the same content asked again
    while on its way adds nothing, and moments after it went is not sent twice."""
    outcomes = []
    for fmt in ("xlsx", "csv"):
        document = {"report": "realisation", "skp_id": skp_id, "format": fmt, "key": key}
        outcomes.append(
            await _on_request(
                tx,
                f"rsheet:{skp_id}:{key}:{stamp}:{fmt}:{recipient_id}",
                recipient_id,
                document,
                context,
                kind="realisation_sheet",
                template="realisation_caption",
            )
        )
    for outcome in DocumentRequest:
        if outcome in outcomes:
            return outcome
    return DocumentRequest.QUEUED


async def _on_request(
    tx: Tx,
    key: str,
    recipient_id: int,
    document: dict[str, Any],
    context: dict[str, Any],
    kind: str = DOCUMENT_KIND,
    template: str = DOCUMENT_TEMPLATE,
) -> DocumentRequest:
    row = await _document_row(tx, key)
    if row is None:
        written = await tx.notify(
            recipient_id,
            kind,
            template,
            dedupe_key=key,
            document=document,
            **context,
        )
        if written is not None:
            return DocumentRequest.QUEUED
        # Another step wrote it in the meantime (its commit is what the insert waited for).
        row = await _document_row(tx, key)
        if row is None:
            return DocumentRequest.PREPARING
    status, sent_at = row
    if status is OutboxStatus.PENDING:
        return DocumentRequest.PREPARING
    if status is OutboxStatus.SENT and sent_at is not None and tx.now - sent_at < RESEND_AFTER:
        return DocumentRequest.JUST_SENT
    # Sent a while ago (or failed): the same row goes again, its caption as things are now;
    # unless a step pressed at the same moment put it back first (then it is on its way).
    again = await tx.requeue(
        Outbox.dedupe_key == key,
        or_(
            Outbox.status.in_((OutboxStatus.FAILED, OutboxStatus.SKIPPED)),
            and_(
                Outbox.status == OutboxStatus.SENT,
                or_(Outbox.sent_at.is_(None), Outbox.sent_at <= tx.now - RESEND_AFTER),
            ),
        ),
        payload=tx.payload(template, document=document, **context),
    )
    if again:
        return DocumentRequest.QUEUED
    row = await _document_row(tx, key)
    if row is not None and row[0] is not OutboxStatus.PENDING:
        return DocumentRequest.JUST_SENT
    return DocumentRequest.PREPARING


async def _document_row(tx: Tx, key: str) -> tuple[OutboxStatus, datetime | None] | None:
    """The request's row as it stands (not locked: the sender must be free to claim it)."""
    found = (
        await tx.session.execute(
            select(Outbox.status, Outbox.sent_at).where(Outbox.dedupe_key == key)
        )
    ).one_or_none()
    return (found[0], found[1]) if found is not None else None


# -- agreements --------------------------------------------------------------------------------


async def expectation_to_employee(
    tx: Tx, skp: Skp, row: SkpExpectation, item: SkpItem | None
) -> None:
    buttons = [
        [
            tx.button("exp_agree", EXP_NS, "ok", row.id, skp.revision),
            tx.button("exp_respond", EXP_NS, "re", row.id, skp.revision),
        ]
    ]
    value = next((v for v in tx.texts.berakhlak if v["code"] == row.value_code), None)
    await _employee(
        tx,
        skp,
        "skp_expectation",
        "expectation_employee",
        buttons=buttons,
        key=row.id,
        expectation=row,
        item=item,
        value=value,
        kind_label=tx.texts.label(f"exp_kind_{row.kind.value}"),
    )


async def answer_to_leader(
    tx: Tx, skp: Skp, row: SkpExpectation, item: SkpItem | None, resources: list[SkpResource]
) -> None:
    buttons: list[list[Button]] = []
    if row.response_target is not None:
        buttons.append(
            [
                tx.button("exp_accept", EXP_NS, "acc", row.id, skp.revision),
                tx.button("exp_keep", EXP_NS, "keep", row.id, skp.revision),
            ]
        )
    many = len(resources) > 1
    for n, resource in enumerate(resources, start=1):
        buttons.append(
            [
                tx.button("res_agree_n" if many else "res_agree", RES_NS, "ok", resource.id, n=n),
                tx.button(
                    "res_decline_n" if many else "res_decline", RES_NS, "no", resource.id, n=n
                ),
            ]
        )
    categories = {r.id: tx.texts.label(f"res_{r.category}") for r in resources}
    await _leader(
        tx,
        skp,
        "skp_answer",
        "answer_leader",
        buttons=buttons,
        key=row.id,
        expectation=row,
        item=item,
        resources=resources,
        categories=categories,
        value=next((v for v in tx.texts.berakhlak if v["code"] == row.value_code), None),
    )


async def counter_decided(tx: Tx, skp: Skp, row: SkpExpectation, accepted: bool) -> None:
    item = await tx.session.get(SkpItem, row.item_id) if row.item_id is not None else None
    await _employee(
        tx,
        skp,
        "skp_counter_decided",
        "counter_decided_employee",
        key=row.id,
        expectation=row,
        item=item,
        accepted=accepted,
    )


async def resource_decided(tx: Tx, skp: Skp, row: SkpResource, agreed: bool) -> None:
    await _employee(
        tx,
        skp,
        "skp_resource_decided",
        "resource_decided_employee",
        key=row.id,
        resource=row,
        agreed=agreed,
        category=tx.texts.label(f"res_{row.category}"),
    )

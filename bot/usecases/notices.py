"""The messages the use cases leave for the other side of the dialog, with the buttons that
answer them. Buttons are bound to objects (`skp`, `exp`, `res`) and carry the SKP's revision
where a stale press must be refused; bot handlers re-check everything on the server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db.models import Employee, Skp, SkpExpectation, SkpItem, SkpResource
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


async def documents(
    tx: Tx,
    skp: Skp,
    recipient_id: int,
    formats: Sequence[str],
    status_label: str,
    occasion: str | None = None,
) -> None:
    """The SKP's files, built and sent by the outbox sender once this step has committed.
    With an `occasion` (e.g. "set") they are sent once for it; a request on demand is sent
    every time it is made (the screen's version check already stops a double tap)."""
    for fmt in formats:
        key = f"doc:{skp.id}:{skp.revision}:{fmt}:{recipient_id}:{occasion}" if occasion else None
        await tx.notify(
            recipient_id,
            "skp_document",
            "skp_document_caption",
            dedupe_key=key,
            document={"skp_id": skp.id, "format": fmt},
            skp=skp,
            employee=skp.employee,
            status=status_label,
        )


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

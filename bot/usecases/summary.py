"""What both sides see of an SKP: items, totals, findings, the dialog so far (read only)."""

from __future__ import annotations

from typing import Any

from bot.db.models import Employee, ExpectationStatus, ResourceStatus, Skp
from bot.domain import skp_rules as rules
from bot.services import skp as store
from bot.usecases import agreements, checks
from bot.usecases.base import Tx
from bot.usecases.loading import items_of


async def skp_summary(tx: Tx, skp: Skp) -> dict[str, Any]:
    rows = await items_of(tx, skp.id)
    checked = await checks.check(tx.session, skp, rows, tx.catalog, tx.stamp)
    expectations = await agreements.expectations_of(tx.session, skp.id)
    resources = await agreements.resources_of(tx.session, skp.id)
    texts = tx.texts
    leader = (
        await tx.session.get(Employee, skp.employee.penilai_id)
        if skp.employee.penilai_id is not None
        else None
    )
    return {
        "skp": skp,
        "employee": skp.employee,
        "leader": leader,
        "status": texts.label(f"status_{skp.status.value}"),
        "rows": rows,
        "positions": {r.id: r.position for r in rows},
        "totals": rules.totals(checked.policy, [store.rule_item(r) for r in rows]),
        "warnings": len(checked.warnings),
        # A unit head's SKP may carry no weights at all: then there are no totals to show.
        "show_weights": not checked.unit_head or any(r.bobot for r in rows),
        "errors": len(checked.errors),
        # The owner's recorded adjustment of the IKI count, while it is what lets the count
        # pass (shown to the leader with the count).
        "count_note": skp.count_note
        if any(f.code == "count_high_noted" for f in checked.notes)
        else None,
        "expectations": expectations,
        "value_names": {v["code"]: v["name"] for v in texts.berakhlak},
        "resources": resources,
        "categories": {c: texts.label(f"res_{c}") for c in agreements.RESOURCE_CATEGORIES},
        "open_expectations": [
            e
            for e in expectations
            if e.status is ExpectationStatus.OPEN and e.kind.value != "revisi"
        ],
        "negotiating": [e for e in expectations if e.status is ExpectationStatus.NEGOTIATING],
        "proposed": [r for r in resources if r.status is ResourceStatus.PROPOSED],
        "violations": await agreements.violations(tx, skp),
    }

"""A unit head's SKP (JPT, pimpinan unit kerja) from their Perjanjian Kinerja: one item per
indicator the unit owns (IKK, IKM, IKD) — RHK = the PK's sasaran, IKI and target from the PK,
the aspek read from the indicator, a default perspective where the wording tells one — with
weights only where the policy's unit-head profile requires them. The directive IKI are added
one tap each through `drafting.add_listed`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from bot.db.models import Indicator, IndicatorKind, Period, SkpItem
from bot.domain import skp_rules as rules
from bot.domain.contract import Refusal
from bot.domain.policy import Policy
from bot.services import skp as store
from bot.services.cascade import PkIndicator, pk_indicators
from bot.usecases import drafting
from bot.usecases.base import Refused, Tx
from bot.usecases.loading import items_of


class AlreadyFilled(Refused):
    """The SKP has hasil kerja of its own already (or all the PK gives): the PK fills an SKP
    that holds nothing but policy-listed IKI."""

    def __init__(self) -> None:
        super().__init__(Refusal.WRONG_STATUS)


def pk_sasaran(pk: PkIndicator) -> str:
    """The sasaran the indicator measures: the PK's own sasaran sentence when the cascade holds
    one; else the indicator above it (an IKK measures its IKP's program target); without one,
    the indicator itself."""
    if pk.indicator.sasaran.strip():
        return pk.indicator.sasaran.strip()
    return pk.ancestors[0].name if pk.ancestors else pk.indicator.name


def intervened(pk: PkIndicator) -> str:
    """The leader's result this one supports: the eselon-1 indicator (IKP) above, else the
    nearest one above; shown with its code, as in the PK."""
    above = next((a for a in pk.ancestors if a.kind is IndicatorKind.IKP), None)
    above = above or (pk.ancestors[0] if pk.ancestors else None)
    return f"{above.code} {above.name}" if above is not None else ""


def even_weights(total: Decimal, count: int) -> list[Decimal]:
    """`total` split into `count` shares of two decimals; the last takes the remainder."""
    if count <= 0:
        return []
    share = (total / count).quantize(Decimal("0.01"), ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


def pk_fields(policy: Policy, pk: Sequence[PkIndicator]) -> list[store.ItemFields]:
    """The items a unit head's PK gives (pure: no database)."""
    profile = policy.rules_for(True)
    weights: list[Decimal | None] = [None] * len(pk)
    if profile.weights_required:
        weights = list(even_weights(profile.core_total or policy.core_total, len(pk)))
    fields = []
    for entry, bobot in zip(pk, weights, strict=True):
        ind: Indicator = entry.indicator
        sasaran = pk_sasaran(entry)
        directive = next((d for d in profile.listed if rules.same_iki(d.iki, ind.name)), None)
        perspective = rules.default_perspective(profile.perspectives, ind.name, sasaran)
        if directive is not None and directive.perspective is not None:
            perspective = directive.perspective
        fields.append(
            store.ItemFields(
                jenis=policy.pk_jenis(ind.kind.value),
                rhk=sasaran,
                aspek=rules.aspek_of(policy, ind.name, ind.target_unit),
                iki=ind.name,
                target=ind.target_value if ind.target_value is not None else Decimal(0),
                satuan=ind.target_unit,
                bobot=bobot,
                leader_rhk=intervened(entry),
                mandatory_key=directive.key if directive is not None else None,
                perspective=perspective,
            )
        )
    return fields


def fillable(rows: Sequence[SkpItem]) -> bool:
    """The PK fills an SKP that holds nothing but policy-listed IKI (a directive tapped first)."""
    return all(r.mandatory_key is not None for r in rows)


async def fill_from_pk(tx: Tx, employee_id: int, period: Period, policy: Policy) -> list[SkpItem]:
    """The unit head's hasil kerja from their PK, into their current SKP while it holds no
    other item than listed IKI (those already there are not added twice). Refused when the SKP
    has its own items already or the PK adds nothing new (AlreadyFilled), or when it cannot be
    edited now; [] when the unit owns no PK indicator for the period."""
    opened = await store.open_skp(tx.session, employee_id, period, tx.now, policy)
    skp = await drafting.editable(tx, opened.id)
    rows = await items_of(tx, skp.id)
    if not fillable(rows):
        raise AlreadyFilled()
    pk = await pk_indicators(tx.session, employee_id, period)
    if not pk:
        return []
    present = {r.mandatory_key for r in rows}
    fields = [
        f
        for f in pk_fields(policy, pk)
        if f.mandatory_key not in present and not any(rules.same_iki(f.iki, r.iki) for r in rows)
    ]
    if not fields:
        raise AlreadyFilled()
    return await drafting.add_items(tx, skp.id, fields, source="pk")

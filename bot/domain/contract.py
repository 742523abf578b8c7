"""The performance contract as pure domain code: the SKP's lifecycle as a transition table (who
may move an SKP from which state to which), what each state allows, the agreement model of the
dialog kinerja (expectations, answers, settling) and the one invariant the product promises:
when an SKP is agreed, signed or set, every item's target is what the dialog last agreed for it
and nothing is left open.

Nothing here touches the database; bot.usecases applies these rules inside a transaction."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


class SkpStatus(enum.StrEnum):
    DRAFT = "draf"
    SUBMITTED = "diajukan"
    REVISION = "revisi"
    AGREED = "disetujui"
    SIGNED = "ditandatangani"
    SET = "ditetapkan"
    SUPERSEDED = "diganti"


class ExpectationKind(enum.StrEnum):
    HASIL = "hasil"  # the what: emphasis or quality of an RHK
    TARGET = "target"  # the standard: a structured target (value + satuan) and its standard
    REVISI = "revisi"  # a revision asked for one item
    PERILAKU = "perilaku"  # Ekspektasi Khusus Pimpinan for a BerAKHLAK value


class ExpectationStatus(enum.StrEnum):
    OPEN = "terbuka"  # waiting for the employee
    NEGOTIATING = "negosiasi"  # the employee answered with a proposal or a need; leader decides
    SETTLED = "sepakat"


class ResourceStatus(enum.StrEnum):
    PROPOSED = "diusulkan"
    AGREED = "disepakati"
    DECLINED = "ditolak"


class Party(enum.StrEnum):
    """Who acts, relative to one SKP."""

    EMPLOYEE = "pegawai"  # the SKP's owner
    PENILAI = "penilai"  # the owner's current pejabat penilai
    OTHER = "lain"  # anyone else (a colleague, a forwarded button)
    SYSTEM = "sistem"  # the product itself (superseding the version a new one replaces)


class Action(enum.StrEnum):
    # status changes
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    REQUEST_REVISION = "request_revision"
    APPROVE = "approve"
    SIGN = "sign"
    SET = "set"
    SUPERSEDE = "supersede"
    # changes within a state
    EDIT_ITEMS = "edit_items"
    SET_EXPECTATION = "set_expectation"
    ANSWER = "answer"
    DECIDE = "decide"  # a counter-proposal or a resource line
    EDIT_LAMPIRAN = "edit_lampiran"
    START_CHANGE = "start_change"  # a new version from the set one (perubahan SKP)


S = SkpStatus


@dataclass(frozen=True, slots=True)
class Rule:
    action: Action
    party: frozenset[Party]
    sources: frozenset[SkpStatus]
    # None: the SKP keeps its status (an edit within the state).
    target: SkpStatus | None = None


def _rule(
    action: Action, parties: Iterable[Party], sources: Iterable[SkpStatus], target: S | None = None
) -> Rule:
    return Rule(action, frozenset(parties), frozenset(sources), target)


EMP, PEN = (Party.EMPLOYEE,), (Party.PENILAI,)

# The lifecycle: draft → submitted → revision | agreed → signed → set → superseded, plus
# withdraw (before the leader acts) and the edits each state allows.
TRANSITIONS: dict[Action, Rule] = {
    r.action: r
    for r in (
        _rule(Action.SUBMIT, EMP, (S.DRAFT, S.REVISION), S.SUBMITTED),
        _rule(Action.WITHDRAW, EMP, (S.SUBMITTED,), S.DRAFT),
        _rule(Action.REQUEST_REVISION, PEN, (S.SUBMITTED,), S.REVISION),
        _rule(Action.APPROVE, PEN, (S.SUBMITTED,), S.AGREED),
        _rule(Action.SIGN, EMP, (S.AGREED,), S.SIGNED),
        _rule(Action.SET, PEN, (S.SIGNED,), S.SET),
        _rule(Action.SUPERSEDE, (Party.SYSTEM,), (S.SET,), S.SUPERSEDED),
        _rule(Action.EDIT_ITEMS, EMP, (S.DRAFT, S.REVISION)),
        _rule(Action.SET_EXPECTATION, PEN, (S.SUBMITTED,)),
        _rule(Action.ANSWER, EMP, (S.SUBMITTED,)),
        _rule(Action.DECIDE, PEN, (S.SUBMITTED,)),
        _rule(Action.EDIT_LAMPIRAN, PEN, (S.SUBMITTED,)),
        _rule(Action.START_CHANGE, (Party.EMPLOYEE, Party.PENILAI), (S.SET,)),
    )
}

EDITABLE = TRANSITIONS[Action.EDIT_ITEMS].sources
# States in which the SKP promises to say what the dialog agreed.
BINDING = frozenset({S.AGREED, S.SIGNED, S.SET})


class Refusal(enum.StrEnum):
    """Why an action is refused; each is a label key (templates/labels.j2) for the answer."""

    NOT_FOUND = "skp_not_found"
    NOT_PENILAI = "skp_not_penilai"
    NOT_OWNER = "skp_not_owner"
    STALE = "skp_changed_since"
    WRONG_STATUS = "skp_wrong_status"
    OPEN_MATTERS = "skp_open_matters"
    CONTRADICTS = "skp_contradicts_agreement"
    LEADER_ACTED = "skp_leader_already_acted"
    ALREADY_SETTLED = "expectation_already_settled"
    ALREADY_DECIDED = "resource_already_decided"
    ALREADY_ANSWERED = "expectation_already_answered"
    NO_PENILAI = "skp_no_penilai"
    NOT_READY = "skp_not_ready"
    NOT_ADMIN = "not_authorised"
    ALREADY_RESOLVED = "report_already_resolved"
    # evaluation (bot.usecases.evaluation)
    EVAL_NOT_FOUND = "evaluation_not_found"
    EVAL_NO_SKP = "evaluation_no_skp"
    EVAL_FINAL = "evaluation_already_final"
    EVAL_INCOMPLETE = "evaluation_incomplete"
    EVAL_NOT_FINAL = "evaluation_not_final"


def party_of(actor_id: int, owner_id: int, penilai_id: int | None) -> Party:
    if actor_id == owner_id:
        return Party.EMPLOYEE
    if penilai_id is not None and actor_id == penilai_id:
        return Party.PENILAI
    return Party.OTHER


def check(action: Action, party: Party, status: SkpStatus) -> Refusal | None:
    """None when `party` may do `action` to an SKP in `status`; otherwise why not. Who is
    asked first: a colleague learns that the SKP is not theirs, not its status."""
    rule = TRANSITIONS[action]
    if party not in rule.party:
        if Party.EMPLOYEE in rule.party and Party.PENILAI not in rule.party:
            return Refusal.NOT_OWNER
        return Refusal.NOT_PENILAI
    if status not in rule.sources:
        return Refusal.WRONG_STATUS
    return None


def next_status(action: Action, status: SkpStatus) -> SkpStatus:
    """The status after `action` (the same one for edits within a state)."""
    rule = TRANSITIONS[action]
    if status not in rule.sources:
        raise ValueError(f"{action} is not allowed from {status}")
    return rule.target or status


# -- the agreement model ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetValue:
    """A structured target: a number and its satuan ("100 %", "14 Kali")."""

    value: Decimal
    satuan: str


@dataclass(frozen=True, slots=True)
class ItemTarget:
    item_id: int
    position: int
    target: TargetValue | None


@dataclass(frozen=True, slots=True)
class Agreement:
    """One expectation as the invariant sees it. `agreed` is the target both sides settled on
    (None when the expectation does not bind a target); `seq` orders agreements in time."""

    kind: ExpectationKind
    status: ExpectationStatus
    item_id: int | None
    agreed: TargetValue | None
    seq: int


class CounterDecision(enum.StrEnum):
    ACCEPTED = "diterima"  # the leader takes the employee's proposal
    KEPT = "dipertahankan"  # the leader insists on their expectation


def agreed_target(
    kind: ExpectationKind,
    expected: TargetValue | None,
    counter: TargetValue | None,
    decision: CounterDecision | None,
) -> TargetValue | None:
    """The target an expectation binds once its target part is settled: the employee's when
    the leader accepts their counter; otherwise the leader's expected target, if it has one (a
    target expectation; or an agreement the employee's later edit reopened). A hasil
    expectation without a target binds none."""
    if counter is not None and decision is CounterDecision.ACCEPTED:
        return counter
    return expected


def settles(counter_pending: bool, needs_pending: int) -> bool:
    """An answered expectation is settled once the leader decided its counter (if any) and
    every resource need that came with it."""
    return not counter_pending and needs_pending == 0


def last_agreed(agreements: Iterable[Agreement]) -> dict[int, TargetValue]:
    """Per item, the target the dialog last agreed for it."""
    result: dict[int, TargetValue] = {}
    for a in sorted(agreements, key=lambda a: a.seq):
        if a.status is ExpectationStatus.SETTLED and a.item_id is not None and a.agreed is not None:
            result[a.item_id] = a.agreed
    return result


@dataclass(frozen=True, slots=True)
class Violation:
    code: str  # "open_expectation" | "open_resource" | "target_differs"
    position: int | None = None
    agreed: TargetValue | None = None
    actual: TargetValue | None = None


def violations(
    items: Sequence[ItemTarget], agreements: Iterable[Agreement], open_resources: int
) -> list[Violation]:
    """The invariant: what keeps an SKP from saying what the dialog agreed. Empty when every
    expectation (other than revision notes, answered by resubmitting) is settled, no resource
    line waits for a decision, and each item's target equals its last agreed target."""
    agreements = list(agreements)
    found = [
        Violation("open_expectation")
        for a in agreements
        if a.kind is not ExpectationKind.REVISI and a.status is not ExpectationStatus.SETTLED
    ]
    found += [Violation("open_resource") for _ in range(open_resources)]
    agreed = last_agreed(agreements)
    for item in items:
        wanted = agreed.get(item.item_id)
        if wanted is not None and not same_target(wanted, item.target):
            found.append(Violation("target_differs", item.position, wanted, item.target))
    return found


def same_target(a: TargetValue | None, b: TargetValue | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.value == b.value and a.satuan.casefold() == b.satuan.casefold()


# -- what changed between two versions of the hasil kerja -------------------------------------

ITEM_FIELDS = ("rhk", "iki", "aspek", "target", "satuan", "jenis", "bobot")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "added" | "removed" | "changed"
    position: int
    iki: str
    fields: tuple[str, ...] = ()


def diff_items(before: Sequence[dict[str, str]], after: Sequence[dict[str, str]]) -> list[Change]:
    """Items matched by their IKI text (then by position): what was added, removed or changed
    (which fields). Values are compared as the strings a snapshot stores."""
    remaining = list(before)
    changes: list[Change] = []
    for position, item in enumerate(after, start=1):
        match = next((b for b in remaining if b.get("iki") == item.get("iki")), None)
        if match is None:
            match = next(
                (b for b in remaining if b.get("position") == str(position)),
                None,
            )
            if match is None:
                changes.append(Change("added", position, item.get("iki", "")))
                continue
        remaining.remove(match)
        fields = tuple(f for f in ITEM_FIELDS if match.get(f, "") != item.get(f, ""))
        if fields:
            changes.append(Change("changed", position, item.get("iki", ""), fields))
    changes += [
        Change("removed", int(b.get("position", "0") or 0), b.get("iki", "")) for b in remaining
    ]
    return changes

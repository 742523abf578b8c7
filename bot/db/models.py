"""The data model. Organisation (units, employees, teams, roles), periods and organisational
indicators, onboarding (invitations, Telegram links), per-user dialog state, the inbox of
received updates, the outbox (notices and the steps' replies), run locks and the audit log;
policies, SKPs and their hasil kerja items."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JsonDoc, UtcDateTime, utcnow
from bot.domain.contract import (
    EDITABLE,
    ExpectationKind,
    ExpectationStatus,
    ResourceStatus,
    SkpStatus,
)
from bot.domain.policy import Aspek

__all__ = ["ExpectationKind", "ExpectationStatus", "ResourceStatus", "SkpStatus"]


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Store the readable value; a CHECK keeps the column honest on both backends.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class TimeZoneCode(enum.StrEnum):
    WIB = "WIB"
    WITA = "WITA"
    WIT = "WIT"


class JenisJabatan(enum.StrEnum):
    JPT = "JPT"
    JA = "JA"
    JF = "JF"


class RoleName(enum.StrEnum):
    ADMIN = "admin"


class IndicatorKind(enum.StrEnum):
    IT = "IT"
    ISS = "ISS"
    IKP = "IKP"
    IKK = "IKK"
    IKM = "IKM"
    IKD = "IKD"


class UnitIndicatorRole(enum.StrEnum):
    OWNER = "penanggung_jawab"
    CONTRIBUTOR = "kontributor"


class LinkStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # Not sent because it was no longer needed (a reminder for an SKP submitted meanwhile).
    SKIPPED = "skipped"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    timezone: Mapped[TimeZoneCode] = mapped_column(
        _enum(TimeZoneCode, "timezone_code"), default=TimeZoneCode.WIB
    )
    # The city the unit's documents are signed in ("Jakarta, 05 Januari 2026"); empty: the
    # parent unit's, else the DOCUMENT_PLACE setting.
    kota: Mapped[str] = mapped_column(String(100), default="")
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", use_alter=True, name="fk_units_head_id_employees"), index=True
    )

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    head: Mapped[Employee | None] = relationship(foreign_keys=[head_id])


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    pangkat_golongan: Mapped[str] = mapped_column(String(80), default="")
    jabatan: Mapped[str] = mapped_column(String(200))
    jenis_jabatan: Mapped[JenisJabatan] = mapped_column(_enum(JenisJabatan, "jenis_jabatan"))
    jenjang: Mapped[str] = mapped_column(String(80), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    penilai_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    penilai: Mapped[Employee | None] = relationship(remote_side=[id], foreign_keys=[penilai_id])


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)

    unit: Mapped[Unit] = relationship()
    leader: Mapped[Employee | None] = relationship()


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RoleGrant(Base):
    """Roles that cannot be derived from the organisation (leaders are derived)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("employee_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    role: Mapped[RoleName] = mapped_column(_enum(RoleName, "role_name"))


class PolicyDoc(Base):
    """An SKP policy document (bot.domain.policy) an administrator loaded for a period."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The JSON text as loaded: parsed (and cached) by bot.domain.policy.policy_from_json.
    document: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Period(Base):
    __tablename__ = "periods"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # End of January by PermenPANRB 6/2022: SKP signed and set.
    skp_deadline: Mapped[date | None] = mapped_column(Date)
    # An agency's own drafting deadline (Kemenkes 2026: 8 February 2026).
    draft_deadline: Mapped[date | None] = mapped_column(Date)
    # None: the built-in default policy (Kemenkes 2026).
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))


class CacheStamp(Base):
    """What each process keeps in memory (the periods; a period's policy) is valid while its
    stamp is unchanged: any change to a period bumps it (bot.services.catalog), and the
    dialog engine reads it with every update, so all processes see the change at once."""

    __tablename__ = "cache_stamps"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Indicator(Base):
    """An organisational indicator (IT/ISS/IKP/IKK/IKM/IKD) in the period's cascade."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("period_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[IndicatorKind] = mapped_column(_enum(IndicatorKind, "indicator_kind"))
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    target_unit: Mapped[str] = mapped_column(String(40), default="")
    # The PK's sasaran sentence the indicator measures (a unit head's RHK); "" when not given.
    sasaran: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Indicator | None] = relationship(remote_side=[id])


class UnitIndicator(Base):
    """Which unit owns (penanggung jawab) or contributes to an indicator."""

    __tablename__ = "unit_indicators"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[UnitIndicatorRole] = mapped_column(
        _enum(UnitIndicatorRole, "unit_indicator_role"), default=UnitIndicatorRole.OWNER
    )


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    # Only a hash is stored: a leaked database does not leak usable codes.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by_tg_user: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TelegramLink(Base):
    __tablename__ = "telegram_links"
    __table_args__ = (
        # One live link per Telegram account and per employee; revoked links stay as history.
        Index(
            "uq_telegram_links_live_user",
            "tg_user_id",
            unique=True,
            sqlite_where=text("status != 'revoked'"),
            postgresql_where=text("status != 'revoked'"),
        ),
        # A new device confirms while the old link is still active, so only one *active* link
        # per employee is enforced; the old one is revoked in the same transaction.
        Index(
            "uq_telegram_links_active_employee",
            "employee_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    tg_user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[LinkStatus] = mapped_column(_enum(LinkStatus, "link_status"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    unreachable_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The message showing the person's current screen: its buttons are removed when a newer
    # screen is sent below it (written by the sender, which learns message ids).
    screen_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    employee: Mapped[Employee] = relationship()


class DialogState(Base):
    """Where each person is in which flow, and the draft so far. Read on every update."""

    __tablename__ = "dialog_states"

    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    # Bumped on every change; buttons carry it, so a button from an older screen is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InboxOutcome(enum.StrEnum):
    DONE = "done"  # the step ran and committed
    FAILED = "failed"  # the step raised: the person was told, it is not run again
    LIMITED = "limited"  # above the per-person rate: answered politely, not run
    IGNORED = "ignored"  # nothing to run (a group chat, no sender)
    GAVE_UP = "gave_up"  # taken up after too many restarts without finishing


class InboxUpdate(Base):
    """Every Telegram update as received. In long polling the row is committed before the
    getUpdates offset that confirms the update to Telegram is sent; the step that processes
    it sets `processed_at` in its own transaction, so a redelivered update is processed once
    and one stored but not processed (a crash) is taken up at the next start. The raw update
    is kept only until then."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tg_user_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    # How often the update was taken up again after a restart without being processed.
    attempts: Mapped[int] = mapped_column(Integer, default=0)


# The name of the table before the inbox (0007): the update ids already handled.
ProcessedUpdate = InboxUpdate


class RunLock(Base):
    """Who runs something that must run once (long polling for a bot token). The holder
    renews `expires_at` while it lives; another process may take the row over only when it
    has expired or its holder is known to be dead (same host, no such process)."""

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Outbox(Base):
    """Messages decided in a transaction and sent afterwards by the sender."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "send_after"),
        Index("ix_outbox_kind_created", "kind", "created_at"),
        Index("ix_outbox_chat_status", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None only for a step's reply to someone not (yet) linked: it goes to `chat_id`.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    # Same key, same message: the unique constraint makes planning idempotent.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A sender leases a row before sending it; an expired lease means the sender died.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Which sender holds the lease (a process that died is known by it and released).
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # A step's reply (kind "reply"): the chat it answers and the update it answers.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger, index=True)


class DataReport(Base):
    """An employee's report that their organisation data is wrong ("Data saya salah")."""

    __tablename__ = "data_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(
        _enum(ReportStatus, "report_status"), default=ReportStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])


class WebLogin(Base):
    """A one-time link the bot sent an administrator or unit head to open the web dashboard.
    Only a hash of the token is stored; the link works once and briefly. Once used, the row
    stands for the session it opened: `expires_at` is the session's end, and logging out
    sets it to the moment, so every copy of the cookie stops working."""

    __tablename__ = "web_logins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    channel: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)


# The employee may edit the hasil kerja only in these states.
EDITABLE_STATUSES = EDITABLE


class Skp(Base):
    """One version of an employee's SKP for a period. Version 1 is the original; an SKP change
    (perubahan SKP) starts a new version and the earlier one stays as it was."""

    __tablename__ = "skps"
    __table_args__ = (UniqueConstraint("employee_id", "period_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[SkpStatus] = mapped_column(_enum(SkpStatus, "skp_status"))
    # Bumped on every change of the content or status; buttons about this SKP carry it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The pejabat penilai it was submitted to (the employee's penilai may change later).
    penilai_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agreed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    set_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    # Why this version exists (perubahan SKP); None for the original.
    change_reason: Mapped[str | None] = mapped_column(String(40))
    # The person's own words for the change, besides the category.
    change_note: Mapped[str | None] = mapped_column(Text)
    # The owner's record of an adjustment of the IKI count with the eselon-1 unit (a policy
    # may allow more IKI than its maximum once it is recorded); the leader sees it.
    count_note: Mapped[str | None] = mapped_column(Text)
    # The items as the leader last saw them (at submission or when asking for a revision):
    # a resubmission shows the leader what changed since.
    seen_items: Mapped[list[dict[str, str]] | None] = mapped_column(JsonDoc)
    # The leader's note when asking for a revision.
    revision_note: Mapped[str | None] = mapped_column(Text)
    # Lampiran: skema pertanggungjawaban and konsekuensi (defaults from the policy).
    skema_periodik: Mapped[str] = mapped_column(String(20), default="bulanan")
    skema_insidental: Mapped[bool] = mapped_column(Boolean, default=True)
    konsekuensi_positif: Mapped[str] = mapped_column(Text, default="")
    konsekuensi_negatif: Mapped[str] = mapped_column(Text, default="")

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    period: Mapped[Period] = relationship()


class SkpItem(Base):
    """One row of hasil kerja: RHK, aspek, IKI, target + satuan, jenis and bobot."""

    __tablename__ = "skp_items"
    __table_args__ = (Index("ix_skp_items_skp_position", "skp_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # The leader's item this one intervenes (RHK atasan yang diintervensi), kept as text too so
    # the document still reads right if the leader later rewrites theirs.
    leader_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("skp_items.id", ondelete="SET NULL"), index=True
    )
    leader_rhk: Mapped[str] = mapped_column(Text, default="")
    # A type code of the period's policy (CL, TUSI, MI, BYD for Kemenkes 2026).
    jenis: Mapped[str] = mapped_column(String(16))
    rhk: Mapped[str] = mapped_column(Text)
    aspek: Mapped[Aspek] = mapped_column(_enum(Aspek, "aspek"))
    iki: Mapped[str] = mapped_column(Text)
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    satuan: Mapped[str] = mapped_column(String(40), default="")
    bobot: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # Unit heads tag their items with a perspective instead of a leader's RHK.
    perspective: Mapped[str | None] = mapped_column(String(40))
    # Set when the item is the policy's mandatory IKI (e.g. "ipasn").
    mandatory_key: Mapped[str | None] = mapped_column(String(40))
    # The item of the previous version this one was carried from (perubahan SKP): its
    # check-ins' realisations follow it.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("skp_items.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SkpExpectation(Base):
    """One expectation the leader set in the dialog, and how it was answered."""

    __tablename__ = "skp_expectations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("skp_items.id", ondelete="SET NULL"))
    kind: Mapped[ExpectationKind] = mapped_column(_enum(ExpectationKind, "expectation_kind"))
    # The BerAKHLAK value for kind "perilaku" (e.g. "kolaboratif").
    value_code: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    # A target expectation's structured target (kind "target").
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    target_satuan: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[ExpectationStatus] = mapped_column(
        _enum(ExpectationStatus, "expectation_status"), default=ExpectationStatus.OPEN
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The employee's answer: a counter-proposal for the target and/or a reason.
    response_text: Mapped[str | None] = mapped_column(Text)
    response_target: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    response_satuan: Mapped[str | None] = mapped_column(String(40))
    # The leader's decision on a counter-proposal (bot.domain.contract.CounterDecision).
    counter_decision: Mapped[str | None] = mapped_column(String(20))
    # The target this expectation binds once settled (None: it binds no target).
    agreed_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    agreed_satuan: Mapped[str | None] = mapped_column(String(40))
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SkpResource(Base):
    """A line of dukungan sumber daya in the lampiran: what the employee needs."""

    __tablename__ = "skp_resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ResourceStatus] = mapped_column(
        _enum(ResourceStatus, "resource_status"), default=ResourceStatus.PROPOSED
    )
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    expectation_id: Mapped[int | None] = mapped_column(
        ForeignKey("skp_expectations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CascadeMethod(enum.StrEnum):
    """How a leader's result is divided (DOMAIN.md, "Cascading methods")."""

    ASPEK = "aspek"  # direct: by aspect / component
    WILAYAH = "wilayah"  # direct: same IKI, different regions
    BEBAN = "beban"  # direct: the target divided
    LAYANAN = "layanan"  # non-direct: supporting service
    OUTPUT_ANTARA = "output_antara"  # non-direct: milestones of a longer process


DIRECT_METHODS = frozenset({CascadeMethod.ASPEK, CascadeMethod.WILAYAH, CascadeMethod.BEBAN})


class Cascade(Base):
    """A leader's PRIMA walk for one of their SKP items: understanding (P), strategies and
    activities (R), who contributes (I), the IKI of each contribution (M), sent (A)."""

    __tablename__ = "cascades"
    __table_args__ = (UniqueConstraint("source_item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    # The leader's item being cascaded (their RHK and IKI).
    source_item_id: Mapped[int] = mapped_column(ForeignKey("skp_items.id", ondelete="CASCADE"))
    understanding: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CascadeStrategy(Base):
    __tablename__ = "cascade_strategies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cascade_id: Mapped[int] = mapped_column(
        ForeignKey("cascades.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class CascadeActivity(Base):
    __tablename__ = "cascade_activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("cascade_strategies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class CascadeAssignment(Base):
    """A role: who contributes to an activity, with what RHK, IKI and target (the peran
    hasil). One person may hold several roles under one activity (one IKI each)."""

    __tablename__ = "cascade_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("cascade_activities.id", ondelete="CASCADE"), index=True
    )
    assignee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    method: Mapped[CascadeMethod | None] = mapped_column(_enum(CascadeMethod, "cascade_method"))
    # The role's RHK as the leader writes it (output + qualifier): the assignee's RHK.
    rhk: Mapped[str] = mapped_column(Text, default="")
    iki: Mapped[str] = mapped_column(Text, default="")
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    satuan: Mapped[str] = mapped_column(String(40), default="")
    # The draft item created in the assignee's SKP when the proposals were sent.
    draft_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("skp_items.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# -- Year in progress ---------------------------------------------------------------------------
# After an SKP is set (ditetapkan): the action plan and trajectory per item, the periodic
# check-ins with a realisation per item and the evidence sent in chat, and the leader's
# continuous feedback. A Perubahan SKP carries these over to the items it carries (see
# bot.usecases.progress_carry).


class PlanStatus(enum.StrEnum):
    DRAFT = "draf"
    SUBMITTED = "diajukan"
    REVISION = "revisi"
    AGREED = "disepakati"


class CheckInStatus(enum.StrEnum):
    DRAFT = "draf"
    SUBMITTED = "dikirim"


class EvidenceKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    LINK = "link"


class FeedbackKind(enum.StrEnum):
    ON_TRACK = "sesuai_rencana"
    ATTENTION = "perlu_perhatian"
    DIALOG = "perlu_dialog"


class PlanAgreement(Base):
    """The agreement state of one SKP version's action plan (rencana aksi and trajectory):
    drafted by the employee, submitted, agreed by the pejabat penilai or sent back."""

    __tablename__ = "plan_agreements"

    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[PlanStatus] = mapped_column(
        _enum(PlanStatus, "plan_status"), default=PlanStatus.DRAFT
    )
    # Bumped on every change; the leader's buttons carry it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    # The leader's words when asking for a change.
    change_note: Mapped[str | None] = mapped_column(Text)
    # The plan as the leader agreed it (actions and trajectories per item id), kept while a
    # change of it is drafted, submitted or sent back: in force until the change is agreed.
    agreed: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class ActionPlan(Base):
    """One action under an SKP item, with the months it runs (month_from..month_to, 1–12)."""

    __tablename__ = "action_plans"
    __table_args__ = (
        CheckConstraint(
            "month_from BETWEEN 1 AND 12 AND month_to BETWEEN month_from AND 12",
            name="months_in_year",
        ),
        Index("ix_action_plans_item_position", "item_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("skp_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    month_from: Mapped[int] = mapped_column(Integer)
    month_to: Mapped[int] = mapped_column(Integer)


class ItemTrajectory(Base):
    """The cumulative target an item should have reached by the end of a quarter (1–4)."""

    __tablename__ = "item_trajectories"
    __table_args__ = (CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_in_year"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("skp_items.id", ondelete="CASCADE"), primary_key=True
    )
    quarter: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))


class CheckIn(Base):
    """One periodic check-in of an SKP version for a period key ("2026-03" for a monthly
    round; the interval is policy data): the realisation so far of each item, a note,
    evidence; submitted to the pejabat penilai."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("skp_id", "period_key"),
        Index("ix_check_ins_period_key", "period_key", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CheckInStatus] = mapped_column(
        _enum(CheckInStatus, "check_in_status"), default=CheckInStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Realisation(Base):
    """An item's realisation so far, as of one check-in. `value` None is "belum ada"; `typed`
    keeps what the person wrote ("4 kali", "80,5%")."""

    __tablename__ = "realisations"
    __table_args__ = (UniqueConstraint("check_in_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("skp_items.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    typed: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Evidence(Base):
    """A piece of evidence sent in chat: a photo or document (kept as Telegram's file_id and
    its metadata, not downloaded) or a link; for one item or the check-in as a whole."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_in_id: Mapped[int] = mapped_column(
        ForeignKey("check_ins.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("skp_items.id", ondelete="SET NULL"))
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind, "evidence_kind"))
    file_id: Mapped[str | None] = mapped_column(String(200))
    file_unique_id: Mapped[str | None] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    mime: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(Text)
    caption: Mapped[str] = mapped_column(Text, default="")
    sender_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Feedback(Base):
    """The leader's continuous feedback on a person's SKP: for the person or one item, after
    a check-in or at any time."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("skp_items.id", ondelete="SET NULL"))
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"))
    kind: Mapped[FeedbackKind] = mapped_column(_enum(FeedbackKind, "feedback_kind"))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# -- Evaluation ---------------------------------------------------------------------------------
# The quarterly and annual evaluation of an SKP by its pejabat penilai (PermenPANRB 6/2022):
# ratings of hasil kerja and perilaku kerja, the predikat the policy's matrix gives, the
# weighted capaian as it was when rated, notes, and the employee's response.


class EvaluationState(enum.StrEnum):
    DRAFT = "draf"
    FINAL = "final"


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("skp_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skps.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # "TW1".."TW4" or "tahunan" (bot.domain.evaluation.PERIODS).
    period: Mapped[str] = mapped_column(String(10))
    state: Mapped[EvaluationState] = mapped_column(
        _enum(EvaluationState, "evaluation_state"), default=EvaluationState.DRAFT
    )
    # Ratings (bot.domain.evaluation.Rating values) and the predikat they give.
    hasil_rating: Mapped[str | None] = mapped_column(String(10))
    perilaku_rating: Mapped[str | None] = mapped_column(String(10))
    # Per BerAKHLAK value code: its rating, and the leader's note on it.
    value_ratings: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    value_notes: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    predikat: Mapped[str | None] = mapped_column(String(20))
    # The weighted capaian and each item's realisation and capaian when last saved.
    capaian_total: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    capaian_core: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    capaian_beyond: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    capaian_items: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    hasil_note: Mapped[str] = mapped_column(Text, default="")
    training_needs: Mapped[str] = mapped_column(Text, default="")
    recognition: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    employee_response: Mapped[str | None] = mapped_column(Text)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    # Bumped on every change; the buttons about this evaluation carry it.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    skp: Mapped[Skp] = relationship()
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    evaluator: Mapped[Employee] = relationship(foreign_keys=[evaluator_id])

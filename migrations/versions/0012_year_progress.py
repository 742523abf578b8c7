"""The year in progress: action plans (rencana aksi) and quarterly trajectories per SKP item
with their agreement state, periodic check-ins with a realisation per item and evidence sent
in chat (Telegram file ids, not the files), the leader's continuous feedback, and the item a
Perubahan SKP carried each item from.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skp_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draf",
                "dikirim",
                name="check_in_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_check_ins_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["skp_id"], ["skps.id"], name=op.f("fk_check_ins_skp_id_skps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("skp_id", "period_key", name=op.f("uq_check_ins_skp_id_period_key")),
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_ins_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index("ix_check_ins_period_key", ["period_key", "status"], unique=False)

    op.create_table(
        "plan_agreements",
        sa.Column("skp_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draf",
                "diajukan",
                "revisi",
                "disepakati",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["employees.id"],
            name=op.f("fk_plan_agreements_decided_by_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["skp_id"], ["skps.id"], name=op.f("fk_plan_agreements_skp_id_skps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("skp_id", name=op.f("pk_plan_agreements")),
    )
    op.create_table(
        "action_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("month_from", sa.Integer(), nullable=False),
        sa.Column("month_to", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "month_from BETWEEN 1 AND 12 AND month_to BETWEEN month_from AND 12",
            name=op.f("ck_action_plans_months_in_year"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["skp_items.id"],
            name=op.f("fk_action_plans_item_id_skp_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plans")),
    )
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_plans_item_position", ["item_id", "position"], unique=False
        )

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "photo",
                "document",
                "link",
                name="evidence_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("file_id", sa.String(length=200), nullable=True),
        sa.Column("file_unique_id", sa.String(length=100), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_evidence_check_in_id_check_ins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["skp_items.id"],
            name=op.f("fk_evidence_item_id_skp_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["employees.id"], name=op.f("fk_evidence_sender_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_check_in_id"), ["check_in_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skp_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("check_in_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "sesuai_rencana",
                "perlu_perhatian",
                "perlu_dialog",
                name="feedback_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["employees.id"], name=op.f("fk_feedback_author_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_feedback_check_in_id_check_ins"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["skp_items.id"],
            name=op.f("fk_feedback_item_id_skp_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["skp_id"], ["skps.id"], name=op.f("fk_feedback_skp_id_skps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_skp_id"), ["skp_id"], unique=False)

    op.create_table(
        "item_trajectories",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.CheckConstraint(
            "quarter BETWEEN 1 AND 4", name=op.f("ck_item_trajectories_quarter_in_year")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["skp_items.id"],
            name=op.f("fk_item_trajectories_item_id_skp_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "quarter", name=op.f("pk_item_trajectories")),
    )
    op.create_table(
        "realisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("typed", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_realisations_check_in_id_check_ins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["skp_items.id"],
            name=op.f("fk_realisations_item_id_skp_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_realisations")),
        sa.UniqueConstraint(
            "check_in_id", "item_id", name=op.f("uq_realisations_check_in_id_item_id")
        ),
    )
    with op.batch_alter_table("realisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_realisations_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("skp_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_skp_items_carried_from_id_skp_items"),
            "skp_items",
            ["carried_from_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("skp_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_skp_items_carried_from_id_skp_items"), type_="foreignkey"
        )
        batch_op.drop_column("carried_from_id")

    with op.batch_alter_table("realisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_realisations_item_id"))

    op.drop_table("realisations")
    op.drop_table("item_trajectories")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_skp_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_check_in_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("action_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_action_plans_item_position")

    op.drop_table("action_plans")
    op.drop_table("plan_agreements")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_period_key")
        batch_op.drop_index(batch_op.f("ix_check_ins_employee_id"))

    op.drop_table("check_ins")

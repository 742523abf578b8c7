"""The quarterly and annual evaluation of an SKP (PermenPANRB 6/2022): ratings of hasil kerja
and perilaku kerja (per BerAKHLAK value too), the predikat, the weighted capaian snapshot,
notes, the employee's response, draft/final.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skp_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draf",
                "final",
                name="evaluation_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("hasil_rating", sa.String(length=10), nullable=True),
        sa.Column("perilaku_rating", sa.String(length=10), nullable=True),
        sa.Column("value_ratings", _json(), nullable=False),
        sa.Column("value_notes", _json(), nullable=False),
        sa.Column("predikat", sa.String(length=20), nullable=True),
        sa.Column("capaian_total", sa.Numeric(precision=9, scale=2), nullable=True),
        sa.Column("capaian_core", sa.Numeric(precision=9, scale=2), nullable=True),
        sa.Column("capaian_beyond", sa.Numeric(precision=9, scale=2), nullable=True),
        sa.Column("capaian_items", _json(), nullable=False),
        sa.Column("hasil_note", sa.Text(), nullable=False),
        sa.Column("training_needs", sa.Text(), nullable=False),
        sa.Column("recognition", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("employee_response", sa.Text(), nullable=True),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_evaluations_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["employees.id"], name=op.f("fk_evaluations_evaluator_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["skp_id"], ["skps.id"], name=op.f("fk_evaluations_skp_id_skps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint("skp_id", "period", name=op.f("uq_evaluations_skp_id_period")),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluations_employee_id"), ["employee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluations_employee_id"))
    op.drop_table("evaluations")

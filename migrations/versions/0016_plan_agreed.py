"""The agreed action plan kept on its agreement while a change of it waits for the leader
(it was kept in the audit log before).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("plan_agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreed", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_agreements", schema=None) as batch_op:
        batch_op.drop_column("agreed")

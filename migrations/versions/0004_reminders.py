"""Reminders: an outbox row may be skipped (no longer needed when it was due); rows are found
by kind and creation time (what a planning run already wrote for a slot).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('pending', 'sent', 'failed')"
NEW = "status IN ('pending', 'sent', 'failed', 'skipped')"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_outbox_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_outbox_status'), condition)


def upgrade() -> None:
    _replace_check(NEW)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_kind_created', ['kind', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_kind_created')
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'skipped'")
    _replace_check(OLD)

"""Cascade roles the deck's way: one person may hold several roles (IKI) under one activity,
and each role carries the RHK the leader writes for it (the activity's name was copied into
the assignee's RHK before; roles already spelled out keep that text as their RHK).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cascade_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rhk', sa.Text(), server_default='', nullable=False))
        batch_op.drop_constraint(
            batch_op.f('uq_cascade_assignments_activity_id_assignee_id'), type_='unique'
        )
    # What the assignee's draft item got as its RHK until now: the activity's text.
    op.execute(
        "UPDATE cascade_assignments SET rhk = (SELECT text FROM cascade_activities"
        " WHERE cascade_activities.id = cascade_assignments.activity_id) WHERE iki <> ''"
    )


def downgrade() -> None:
    # One role per person and activity again: the first one stays.
    op.execute(
        "DELETE FROM cascade_assignments WHERE id NOT IN (SELECT MIN(id) FROM"
        " cascade_assignments GROUP BY activity_id, assignee_id)"
    )
    with op.batch_alter_table('cascade_assignments', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_cascade_assignments_activity_id_assignee_id'),
            ['activity_id', 'assignee_id'],
        )
        batch_op.drop_column('rhk')

"""More IKI than the policy's maximum, recorded: the owner's note of the adjustment of the IKI
count with the eselon-1 unit (Kemenkes 2026: more than 10 IKI needs one), which turns the
over-count error into a note the leader sees.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('count_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.drop_column('count_note')

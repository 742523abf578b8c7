"""A calm chat: the message that shows a person's current screen (its buttons are removed
when a newer screen replaces it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('telegram_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen_message_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('telegram_links', schema=None) as batch_op:
        batch_op.drop_column('screen_message_id')

"""The stamp of what processes cache (the periods and their policies): bumped by any change
to a period, read by the dialog engine with every update.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamps = op.create_table(
        'cache_stamps',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_stamps')),
    )
    op.bulk_insert(stamps, [{'name': 'periods', 'version': 0}])


def downgrade() -> None:
    op.drop_table('cache_stamps')

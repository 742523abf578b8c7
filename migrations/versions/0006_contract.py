"""The contract: structured target expectations and their agreed targets, the leader's
decision on a counter-proposal, the reason for an SKP change in the person's words, the
items as the leader last saw them, and the PK's sasaran sentence of an indicator.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
EXPECTATION_COLUMNS = (
    ('target_value', sa.Numeric(20, 4)),
    ('target_satuan', sa.String(40)),
    ('response_satuan', sa.String(40)),
    ('counter_decision', sa.String(20)),
    ('agreed_value', sa.Numeric(20, 4)),
    ('agreed_satuan', sa.String(40)),
)


def upgrade() -> None:
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('seen_items', JSON, nullable=True))
    with op.batch_alter_table('skp_expectations', schema=None) as batch_op:
        for name, type_ in EXPECTATION_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sasaran', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('sasaran')
    with op.batch_alter_table('skp_expectations', schema=None) as batch_op:
        for name, _type in reversed(EXPECTATION_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.drop_column('seen_items')
        batch_op.drop_column('change_note')

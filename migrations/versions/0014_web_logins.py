"""One-time login links for the web dashboard (bot.webapp): the bot sends an administrator
or unit head a link; only the token's hash is stored, and it works once, briefly.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'web_logins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['employee_id'],
            ['employees.id'],
            name=op.f('fk_web_logins_employee_id_employees'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_logins')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_web_logins_token_hash')),
    )
    with op.batch_alter_table('web_logins', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_web_logins_employee_id'), ['employee_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('web_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_logins_employee_id'))
    op.drop_table('web_logins')

"""Durable from receipt: the inbox of Telegram updates (stored before they are confirmed to
Telegram, replacing processed_updates), a step's replies as outbox rows (a chat and the
update they answer, no recipient needed; the sender that holds a lease), and run locks (one
polling process per bot token).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('tg_user_id', sa.BigInteger(), nullable=True),
        sa.Column('payload', JSON, nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox')),
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_processed_at'), ['processed_at'], unique=False)
    # The ids already handled keep deduplicating a redelivery across the upgrade.
    op.execute(
        "INSERT INTO inbox (update_id, received_at, processed_at, outcome, attempts)"
        " SELECT update_id, processed_at, processed_at, 'done', 0 FROM processed_updates"
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_processed_at'))
    op.drop_table('processed_updates')

    op.create_table(
        'run_locks',
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('host', sa.String(length=100), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_run_locks')),
    )

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('update_id', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_update_id'), ['update_id'], unique=False)
        batch_op.create_index('ix_outbox_chat_status', ['chat_id', 'status'], unique=False)


def downgrade() -> None:
    # Replies to people without a link cannot be kept without a recipient.
    op.execute("DELETE FROM outbox WHERE recipient_id IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_chat_status')
        batch_op.drop_index(batch_op.f('ix_outbox_update_id'))
        batch_op.drop_column('update_id')
        batch_op.drop_column('chat_id')
        batch_op.drop_column('claimed_by')
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=False)

    op.drop_table('run_locks')

    op.create_table(
        'processed_updates',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates')),
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_processed_updates_processed_at'), ['processed_at'], unique=False
        )
    op.execute(
        "INSERT INTO processed_updates (update_id, processed_at)"
        " SELECT update_id, processed_at FROM inbox WHERE processed_at IS NOT NULL"
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_processed_at'))
    op.drop_table('inbox')

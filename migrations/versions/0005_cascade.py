"""The PRIMA cascade: a leader's strategies, activities and assignments (the MPPH).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cascades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('source_item_id', sa.Integer(), nullable=False),
    sa.Column('understanding', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['employees.id'], name=op.f('fk_cascades_leader_id_employees')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_cascades_period_id_periods')),
    sa.ForeignKeyConstraint(['source_item_id'], ['skp_items.id'], name=op.f('fk_cascades_source_item_id_skp_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cascades')),
    sa.UniqueConstraint('source_item_id', name=op.f('uq_cascades_source_item_id'))
    )
    with op.batch_alter_table('cascades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cascades_leader_id'), ['leader_id'], unique=False)

    op.create_table('cascade_strategies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cascade_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cascade_id'], ['cascades.id'], name=op.f('fk_cascade_strategies_cascade_id_cascades'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cascade_strategies'))
    )
    with op.batch_alter_table('cascade_strategies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cascade_strategies_cascade_id'), ['cascade_id'], unique=False)

    op.create_table('cascade_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['cascade_strategies.id'], name=op.f('fk_cascade_activities_strategy_id_cascade_strategies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cascade_activities'))
    )
    with op.batch_alter_table('cascade_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cascade_activities_strategy_id'), ['strategy_id'], unique=False)

    op.create_table('cascade_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('aspek', 'wilayah', 'beban', 'layanan', 'output_antara', name='cascade_method', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('iki', sa.Text(), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('satuan', sa.String(length=40), nullable=False),
    sa.Column('draft_item_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['cascade_activities.id'], name=op.f('fk_cascade_assignments_activity_id_cascade_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignee_id'], ['employees.id'], name=op.f('fk_cascade_assignments_assignee_id_employees')),
    sa.ForeignKeyConstraint(['draft_item_id'], ['skp_items.id'], name=op.f('fk_cascade_assignments_draft_item_id_skp_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cascade_assignments')),
    sa.UniqueConstraint('activity_id', 'assignee_id', name=op.f('uq_cascade_assignments_activity_id_assignee_id'))
    )
    with op.batch_alter_table('cascade_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cascade_assignments_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cascade_assignments_assignee_id'), ['assignee_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cascade_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cascade_assignments_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_cascade_assignments_activity_id'))

    op.drop_table('cascade_assignments')
    with op.batch_alter_table('cascade_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cascade_activities_strategy_id'))

    op.drop_table('cascade_activities')
    with op.batch_alter_table('cascade_strategies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cascade_strategies_cascade_id'))

    op.drop_table('cascade_strategies')
    with op.batch_alter_table('cascades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cascades_leader_id'))

    op.drop_table('cascades')

"""SKP drafting: policies (per period), SKP versions and their hasil kerja items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies'))
    )
    op.create_table('skps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draf', 'diajukan', 'revisi', 'disetujui', 'ditandatangani', 'ditetapkan', 'diganti', name='skp_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('penilai_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_skps_employee_id_employees')),
    sa.ForeignKeyConstraint(['penilai_id'], ['employees.id'], name=op.f('fk_skps_penilai_id_employees')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_skps_period_id_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skps')),
    sa.UniqueConstraint('employee_id', 'period_id', 'number', name=op.f('uq_skps_employee_id_period_id_number'))
    )
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skps_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skps_penilai_id'), ['penilai_id'], unique=False)

    op.create_table('skp_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('skp_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('leader_item_id', sa.Integer(), nullable=True),
    sa.Column('leader_rhk', sa.Text(), nullable=False),
    sa.Column('jenis', sa.String(length=16), nullable=False),
    sa.Column('rhk', sa.Text(), nullable=False),
    sa.Column('aspek', sa.Enum('kuantitas', 'kualitas', 'waktu', 'biaya', name='aspek', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('iki', sa.Text(), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('satuan', sa.String(length=40), nullable=False),
    sa.Column('bobot', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('perspective', sa.String(length=40), nullable=True),
    sa.Column('mandatory_key', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['leader_item_id'], ['skp_items.id'], name=op.f('fk_skp_items_leader_item_id_skp_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['skp_id'], ['skps.id'], name=op.f('fk_skp_items_skp_id_skps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skp_items'))
    )
    with op.batch_alter_table('skp_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skp_items_leader_item_id'), ['leader_item_id'], unique=False)
        batch_op.create_index('ix_skp_items_skp_position', ['skp_id', 'position'], unique=False)

    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_periods_policy_id_policies'), 'policies', ['policy_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_periods_policy_id_policies'), type_='foreignkey')
        batch_op.drop_column('policy_id')

    with op.batch_alter_table('skp_items', schema=None) as batch_op:
        batch_op.drop_index('ix_skp_items_skp_position')
        batch_op.drop_index(batch_op.f('ix_skp_items_leader_item_id'))

    op.drop_table('skp_items')
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skps_penilai_id'))
        batch_op.drop_index(batch_op.f('ix_skps_employee_id'))

    op.drop_table('skps')
    op.drop_table('policies')

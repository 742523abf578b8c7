"""Dialog kinerja: expectations, resource support, lampiran, agreement and versions of an SKP.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('skp_expectations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('skp_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('hasil', 'target', 'revisi', 'perilaku', name='expectation_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('value_code', sa.String(length=30), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('terbuka', 'negosiasi', 'sepakat', name='expectation_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_text', sa.Text(), nullable=True),
    sa.Column('response_target', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['employees.id'], name=op.f('fk_skp_expectations_author_id_employees')),
    sa.ForeignKeyConstraint(['item_id'], ['skp_items.id'], name=op.f('fk_skp_expectations_item_id_skp_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['skp_id'], ['skps.id'], name=op.f('fk_skp_expectations_skp_id_skps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skp_expectations'))
    )
    with op.batch_alter_table('skp_expectations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skp_expectations_skp_id'), ['skp_id'], unique=False)

    op.create_table('skp_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('skp_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('diusulkan', 'disepakati', 'ditolak', name='resource_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('expectation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['expectation_id'], ['skp_expectations.id'], name=op.f('fk_skp_resources_expectation_id_skp_expectations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['employees.id'], name=op.f('fk_skp_resources_proposed_by_id_employees')),
    sa.ForeignKeyConstraint(['skp_id'], ['skps.id'], name=op.f('fk_skp_resources_skp_id_skps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skp_resources'))
    )
    with op.batch_alter_table('skp_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skp_resources_skp_id'), ['skp_id'], unique=False)

    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('set_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('set_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('change_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('revision_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('skema_periodik', sa.String(length=20), nullable=False, server_default='bulanan'))
        batch_op.add_column(sa.Column('skema_insidental', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('konsekuensi_positif', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('konsekuensi_negatif', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_skps_set_by_id_employees'), 'employees', ['set_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('skps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_skps_set_by_id_employees'), type_='foreignkey')
        batch_op.drop_column('konsekuensi_negatif')
        batch_op.drop_column('konsekuensi_positif')
        batch_op.drop_column('skema_insidental')
        batch_op.drop_column('skema_periodik')
        batch_op.drop_column('revision_note')
        batch_op.drop_column('change_reason')
        batch_op.drop_column('set_by_id')
        batch_op.drop_column('set_at')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('agreed_at')

    with op.batch_alter_table('skp_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skp_resources_skp_id'))

    op.drop_table('skp_resources')
    with op.batch_alter_table('skp_expectations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skp_expectations_skp_id'))

    op.drop_table('skp_expectations')

"""Initial schema: organisation, periods and indicators, onboarding, dialog state, outbox,
audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('skp_deadline', sa.Date(), nullable=True),
    sa.Column('draft_deadline', sa.Date(), nullable=True),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_periods_dates_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periods')),
    sa.UniqueConstraint('year', name=op.f('uq_periods_year'))
    )
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates'))
    )
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_updates_processed_at'), ['processed_at'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('timezone', sa.Enum('WIB', 'WITA', 'WIT', name='timezone_code', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_head_id'), ['head_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('pangkat_golongan', sa.String(length=80), nullable=False),
    sa.Column('jabatan', sa.String(length=200), nullable=False),
    sa.Column('jenis_jabatan', sa.Enum('JPT', 'JA', 'JF', name='jenis_jabatan', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('jenjang', sa.String(length=80), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('penilai_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['penilai_id'], ['employees.id'], name=op.f('fk_employees_penilai_id_employees')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_employees_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees')),
    sa.UniqueConstraint('nip', name=op.f('uq_employees_nip'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_penilai_id'), ['penilai_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_unit_id'), ['unit_id'], unique=False)

    # units.head_id -> employees: added once both tables exist (they reference each other).
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_units_head_id_employees', 'employees', ['head_id'], ['id'])

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('IT', 'ISS', 'IKP', 'IKK', 'IKM', 'IKD', name='indicator_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('target_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('target_unit', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['indicators.id'], name=op.f('fk_indicators_parent_id_indicators')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_indicators_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('period_id', 'code', name=op.f('uq_indicators_period_id_code'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_parent_id'), ['parent_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['employees.id'], name=op.f('fk_audit_log_actor_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)

    op.create_table('data_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'resolved', name='report_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_data_reports_employee_id_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['employees.id'], name=op.f('fk_data_reports_resolved_by_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_reports'))
    )
    with op.batch_alter_table('data_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_reports_employee_id'), ['employee_id'], unique=False)

    op.create_table('dialog_states',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=40), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_dialog_states_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('employee_id', name=op.f('pk_dialog_states'))
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by_tg_user', sa.BigInteger(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_invitations_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_invitations_code_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_employee_id'), ['employee_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outbox_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['employees.id'], name=op.f('fk_outbox_recipient_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'send_after'], unique=False)

    op.create_table('role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', name='role_name', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_role_grants_employee_id_employees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants')),
    sa.UniqueConstraint('employee_id', 'role', name=op.f('uq_role_grants_employee_id_role'))
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['employees.id'], name=op.f('fk_teams_leader_id_employees')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_teams_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('code', name=op.f('uq_teams_code'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_indicators',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('penanggung_jawab', 'kontributor', name='unit_indicator_role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_unit_indicators_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_indicators_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'unit_id', name=op.f('pk_unit_indicators'))
    )
    with op.batch_alter_table('unit_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_indicators_unit_id'), ['unit_id'], unique=False)

    op.create_table('team_members',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_team_members_employee_id_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'employee_id', name=op.f('pk_team_members'))
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_employee_id'), ['employee_id'], unique=False)

    op.create_table('telegram_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('tg_user_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'revoked', name='link_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('unreachable_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_telegram_links_employee_id_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_telegram_links_invitation_id_invitations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telegram_links'))
    )
    with op.batch_alter_table('telegram_links', schema=None) as batch_op:
        batch_op.create_index('uq_telegram_links_active_employee', ['employee_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.create_index('uq_telegram_links_live_user', ['tg_user_id'], unique=True, sqlite_where=sa.text("status != 'revoked'"), postgresql_where=sa.text("status != 'revoked'"))



def downgrade() -> None:
    with op.batch_alter_table('telegram_links', schema=None) as batch_op:
        batch_op.drop_index('uq_telegram_links_live_user', sqlite_where=sa.text("status != 'revoked'"), postgresql_where=sa.text("status != 'revoked'"))
        batch_op.drop_index('uq_telegram_links_active_employee', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.drop_table('telegram_links')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_employee_id'))

    op.drop_table('team_members')
    with op.batch_alter_table('unit_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_indicators_unit_id'))

    op.drop_table('unit_indicators')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_unit_id'))
        batch_op.drop_index(batch_op.f('ix_teams_leader_id'))

    op.drop_table('teams')
    op.drop_table('role_grants')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_employee_id'))

    op.drop_table('invitations')
    op.drop_table('dialog_states')
    with op.batch_alter_table('data_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_reports_employee_id'))

    op.drop_table('data_reports')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')

    op.drop_table('audit_log')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_parent_id'))

    op.drop_table('indicators')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_unit_id'))
        batch_op.drop_index(batch_op.f('ix_employees_penilai_id'))

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint('fk_units_head_id_employees', type_='foreignkey')

    op.drop_table('employees')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_units_head_id'))

    op.drop_table('units')
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_processed_at'))

    op.drop_table('processed_updates')
    op.drop_table('periods')

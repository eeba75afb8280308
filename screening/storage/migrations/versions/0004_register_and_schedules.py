"""counterparty register, register re-screens, scheduled job leases

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('register_parties',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('party_key', sa.String(length=255), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=64), nullable=True),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_run_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_parties')),
    sa.UniqueConstraint('party_key', 'country', name='uq_register_parties_key_country')
    )
    op.create_table('register_rescreens',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('version_id', BigId, nullable=False),
    sa.Column('previous_version_id', sa.Integer(), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('entries_added', sa.Integer(), nullable=False),
    sa.Column('entries_changed', sa.Integer(), nullable=False),
    sa.Column('parties_screened', sa.Integer(), nullable=False),
    sa.Column('parties_reported', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('report_path', sa.Text(), nullable=True),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['screening_runs.id'], name=op.f('fk_register_rescreens_run_id_screening_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['list_versions.id'], name=op.f('fk_register_rescreens_version_id_list_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_rescreens')),
    sa.UniqueConstraint('version_id', name=op.f('uq_register_rescreens_version_id'))
    )
    with op.batch_alter_table('register_rescreens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_rescreens_created_at'), ['created_at'], unique=False)

    op.create_table('scheduled_jobs',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('last_slot', sa.DateTime(timezone=True), nullable=True),
    sa.Column('holder', sa.String(length=128), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_jobs'))
    )


def downgrade() -> None:
    op.drop_table('scheduled_jobs')
    with op.batch_alter_table('register_rescreens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_rescreens_created_at'))

    op.drop_table('register_rescreens')
    op.drop_table('register_parties')

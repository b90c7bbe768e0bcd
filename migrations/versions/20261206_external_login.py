"""logins through DigiD and eHerkenning

users.external_id: "digid:" or "eherkenning:" and a keyed hash (HMAC with the secret key) of the
BSN, or of the KvK number and the broker's person id (never the BSN itself); unique.
users.external_login_at: the last login through DigiD or eHerkenning.

Plain ADD COLUMN and a unique index (no batch copy of the table): users is referenced by other
tables' foreign keys.

Revision ID: c3d191d0c0de
Revises: b2ed9e7c4e11
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d191d0c0de'
down_revision = 'b2ed9e7c4e11'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('external_id', sa.String(length=100), nullable=True))
    op.add_column('users', sa.Column('external_login_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_users_external_id'), 'users', ['external_id'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_users_external_id'), table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('external_login_at')
        batch_op.drop_column('external_id')

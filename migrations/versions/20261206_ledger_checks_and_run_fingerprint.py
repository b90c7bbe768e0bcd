"""the ledger check's results; the preview a payment run executed

ledger_checks: the outcome of every `portal check-ledger` (and every check the office's start
page reads): when, how many grants, the differences found.

payment_runs.preview_fingerprint: the fingerprint of the office's preview the run executed,
unique, so the same preview executed twice at the same moment pays once and the second is
answered "Dit is al gedaan".

Revision ID: b2ed9e7c4e11
Revises: 98e5e8ff2172
Create Date: 2026-12-06 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b2ed9e7c4e11'
down_revision = '98e5e8ff2172'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('grant_count', sa.Integer(), nullable=False),
    sa.Column('difference_count', sa.Integer(), nullable=False),
    sa.Column('differences', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_checks'))
    )
    with op.batch_alter_table('payment_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview_fingerprint', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_payment_runs_preview_fingerprint'),
                                          ['preview_fingerprint'])


def downgrade() -> None:
    with op.batch_alter_table('payment_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payment_runs_preview_fingerprint'), type_='unique')
        batch_op.drop_column('preview_fingerprint')
    op.drop_table('ledger_checks')

"""claims.kind: an hour sheet (uren) or a fixed monthly wage (loon)

Each month an employment agreement with a fixed monthly wage ran, the payment run puts a
claim of kind 'loon' ready for it and pays it like a sheet. One sheet and one wage per
agreement per month: the unique key becomes (agreement_id, month, kind). Existing claims are
hour sheets.

Revision ID: f6a0e1000002
Revises: e5ca1e000001
Create Date: 2026-12-06 10:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f6a0e1000002'
down_revision = 'e5ca1e000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False,
                                      server_default='uren'))
        batch_op.drop_constraint('uq_claims_agreement_id', type_='unique')
        batch_op.create_unique_constraint('uq_claims_agreement_id',
                                          ['agreement_id', 'month', 'kind'])


def downgrade() -> None:
    # Fails when an agreement has both a sheet and a wage for one month (nothing is lost).
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint('uq_claims_agreement_id', type_='unique')
        batch_op.create_unique_constraint('uq_claims_agreement_id', ['agreement_id', 'month'])
        batch_op.drop_column('kind')

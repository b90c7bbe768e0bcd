"""claim_repayments: a claim-back the budget holder paid back by bank transfer

An open claim-back of the verantwoordingsvrij bedrag with no later payment to net it against
is paid back by the holder; the payment office records the day it was received and the amount
(claims.free_claim_back.record_repaid). The ledger check counts it as settled.

Revision ID: 16c3a11f0001
Revises: 14a1e0000001
Create Date: 2026-12-06 16:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '16c3a11f0001'
down_revision = '14a1e0000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'claim_repayments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_claim_repayments_repayment_positive')),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'],
                                name=op.f('fk_claim_repayments_claim_id_claims')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_claim_repayments_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_repayments')),
        sa.UniqueConstraint('claim_id', name=op.f('uq_claim_repayments_claim_id')),
    )


def downgrade() -> None:
    op.drop_table('claim_repayments')

"""Wlz allowances as claims; a payment to the budget holder's own account

The verantwoordingsvrij bedrag and the feestdagenuitkering become claims of their own kind
(claims.kind 'vrij' / 'feestdagen'), paid by the payment run like sheets. The free amount is
paid to the budget holder's own account, not under an agreement: claims.agreement_id may be
empty for it, claims.household_id names the household of an allowance claim, and a payment
goes either to a provider or to a household (payments.household_id; CHECK one payee).
allowance_uses stays as the history of uses recorded before this change (nothing writes it
any more; the ledger check and the figures still count it).

Revision ID: 16a1100a0001
Revises: 16c0aaec0001
Create Date: 2026-12-06 12:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '16a1100a0001'
down_revision = '16c0aaec0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.alter_column('agreement_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_claims_household_id'), ['household_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_claims_household_id_households'),
                                    'households', ['household_id'], ['id'])
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('provider_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_household_id'), ['household_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payments_household_id_households'),
                                    'households', ['household_id'], ['id'])
        batch_op.create_check_constraint(
            batch_op.f('ck_payments_one_payee'),
            '(provider_id IS NULL) <> (household_id IS NULL)')


def downgrade() -> None:
    # Fails while a payment to a budget holder or a free-amount claim exists (nothing is lost).
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payments_one_payee'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_payments_household_id_households'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payments_household_id'))
        batch_op.drop_column('household_id')
        batch_op.alter_column('provider_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_claims_household_id_households'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_claims_household_id'))
        batch_op.drop_column('household_id')
        batch_op.alter_column('agreement_id', existing_type=sa.Integer(), nullable=False)

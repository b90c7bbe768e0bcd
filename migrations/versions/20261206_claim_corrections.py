"""claims: corrections after payment (nabetaling, terugvordering)

A paid sheet or wage is never edited. A correction is a claim of its own, of kind
'nabetaling' (paid like a sheet) or 'terugvordering' (netted against the provider's next
payments), naming the claim it corrects and why. Corrections of one kind and month are
numbered (sequence 1, 2, ...); sheets and wages keep sequence 0, so the unique key becomes
(agreement_id, month, kind, sequence).

Revision ID: 16c0aaec0001
Revises: f6a0e1000002
Create Date: 2026-12-06 12:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '16c0aaec0001'
down_revision = 'f6a0e1000002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('corrects_claim_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('correction_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_claims_corrects_claim_id_claims', 'claims',
                                    ['corrects_claim_id'], ['id'])
        batch_op.create_index('ix_claims_corrects_claim_id', ['corrects_claim_id'])
        batch_op.drop_constraint('uq_claims_agreement_id', type_='unique')
        batch_op.create_unique_constraint('uq_claims_agreement_id',
                                          ['agreement_id', 'month', 'kind', 'sequence'])


def downgrade() -> None:
    # Fails while corrections exist (they would collide on the old key): nothing is lost.
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_constraint('uq_claims_agreement_id', type_='unique')
        batch_op.create_unique_constraint('uq_claims_agreement_id',
                                          ['agreement_id', 'month', 'kind'])
        batch_op.drop_index('ix_claims_corrects_claim_id')
        batch_op.drop_constraint('fk_claims_corrects_claim_id_claims', type_='foreignkey')
        batch_op.drop_column('correction_reason')
        batch_op.drop_column('corrects_claim_id')
        batch_op.drop_column('sequence')

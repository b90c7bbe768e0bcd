"""the IBAN belongs to the agreement version; the providers a household knows

agreement_versions.iban: the account a version's hour sheets are paid to (it was the shared
providers.iban, so a provider signing one household's agreement with a new IBAN redirected the
payments of every household). Existing versions get their provider's IBAN.

household_providers: which households know which provider (registered it, or found it by the
IBAN or KvK number they typed); a new agreement is made only with a known provider. Existing
agreements make their household know their provider.

Revision ID: 800b4e16c03e
Revises: 9c154be5ae65
Create Date: 2026-12-01 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '800b4e16c03e'
down_revision = '9c154be5ae65'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('household_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_household_providers_added_by_id_users')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_providers_household_id_households')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_household_providers_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_providers')),
    sa.UniqueConstraint('household_id', 'provider_id', name=op.f('uq_household_providers_household_id'))
    )
    with op.batch_alter_table('household_providers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_providers_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_providers_provider_id'), ['provider_id'], unique=False)

    # A plain ADD COLUMN (no batch copy of the table): agreement_versions is referenced by
    # other tables' foreign keys.
    op.add_column('agreement_versions', sa.Column('iban', sa.String(length=34), nullable=True))

    op.execute("""
        UPDATE agreement_versions SET iban = (
            SELECT p.iban FROM agreements a JOIN providers p ON p.id = a.provider_id
            WHERE a.id = agreement_versions.agreement_id)
    """)
    op.execute("""
        INSERT INTO household_providers (household_id, provider_id, iban, added_by_id, created_at)
        SELECT a.household_id, a.provider_id, MIN(p.iban), NULL, MIN(a.created_at)
        FROM agreements a JOIN providers p ON p.id = a.provider_id
        GROUP BY a.household_id, a.provider_id
    """)


def downgrade() -> None:
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_column('iban')

    with op.batch_alter_table('household_providers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_providers_provider_id'))
        batch_op.drop_index(batch_op.f('ix_household_providers_household_id'))

    op.drop_table('household_providers')

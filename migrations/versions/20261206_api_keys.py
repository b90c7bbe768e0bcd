"""API keys and the answers kept for Idempotency-Key

api_keys: a key for one organisation's software (care provider, funder or the payment office),
stored as the SHA-256 of its token, with scopes, an end date and a revocation moment; it acts
through its own account (users.id, a login that cannot log in).
api_idempotent_answers: the first answer to a write sent with an Idempotency-Key, per key.

Revision ID: d4a91e7a0001
Revises: f6a0e1000001
Create Date: 2026-12-06 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4a91e7a0001'
down_revision = 'f6a0e1000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('owner_kind', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('funder_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_keys_created_by_id_users')),
    sa.ForeignKeyConstraint(['funder_id'], ['funders.id'], name=op.f('fk_api_keys_funder_id_funders')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_api_keys_provider_id_providers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_keys_token_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_funder_id'), ['funder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_keys_provider_id'), ['provider_id'], unique=False)

    op.create_table('api_idempotent_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_idempotent_answers_api_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_answers')),
    sa.UniqueConstraint('api_key_id', 'key', name=op.f('uq_api_idempotent_answers_api_key_id'))
    )


def downgrade() -> None:
    op.drop_table('api_idempotent_answers')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_provider_id'))
        batch_op.drop_index(batch_op.f('ix_api_keys_funder_id'))
    op.drop_table('api_keys')

"""index payment_items (payment_id, claim_id): one payment's sheets paged in order

A large provider's payment pays thousands of sheets; its page shows them a page at a time in
the order they were made (providers.pages.payment_lines): an index range scan with a limit.

Revision ID: 14a1e0000001
Revises: 11ae55a90001
Create Date: 2026-12-06 12:30:00
"""
from alembic import op


revision = '14a1e0000001'
down_revision = '11ae55a90001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_payment_items_payment_id_claim_id', 'payment_items',
                    ['payment_id', 'claim_id'])


def downgrade() -> None:
    op.drop_index('ix_payment_items_payment_id_claim_id', table_name='payment_items')

"""the budget holder's own IBAN; the holder's own share (top-up) per hour sheet line

households.holder_iban: the budget holder's own account. No care is ever paid to it (a
provider IBAN equal to it is refused: the holder is never their own care provider); it is
the account the Wlz free-to-spend amount goes to.

claim_lines.holder_cents: the part of a line the budget holder pays the provider from their
own money (bijbetaling) when the agreed tariff is above the maximum; amount_cents stays what
the budget pays. Existing lines: 0 (a top-up was not recorded before).

Revision ID: f6a0e1000001
Revises: c3d191d0c0de
Create Date: 2026-12-06 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f6a0e1000001'
down_revision = 'c3d191d0c0de'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch copy): both tables are referenced by other tables' keys.
    op.add_column('households', sa.Column('holder_iban', sa.String(length=34), nullable=True))
    op.add_column('claim_lines', sa.Column('holder_cents', sa.BigInteger(), nullable=False,
                                           server_default='0'))


def downgrade() -> None:
    # Plain DROP COLUMNs (SQLite 3.35+ and PostgreSQL), for the same reason as above.
    op.drop_column('claim_lines', 'holder_cents')
    op.drop_column('households', 'holder_iban')

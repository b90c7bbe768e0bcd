"""messages say who sent them and what they are about; an opt-in "something waits" mail

messages.sender (who did what the message tells) and messages.about (the item's human title)
give the Berichten page more than a bare subject. users.mail_when_waiting (off by default) is
the login's own choice to get one short mail when something waits for it;
users.waiting_mailed_on keeps that to at most one such mail per login per day.

Revision ID: 11ae55a90001
Revises: 16a1100a0001
Create Date: 2026-12-07 12:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '11ae55a90001'
down_revision = '16a1100a0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('about', sa.String(length=300), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_when_waiting', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('waiting_mailed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('waiting_mailed_on')
        batch_op.drop_column('mail_when_waiting')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('about')
        batch_op.drop_column('sender')

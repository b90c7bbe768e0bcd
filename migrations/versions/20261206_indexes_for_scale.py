"""indexes for every filter the pages and the payment run use at national scale

users.household_id and users.provider_id (a household's budget holder, a provider's logins:
every claim notification and the payment run's messages), agreement_versions.status (the
consulent's queue), messages (user_id, created_at) for the paged inbox, audit_events
(household_id, at) for the paged access log, payments (provider_id, run_id) for the provider's
payments per run, claims (status, id) for the run's candidates in id order.

Revision ID: e5ca1e000001
Revises: a1e55105e551
Create Date: 2026-12-06 09:30:00
"""
from alembic import op


revision = 'e5ca1e000001'
down_revision = 'a1e55105e551'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_users_household_id', 'users', ['household_id']),
    ('ix_users_provider_id', 'users', ['provider_id']),
    ('ix_agreement_versions_status', 'agreement_versions', ['status']),
    ('ix_messages_user_id_created_at', 'messages', ['user_id', 'created_at']),
    ('ix_audit_events_household_id_at', 'audit_events', ['household_id', 'at']),
    ('ix_payments_provider_id_run_id', 'payments', ['provider_id', 'run_id']),
    ('ix_claims_status_id', 'claims', ['status', 'id']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)

"""the history tables are append-only in the database itself

The audit log, the status histories of agreements and claims, the funders' review decisions
and the record of which claim a payment paid were append-only only by convention (and, for
the audit log, by an ORM check that a bulk update(), delete() or plain SQL passes by). Now the
database refuses every UPDATE and DELETE of their rows (and, on PostgreSQL, a TRUNCATE), from
whatever code or tool: a trigger per table raises an error, an INSERT works as before.

SQLite: BEFORE UPDATE / BEFORE DELETE triggers that SELECT RAISE(ABORT, ...) (an
IntegrityError for the driver). PostgreSQL: one plpgsql function raising restrict_violation
(also an IntegrityError), used by a row trigger (UPDATE, DELETE) and a statement trigger
(TRUNCATE) per table.

Mind for later migrations: on SQLite, a batch operation that copies one of these tables
(drop or alter a column) drops its triggers with the old table; create them again afterwards
(`create_triggers` below). The tests check every table of APPEND_ONLY_TABLES at the head.

Revision ID: 98e5e8ff2172
Revises: 3824c7c25411
Create Date: 2026-12-01 21:00:00
"""
from alembic import op


revision = '98e5e8ff2172'
down_revision = '3824c7c25411'
branch_labels = None
depends_on = None

# Table -> what its rows are; the message names the table, so an error says what was refused.
APPEND_ONLY_TABLES = (
    "audit_events",       # who did or saw what, on whose behalf
    "agreement_events",   # status history of an agreement
    "agreement_reviews",  # one funder's decision on one version in one review round
    "claim_events",       # status history of a claim
    "payment_items",      # the claim a payment paid: no claim is ever paid twice
)

PG_FUNCTION = "refuse_change_to_history"


def _sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_name} refused'); END"
        for op_name in ("UPDATE", "DELETE")
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op_name}" for op_name in ("update", "delete")]


def _pg_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def _pg_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]


def create_triggers(dialect: str, tables=APPEND_ONLY_TABLES) -> list[str]:
    """The statements that make `tables` append-only on `dialect` ('sqlite', 'postgresql')."""
    if dialect == "postgresql":
        function = f"""
            CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$"""
        return [function] + [s for t in tables for s in _pg_create(t)]
    if dialect == "sqlite":
        return [s for t in tables for s in _sqlite_create(t)]
    raise NotImplementedError(f"append-only triggers for {dialect}")


def drop_triggers(dialect: str, tables=APPEND_ONLY_TABLES) -> list[str]:
    if dialect == "postgresql":
        return [s for t in tables for s in _pg_drop(t)] + [
            f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"]
    if dialect == "sqlite":
        return [s for t in tables for s in _sqlite_drop(t)]
    raise NotImplementedError(f"append-only triggers for {dialect}")


def upgrade() -> None:
    for statement in create_triggers(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)

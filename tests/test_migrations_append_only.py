"""The history tables are append-only in the database itself (migration 98e5e8ff2172): an UPDATE
or DELETE is refused whatever sends it - plain SQL, an ORM bulk update()/delete() - on SQLite and
on PostgreSQL; an INSERT works. The ORM check on AuditEvent only ever saw objects in a session."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from portal.access.models import AuditEvent
from portal.agreements.constants import ReviewDecision, VersionStatus
from portal.agreements.models import AgreementEvent, FunderReview
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimEvent
from portal.migrate import alembic_config, upgrade
from portal.payments.models import Payment, PaymentItem, PaymentRun
from tests import factories as f
from tests.conftest import empty_all_tables

REVISION = "98e5e8ff2172"
BEFORE = "3824c7c25411"  # the revision before the triggers

# table -> (model, a column to change)
HISTORY = {
    "audit_events": (AuditEvent, "summary"),
    "agreement_events": (AgreementEvent, "reason"),
    "agreement_reviews": (FunderReview, "reason"),
    "claim_events": (ClaimEvent, "reason"),
    "payment_items": (PaymentItem, "amount_cents"),
}


def add_history(agreement=None) -> dict[str, int]:
    """One row in every history table, through the ORM (an INSERT): table -> the row's id.
    agreement: one made before (by a test that goes back to an older schema, whose tables
    lack columns added later)."""
    agreement = agreement or f.make_agreement()
    version = agreement.versions[0]
    claim = f.add(Claim(reference=f"UB-T{f.seq():06d}", agreement_id=agreement.id,
                        month=dt.date(2026, 1, 1), status=ClaimStatus.UITBETAALD,
                        total_cents=100))
    run = f.add(PaymentRun(reference=f"BR-T{f.seq():06d}", run_on=dt.date(2026, 2, 3),
                           total_cents=100))
    payment = f.add(Payment(run_id=run.id, provider_id=agreement.provider_id,
                            iban="NL91ABNA0417164300", amount_cents=100,
                            reference=f"BT-T{f.seq():06d}"))
    rows = {
        "audit_events": f.add(AuditEvent(action="test", summary="gezien")),
        "agreement_events": f.add(AgreementEvent(agreement_id=agreement.id, version_id=version.id,
                                                 to_status=VersionStatus.GOEDGEKEURD)),
        "agreement_reviews": f.add(FunderReview(version_id=version.id,
                                                funder_id=f.make_funder().id, round=1,
                                                decision=ReviewDecision.GOEDGEKEURD)),
        "claim_events": f.add(ClaimEvent(claim_id=claim.id, to_status=ClaimStatus.UITBETAALD)),
        "payment_items": f.add(PaymentItem(payment_id=payment.id, claim_id=claim.id,
                                           amount_cents=100)),
    }
    return {table: row.id for table, row in rows.items()}


def refused(db, table: str, statement) -> None:
    """The statement fails with the trigger's message; what ran before it stays."""
    with pytest.raises(IntegrityError, match=f"{table} is append-only"), db.session.begin_nested():
        db.session.execute(statement)


def count(db, table: str) -> int:
    return db.session.scalar(text(f"SELECT COUNT(*) FROM {table}"))


@pytest.mark.parametrize("table", HISTORY)
def test_plain_sql_cannot_update_or_delete_a_history_row(db, table):
    ids = add_history()
    _, column = HISTORY[table]
    before = db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"),
                                {"id": ids[table]}).scalar()

    refused(db, table, text(f"UPDATE {table} SET {column} = NULL WHERE id = {ids[table]}"))
    refused(db, table, text(f"DELETE FROM {table} WHERE id = {ids[table]}"))
    refused(db, table, text(f"DELETE FROM {table}"))

    assert count(db, table) == 1
    assert db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"),
                              {"id": ids[table]}).scalar() == before


@pytest.mark.parametrize("table", HISTORY)
def test_orm_bulk_update_and_delete_are_refused_too(db, table):
    add_history()
    model, column = HISTORY[table]

    refused(db, table, update(model).values({column: None}).execution_options(
        synchronize_session=False))
    refused(db, table, delete(model).execution_options(synchronize_session=False))

    assert db.session.scalar(select(func.count()).select_from(model)) == 1


def test_inserting_history_still_works_and_other_tables_still_change(db):
    ids = add_history()
    f.add(AuditEvent(action="test", summary="nog een"))
    assert count(db, "audit_events") == 2
    assert set(ids) == set(HISTORY)
    # The tables the history is about are not append-only: a claim moves on.
    claim = db.session.scalar(select(Claim))
    claim.note = "gewijzigd"
    db.session.flush()
    db.session.execute(text("UPDATE claims SET note = 'nogmaals'"))
    assert db.session.scalar(text("SELECT note FROM claims")) == "nogmaals"


def test_truncate_is_refused_on_postgresql(db, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite has no TRUNCATE (a DELETE without WHERE is refused above)")
    add_history()
    for table in HISTORY:
        refused(db, table, text(f"TRUNCATE {table} CASCADE"))
        assert count(db, table) == 1


def test_emptying_the_database_for_committing_tests_keeps_the_triggers(committing_db):
    add_history()
    committing_db.session.commit()

    empty_all_tables()

    assert {table: count(committing_db, table) for table in HISTORY} == dict.fromkeys(HISTORY, 0)
    ids = add_history()
    committing_db.session.commit()
    refused(committing_db, "audit_events",
            text(f"UPDATE audit_events SET summary = '' WHERE id = {ids['audit_events']}"))
    committing_db.session.rollback()


def test_downgrade_drops_the_triggers_and_upgrade_makes_them_again(committing_db):
    """On the suite's own database (SQLite or PostgreSQL): one step down and up again."""
    try:
        command.downgrade(alembic_config(), BEFORE)
        # Plain SQL, not the models: later migrations add columns the schema at BEFORE lacks.
        committing_db.session.execute(text(
            "INSERT INTO audit_events (at, action, summary) VALUES (CURRENT_TIMESTAMP, 'test', "
            "'gezien')"))
        committing_db.session.execute(text("UPDATE audit_events SET summary = 'veranderd'"))
        committing_db.session.commit()
        assert committing_db.session.scalar(text("SELECT summary FROM audit_events")) == "veranderd"
    finally:
        committing_db.session.rollback()
        upgrade()
    refused(committing_db, "audit_events", text("UPDATE audit_events SET summary = ''"))
    committing_db.session.rollback()

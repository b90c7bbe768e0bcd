"""The migrations upgrade a database that already holds data (not only an empty one), and carry
the data over: an agreement made before the per-funder reviews and the IBAN per agreement, and
the history, which is append-only afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from portal import create_app
from portal.extensions import db
from portal.migrate import upgrade

BEFORE = "f50b03c5e1d3"  # the initial schema


@pytest.fixture
def old_app(tmp_path, is_postgres):
    if is_postgres:
        pytest.skip("SQLite's batch mode (table copies) is what this guards; PostgreSQL alters "
                    "tables in place")
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(config={"TESTING": True, "SQLALCHEMY_DATABASE_URI": url},
                     environ={"PORTAL_INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade(BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()


ROWS = [
    "INSERT INTO households (id, name, works_on_paper, created_at) VALUES (1, 'Jansen', 0, '2026-01-01')",
    "INSERT INTO members (id, household_id, name, bsn, birth_date) VALUES "
    "(1, 1, 'Anna', '111222333', '1984-03-12')",
    "INSERT INTO funders (id, name, kind) VALUES (1, 'Zorgkantoor', 'zorgkantoor')",
    "INSERT INTO users (id, email, name, role, password_hash, funder_id, is_active_account, "
    "created_at) VALUES (1, 'c@x.nl', 'Consulent', 'consulent', 'x', 1, 1, '2026-01-01')",
    "INSERT INTO providers (id, kind, name, iban, created_at) VALUES "
    "(1, 'persoon', 'Marieke', 'NL20INGB0001234567', '2026-01-01')",
    "INSERT INTO agreements (id, reference, household_id, provider_id, model, relation, created_at) "
    "VALUES (1, 'ZO-2026-000001', 1, 1, 'familie', 'broer_zus', '2026-01-01')",
    "INSERT INTO agreement_versions (id, agreement_id, number, status, starts_on, end_kind, "
    "days_per_week, notice_months, signed_on_paper, top_up, reviewed_by_id, created_at) VALUES "
    "(1, 1, 1, 'goedgekeurd', '2026-02-01', 'geen', 0, 1, 0, 0, 1, '2026-01-01')",
]


def test_upgrading_a_database_with_an_agreement_keeps_it_and_fills_the_new_columns(old_app):
    with db.engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
    upgrade()  # to head: copies of 'agreements' (batch mode) among the steps
    engine = create_engine(str(db.engine.url))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT reference FROM agreements")).scalars().all() == [
            "ZO-2026-000001"]
        assert conn.execute(text("SELECT iban, review_round FROM agreement_versions")).one() == (
            "NL20INGB0001234567", 1)
        assert conn.execute(text("SELECT funder_id, decision FROM agreement_reviews")).one() == (
            1, "goedgekeurd")
        assert conn.execute(text("SELECT household_id, provider_id, iban FROM household_providers")
                            ).one() == (1, 1, "NL20INGB0001234567")
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


def test_upgrading_keeps_the_history_and_makes_it_append_only(old_app):
    with db.engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
        conn.execute(text("INSERT INTO audit_events (id, at, household_id, action, summary) "
                          "VALUES (1, '2026-01-02', 1, 'view', 'Bekeken')"))
        conn.execute(text("UPDATE audit_events SET summary = 'Bekeken door de consulent'"))
    upgrade()
    engine = create_engine(str(db.engine.url))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT summary FROM audit_events")).scalars().all() == [
            "Bekeken door de consulent"]
        with pytest.raises(IntegrityError, match="audit_events is append-only: UPDATE refused"):
            conn.execute(text("UPDATE audit_events SET summary = ''"))
        conn.rollback()
        with pytest.raises(IntegrityError, match="agreement_reviews is append-only: DELETE"):
            conn.execute(text("DELETE FROM agreement_reviews"))  # made by an upgrade step
        conn.rollback()
        conn.execute(text("INSERT INTO audit_events (at, action, summary) "
                          "VALUES ('2026-12-01', 'view', 'Na de upgrade')"))
        assert conn.execute(text("SELECT COUNT(*) FROM audit_events")).scalar() == 2
    engine.dispose()

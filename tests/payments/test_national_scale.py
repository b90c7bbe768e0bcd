"""A payment run at national scale: more agreements with a payable sheet than PostgreSQL takes
bind parameters in one statement (65,535). Generated in bulk (tests/bulk.py), on PostgreSQL
only (slow: about a minute)."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.budgets.models import Grant
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.payments.models import Payment, PaymentItem
from portal.payments.service import execute_run
from tests import bulk
from tests import factories as f

pytestmark = pytest.mark.slow

SHEETS = 70_500
RUN_ON = dt.date(2026, 4, 10)


@pytest.fixture
def national(db, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: the bulk generator uses generate_series, and the "
                    "65,535 bind-parameter limit is PostgreSQL's")
    bulk.payable_sheets(SHEETS, providers=5_000, without_iban=1_000)
    return db


def test_a_run_of_70_000_agreements_pays_and_the_run_page_renders(national, client, login):
    db = national
    office = f.make_user(Role.BEHEERDER)
    login(office)
    page = client.get("/betaalkantoor/betaalrondes")
    assert page.status_code == 200
    assert 'href="/betaalkantoor/betaalrondes/bevestigen"' in page.get_data(as_text=True)
    confirm = client.get("/betaalkantoor/betaalrondes/bevestigen")  # a page of the sheets
    assert confirm.status_code == 200
    assert "Betaalronde uitvoeren" in confirm.get_data(as_text=True)

    outcome = execute_run(office, RUN_ON)

    held = SHEETS // 1_000  # every 1000th agreement has no IBAN
    assert outcome.run is not None
    assert len(outcome.held_back) == held
    paid = SHEETS - held
    assert outcome.run.total_cents == paid * bulk.SHEET_CENTS
    assert db.session.scalar(select(func.count()).select_from(PaymentItem)) == paid
    assert db.session.scalar(select(func.sum(Payment.amount_cents))) == paid * bulk.SHEET_CENTS
    assert db.session.scalar(select(func.count()).select_from(Claim).where(
        Claim.status == ClaimStatus.UITBETAALD)) == paid
    assert db.session.scalar(select(func.sum(Grant.paid_cents))) == paid * bulk.SHEET_CENTS
    assert db.session.scalar(select(func.sum(Grant.reserved_cents))) == held * bulk.SHEET_CENTS

    page = client.get(f"/betaalkantoor/betaalrondes/{outcome.run.id}")
    assert page.status_code == 200

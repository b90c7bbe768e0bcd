"""Issue 16, finding 1: a fixed monthly wage (arbeidsovereenkomst) is paid by the payment run,
each month it ran, pro rata by calendar days in a first or last month, as an item the budget
holder and the employee see like a sheet."""

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.agreements.constants import ModelKind
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim
from portal.extensions import db as database
from portal.payments.ledger import check_ledger
from portal.payments.models import PaymentRun
from portal.payments.service import run_payments
from tests import factories as f
from tests.office.test_views import confirmed

WAGE = 50_000  # EUR 500.00 a month


def _wage_agreement(starts_on=dt.date(2026, 1, 15), ends_on=dt.date(2026, 12, 31)):
    grant = f.make_grant(amount_cents=1_000_000)
    agreement = f.make_agreement(grant, f.make_provider(), ModelKind.ARBEID,
                                 starts_on=starts_on, ends_on=ends_on, lines=[
                                     (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.MAANDLOON,
                                      WAGE, 8 * 60)])
    return grant, agreement


def _wages(agreement):
    return database.session.scalars(select(Claim).where(Claim.agreement_id == agreement.id)
                                    .order_by(Claim.month)).all()


def test_each_run_pays_the_wages_of_the_months_that_are_over(db):
    grant, agreement = _wage_agreement()

    first = run_payments(None, dt.date(2026, 2, 10))
    # January from the 15th: 17 of 31 days, rounded once.
    assert [p.amount_cents for p in first.payments] == [27_419]
    second = run_payments(None, dt.date(2026, 6, 10))
    assert [p.amount_cents for p in second.payments] == [4 * WAGE]  # February - May
    assert run_payments(None, dt.date(2026, 6, 20)) is None  # June is not over yet

    wages = _wages(agreement)
    assert [(c.month.month, c.kind, c.status, c.total_cents) for c in wages] == [
        (1, ClaimKind.LOON, ClaimStatus.UITBETAALD, 27_419)] + [
        (m, ClaimKind.LOON, ClaimStatus.UITBETAALD, WAGE) for m in range(2, 6)]
    assert [c.paid_on for c in wages] == [dt.date(2026, 2, 10)] + [dt.date(2026, 6, 10)] * 4
    assert database.session.get(Grant, grant.id).paid_cents == 27_419 + 4 * WAGE
    assert check_ledger()[1] == []


def test_the_last_month_is_paid_pro_rata_and_nothing_after_it(db):
    _grant, agreement = _wage_agreement(starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2026, 2, 14))
    run = run_payments(None, dt.date(2026, 5, 1))
    assert sorted(p.amount_cents for p in run.payments) == [WAGE + 25_000]  # 14 of 28 days
    assert [c.total_cents for c in _wages(agreement)] == [WAGE, 25_000]


def test_an_hourly_agreement_gets_no_wage(db):
    grant = f.make_grant(amount_cents=100_000)
    agreement = f.make_agreement(grant, f.make_provider(), lines=[
        (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 3000, 60)])
    assert run_payments(None, dt.date(2026, 6, 10)) is None
    assert _wages(agreement) == []


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER])
def test_holder_and_employee_see_the_paid_wage_like_a_sheet(db, client, login, role):
    _grant, agreement = _wage_agreement()
    run_payments(None, dt.date(2026, 2, 10))
    wage = _wages(agreement)[0]
    user = (f.make_user(role, household_id=agreement.household_id) if role is Role.BUDGETHOUDER
            else f.make_user(role, provider_id=agreement.provider_id))
    login(user)
    page = client.get(f"/urenbriefjes/{wage.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert wage.reference in text
    assert "Maandloon" in text and "Uitbetaald" in text
    assert "274,19" in text and "17 van 31" in text
    assert "Individuele begeleiding" in text


def test_the_prognosis_counts_wages_owed_and_to_come_and_not_those_paid(db):
    """Before: months over without a run counted nowhere, so the budget looked larger."""
    from portal.overview.service import household_usage

    grant, agreement = _wage_agreement(starts_on=dt.date(2026, 1, 1))
    today = dt.date(2026, 6, 15)
    usage = household_usage(agreement.household_id, today).rows[0].usage
    assert usage.committed_cents == 12 * WAGE  # January - May owed, June - December to come
    run_payments(None, dt.date(2026, 6, 10))
    usage = household_usage(agreement.household_id, today).rows[0].usage
    assert usage.committed_cents == 7 * WAGE
    assert database.session.get(Grant, grant.id).paid_cents == 5 * WAGE


def test_the_office_sees_the_wages_in_the_preview_and_its_run_pays_them(db, client, login,
                                                                         today_is):
    """Before: the preview showed no wage, and with wages only it had no button at all (and a
    run it did execute was refused as changed: it paid a claim the preview had not shown)."""
    today_is(dt.date(2026, 2, 10))
    _grant, agreement = _wage_agreement()
    office = f.make_user(Role.BEHEERDER)
    login(office)
    page = client.get("/betaalkantoor/betaalrondes").get_data(as_text=True)
    assert "Maandlonen die deze betaalronde klaarzet en betaalt" in page
    assert f"LN-202601-{agreement.id:06d}" in page and "274,19" in page
    # The check step puts the wages ready, so the confirmation lists what the run pays.
    checked = client.post("/betaalkantoor/betaalrondes/controleren", data={})
    assert checked.status_code == 303 and checked.headers["Location"].endswith("/bevestigen")
    check = client.get("/betaalkantoor/betaalrondes/bevestigen").get_data(as_text=True)
    assert f"LN-202601-{agreement.id:06d}" in check and "Betaalronde uitvoeren" in check
    response = client.post("/betaalkantoor/betaalrondes", data=confirmed(client))
    assert response.status_code == 302
    run = database.session.scalar(select(PaymentRun))
    assert response.headers["Location"].endswith(f"/betaalkantoor/betaalrondes/{run.id}")
    assert [(c.status, c.total_cents) for c in _wages(agreement)] == [
        (ClaimStatus.UITBETAALD, 27_419)]
    assert check_ledger()[1] == []

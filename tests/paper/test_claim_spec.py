"""Issue 16: a monthly wage and a correction have a specification PDF like a sheet's papers,
for the budget holder and the provider (anyone else: 404); an hour sheet has none."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.claims import corrections
from portal.payments.service import run_payments
from tests import factories as f
from tests.paper.conftest import pdf_text
from tests.payments.builders import make_approved_claim
from tests.payments.test_monthly_wages import _wage_agreement, _wages


def _spec(client, claim):
    return client.get(f"/papier/specificatie/{claim.id}.pdf")


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER])
def test_the_wage_has_a_specification_pdf(db, client, login, role):
    _grant, agreement = _wage_agreement()
    run = run_payments(None, dt.date(2026, 2, 10))
    wage = _wages(agreement)[0]
    user = (f.make_user(role, household_id=agreement.household_id) if role is Role.BUDGETHOUDER
            else f.make_user(role, provider_id=agreement.provider_id))
    login(user)
    assert "Specificatie printen" in client.get(f"/urenbriefjes/{wage.id}").get_data(as_text=True)
    response = _spec(client, wage)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert wage.reference in text and "Maandloon" in text and "17 van 31 dagen" in text
    assert "274,19" in text and run.reference in text


def paid_sheet_and_claim_back(db, grant=None):
    """A sheet of March 2026 (two hours) paid in April, and its claim-back of one hour."""
    grant = grant or f.make_grant(amount_cents=1_000_000)
    agreement = f.make_agreement(grant)
    sheet = make_approved_claim(agreement, dt.date(2026, 3, 1), minutes=[120])
    run_payments(None, dt.date(2026, 4, 10))
    db.session.refresh(sheet)
    [claim_back] = corrections.correct_paid_claim(
        f.make_user(Role.BEHEERDER), sheet, {(sheet.lines[0].care_kind, grant.id): 60},
        "Een uur te veel geschreven.")
    return agreement, sheet, claim_back


def test_a_correction_has_a_specification_pdf_with_its_reason(db, client, login):
    agreement, sheet, claim_back = paid_sheet_and_claim_back(db)
    login(f.make_user(Role.BUDGETHOUDER, household_id=agreement.household_id))
    text = pdf_text(_spec(client, claim_back).data)
    assert "Terugvordering" in text and "Een uur te veel geschreven." in text
    assert sheet.reference in text and "-60,00" in text.replace("\u00a0", "").replace(" ", "")


def test_others_and_hour_sheets_get_404(db, client, login):
    _grant, agreement = _wage_agreement()
    run_payments(None, dt.date(2026, 2, 10))
    wage = _wages(agreement)[0]
    login(f.make_user(Role.BUDGETHOUDER))  # another household
    assert _spec(client, wage).status_code == 404
    sheet = make_approved_claim(f.make_agreement(), dt.date(2026, 3, 1))
    login(f.make_user(Role.BEHEERDER))
    assert _spec(client, sheet).status_code == 404

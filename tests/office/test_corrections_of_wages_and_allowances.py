"""Issue 16, finding 9, on the office's page: a paid fixed monthly wage is corrected by its
days and wage, a paid Wlz allowance (the free amount to the holder, the holiday allowance to a
provider) by its amount, each with a reason; only the payment office may."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.agreements.constants import ModelKind
from portal.agreements.models import Agreement
from portal.budgets.constants import CareKind, Unit
from portal.claims import allowances, corrections
from portal.claims.constants import ClaimKind
from portal.claims.correction_rules import WageFix
from portal.claims.models import Claim
from portal.payments.service import execute_run, run_payments
from tests import factories as f
from tests.claims.test_corrections_of_wages_and_allowances import wlz  # noqa: F401
from tests.ledger import assert_ledger_agrees

D = dt.date
WAGE = 50_000


def _path(claim) -> str:
    return f"/betaalkantoor/urenbriefjes/{claim.id}/correctie"


def _page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def paid_wage(db):
    grant = f.make_grant(amount_cents=1_000_000)
    agreement = f.make_agreement(grant, f.make_provider(), ModelKind.ARBEID,
                                 starts_on=D(2026, 1, 15), ends_on=D(2026, 12, 31), lines=[
                                     (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.MAANDLOON,
                                      WAGE, 8 * 60)])
    run_payments(None, D(2026, 2, 10))
    return db.session.scalar(select(Claim).where(Claim.agreement_id == agreement.id))


def test_the_office_corrects_the_days_of_a_paid_wage(client, login, db, paid_wage):
    login(f.make_user(Role.BEHEERDER))
    claim_page = _page(client.get(f"/betaalkantoor/urenbriefjes/{paid_wage.id}"))
    assert "Correctie vastleggen" in claim_page
    form = _page(client.get(_path(paid_wage)))
    assert "Nu betaald: 17 van 31 dagen" in form and "Juiste maandloon in euro" in form
    assert 'name="aantal-0-dagen"' in form and 'name="aantal-0-loon"' in form

    response = client.post(_path(paid_wage), data={
        "aantal-0-dagen": "10", "reason": "Begonnen op 22 januari."})
    assert response.status_code == 302
    [claim_back] = db.session.scalars(select(Claim).where(
        Claim.corrects_claim_id == paid_wage.id))
    assert (claim_back.kind, claim_back.total_cents) == (ClaimKind.TERUGVORDERING, 11_290)
    assert claim_back.reference in _page(client.get(
        f"/betaalkantoor/urenbriefjes/{paid_wage.id}"))
    assert_ledger_agrees()


@pytest.mark.parametrize("data, message", [
    ({"aantal-0-dagen": "40", "reason": "Fout"}, "vul 0 tot en met 31 dagen in"),
    ({"aantal-0-dagen": "tien", "reason": "Fout"}, "is geen aantal dagen"),
    ({"aantal-0-loon": "veel", "reason": "Fout"}, "is geen bedrag"),
    ({"aantal-0-loon": "600,00", "reason": ""}, "Schrijf de reden op"),
    ({"reason": "Fout"}, "U heeft niets veranderd"),
])
def test_a_bad_wage_correction_is_shown_again_and_records_nothing(client, login, db, paid_wage,
                                                                  data, message):
    login(f.make_user(Role.BEHEERDER))
    response = client.post(_path(paid_wage), data=data)
    assert response.status_code == 422
    assert message in _page(response)
    assert db.session.scalars(select(Claim).where(
        Claim.corrects_claim_id == paid_wage.id)).all() == []


def test_the_office_corrects_a_paid_holiday_allowance_by_its_amount(client, login, db,
                                                                    wlz):  # noqa: F811
    _household, grant, holder, agreement = wlz
    claim = allowances.ask_holiday_allowance(holder, grant.id, agreement.id, 20_000,
                                             D(2026, 5, 10))
    execute_run(None, D(2026, 5, 11))
    login(f.make_user(Role.BEHEERDER))
    form = _page(client.get(_path(claim)))
    assert "Juiste bedrag in euro" in form and "Piet Feestdag" in form
    too_much = client.post(_path(claim), data={"amount": "300,00", "reason": "Meer."})
    assert too_much.status_code == 422 and "maximum" in _page(too_much)
    response = client.post(_path(claim), data={"amount": "120,00", "reason": "Eén feestdag."})
    assert response.status_code == 302
    [claim_back] = db.session.scalars(select(Claim).where(Claim.corrects_claim_id == claim.id))
    assert (claim_back.kind, claim_back.total_cents) == (ClaimKind.TERUGVORDERING, 8_000)


def test_the_office_sees_and_corrects_a_paid_free_amount(client, login, db, wlz):  # noqa: F811
    household, grant, holder, _agreement = wlz
    claim = allowances.ask_free_allowance(holder, grant.id, D(2026, 5, 10))
    execute_run(None, D(2026, 5, 11))
    login(f.make_user(Role.BEHEERDER))
    claim_page = client.get(f"/betaalkantoor/urenbriefjes/{claim.id}")  # before: a 500
    assert claim_page.status_code == 200 and "Correctie vastleggen" in _page(claim_page)
    form = _page(client.get(_path(claim)))
    assert "budgethouder (eigen rekening)" in form
    response = client.post(_path(claim), data={"amount": "300,00", "reason": "Meer besteed."})
    assert response.status_code == 302
    [back] = db.session.scalars(select(Claim).where(Claim.corrects_claim_id == claim.id))
    assert (back.kind, back.household_id, back.total_cents) == (
        ClaimKind.NABETALING, household.id, 5_000)
    empty = client.post(_path(claim), data={"amount": "", "reason": "Fout"})
    assert empty.status_code == 422 and "Vul het juiste bedrag in" in _page(empty)


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT])
def test_only_the_office_corrects_a_wage(client, login, db, paid_wage, role):
    login(f.make_user(role))
    assert client.get(_path(paid_wage)).status_code == 404
    assert client.post(_path(paid_wage), data={"aantal-0-dagen": "3",
                                                "reason": "x"}).status_code in (400, 404)
    assert db.session.scalars(select(Claim).where(
        Claim.corrects_claim_id == paid_wage.id)).all() == []


def test_a_free_amount_and_its_correction_are_no_sheet_page(client, login, db, wlz):  # noqa: F811
    """Before: /urenbriefjes/<id> of a claim without agreement failed (500)."""
    household, grant, holder, _agreement = wlz
    claim = allowances.ask_free_allowance(holder, grant.id, D(2026, 5, 10))
    login(holder)
    assert client.get(f"/urenbriefjes/{claim.id}").status_code == 404


def test_holder_and_provider_see_a_wage_and_allowance_correction_like_a_sheet(client, login, db,
                                                                              wlz):  # noqa: F811
    _household, grant, holder, agreement = wlz
    claim = allowances.ask_holiday_allowance(holder, grant.id, agreement.id, 20_000,
                                             D(2026, 5, 10))
    execute_run(None, D(2026, 5, 11))
    db.session.refresh(claim)
    [claim_back] = corrections.correct_paid_allowance(f.make_user(Role.BEHEERDER), claim,
                                                      12_000, "Eén feestdag.")
    login(holder)
    shown = client.get(f"/urenbriefjes/{claim_back.id}")
    assert shown.status_code == 200
    assert "Terugvordering" in _page(shown) and "Eén feestdag." in _page(shown)
    provider = f.make_user(Role.ZORGVERLENER, provider_id=agreement.provider_id)
    login(provider)
    assert client.get(f"/urenbriefjes/{claim_back.id}").status_code == 200
    assert claim_back.reference in _page(client.get("/zorgverlener"))
    assert client.get(f"/papier/specificatie/{claim_back.id}.pdf").status_code == 200


def test_the_wage_corrections_specification_prints(client, login, db, paid_wage):
    line = paid_wage.lines[0]
    [claim_back] = corrections.correct_paid_wage(
        f.make_user(Role.BEHEERDER), paid_wage,
        {(line.care_kind, line.grant_id): WageFix(10, WAGE)}, "Later begonnen.")
    provider_id = db.session.get(Agreement, paid_wage.agreement_id).provider_id
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider_id))
    assert client.get(f"/urenbriefjes/{claim_back.id}").status_code == 200
    assert client.get(f"/papier/specificatie/{claim_back.id}.pdf").status_code == 200

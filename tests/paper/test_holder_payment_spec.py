"""Issue 16: a payment to the budget holder's own account (the Wlz free amount) is on the
holder's Betalingen page (status, paid date, reference, amount) and has a specification PDF,
for whoever may see the household; an open claim-back of it is explained there."""

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select

from portal.access.constants import Role, Scope
from portal.claims import free_claim_back
from portal.extensions import db as database
from portal.payments.models import Payment
from tests import factories as f
from tests.claims.test_free_claim_back import REASON, pay_a_free_amount
from tests.paper.conftest import pdf_text

D = dt.date


@pytest.fixture
def paid_free_amount(db, travel):
    return pay_a_free_amount(travel)


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text))).replace(
        "\xa0", " ")


def _holder_payment(household):
    return database.session.scalar(select(Payment).where(Payment.household_id == household.id))


def test_the_free_amount_is_on_the_holders_betalingen_page(paid_free_amount, client, login):
    household, _member, _grant, holder, free, _office = paid_free_amount
    payment = _holder_payment(household)
    login(holder)
    response = client.get(f"/huishoudens/{household.id}/betalingen")
    assert response.status_code == 200
    page = _text(response)
    assert "Naar uw eigen rekening" in page
    assert free.reference in page and payment.reference in page
    assert "€ 250,00" in page and "11 maart 2026" in page and "Uitbetaald" in page
    assert f"/papier/betalingen/{payment.id}.pdf" in response.text
    assert "Terug te betalen" not in page


def test_the_holder_gets_the_specification_pdf(paid_free_amount, client, login):
    household, _member, _grant, holder, free, _office = paid_free_amount
    payment = _holder_payment(household)
    login(holder)
    response = client.get(f"/papier/betalingen/{payment.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data).replace("\xa0", " ")
    assert f"Betaalspecificatie {payment.reference}" in text
    assert free.reference in text and "Vrij besteedbaar bedrag" in text
    assert "€ 250,00" in text and "NL09RABO0417164301" in text


def test_who_may_see_the_holders_payment_spec(paid_free_amount, client, login):
    household, _member, _grant, holder, _free, _office = paid_free_amount
    url = f"/papier/betalingen/{_holder_payment(household).id}.pdf"
    for stranger in (f.make_user(Role.BUDGETHOUDER), f.make_user(Role.ZORGVERLENER),
                     f.make_user(Role.CONSULENT)):
        login(stranger)
        assert client.get(url).status_code == 404
        client.post("/uitloggen")
    rep = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(household, rep, holder, scope=Scope.BEKIJKEN)
    login(rep)
    assert client.get(url).status_code == 200


def test_an_open_claim_back_is_explained_and_a_netted_one_is_on_the_spec(
        paid_free_amount, client, login, travel):
    household, _member, grant, holder, _free, office = paid_free_amount
    travel(D(2026, 7, 3))
    claim_back = free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                                  D(2026, 7, 3))
    login(holder)
    page = _text(client.get(f"/huishoudens/{household.id}/betalingen"))
    assert "Terug te betalen: € 126,03" in page
    assert "stopt op 30 juni 2026" in page and "184 dagen" in page
    assert claim_back.reference in page and "Te verrekenen met de volgende betaling" in page
    allowances_page = client.get(f"/huishoudens/{household.id}/uitkeringen").text
    assert "€ 126,03" in allowances_page.replace("\xa0", " ").replace("&nbsp;", " ")
    assert "Betalingen</a> ziet u hoe en wanneer" in allowances_page


def test_the_holders_specification_is_a_tagged_pdf_with_its_table(paid_free_amount, client,
                                                                  login):
    from tests.paper.test_accessibility import structure_types

    household, _member, _grant, holder, _free, _office = paid_free_amount
    login(holder)
    pdf = client.get(f"/papier/betalingen/{_holder_payment(household).id}.pdf").data
    assert {"/Table", "/TH", "/TD", "/H1"} <= structure_types(pdf)

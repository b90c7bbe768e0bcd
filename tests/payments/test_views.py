"""Betalingen (payments.household) through the test client: what was paid, when, with which
reference; unpaid sheets with their status; only for those who may see the household."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.claims.constants import ClaimStatus
from portal.payments.service import run_payments
from tests import factories as f
from tests.payments.builders import make_approved_claim
from tests.statements import recorded_statements

D = dt.date


def text(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", " ")


def household_with_payments(months: int = 1):
    household = f.make_household()
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    grant = f.make_grant(f.make_member(household), amount_cents=9_000_000)
    agreement = f.make_agreement(grant, provider=f.make_provider(name="Thuiszorg De Linde"))
    paid = []
    for m in range(months):
        paid.append(make_approved_claim(agreement, D(2026, 1 + m, 1), minutes=[120]))
        run_payments(None, D(2026, 2 + m, 8))
    waiting = make_approved_claim(agreement, D(2026, 1 + months, 1),
                                  status=ClaimStatus.WACHT_OP_AKKOORD)
    return household, holder, paid, waiting


def test_holder_sees_paid_sheets_with_day_and_reference_and_the_unpaid(client, login, db):
    household, holder, paid, waiting = household_with_payments()
    login(holder)
    response = client.get(f"/huishoudens/{household.id}/betalingen")
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Betalingen</h1>" in html
    assert '<h3 id="zorgverlener-' in html and "Thuiszorg De Linde</h3>" in html
    assert "<th scope=\"row\">januari 2026</th>" in html
    assert paid[0].reference in html and "€ 120,00" in html
    assert "8 februari 2026" in html and "PGB-20260208-" in html
    unpaid = html[html.index("<h2>Nog niet betaald</h2>"):]
    assert waiting.reference in unpaid and "Wacht op akkoord" in unpaid
    assert "<caption" in html and 'scope="col"' in html


def test_nothing_paid_yet(client, login, db):
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    html = text(client.get(f"/huishoudens/{holder.household_id}/betalingen"))
    assert "Er is nog niets betaald." in html and "Alle urenbriefjes zijn betaald." in html


def test_refusal_reason_is_shown_with_the_status(client, login, db):
    household, holder, paid, waiting = household_with_payments()
    waiting.status = ClaimStatus.AFGEKEURD
    waiting.refusal_reason = "Uren in een vakantieweek."
    db.session.flush()
    login(holder)
    html = text(client.get(f"/huishoudens/{household.id}/betalingen"))
    assert "Afgekeurd" in html and "Reden: Uren in een vakantieweek." in html


def test_another_household_is_not_found(client, login, db):
    household, holder, paid, waiting = household_with_payments()
    login(f.make_user(Role.BUDGETHOUDER))
    assert client.get(f"/huishoudens/{household.id}/betalingen").status_code == 404


@pytest.mark.parametrize("role", [Role.ZORGVERLENER, Role.CONSULENT, Role.BEHEERDER,
                                  Role.VERTEGENWOORDIGER, Role.ADVISEUR])
def test_other_roles_without_authorisation_get_not_found(client, login, db, role):
    household, holder, paid, waiting = household_with_payments()
    login(f.make_user(role))
    assert client.get(f"/huishoudens/{household.id}/betalingen").status_code == 404


def test_a_representative_with_authorisation_sees_it(client, login, db):
    household, holder, paid, waiting = household_with_payments()
    representative = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(household, representative, holder)
    login(representative)
    response = client.get(f"/huishoudens/{household.id}/betalingen")
    assert response.status_code == 200 and paid[0].reference in text(response)


def test_query_count_does_not_grow_with_the_history(client, login, db):
    counts = []
    for months in (1, 6):
        household, holder, paid, waiting = household_with_payments(months)
        login(holder)
        with recorded_statements() as statements:
            response = client.get(f"/huishoudens/{household.id}/betalingen")
        assert response.status_code == 200
        assert text(response).count("<tr>") == 1 + months + 1 + 1  # heads, paid rows, unpaid row
        counts.append(len(statements))
        client.post("/uitloggen")
    assert counts[0] == counts[1], counts

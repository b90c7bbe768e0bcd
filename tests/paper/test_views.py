"""Downloads answer for whoever may see the item (the item's own checks), 404 for anyone else;
the "ik werk op papier" page writes on a good POST and refuses a bad one with 422."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent, User
from portal.budgets.models import Household
from portal.dates import today
from tests.factories import make_authorization, make_user


def _user(demo, email):
    return demo.users[email]


def _urls(demo):
    from portal.dates import add_months, first_of_month

    month = first_of_month(add_months(today(), -1)).strftime("%Y-%m")
    return {
        "agreement": f"/papier/overeenkomsten/{demo.agreement.id}.pdf",
        "sheet": f"/papier/urenbriefjes/{demo.agreement.id}/{month}.pdf",
        "statement": f"/papier/huishoudens/{demo.jansen.id}/budgetoverzicht.pdf",
        "refusal": f"/papier/afgekeurd/{demo.refused.id}.pdf",
        "spec": f"/papier/betalingen/{demo.payment.id}.pdf",
    }


def test_the_budget_holder_downloads_her_documents(client, login, live_demo):
    login(_user(live_demo, "anna.jansen@demo.pgb"), "demo-wachtwoord")
    urls = _urls(live_demo)
    for name in ("agreement", "sheet", "statement", "refusal"):
        response = client.get(urls[name])
        assert response.status_code == 200, name
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    response = client.get(urls["statement"] + "?download=1")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(urls["spec"]).status_code == 404  # a provider's document


def test_another_budget_holder_gets_404_everywhere(client, login, live_demo):
    login(_user(live_demo, "pieter.bakker@demo.pgb"), "demo-wachtwoord")
    for name, url in _urls(live_demo).items():
        assert client.get(url).status_code == 404, name


def test_provider_sees_its_payment_spec_and_sheets_not_statements(client, login, live_demo, db):
    provider_id = live_demo.payment.provider_id
    provider_user = db.session.scalar(select(User).where(User.provider_id == provider_id))
    login(provider_user, "demo-wachtwoord")
    urls = _urls(live_demo)
    assert client.get(urls["spec"]).status_code == 200
    assert client.get(urls["statement"]).status_code == 404


def test_other_provider_and_consulent_get_404(client, login, live_demo, db):
    urls = _urls(live_demo)
    other = make_user(Role.ZORGVERLENER)
    login(other)
    for name in ("agreement", "sheet", "refusal", "spec", "statement"):
        assert client.get(urls[name]).status_code == 404, name


def test_office_sees_spec_refusal_and_agreement_but_no_statement(client, login, live_demo):
    login(make_user(Role.BEHEERDER))
    urls = _urls(live_demo)
    for name in ("spec", "refusal", "agreement", "sheet"):
        assert client.get(urls[name]).status_code == 200, name
    assert client.get(urls["statement"]).status_code == 404  # budgets are the household's


def test_advisor_looking_at_a_document_is_logged(client, login, live_demo, db):
    jansen = live_demo.jansen
    anna = _user(live_demo, "anna.jansen@demo.pgb")
    helper = make_user(Role.VERTEGENWOORDIGER)
    make_authorization(jansen, helper, anna, scope=Scope.BEKIJKEN,
                       starts_on=today(), ends_on=today())
    login(helper)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "document_viewed"))
    assert client.get(_urls(live_demo)["agreement"]).status_code == 200
    after = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "document_viewed"))
    assert after == before + 1


def test_unknown_items_and_bad_months_answer_404(client, login, live_demo):
    login(_user(live_demo, "anna.jansen@demo.pgb"), "demo-wachtwoord")
    assert client.get("/papier/overeenkomsten/999999.pdf").status_code == 404
    agreement_id = live_demo.agreement.id
    assert client.get(f"/papier/urenbriefjes/{agreement_id}/2026-13.pdf").status_code == 404
    assert client.get(f"/papier/urenbriefjes/{agreement_id}/1990-01.pdf").status_code == 404
    household_id = live_demo.jansen.id
    url = f"/papier/huishoudens/{household_id}/budgetoverzicht.pdf"
    assert client.get(url + "?van=2026-05&tot=2026-01").status_code == 404
    paid_claim_letter = f"/papier/afgekeurd/{live_demo.refused.id + 100000}.pdf"
    assert client.get(paid_claim_letter).status_code == 404


# --------------------------------------------------------------------------- the setting


def test_settings_page_renders_and_a_good_post_writes(client, login, db):
    holder = make_user(Role.BUDGETHOUDER)
    login(holder)
    url = f"/huishoudens/{holder.household_id}/papier"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Werken op papier</h1>" in html and "<legend" in html
    response = client.post(url, data={"choice": "papier"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert db.session.get(Household, holder.household_id).works_on_paper is True
    assert "per post" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"choice": "online"}).status_code == 302
    assert db.session.get(Household, holder.household_id).works_on_paper is False


def test_settings_bad_post_is_422_and_writes_nothing(client, login, db):
    holder = make_user(Role.BUDGETHOUDER)
    login(holder)
    url = f"/huishoudens/{holder.household_id}/papier"
    count = db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "works_on_paper_changed"))
    for data in ({}, {"choice": "fax"}):
        response = client.post(url, data=data)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'id="choice-error"' in html and 'aria-invalid="true"' in html
        assert "error-summary" in html
    assert "Kies of u op papier of online werkt." in client.post(url, data={}).get_data(as_text=True)
    assert db.session.get(Household, holder.household_id).works_on_paper is False
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "works_on_paper_changed")) == count


def test_settings_for_another_household_is_404(client, login):
    holder = make_user(Role.BUDGETHOUDER)
    other = make_user(Role.BUDGETHOUDER)
    login(holder)
    assert client.get(f"/huishoudens/{other.household_id}/papier").status_code == 404
    assert client.post(f"/huishoudens/{other.household_id}/papier",
                       data={"choice": "papier"}).status_code == 404


def test_set_works_on_paper_service_refuses_view_only_helpers(db):
    from portal.budgets.service import set_works_on_paper
    from portal.refusals import Refused

    holder = make_user(Role.BUDGETHOUDER)
    household = db.session.get(Household, holder.household_id)
    viewer = make_user(Role.ADVISEUR)
    actor = make_user(Role.VERTEGENWOORDIGER)
    make_authorization(household, viewer, holder, scope=Scope.BEKIJKEN,
                       starts_on=today(), ends_on=today())
    make_authorization(household, actor, holder, scope=Scope.HANDELEN,
                       starts_on=today(), ends_on=today())
    with pytest.raises(Refused) as refused:
        set_works_on_paper(viewer, household.id, True, today())
    assert refused.value.codes == ["not_allowed"]
    assert household.works_on_paper is False
    set_works_on_paper(actor, household.id, True, today())
    assert household.works_on_paper is True
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "works_on_paper_changed", AuditEvent.household_id == household.id))
    assert event.actor_id == actor.id and event.on_behalf_of_id == holder.id

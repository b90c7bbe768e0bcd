"""The paper route in a real Chromium: the budget holder finds "Werken op papier" in the menu,
chooses "ik werk op papier" with the keyboard, the choice is saved, and the statement link gives
a PDF; on the start page she clicks the statement's download link next to her budgets. An axe
check on every page visited. (A missing choice, 422 with the message at the field, is tested in
tests/paper.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible

pytestmark = pytest.mark.e2e


def _household_id(portal_app, email: str) -> int:
    from portal.access.service import find_user_by_email

    with portal_app.app_context():
        return find_user_by_email(email).household_id


def test_choose_to_work_on_paper(page: Page, live_server, portal_app, budget_holder):
    household_id = _household_id(portal_app, budget_holder["email"])
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(budget_holder["email"])
    page.get_by_label("Wachtwoord").fill(budget_holder["password"])
    page.get_by_role("button", name="Inloggen").click()

    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Werken op papier").click()
    expect(page).to_have_url(f"{live_server}/huishoudens/{household_id}/papier")
    expect(page.get_by_role("heading", level=1)).to_have_text("Werken op papier")
    assert_accessible(page)

    # The form works with the keyboard: choose with the radio button, save with Enter.
    paper = page.get_by_role("radio", name="Ik werk op papier", exact=False)
    paper.focus()
    page.keyboard.press("Space")
    expect(paper).to_be_checked()
    page.get_by_role("button", name="Opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("per post")
    expect(page.get_by_text("u werkt op papier")).to_be_visible()
    assert_accessible(page)

    with portal_app.app_context():
        from portal.budgets.models import Household
        from portal.extensions import db

        assert db.session.get(Household, household_id).works_on_paper is True
        db.session.remove()

    link = page.get_by_role("link", name="Budgetoverzicht van dit jaar (PDF)")
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_click_the_statement_link_on_the_start_page(page: Page, live_server, portal_app,
                                                    budget_holder):
    household_id = _household_id(portal_app, budget_holder["email"])
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(budget_holder["email"])
    page.get_by_label("Wachtwoord").fill(budget_holder["password"])
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{live_server}/huishoudens/{household_id}/budget")
    assert_accessible(page)

    link = page.get_by_role("link", name="Budgetoverzicht van dit jaar printen (PDF)")
    with page.expect_response(lambda r: "/budgetoverzicht.pdf" in r.url) as answer:
        link.click()  # Chromium opens the PDF in its viewer
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.url == f"{live_server}/papier/huishoudens/{household_id}/budgetoverzicht.pdf"
    # The viewer replaces the body it hands out; the same URL with the session gives the bytes.
    assert page.request.get(response.url).body().startswith(b"%PDF-")

"""Smoke journey: the login page in a real Chromium, log in, see the start page; axe on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible

pytestmark = pytest.mark.e2e


def test_login_page_then_start_page(page: Page, live_server, budget_holder):
    page.goto(f"{live_server}/inloggen")
    expect(page).to_have_title(re.compile(r"^Inloggen - PGB-portaal$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)

    page.get_by_label("E-mailadres").fill(budget_holder["email"])
    page.get_by_label("Wachtwoord").fill(budget_holder["password"])
    page.get_by_role("button", name="Inloggen").click()

    # /start sends each role to the first page of its menu: for a budget holder, "Mijn budget".
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/huishoudens/\d+/budget$"))
    expect(page).to_have_title(re.compile(r"^Mijn budget - PGB-portaal$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn budget")
    expect(page.get_by_text(budget_holder["name"]).first).to_be_visible()
    assert_accessible(page)


def test_wrong_password_is_explained_on_the_page(page: Page, live_server, budget_holder):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(budget_holder["email"])
    page.get_by_label("Wachtwoord").fill("niet-het-goede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()

    expect(page).to_have_url(f"{live_server}/inloggen")
    expect(page.get_by_text("Het e-mailadres of het wachtwoord klopt niet").first).to_be_visible()
    assert_accessible(page)

"""The service's own pages and frame: Privacy, Toegankelijkheid, Contact and an error page
carry the organisation and its contact details (axe on each); the first Tab stop is the skip
link; on a phone the menu sits behind a "Menu" button that opens without JavaScript and the
account settings under the user's name."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import NARROW, assert_accessible

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path, heading", [
    ("/privacy", "Privacy"), ("/toegankelijkheid", "Toegankelijkheidsverklaring"),
    ("/contact", "Contact"), ("/bestaat-niet", "Deze pagina bestaat niet")])
def test_public_pages_name_the_organisation_and_how_to_reach_it(page: Page, live_server,
                                                                 portal_app, path, heading):
    org = portal_app.config
    page.goto(live_server + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text(org["PORTAL_ORG_NAME"])
    expect(footer.get_by_role("link", name=org["PORTAL_ORG_PHONE"])).to_be_visible()
    expect(footer.get_by_role("link", name=org["PORTAL_ORG_EMAIL"])).to_be_visible()
    for name in ("Privacy", "Toegankelijkheid", "Contact"):
        expect(footer.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)


def test_skip_link_first_and_the_phone_menu_without_javascript(page: Page, page_without_js,
                                                                live_server, budget_holder):
    page.goto(f"{live_server}/inloggen")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()

    other = page_without_js
    other.set_viewport_size(NARROW)
    other.goto(f"{live_server}/inloggen")
    other.get_by_label("E-mailadres").fill(budget_holder["email"])
    other.get_by_label("Wachtwoord").fill(budget_holder["password"])
    other.get_by_role("button", name="Inloggen").click()
    menu = other.get_by_role("navigation", name="Hoofdmenu")
    expect(menu).to_be_hidden()
    other.get_by_text("Menu", exact=True).click()
    expect(menu.get_by_role("link", name="Urenbriefjes")).to_be_visible()
    # Account settings are not tasks: under the user's name, not in the menu.
    expect(menu.get_by_role("link", name="Wachtwoord wijzigen")).to_have_count(0)
    name = other.locator("details.site-user__menu > summary")
    expect(name).to_contain_text(budget_holder["name"])
    name.click()
    account = other.get_by_role("navigation", name="Mijn account")
    account.get_by_role("link", name="Wachtwoord wijzigen").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Wachtwoord wijzigen")

"""'Waar bent u ingelogd' in a real Chromium: two browsers of the same budget holder see each
other in the list; the one without JavaScript logs the other out ('Uitloggen op alle andere
apparaten'), whose next page is the login page. axe checks the page (in the browser with
JavaScript on)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import account_link, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_logging_out_the_other_browser_without_javascript(page: Page, page_without_js: Page,
                                                          live_server, make_household):
    world = make_household("sessies")
    log_in(page, live_server, world["holder"], world["password"])
    other = page_without_js  # log_in's axe check needs JavaScript: by hand here
    other.goto(f"{live_server}/inloggen")
    other.get_by_label("E-mailadres").fill(world["holder"])
    other.get_by_label("Wachtwoord").fill(world["password"])
    other.get_by_role("button", name="Inloggen").click()
    expect(other.get_by_role("button", name="Uitloggen")).to_be_visible()

    account_link(page, "Waar bent u ingelogd").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waar bent u ingelogd")
    rows = page.get_by_role("table", name="Apparaten waarop u bent ingelogd").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="(dit apparaat)")).to_have_count(1)
    assert_accessible(page)

    account_link(other, "Waar bent u ingelogd").click()
    other.get_by_role("button", name="Uitloggen op alle andere apparaten").click()
    expect(other.get_by_text("U bent uitgelogd op alle andere apparaten.")).to_be_visible()
    expect(other.get_by_role("table", name="Apparaten waarop u bent ingelogd")
           .locator("tbody tr")).to_have_count(1)

    page.reload()
    expect(page.get_by_label("E-mailadres")).to_be_visible()  # the login page
    assert page.url.split("?")[0].endswith("/inloggen")

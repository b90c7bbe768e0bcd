"""Issue 16 in a real Chromium: Anna (the demo's budget holder) opens the Wlz allowances from
her budget page, gives Thuiszorg De Linde (which worked on a public holiday) a holiday
allowance after a refusal she can act on, and prints her year-end statement. An axe check on
every page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, log_in_demo

pytestmark = pytest.mark.e2e


def test_a_holiday_allowance_and_the_year_end_statement(page: Page, demo_server):
    from portal.dates import today
    from portal.demo.seed import ANNA

    base, _app = demo_server
    log_in_demo(page, base, ANNA)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn budget").click()
    page.get_by_role("link", name="Uitkeringen Wlz bekijken of aanvragen").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitkeringen Wlz")
    assert_accessible(page)

    year = today().year
    section = page.get_by_role("region", name=f"Anna Jansen, Wlz {year}")
    section.get_by_label("Zorgverlener").select_option(label="Thuiszorg De Linde B.V.")
    section.get_by_label("Bedrag in euro").fill("9999,00")
    section.get_by_role("button", name="Feestdagenuitkering aanvragen").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit is meer dan er over is")
    assert_accessible(page)

    section = page.get_by_role("region", name=f"Anna Jansen, Wlz {year}")
    section.get_by_label("Zorgverlener").select_option(label="Thuiszorg De Linde B.V.")
    section.get_by_label("Bedrag in euro").fill("50,00")
    section.get_by_role("button", name="Feestdagenuitkering aanvragen").click()
    expect(page.get_by_role("status")).to_contain_text("Aangevraagd: de feestdagenuitkering")
    row = page.get_by_role("row").filter(has_text="Thuiszorg De Linde B.V.")
    expect(row).to_contain_text("Feestdagenuitkering")
    expect(row).to_contain_text("Ingediend")
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn budget").click()
    page.get_by_role("link", name=f"Jaaroverzicht {year}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Jaaroverzicht {year}")
    expect(page.get_by_role("table").first).to_contain_text("Anna Jansen")
    assert_accessible(page)
    link = page.get_by_role("link", name=f"Jaaroverzicht {year} printen (PDF)")
    response = page.request.get(base + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

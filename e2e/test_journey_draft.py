"""A sheet saved as a concept during the month, approved after the check page (issue 11).

The provider Jeroen Smits writes down his hours while the month runs: the list offers that
month ("de maand loopt nog"), the grid has only "Opslaan als concept", and the budget holder
sees nothing waiting. After the month he sends it to Ria de Graaf; she opens it, checks the
hours, the amounts and her budget after it on the check page, gives akkoord at the end, and
is told what happens next and when the money is expected. The clock is moved with
time-machine (the server runs in this process). An axe check at 1280 and 320 px on every page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import PASSWORD
from e2e.helpers import assert_accessible, household_with_agreement, log_in, log_out
from e2e.helpers import hour_cell as cell

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def draft_world(portal_app):
    from portal.database import transaction

    with portal_app.app_context(), transaction():
        return household_with_agreement("concept", "De Graaf", PASSWORD)


def test_a_concept_during_the_month_is_approved_after_the_check_page(
        page: Page, live_server, draft_world, time_machine):
    from portal.dates import TZ, add_months, first_of_month, format_day, format_month, today
    from portal.payments.rules import next_run_date

    month = first_of_month(today())
    label = format_month(month)
    time_machine.move_to(dt.datetime.combine(month.replace(day=10), dt.time(12), TZ), tick=True)
    menu = page.get_by_role("navigation", name="Hoofdmenu")

    # 1. During the month: the provider saves his hours as a concept.
    log_in(page, live_server, draft_world["provider"], PASSWORD)
    menu.get_by_role("link", name="Urenbriefje invullen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Urenbriefje invullen")
    offered = page.get_by_role("link", name=f"Urenbriefje {label} invullen")
    expect(offered).to_be_visible()
    expect(page.get_by_text("de maand loopt nog").first).to_be_visible()
    assert_accessible(page)
    offered.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {label}")
    expect(page.get_by_role("button", name="Klaarzetten voor de budgethouder")).to_have_count(0)
    cell(page, month.replace(day=2)).fill("2:00")
    cell(page, month.replace(day=9)).fill("1:30")
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_role("status").filter(has_text="als concept opgeslagen")).to_be_visible()
    expect(page.locator(".facts .tag")).to_have_text("Concept")
    sheet_url = page.url
    assert_accessible(page)
    log_out(page)

    # The budget holder sees nothing waiting yet.
    log_in(page, live_server, draft_world["holder"], PASSWORD)
    menu.get_by_role("link", name="Urenbriefjes").click()
    expect(page.get_by_text("Er wacht geen urenbriefje op uw akkoord.")).to_be_visible()
    log_out(page)

    # 2. After the month: he sends it to the budget holder.
    time_machine.move_to(dt.datetime.combine(add_months(month, 1).replace(day=4), dt.time(12),
                                             TZ), tick=True)
    log_in(page, live_server, draft_world["provider"], PASSWORD)
    page.goto(sheet_url)
    page.get_by_role("link", name="Uren aanpassen").click()
    expect(cell(page, month.replace(day=9))).to_have_value("1:30")
    page.get_by_role("button", name="Klaarzetten voor de budgethouder").click()
    expect(page.get_by_text("staat klaar voor de budgethouder")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # 3. The budget holder checks it first, then gives akkoord at the end of the check page.
    log_in(page, live_server, draft_world["holder"], PASSWORD)
    menu.get_by_role("link", name="Urenbriefjes").click()
    waiting = page.get_by_role("region", name="Wacht op uw akkoord")
    waiting.get_by_role("link", name=f"Urenbriefje {label} van Jeroen Smits").click()
    expect(page.get_by_role("button", name="Akkoord en indienen")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Controleren en akkoord geven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Controleer het urenbriefje {label}")
    expect(page.get_by_role("heading", name="Gewerkte uren")).to_be_visible()
    expect(page.get_by_role("heading", name="Budget over na dit urenbriefje")).to_be_visible()
    expect(page.get_by_role("table", name="Totaal per zorgsoort")).to_contain_text("175,00")
    assert_accessible(page)
    page.get_by_role("button", name="Akkoord en indienen").click()

    panel = page.get_by_role("region", name="Wat gebeurt er nu?")
    expect(panel).to_be_visible()
    expected = format_day(next_run_date(today()))
    expect(panel).to_contain_text(re.compile(rf"Verwachte betaaldatum:\s*{re.escape(expected)}"))
    expect(page.locator(".facts .tag")).to_have_text("Ingediend")
    assert_accessible(page)

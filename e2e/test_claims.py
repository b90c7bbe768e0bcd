"""Hour sheets in a real Chromium: the provider prepares last month's sheet, the budget holder
approves it and it shows as "Ingediend"; a day in the future is refused next to its cell.
An axe check on every page visited.

Data: a fresh household with an approved agreement, made through the services (the demo's
agreements all have a sheet for last month already, and other journeys use them).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import PASSWORD
from e2e.helpers import assert_accessible, household_with_agreement
from e2e.helpers import hour_cell as cell
from e2e.helpers import log_in as log_in_with_password

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def sheet_world(portal_app):
    from portal.database import transaction

    with portal_app.app_context(), transaction():
        return household_with_agreement("urenbriefjes", "De Graaf", PASSWORD)


def log_in(page: Page, live_server: str, email: str) -> None:
    log_in_with_password(page, live_server, email, PASSWORD)


def test_provider_prepares_last_month_and_the_holder_approves(page: Page, live_server,
                                                              sheet_world):
    from portal.dates import add_months, first_of_month, format_month, today

    last_month = first_of_month(add_months(first_of_month(today()), -1))
    label = format_month(last_month)

    # The provider chooses the agreement and last month.
    log_in(page, live_server, sheet_world["provider"])
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Urenbriefje invullen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Urenbriefje invullen")
    assert_accessible(page)
    page.get_by_label("Zorgovereenkomst").select_option(
        label=f"Ria de Graaf ({sheet_world['reference']})")
    page.get_by_label("Maand").select_option(value=f"{last_month:%Y-%m}")
    page.get_by_role("button", name="Urenbriefje invullen").click()

    # The grid: two visits; the total follows the typing (JavaScript) ...
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {label}")
    assert_accessible(page)
    cell(page, last_month.replace(day=5)).fill("2:15")
    cell(page, last_month.replace(day=12)).fill("1,5")
    expect(page.locator("#totaal-bedrag")).to_have_text(re.compile(r"187,50"))
    # ... and the server computes it again without JavaScript's help.
    page.get_by_role("button", name="Bereken opnieuw").click()
    expect(page.locator("#totaal-bedrag")).to_have_text(re.compile(r"187,50"))
    expect(cell(page, last_month.replace(day=5))).to_have_value("2:15")
    expect(page.get_by_role("button", name="Indienen")).to_have_count(0)
    page.get_by_role("button", name="Klaarzetten voor de budgethouder").click()

    expect(page.get_by_text("staat klaar voor de budgethouder")).to_be_visible()
    expect(page.get_by_text("Wacht op akkoord").first).to_be_visible()
    expect(page.get_by_role("button", name="Akkoord en indienen")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Uitloggen").click()

    # The budget holder sees it waiting, reviews it and gives akkoord.
    log_in(page, live_server, sheet_world["holder"])
    page.goto(f"{live_server}/huishoudens/{sheet_world['household_id']}/urenbriefjes")
    assert_accessible(page)
    waiting = page.get_by_role("region", name="Wacht op uw akkoord")
    waiting.get_by_role("link", name=f"Urenbriefje {label} van Jeroen Smits").click()
    page.get_by_role("link", name="Controleren en akkoord geven").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Controleer het urenbriefje"))
           ).to_be_visible()
    expect(page.get_by_role("heading", name="Budget over na dit urenbriefje")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Akkoord en indienen").click()
    expect(page.get_by_role("heading", name="Wat gebeurt er nu?")).to_be_visible()
    expect(page.get_by_text("U heeft akkoord gegeven")).to_be_visible()
    expect(page.locator(".facts .tag")).to_have_text("Ingediend")
    assert_accessible(page)


def test_a_day_in_the_future_is_refused_next_to_the_cell(page: Page, live_server, sheet_world,
                                                         time_machine):
    from portal.dates import TZ, first_of_month, format_day, today

    month = first_of_month(today())  # the running month: a concept, on the 10th
    time_machine.move_to(dt.datetime.combine(month.replace(day=10), dt.time(12), TZ), tick=True)
    log_in(page, live_server, sheet_world["provider"])
    page.goto(f"{live_server}/overeenkomsten/{sheet_world['agreement_id']}/urenbriefje/"
              f"{month:%Y-%m}")
    day = month.replace(day=20)
    cell(page, day).fill("3:00")
    page.get_by_role("button", name="Opslaan als concept").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("ligt in de toekomst")
    field = cell(page, day)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("3:00")
    error = page.locator(f"#{field.get_attribute('id')}-error")
    expect(error).to_have_text(re.compile(re.escape(format_day(day)) + ".*ligt in de toekomst"))
    # The summary links to the cell.
    expect(summary.get_by_role("link", name=re.compile("ligt in de toekomst"))).to_have_attribute(
        "href", f"#{field.get_attribute('id')}")
    assert_accessible(page)

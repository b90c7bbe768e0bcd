"""Every form works without JavaScript and refuses in the same words: the same journey twice, in
a browser context with JavaScript off and one with it on. Logging in (a wrong password first),
the hour sheet grid with a refused cell next to a good one (the refusal next to the cell, both
typed values kept, then corrected and submitted), the agreement wizard's first steps (model,
provider with a wrong IBAN, budgets), and granting an authorisation (an unknown address first).

The expected refusals come from where they are made (the claim rules, the IBAN check, the login
view), so both runs are held to the same words. axe needs JavaScript: the run with it on checks
every page; the run without it checks that the pages still do their work.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, euro, fill_date
from e2e.helpers import hour_cell as cell

pytestmark = pytest.mark.e2e

# A valid IBAN per run: the new provider of each run is a different person.
NEW_PROVIDER_IBAN = {True: "NL71INGB0012345678", False: "NL13INGB0087654321"}


@pytest.fixture(params=[False, True], ids=["zonder-javascript", "met-javascript"])
def journey(request, make_household):
    javascript = request.param
    page: Page = request.getfixturevalue("page" if javascript else "page_without_js")
    world = make_household("js" if javascript else "nojs")
    return page, javascript, world


def test_every_form_submits_and_refuses_the_same_without_javascript(journey, live_server):
    from portal.access.views import WRONG_LOGIN
    from portal.budgets.constants import Unit
    from portal.claims.rules import check_quantity
    from portal.dates import add_months, first_of_month, format_day, format_month, today
    from portal.identifiers import check_iban

    page, javascript, world = journey
    base = live_server

    def check() -> None:
        if javascript:
            assert_accessible(page)

    # 1. Log in: a wrong password is refused with the generic message, the address stays.
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(world["holder"])
    page.get_by_label("Wachtwoord").fill("niet-het-goede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text(WRONG_LOGIN).first).to_be_visible()
    expect(page.get_by_label("E-mailadres")).to_have_value(world["holder"])
    check()
    page.get_by_label("Wachtwoord").fill(world["password"])
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    # 2. Last month's hour sheet: 2:10 is no whole quarter (refused), 3:00 is fine.
    month = first_of_month(add_months(first_of_month(today()), -1))
    sheet = f"{base}/overeenkomsten/{world['agreement_id']}/urenbriefje/{month:%Y-%m}"
    page.goto(sheet)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {format_month(month)}")
    bad_day, good_day = month.replace(day=3), month.replace(day=4)
    refusal = check_quantity(Unit.UUR, 130, day_label=format_day(bad_day))[0].message
    cell(page, bad_day).fill("2:10")
    cell(page, good_day).fill("3:00")
    # The server adds up (with JavaScript the page also does while typing).
    page.get_by_role("button", name="Bereken opnieuw").click()
    expect(page.locator("#totaal-bedrag")).to_have_text(euro(3 * 5000))
    page.get_by_role("button", name="Indienen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(refusal)
    bad = cell(page, bad_day)
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{bad.get_attribute('id')}-error")).to_have_text(refusal)
    expect(summary.get_by_role("link", name=refusal)).to_have_attribute(
        "href", f"#{bad.get_attribute('id')}")
    expect(bad).to_have_value("2:10")
    expect(cell(page, good_day)).to_have_value("3:00")
    expect(cell(page, good_day)).not_to_have_attribute("aria-invalid", "true")
    check()
    bad.fill("2:15")
    page.get_by_role("button", name="Indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {format_month(month)}")
    expect(page.locator(".facts")).to_contain_text("Ingediend")
    expect(page.locator(".facts")).to_contain_text(euro(5000 * 21 // 4))  # 5:15 hours
    check()

    # 3. The agreement wizard's first steps.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Zorgovereenkomsten").click()
    page.get_by_role("link", name="Nieuwe zorgovereenkomst maken").click()
    page.get_by_role("button", name="Verder").click()  # no model chosen
    expect(page.get_by_role("alert")).to_contain_text("Kies een model overeenkomst.")
    check()
    page.get_by_role("radio", name="Zorgovereenkomst met familie of partner").check()
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", name="Stap 2: de zorgverlener")).to_be_visible()
    iban_refusal = check_iban("NL00ABNA0417164300")[1][0].message
    page.get_by_label("Naam van de zorgverlener").fill("Oma de Graaf")
    page.get_by_label("IBAN (rekeningnummer van de zorgverlener)").fill("NL00ABNA0417164300")
    page.get_by_label("Wat is de zorgverlener van degene die de zorg krijgt?").select_option(
        label="Grootouder")
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("alert")).to_contain_text(iban_refusal)
    iban = page.get_by_label("IBAN (rekeningnummer van de zorgverlener)")
    expect(iban).to_have_attribute("aria-invalid", "true")
    expect(iban).to_have_value("NL00ABNA0417164300")
    expect(page.get_by_label("Naam van de zorgverlener")).to_have_value("Oma de Graaf")
    check()
    iban.fill(NEW_PROVIDER_IBAN[javascript])
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", name="Voor wie en uit welk budget")).to_be_visible()
    page.get_by_role("button", name="Opslaan en verder").click()  # no budget chosen
    expect(page.get_by_role("alert")).to_contain_text("Kies minstens één budget.")
    check()

    # 4. An authorisation: an unknown address first (refused, what was typed stays), then Kees.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Machtigingen").click()
    expect(page.get_by_role("heading", level=1, name="Machtigingen")).to_be_visible()
    ends = today() + dt.timedelta(days=30)
    nobody = f"niemand.{'js' if javascript else 'nojs'}@example.nl"
    page.get_by_label("E-mailadres van de persoon").fill(nobody)
    page.get_by_label("Alleen bekijken").check()
    fill_date(page, "Tot en met welke datum?", ends)
    page.get_by_role("button", name="Machtiging geven").click()
    expect(page.get_by_role("alert")).to_contain_text("Wij vinden geen account met dit e-mailadres")
    expect(page.get_by_label("E-mailadres van de persoon")).to_have_value(nobody)
    expect(page.get_by_label("Alleen bekijken")).to_be_checked()
    check()
    page.get_by_label("E-mailadres van de persoon").fill(world["representative"])
    page.get_by_role("button", name="Machtiging geven").click()
    name = world["representative_name"]
    expect(page.get_by_role("status").filter(has_text=f"{name} heeft nu een machtiging")
           ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(f"^Intrekken machtiging van {name}$"))
           ).to_be_visible()
    check()

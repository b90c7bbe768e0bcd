"""Issue 4's first journey in a real Chromium: a care provider prepares last month's hour sheet,
the budget holder approves it, the payment office (two-step login) previews and runs a payment
run in the portal, and the provider then sees the sheet paid, with the payment reference, on
its overview and in the payment specification. An axe check on every page visited.

Every demo agreement already has a sheet for last month, so the fixture adds one through the
services: a new provider (Hulp Vos) with an approved agreement for Pieter Bakker's Wmo budget.
The journey pays, so it runs on a portal and database of its own (`demo_server`).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import (
    approved_agreement,
    assert_accessible,
    cents,
    euro,
    log_in,
    log_out,
    pieters_budgets,
    press,
)
from e2e.helpers import hour_cell as cell
from portal.providers.service import create_provider

pytestmark = pytest.mark.e2e

PROVIDER_NAME = "Hulp Vos"
PROVIDER_EMAIL = "hulp.vos@e2e.pgb"
PROVIDER_PASSWORD = "e2e-vos-wachtwoord-1"
TARIFF_CENTS = 3000


@pytest.fixture(scope="module")
def world(demo_server):
    """The demo plus an approved agreement of Pieter Bakker with a new provider, from the first
    day of last month, with no sheet yet."""

    from portal.access.service import create_user
    from portal.agreements.constants import ProviderKind
    from portal.budgets.constants import CareKind
    from portal.database import transaction
    from portal.dates import add_months, first_of_month, today

    base, app = demo_server
    start = first_of_month(add_months(today(), -1))
    on = start - dt.timedelta(days=14)
    with app.app_context(), transaction():
        pieter, consulent, grants = pieters_budgets(start)
        provider = create_provider(pieter, kind=ProviderKind.PERSOON,
                                              name=PROVIDER_NAME, iban="NL44RABO0123456789")
        provider_user = create_user(PROVIDER_EMAIL, PROVIDER_PASSWORD, "zorgverlener",
                                    PROVIDER_NAME, provider_id=provider.id)
        agreement = approved_agreement(
            pieter, provider_user, consulent, provider_id=provider.id, grants=grants,
            care_kind=CareKind.HUISHOUDELIJKE_HULP, tariff_cents=TARIFF_CENTS,
            weekly_quantity=180, starts_on=start, on=on)
        reference = agreement.reference
    return {"base": base, "reference": reference, "month": start}


def sheets_table(page: Page):
    return page.get_by_role("table", name="Urenbriefjes voor Pieter Bakker")


def test_provider_prepares_a_sheet_and_later_sees_it_paid(page: Page, world):
    from portal.dates import format_day, format_month, today
    from portal.demo.seed import BEHEERDER, DEMO_PASSWORD, PIETER

    base, month = world["base"], world["month"]
    label = format_month(month)
    menu = page.get_by_role("navigation", name="Hoofdmenu")

    # 1. The provider prepares last month's sheet.
    log_in(page, base, PROVIDER_EMAIL, PROVIDER_PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Mijn overeenkomsten")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=f"Pieter Bakker ({world['reference']})")
           ).to_be_visible()
    expect(page.get_by_text("Er zijn nog geen urenbriefjes bij deze overeenkomst.")).to_be_visible()
    assert_accessible(page)
    press(page, menu.get_by_role("link", name="Urenbriefje invullen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Urenbriefje invullen")
    assert_accessible(page)
    page.get_by_label("Zorgovereenkomst").select_option(
        label=f"Pieter Bakker ({world['reference']})")
    page.get_by_label("Maand").select_option(value=f"{month:%Y-%m}")
    press(page, page.get_by_role("button", name="Urenbriefje invullen"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {label}")
    assert_accessible(page)
    cell(page, month.replace(day=8)).fill("2:00")
    cell(page, month.replace(day=15)).fill("2:00")
    press(page, page.get_by_role("button", name="Klaarzetten voor de budgethouder"))
    expect(page.get_by_text("staat klaar voor de budgethouder")).to_be_visible()
    expect(page.get_by_role("button", name="Akkoord en indienen")).to_have_count(0)
    assert_accessible(page)
    amount = cents(page.locator(".facts dt:text-is('Totaal') + dd").inner_text())
    assert amount == 4 * TARIFF_CENTS
    sheet_reference = page.locator(".facts dt:text-is('Kenmerk') + dd").inner_text()

    # Its payment status on the provider's overview: waiting for the budget holder.
    press(page, menu.get_by_role("link", name="Mijn overeenkomsten"))
    row = sheets_table(page).get_by_role("row").filter(has_text=sheet_reference)
    expect(row).to_contain_text("Wacht op akkoord van de budgethouder")
    expect(row).to_contain_text(euro(amount))
    assert_accessible(page)
    log_out(page)

    # 2. Pieter Bakker approves it.
    log_in(page, base, PIETER.email, DEMO_PASSWORD)
    press(page, menu.get_by_role("link", name="Urenbriefjes"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Urenbriefjes")
    assert_accessible(page)
    waiting = page.get_by_role("region", name="Wacht op uw akkoord")
    press(page, waiting.get_by_role("link", name=f"Urenbriefje {label} van {PROVIDER_NAME}"))
    press(page, page.get_by_role("link", name="Controleren en akkoord geven"))
    expect(page.get_by_role("heading", level=1, name=re.compile("^Controleer het urenbriefje"))
           ).to_be_visible()
    expect(page.get_by_role("heading", name="Budget over na dit urenbriefje")).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Akkoord en indienen"))
    expect(page.get_by_role("heading", name="Wat gebeurt er nu?")).to_be_visible()
    expect(page.locator(".facts .tag")).to_have_text("Ingediend")
    assert_accessible(page)
    log_out(page)

    # 3. The payment office previews the run (the submitted sheet is checked first), runs it.
    log_in(page, base, BEHEERDER.email, DEMO_PASSWORD, BEHEERDER.totp_secret)
    expect(page.get_by_role("heading", level=1, name="Betaalrondes")).to_be_visible()
    expect(page.get_by_role("table", name="Wat de volgende betaalronde betaalt, per zorgverlener")
           ).to_be_visible()
    to_check = page.get_by_text("Die zitten pas in een betaalronde als ze gecontroleerd zijn")
    expect(to_check).to_contain_text(re.compile(r"ook\s+\d+\s+ingediende?\s+urenbriefjes?"))
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Ingediende urenbriefjes controleren"))
    expect(page.get_by_role("heading", level=1, name="Betaalronde bevestigen")).to_be_visible()
    expect(page.get_by_role("table", name="Elk urenbriefje dat deze betaalronde betaalt")
           .get_by_role("rowheader", name=sheet_reference)).to_be_visible()
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Betaalronde uitvoeren"))
    expect(page).to_have_url(re.compile(r"/betaalkantoor/betaalrondes/\d+$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Betaalronde PGB-\d{8}-\d{4}$"))
    run_reference = heading.inner_text().removeprefix("Betaalronde ")
    payments = page.get_by_role("table", name="Betalingen in deze betaalronde")
    expect(payments.get_by_role("row").filter(has_text=PROVIDER_NAME)).to_contain_text(euro(amount))
    assert_accessible(page)
    log_out(page)

    # 4. The provider sees it paid, with the payment reference, on both pages.
    log_in(page, base, PROVIDER_EMAIL, PROVIDER_PASSWORD)
    row = sheets_table(page).get_by_role("row").filter(has_text=sheet_reference)
    paid = re.compile(rf"Uitbetaald op {re.escape(format_day(today()))} met kenmerk "
                      rf"({re.escape(run_reference)}-\d{{3}})")
    expect(row).to_contain_text(paid)
    payment_reference = paid.search(row.inner_text()).group(1)
    assert_accessible(page)
    press(page, menu.get_by_role("link", name="Betalingen"))
    expect(page.get_by_role("heading", level=1, name="Betalingen")).to_be_visible()
    spec = page.get_by_role("table", name=f"Specificatie van betaling {payment_reference}")
    expect(spec).to_contain_text("Pieter Bakker")  # the budget holder, by name
    expect(spec).to_contain_text(label)
    expect(spec).to_contain_text(euro(amount))
    assert_accessible(page)

"""Issue 13's journey: a care organisation prepares an hour sheet through the API, the budget
holder approves it in the browser, the payment run pays it, and the API shows it paid.

The organisation (Zorggroep Noord, new, with an approved agreement for Pieter Bakker's Wmo
budget from the first day of last month and an API key) is added to the demo through the
services; the journey pays, so it runs on a portal and database of its own (`demo_server`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import (
    approved_agreement,
    assert_accessible,
    log_in,
    log_out,
    pieters_budgets,
    press,
)
from portal.providers.service import create_provider

pytestmark = pytest.mark.e2e

ORGANISATION = "Zorggroep Noord"
TARIFF_CENTS = 4500


@pytest.fixture(scope="module")
def world(demo_server):

    from portal.access.service import create_user
    from portal.agreements.constants import ProviderKind
    from portal.api.service import create_api_key
    from portal.budgets.constants import CareKind
    from portal.database import transaction
    from portal.dates import add_months, first_of_month, today

    base, app = demo_server
    start = first_of_month(add_months(today(), -1))
    on = start - dt.timedelta(days=14)
    with app.app_context(), transaction():
        pieter, consulent, grants = pieters_budgets(start)
        provider = create_provider(pieter, kind=ProviderKind.ORGANISATIE,
                                              name=ORGANISATION, iban="NL44RABO0123456789",
                                              kvk="40123456", agb="04012345")
        planner = create_user("planning@zorggroep-noord.e2e.pgb", "e2e-noord-wachtwoord-1",
                              "zorgverlener", ORGANISATION, provider_id=provider.id)
        agreement = approved_agreement(
            pieter, planner, consulent, provider_id=provider.id, grants=grants,
            care_kind=CareKind.HUISHOUDELIJKE_HULP, tariff_cents=TARIFF_CENTS,
            weekly_quantity=180, starts_on=start, on=on, model="zorginstelling")
        _key, token = create_api_key(None, label="Planning Noord", owner_kind="provider",
                                     provider_id=provider.id,
                                     scopes=["claims:read", "claims:write", "payments:read"],
                                     expires_on=today() + dt.timedelta(days=30), today=today())
        agreement_id = agreement.id
    return {"base": base, "app": app, "agreement_id": agreement_id, "month": start,
            "token": token}


def api(world, method: str, path: str, body=None) -> dict:
    request = urllib.request.Request(
        world["base"] + "/api/v1" + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {world['token']}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def test_a_sheet_prepared_by_api_is_approved_in_the_browser_and_paid(page: Page, world):
    from portal.database import transaction
    from portal.dates import format_month, today
    from portal.demo.seed import DEMO_PASSWORD, PIETER
    from portal.payments.service import execute_run

    month, base = world["month"], world["base"]

    # 1. The organisation's software reads the agreement and prepares last month's sheet, on
    #    the budget that covers the month.
    agreement = api(world, "GET", f"/agreements/{world['agreement_id']}")
    assert agreement["holder_name"] == "Pieter Bakker"
    grant_id = next(c["grant_id"] for c in agreement["care"]
                    if c["period_start"] <= month.isoformat() <= c["period_end"])
    answer = api(world, "POST", "/sheets", {"sheets": [{
        "agreement_id": world["agreement_id"], "month": f"{month:%Y-%m}",
        "lines": [{"day": month.replace(day=d).isoformat(), "care_kind": "huishoudelijke_hulp",
                   "quantity": 120, "grant_id": grant_id} for d in (8, 15)]}]})
    result = answer["results"][0]
    assert result["outcome"] == "created", result
    sheet = result["sheet"]
    assert sheet["status"] == "wacht_op_akkoord" and sheet["total_cents"] == 4 * TARIFF_CENTS

    # 2. Pieter Bakker approves it in the portal.
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    log_in(page, base, PIETER.email, DEMO_PASSWORD)
    press(page, menu.get_by_role("link", name="Urenbriefjes"))
    waiting = page.get_by_role("region", name="Wacht op uw akkoord")
    press(page, waiting.get_by_role("link",
                                    name=f"Urenbriefje {format_month(month)} van {ORGANISATION}"))
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
    assert api(world, "GET", f"/sheets/{sheet['id']}")["status"] == "ingediend"

    # 3. The payment run (the same use case as the office's button and `portal run-payments`).
    with world["app"].app_context(), transaction():
        outcome = execute_run(None, today())
        assert outcome.run is not None
        run_reference = outcome.run.reference

    # 4. The API shows it paid, with the payment's reference, and in the specification.
    paid = api(world, "GET", f"/sheets/{sheet['id']}")
    assert paid["status"] == "uitbetaald" and paid["paid_on"] == today().isoformat()
    assert paid["payment_reference"].startswith(run_reference)
    payments = api(world, "GET", "/payments")["items"]
    assert [line["claim_reference"] for p in payments for line in p["lines"]] == [
        sheet["reference"]]

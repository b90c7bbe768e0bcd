"""Machtigingen in a real Chromium, on the demo data.

Anna Jansen (budget holder) gives Fatima Ouali (Per Saldo advisor) view-only access. Fatima
logs in in two steps, finds Anna under 'Mijn klanten', opens her file and an hour sheet that
waits for approval: she sees it, but there is no approve button. Anna revokes; Fatima's next
request for Anna's page answers 404, and Anna reads Fatima's visits on 'Wie heeft mijn
gegevens bekeken of gewijzigd'. An axe check on every page visited. The journey changes the
demo, so it runs on a portal and a database of its own.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import account_link, assert_accessible, fill_date, log_out
from e2e.helpers import log_in_demo as log_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(demo_server):
    """The demo on its own SQLite file (conftest's demo_server). Fatima's demo authorisation is
    revoked first, so that the journey can grant her one through the page."""
    from sqlalchemy import select

    from portal.access.authorizations import revoke_authorization
    from portal.access.models import Authorization
    from portal.access.service import find_user_by_email
    from portal.claims.models import Claim
    from portal.database import transaction
    from portal.dates import now
    from portal.demo.seed import ANNA, FATIMA
    from portal.extensions import db

    base, app = demo_server
    with app.app_context():
        with transaction():
            anna = find_user_by_email(ANNA.email)
            fatima = find_user_by_email(FATIMA.email)
            for auth in db.session.scalars(select(Authorization).where(
                    Authorization.grantee_id == fatima.id, Authorization.revoked_at.is_(None))):
                revoke_authorization(anna, auth.id, now=now())
        from portal.agreements.models import Agreement

        waiting = db.session.scalar(
            select(Claim.id).join(Agreement, Agreement.id == Claim.agreement_id)
            .where(Agreement.household_id == anna.household_id,
                   Claim.status == "wacht_op_akkoord").limit(1))
        info = {"household_id": anna.household_id, "waiting_claim_id": waiting}
        db.session.remove()
    return {"base": base, **info}


def test_grant_view_only_then_revoke_and_read_the_log(page: Page, demo):
    from portal.dates import today
    from portal.demo.seed import ANNA, FATIMA

    base = demo["base"]
    household_page = f"{base}/huishoudens/{demo['household_id']}/budget"
    sheet_page = f"{base}/urenbriefjes/{demo['waiting_claim_id']}"
    assert demo["waiting_claim_id"], "the demo has a sheet waiting for Anna's approval"

    # 1. Anna gives Fatima view-only access.
    log_in(page, base, ANNA)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Machtigingen").click()
    expect(page.get_by_role("heading", level=1, name="Machtigingen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("E-mailadres van de persoon").fill(FATIMA.email)
    page.get_by_label("Alleen bekijken").check()
    ends = today() + dt.timedelta(days=60)
    fill_date(page, "Tot en met welke datum?", ends)
    page.get_by_role("button", name="Machtiging geven").click()
    expect(page.get_by_role("status").filter(has_text="Fatima Ouali heeft nu een machtiging")
           ).to_be_visible()
    expect(page.get_by_role("button", name="Intrekken machtiging van Fatima Ouali")).to_be_visible()
    assert_accessible(page)
    # The control: Anna herself is led to the check before the akkoord on the waiting sheet.
    page.goto(sheet_page)
    expect(page.get_by_role("link", name="Controleren en akkoord geven")).to_be_visible()
    log_out(page)

    # 2. Fatima, in two steps, sees Anna under Mijn klanten and opens her file.
    log_in(page, base, FATIMA)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn klanten").click()
    expect(page.get_by_role("heading", level=1, name="Mijn klanten")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Anna Jansen").click()
    expect(page).to_have_url(household_page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    # She sees the waiting sheet, but may not approve it.
    page.goto(sheet_page)
    expect(page.get_by_role("heading", level=1, name=re.compile("^Urenbriefje"))).to_be_visible()
    expect(page.get_by_role("button", name="Akkoord en indienen")).to_have_count(0)
    expect(page.get_by_role("link", name="Controleren en akkoord geven")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # 3. Anna revokes.
    log_in(page, base, ANNA)
    page.goto(f"{base}/huishoudens/{demo['household_id']}/machtigingen")
    page.get_by_role("button", name="Intrekken machtiging van Fatima Ouali").click()
    expect(page.get_by_role("status").filter(has_text="is ingetrokken")).to_be_visible()
    expect(page.get_by_role("button", name="Intrekken machtiging van Fatima Ouali")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # 4. Fatima's next request for Anna's file: 404; Mijn klanten lists Anna as ended.
    log_in(page, base, FATIMA)
    response = page.goto(household_page)
    assert response is not None and response.status == 404
    assert_accessible(page)
    page.goto(f"{base}/mijn-klanten")
    expect(page.get_by_text("Op dit moment heeft niemand u gemachtigd.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Gestopte machtigingen")).to_be_visible()
    expect(page.get_by_role("link", name="Anna Jansen")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    # 5. Anna reads who looked at her file.
    log_in(page, base, ANNA)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Wie bekeek mijn gegevens").click()
    expect(page.get_by_role("heading", level=1,
                            name="Wie heeft mijn gegevens bekeken of gewijzigd")).to_be_visible()
    log_table = page.get_by_role("table")
    expect(log_table.get_by_role("rowheader", name="Fatima Ouali namens Anna Jansen").first
           ).to_be_visible()
    expect(log_table.get_by_text("Bekeek de pagina 'Mijn budget'").first).to_be_visible()
    assert_accessible(page)


def test_two_step_page_and_refused_grant_are_accessible(page: Page, demo):
    from portal.demo.seed import PIETER

    base = demo["base"]
    log_in(page, base, PIETER)
    account_link(page, "Inloggen in twee stappen").click()
    expect(page.get_by_role("img", name="QR-code voor uw authenticator-app")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Aanzetten").click()  # no code typed
    expect(page.get_by_role("alert")).to_contain_text("Vul de code van 6 cijfers")
    assert_accessible(page)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Machtigingen").click()
    page.get_by_role("button", name="Machtiging geven").click()  # nothing filled in
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Kies wat de persoon mag")
    expect(summary).to_contain_text("Vul de datum in waarop de machtiging stopt")
    assert_accessible(page)
    page.get_by_label("E-mailadres van de persoon").fill("niemand@example.nl")
    page.get_by_label("Alleen bekijken").check()
    fill_date(page, "Tot en met welke datum?", dt.date(2020, 1, 1))
    page.get_by_role("button", name="Machtiging geven").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Wij vinden geen account met dit e-mailadres")
    expect(summary).to_contain_text("De einddatum ligt in het verleden")
    expect(page.get_by_label("E-mailadres van de persoon")).to_have_value("niemand@example.nl")
    summary.get_by_role("link", name=re.compile("^Wij vinden geen account")).click()
    expect(page.get_by_label("E-mailadres van de persoon")).to_be_focused()
    assert_accessible(page)

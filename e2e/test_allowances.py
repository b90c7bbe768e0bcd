"""Issue 16 in a real Chromium: Anna (the demo's budget holder) opens the Wlz allowances from
her budget page, gives Thuiszorg De Linde (which worked on a public holiday) a holiday
allowance after a refusal she can act on, and prints her year-end statement. An axe check on
every page visited. The payment office records a claim-back of the free amount that the
holder paid back by bank transfer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, fill_date, log_in_as_office, log_in_demo

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


def _open_holder_claim_back(app) -> str:
    """An open claim-back of Anna's free amount (as claims.free_claim_back records one when
    her Wlz budget ends early): the demo has none, so it is put in directly. Its reference."""
    from sqlalchemy import select

    from portal.budgets.constants import AllowanceKind, Law, Unit
    from portal.budgets.models import Grant, Member
    from portal.claims.constants import ClaimKind, ClaimStatus
    from portal.claims.models import Claim, ClaimLine
    from portal.database import transaction
    from portal.dates import first_of_month, today
    from portal.extensions import db

    with app.app_context(), transaction():
        grant = db.session.scalars(select(Grant).join(Member).where(
            Member.name == "Anna Jansen", Grant.law == Law.WLZ.value,
            Grant.paid_cents >= 12_603).order_by(Grant.period_start.desc())).first()
        member = db.session.get_one(Member, grant.member_id)
        claim = Claim(reference="TV-VB-E2E-1", agreement_id=None, household_id=member.household_id,
                      month=first_of_month(today()), kind=ClaimKind.TERUGVORDERING, sequence=1,
                      status=ClaimStatus.GOEDGEKEURD, total_cents=12_603,
                      correction_reason="Het Wlz-budget van Anna Jansen stopt eerder.")
        claim.lines.append(ClaimLine(day=today(), care_kind=AllowanceKind.VERANTWOORDINGSVRIJ.value,
                                     unit=Unit.DAGDEEL, quantity=1, tariff_cents=12_603,
                                     amount_cents=12_603, grant_id=grant.id))
        db.session.add(claim)
    return "TV-VB-E2E-1"


def test_the_office_records_a_claim_back_paid_back_by_transfer(page: Page, demo_server):
    from portal.dates import today

    base, app = demo_server
    reference = _open_holder_claim_back(app)
    log_in_as_office(page, base)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Terugvorderingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terugvorderingen om te ontvangen")
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Terugvordering {reference}")
    assert_accessible(page)
    fill_date(page, "Ontvangen op", today())
    page.get_by_role("button", name="Terugbetaling vastleggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Vink aan dat u het bankafschrift")
    assert_accessible(page)
    fill_date(page, "Ontvangen op", today())
    page.get_by_label("Ik heb op het bankafschrift gezien").check()
    page.get_by_role("button", name="Terugbetaling vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text(f"terugvordering {reference} is "
                                                       "terugbetaald")
    expect(page.get_by_text("Er zijn geen open terugvorderingen.")).to_be_visible()
    assert_accessible(page)

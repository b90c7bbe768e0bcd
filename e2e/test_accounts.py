"""The payment office makes logins, in a real Chromium on the demo data: a budget holder shared an
agreement with a provider who has no login yet; the office sees the provider under 'Eerst te
doen', makes the login (a refusal first: the e-mail address left empty), the provider follows
the link in the welcome mail (read from the log, where development writes mail), chooses a
password, logs in and sees the agreement. Then the office turns the login off and the provider's
session ends at the next click; 'Wachtwoord wijzigen' for the office itself. An axe check on
every page visited.

The journey adds a household and logins, so it runs on a portal of its own (demo_server).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import account_link, assert_accessible, log_in, log_in_as_office, log_out
from portal.access.views import WRONG_LOGIN
from portal.agreements import signing
from portal.providers.service import create_provider

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-wachtwoord-123"
NOOR = {"name": "Noor Visser", "email": "noor.visser@e2e.pgb"}
CHOSEN = "noor-haar-eigen-wachtwoord"


class MailLog(logging.Handler):
    """The mails the portal writes to its log in development (access.mail.send_mail)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.texts: list[str] = []

    def emit(self, record):
        text = record.getMessage()
        if text.startswith("E-mail (development: not sent)"):
            self.texts.append(text)

    def links_to(self, email: str) -> list[str]:
        return [re.search(r"https?://\S+/wachtwoord-herstellen/[^\s\\]+", t).group(0)
                for t in self.texts if f" to {email} | " in t]


@pytest.fixture(scope="module")
def portal(demo_server):
    """The demo portal, plus a household De Wit whose budget holder shared an agreement with
    Noor Visser, a provider without a login (made through the services); and the mail log."""
    from stdnum.nl import bsn

    from portal.access.service import create_user
    from portal.agreements import service as agreements
    from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
    from portal.agreements.rules import LineInput
    from portal.budgets import service as budgets
    from portal.budgets.constants import CareKind, FunderKind, Law, Unit
    from portal.budgets.models import Funder
    from portal.database import transaction
    from portal.dates import add_months, first_of_month, today
    from portal.extensions import db

    base, app = demo_server
    now = today()
    with app.app_context(), transaction():
        funder = Funder(name="Gemeente Accounts", kind=FunderKind.GEMEENTE)
        db.session.add(funder)
        db.session.flush()
        household = budgets.register_household(None, "De Wit")
        number = next(f"{n:09d}" for n in range(500_000_000, 600_000_000)
                      if bsn.is_valid(f"{n:09d}"))
        member = budgets.register_member(None, household.id, "Lotte de Wit", number,
                                         dt.date(2012, 4, 5), today=now)
        grants = [budgets.register_grant(
            None, member_id=member.id, funder_id=funder.id, law=Law.WMO.value,
            period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
            amount_cents=2_000_000, care_kinds=[CareKind.INDIVIDUELE_BEGELEIDING.value],
            decision_reference=f"WMO-ACC-{year}") for year in (now.year, now.year + 1)]
        holder = create_user("ria.dewit@e2e.pgb", PASSWORD, "budgethouder", "Ria de Wit",
                             household_id=household.id)
        provider = create_provider(holder, kind=ProviderKind.PERSOON,
                                              name=NOOR["name"], iban="NL44RABO0123456789",
                                              email=NOOR["email"])
        start = first_of_month(add_months(now, 1))
        agreement = agreements.create_draft(
            holder, household_id=household.id, provider_id=provider.id,
            model=ModelKind.OPDRACHT, relation=Relation.GEEN, starts_on=start, ends_on=None,
            end_kind=EndKind.GEEN, days_per_week=0, today=now,
            lines=[LineInput(grant_id=grant.id, care_kind=CareKind.INDIVIDUELE_BEGELEIDING,
                             unit=Unit.UUR, tariff_cents=4500, weekly_quantity=120)
                   for grant in grants if grant.period_end >= start])
        signing.share(holder, agreement.versions[-1], now)
        reference = agreement.reference
    mails = MailLog()
    app.logger.addHandler(mails)
    try:
        yield {"base": base, "reference": reference, "mails": mails}
    finally:
        app.logger.removeHandler(mails)


def test_the_office_makes_a_login_and_the_provider_sets_a_password_and_signs_in(
        page: Page, portal, browser):
    base, mails = portal["base"], portal["mails"]
    log_in_as_office(page, base)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inlogaccounts").click()
    expect(page.get_by_role("heading", level=1, name="Inlogaccounts")).to_be_visible()
    todo = page.get_by_role("table", name="Zorgverleners zonder inlog")
    row = todo.get_by_role("row").filter(has_text=NOOR["name"])
    expect(row).to_contain_text("Bij de zorgverlener")
    expect(row).to_contain_text(NOOR["email"])
    assert_accessible(page)

    row.get_by_role("link", name=f"Inlog maken voor {NOOR['name']}").click()
    expect(page.get_by_role("heading", level=1, name="Nieuwe inlog maken")).to_be_visible()
    expect(page.get_by_label("Naam", exact=True)).to_have_value(NOOR["name"])
    expect(page.get_by_label("E-mailadres")).to_have_value(NOOR["email"])
    expect(page.get_by_role("radio", name="Zorgverlener")).to_be_checked()
    expect(page.get_by_label("Zorgverlener (alleen voor een zorgverlener)")).to_have_value(
        re.compile(r"^\d+$"))
    assert_accessible(page)

    # Left empty: refused next to the field, the rest of what was filled in stays.
    page.get_by_label("E-mailadres").fill("")
    page.get_by_role("button", name="Inlog maken en e-mail sturen").click()
    expect(page.get_by_role("alert")).to_contain_text("Vul het e-mailadres in")
    expect(page.get_by_label("Naam", exact=True)).to_have_value(NOOR["name"])
    expect(page.get_by_role("radio", name="Zorgverlener")).to_be_checked()
    assert mails.links_to(NOOR["email"]) == []
    assert_accessible(page)

    page.get_by_label("E-mailadres").fill(NOOR["email"])
    page.get_by_role("button", name="Inlog maken en e-mail sturen").click()
    expect(page.get_by_role("status").filter(has_text=f"De inlog voor {NOOR['name']} is gemaakt")
           ).to_be_visible()
    listed = page.get_by_role("table", name=re.compile(r"inlog\(s\) met"))
    expect(listed.get_by_role("row").filter(has_text=NOOR["email"])).to_contain_text(
        "Wacht op wachtwoord")
    expect(page.get_by_role("table", name="Zorgverleners zonder inlog")).to_have_count(0)
    assert_accessible(page)
    log_out(page)

    (link,) = mails.links_to(NOOR["email"])
    assert link.startswith(f"{base}/wachtwoord-herstellen/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Kies een wachtwoord")).to_be_visible()
    expect(page.get_by_text(f"Welkom bij het PGB-portaal, {NOOR['name']}")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(CHOSEN)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(CHOSEN)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Uw wachtwoord is opgeslagen")
           ).to_be_visible()

    log_in(page, base, NOOR["email"], CHOSEN)
    expect(page.get_by_role("heading", level=1, name="Mijn overeenkomsten")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Ria de Wit ({portal['reference']})")
           ).to_be_visible()
    assert_accessible(page)

    # The office turns Noor's login off (in its own browser); her next click ends her session.
    office = browser.new_context()
    try:
        office_page = office.new_page()
        log_in_as_office(office_page, base)
        office_page.goto(f"{base}/betaalkantoor/inlogaccounts?zoek=noor")
        office_page.get_by_role("button", name=f"Inlog uitzetten van {NOOR['name']}").click()
        expect(office_page.get_by_role("status").filter(
            has_text=f"De inlog van {NOOR['name']} staat uit")).to_be_visible()
        assert_accessible(office_page)
    finally:
        office.close()
    page.reload()
    expect(page).to_have_url(re.compile(r"/inloggen"))
    page.get_by_label("E-mailadres").fill(NOOR["email"])
    page.get_by_label("Wachtwoord").fill(CHOSEN)
    page.get_by_label("Wachtwoord").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(WRONG_LOGIN)


def test_the_office_changes_its_own_password(page: Page, portal):
    from portal.demo.seed import BEHEERDER, DEMO_PASSWORD

    base = portal["base"]
    log_in_as_office(page, base)
    account_link(page, "Wachtwoord wijzigen").click()
    expect(page.get_by_role("heading", level=1, name="Wachtwoord wijzigen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Huidig wachtwoord").fill("niet-het-wachtwoord")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("een-nieuw-wachtwoord")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("een-nieuw-wachtwoord")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Uw huidige wachtwoord klopt niet")
    assert_accessible(page)
    page.get_by_label("Huidig wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("een-nieuw-wachtwoord")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("een-nieuw-wachtwoord")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_role("status").filter(has_text="Uw wachtwoord is gewijzigd")).to_be_visible()
    assert_accessible(page)
    log_out(page)
    log_in(page, base, BEHEERDER.email, "een-nieuw-wachtwoord", BEHEERDER.totp_secret,
           check_code_page=False)

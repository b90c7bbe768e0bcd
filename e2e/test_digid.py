"""Logging in with DigiD and eHerkenning in a real browser, through the portal's own OpenID
Connect test provider ('Test-DigiD - geen echte inlog') on 127.0.0.1: real discovery, real signed
tokens. Anna (budget holder) sees her budgets; Kees (her representative) finds her file;
Thuiszorg De Linde logs in with eHerkenning and sees its payments. axe on every page, the test
provider's pages too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, make_demo_app, serving


@pytest.fixture(scope="module")
def digid_server(tmp_path_factory):
    """The demo portal with DigiD and eHerkenning through the test provider: (base, app)."""
    from portal.config import oidc_schemes
    from portal.identity.testprovider import running

    with running() as (_provider, provider_base):
        app = make_demo_app(tmp_path_factory.mktemp("e2e-digid"))
        app.config["PORTAL_OIDC_SCHEMES"] = oidc_schemes(
            {"PORTAL_OIDC_TEST_PROVIDER": provider_base}, "development")
        with serving(app) as base:
            yield base, app


def _at_test_provider(page: Page, scheme_label: str, number: str, name: str | None = None):
    """At the test provider's page: check it, type the number (and a name), log in."""
    expect(page.get_by_text(re.compile(rf"Test-{scheme_label} - geen echte inlog"))).to_be_visible()
    expect(page.get_by_role("heading", level=1,
                            name=f"Inloggen met Test-{scheme_label}")).to_be_visible()
    assert_accessible(page)
    label = "Burgerservicenummer (BSN)" if scheme_label == "DigiD" else "KvK-nummer"
    page.get_by_label(label).fill(number)
    if name:
        page.get_by_label("Uw naam (mag leeg)").fill(name)
    page.get_by_role("button", name="Inloggen").click()


def _start(page: Page, base: str, scheme_label: str) -> None:
    page.goto(f"{base}/inloggen")
    expect(page.get_by_role("heading", level=1, name="Inloggen")).to_be_visible()
    assert_accessible(page)
    # e-mail and password stay, below the buttons
    expect(page.get_by_label("E-mailadres")).to_be_visible()
    page.get_by_role("link", name=f"Inloggen met {scheme_label}").click()


def test_anna_logs_in_with_digid_and_sees_her_budgets(page: Page, digid_server):
    from portal.demo.seed import ANNA

    base, _app = digid_server
    _start(page, base, "DigiD")
    _at_test_provider(page, "DigiD", ANNA.bsn)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn budget")
    assert ANNA.bsn not in page.url
    overview = page.get_by_role("table", name="Uw budgetten per gezinslid en per wet, en het totaal")
    expect(overview.get_by_role("row", name=re.compile(r"^Sara Jansen, Wmo")).first).to_be_visible()
    expect(page.get_by_text("Anna Jansen").first).to_be_visible()
    assert_accessible(page)
    # Logging out ends the session at the test provider too, and comes back to the login page.
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/inloggen"))
    expect(page.get_by_role("status").filter(has_text="U bent uitgelogd")).to_be_visible()
    assert_accessible(page)


def test_kees_logs_in_with_digid_and_finds_annas_file(page: Page, digid_server):
    from portal.demo.seed import KEES

    base, _app = digid_server
    _start(page, base, "DigiD")
    _at_test_provider(page, "DigiD", KEES.bsn)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn klanten").click()
    expect(page.get_by_role("heading", level=1, name="Mijn klanten")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Anna Jansen").click()
    expect(page).to_have_url(re.compile(r"/huishoudens/\d+/budget$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile("Sara Jansen")).first).to_be_visible()
    assert_accessible(page)


def test_an_unknown_bsn_gets_the_we_do_not_know_you_page(page: Page, digid_server):
    base, _app = digid_server
    _start(page, base, "DigiD")
    _at_test_provider(page, "DigiD", "777888993")
    expect(page.get_by_role("heading", level=1,
                            name="Wij kennen u nog niet als budgethouder")).to_be_visible()
    expect(page.get_by_role("link", name="Naar de inlogpagina")).to_be_visible()
    assert "777888993" not in page.content()
    assert_accessible(page)


def test_de_linde_logs_in_with_eherkenning_and_sees_its_payments(page: Page, digid_server):
    base, _app = digid_server
    _start(page, base, "eHerkenning")
    _at_test_provider(page, "eHerkenning", "30123456", name="Jan Planner")
    expect(page.get_by_role("heading", level=1, name="Mijn overeenkomsten")).to_be_visible()
    expect(page.get_by_text("Jan Planner").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Betalingen").click()
    expect(page.get_by_role("heading", level=1, name="Betalingen")).to_be_visible()
    spec = page.get_by_role("table", name=re.compile(r"^Specificatie van betaling PGB-"))
    expect(spec.first).to_be_visible()
    expect(spec.first.get_by_role("cell", name=re.compile("^(Anna Jansen|Pieter Bakker)$"))
           ).not_to_have_count(0)
    assert_accessible(page)


def test_cancelling_at_the_provider_shows_a_dutch_page_and_no_session(page: Page, digid_server):
    base, _app = digid_server
    _start(page, base, "DigiD")
    expect(page.get_by_role("heading", level=1, name="Inloggen met Test-DigiD")).to_be_visible()
    page.get_by_role("button", name="Annuleren").click()
    expect(page.get_by_role("heading", level=1, name="U bent niet ingelogd")).to_be_visible()
    expect(page.get_by_text(re.compile("het inloggen met DigiD is afgebroken"))).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    assert_accessible(page)

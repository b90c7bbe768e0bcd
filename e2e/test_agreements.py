"""Agreement journey in Chromium: the demo budget holder makes an agreement through the wizard,
shares it, takes it back to correct it and shares it again, the provider signs, the budget
holder signs; then the paper route: a renamed .exe is refused, a signed PDF is accepted and can
be downloaded. axe on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, log_in, log_out, pdf_file
from portal.providers.service import create_provider

pytestmark = pytest.mark.e2e

PROVIDER_EMAIL = "oma.e2e@example.nl"
PROVIDER_PASSWORD = "e2e-oma-wachtwoord-1"


def save_and_next(page: Page) -> None:
    page.get_by_role("button", name="Opslaan en verder").click()


def provider_login_for(portal_app, name: str) -> None:
    """The provider has no account yet (providers are registered by the budget holder); the
    payment office would make one. Here the test does, through the access service."""
    from sqlalchemy import select

    from portal.access.service import create_user
    from portal.database import transaction
    from portal.extensions import db
    from portal.providers.models import Provider

    with portal_app.app_context(), transaction():
        provider = db.session.scalar(select(Provider).where(Provider.name == name))
        create_user(PROVIDER_EMAIL, PROVIDER_PASSWORD, "zorgverlener", name,
                    provider_id=provider.id)


def test_agreement_wizard_signing_and_paper(page: Page, live_server, portal_app, demo, tmp_path):
    base = live_server
    log_in(page, base, demo["email"], demo["password"])

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Zorgovereenkomsten").click()
    expect(page.get_by_role("heading", level=1, name="Zorgovereenkomsten")).to_be_visible()
    expect(page.get_by_role("table", name="Uw zorgovereenkomsten")).to_contain_text("Marieke de Boer")
    assert_accessible(page)

    # Step 1: the model.
    page.get_by_role("link", name="Nieuwe zorgovereenkomst maken").click()
    assert_accessible(page)
    page.get_by_role("button", name="Verder").click()  # nothing chosen: refused, explained
    expect(page.get_by_role("alert")).to_contain_text("Kies een model overeenkomst.")
    assert_accessible(page)
    page.get_by_role("radio", name="Zorgovereenkomst met familie of partner").check()
    page.get_by_role("button", name="Verder").press("Enter")

    # Step 2: a new provider (a grandparent); the draft is saved from here on.
    expect(page.get_by_role("heading", name="Stap 2: de zorgverlener")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Naam van de zorgverlener").fill("Oma Jansen")
    page.get_by_label("IBAN (rekeningnummer van de zorgverlener)").fill("NL63TRIO0212345678")
    page.get_by_label("E-mailadres van de zorgverlener (niet verplicht)").fill(PROVIDER_EMAIL)
    page.get_by_label("Wat is de zorgverlener van degene die de zorg krijgt?").select_option(
        label="Grootouder")
    save_and_next(page)

    # Step 3: the budget (Daan, Jeugdwet): one choice, whatever the years it is granted for
    # (the period step's dates pick the years; until then it starts next month).
    expect(page.get_by_role("heading", name="Voor wie en uit welk budget")).to_be_visible()
    assert_accessible(page)
    from portal.dates import add_months, today

    year = add_months(today(), 1).year
    daan = page.get_by_role("checkbox", name=re.compile(r"^Daan Jansen - Jeugdwet "))
    expect(daan).to_have_count(1)
    expect(daan).to_have_accessible_name(re.compile(rf"toegekend voor .*{year}"))
    daan.check()
    save_and_next(page)

    # Step 4: kind of care and tariff; only the kinds Daan's budget allows.
    expect(page.get_by_role("heading", name="Soorten zorg en tarieven")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Huishoudelijke hulp")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("checkbox", name="Individuele begeleiding").check()
    page.get_by_label("Tarief voor individuele begeleiding in euro").fill("24,00")
    save_and_next(page)

    # Step 5: hours per week (a wrong format first: refused next to the field).
    expect(page.get_by_role("heading", name="Uren per week")).to_be_visible()
    hours = page.get_by_label(re.compile(r"^Individuele begeleiding voor Daan Jansen"))
    hours.fill("drie")
    save_and_next(page)
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Schrijf de uren als uren:minuten").first).to_be_visible()
    assert_accessible(page)
    hours.fill("3:00")
    save_and_next(page)

    # Step 6: the period.
    expect(page.get_by_role("heading", name="De periode")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Zonder einddatum").check()
    save_and_next(page)

    # Step 7: cost next to what is available, then share.
    expect(page.get_by_role("table", name=re.compile("Wat de overeenkomst kost"))).to_contain_text(
        "Daan Jansen")
    assert_accessible(page)
    page.get_by_role("button", name="Delen met zorgverlener").click()
    expect(page.get_by_text("De overeenkomst is gedeeld met Oma Jansen")).to_be_visible()
    assert_accessible(page)
    agreement_url = page.url

    # Taken back to correct it: a check page first, then the wizard; then shared again.
    page.get_by_role("link", name="Terughalen bij de zorgverlener om aan te passen").click()
    expect(page.get_by_role("heading", level=1,
                            name="Overeenkomst terughalen bij Oma Jansen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Terughalen en aanpassen").click()
    expect(page.get_by_text("De overeenkomst is teruggehaald bij Oma Jansen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Delen met zorgverlener").click()
    expect(page.get_by_text("De overeenkomst is gedeeld met Oma Jansen")).to_be_visible()
    log_out(page)

    # The provider completes (a new IBAN) and signs.
    provider_login_for(portal_app, "Oma Jansen")
    log_in(page, base, PROVIDER_EMAIL, PROVIDER_PASSWORD)
    page.goto(agreement_url)
    assert_accessible(page)
    page.get_by_role("link", name="Controleren en ondertekenen").click()
    assert_accessible(page)
    page.get_by_label("Uw IBAN (hierop betaalt het betaalkantoor)").fill("NL20INGB0001234567")
    page.get_by_role("button", name="Verder naar controleren").click()
    # The check page: what will be signed, with the new IBAN; the button at the end.
    expect(page.get_by_role("heading", level=1, name="Controleer de overeenkomst")).to_be_visible()
    expect(page.get_by_text("NL20INGB0001234567")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("checkbox", name="Ik heb de overeenkomst gelezen en ga ermee akkoord").check()
    page.get_by_role("button", name="Ondertekenen", exact=True).click()
    expect(page.get_by_text("U heeft de overeenkomst ondertekend").first).to_be_visible()
    expect(page.get_by_role("heading", name="Wat gebeurt er nu?")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # The budget holder sees the change highlighted and signs: it goes to the funder.
    log_in(page, base, demo["email"], demo["password"])
    page.goto(agreement_url)
    page.get_by_role("link", name="Controleren en ondertekenen").click()
    # The check page: the cost and each budget after it, the sign button at the end.
    expect(page.locator("mark")).to_have_text("NL20INGB0001234567")
    expect(page.get_by_role("heading", name="Budget na deze overeenkomst")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("checkbox", name="Ik heb de overeenkomst gelezen en ga ermee akkoord").check()
    page.get_by_role("button", name="Ondertekenen").click()
    expect(page.get_by_text("Wacht op beoordeling").first).to_be_visible()
    next_steps = page.get_by_role("region", name="Wat gebeurt er nu?")
    expect(next_steps).to_contain_text("ligt nu bij")
    assert_accessible(page)

    # Paper route on a second concept (complete, made through the service: the wizard is above).
    second_url = _second_concept(portal_app, base)
    page.goto(second_url)
    page.get_by_role("link", name=re.compile("Upload de scan")).click()
    assert_accessible(page)
    fake = tmp_path / "overeenkomst.pdf"
    fake.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 500)  # a Windows program, renamed
    page.get_by_label(re.compile("De ondertekende overeenkomst")).set_input_files(str(fake))
    page.get_by_role("button", name="Uploaden").click()
    file_input = page.get_by_label(re.compile("De ondertekende overeenkomst"))
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#file-error")).to_contain_text("Dit bestand is geen PDF")
    assert_accessible(page)
    file_input.set_input_files(pdf_file(tmp_path / "getekend.pdf"))
    page.get_by_role("button", name="Uploaden").click()
    expect(page.get_by_text("De ondertekende overeenkomst is ontvangen")).to_be_visible()
    link = page.get_by_role("link", name="getekend.pdf")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "getekend.pdf"


def _second_concept(portal_app, base: str) -> str:
    from sqlalchemy import select

    from portal.access.service import find_user_by_email
    from portal.agreements import service
    from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
    from portal.agreements.rules import LineInput
    from portal.budgets.constants import CareKind, Unit
    from portal.budgets.models import Grant, Member
    from portal.database import transaction
    from portal.dates import add_months, first_of_month, today
    from portal.demo.seed import ANNA
    from portal.extensions import db

    with portal_app.app_context(), transaction():
        anna = find_user_by_email(ANNA.email)
        starts_on = first_of_month(add_months(today(), 1))
        grant = db.session.scalar(  # the budget of the year the agreement starts in
            select(Grant).join(Member, Member.id == Grant.member_id)
            .where(Member.name == "Sara Jansen", Grant.law == "wmo",
                   Grant.period_start <= starts_on, Grant.period_end >= starts_on))
        provider = create_provider(anna, kind=ProviderKind.PERSOON, name="Bas Zzp",
                                           iban="NL02ABNA0123456789")
        agreement = service.create_draft(
            anna, household_id=anna.household_id, provider_id=provider.id,
            model=ModelKind.OPDRACHT, relation=Relation.GEEN, starts_on=starts_on,
            ends_on=None, end_kind=EndKind.GEEN, days_per_week=1, today=today(),
            lines=[LineInput(grant.id, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 5000, 120)])
        agreement_id = agreement.id
    return f"{base}/overeenkomsten/{agreement_id}"

"""The consulent and the provider in a real Chromium, on the demo data.

1. The consulent of Gemeente Utrecht logs in in two steps, finds Youssef's change awaiting
   review, first forgets the reason (the page says what is missing), then refuses it with a
   reason; the budget holder (Anna) reads that reason in Berichten.
2. The consulent's grant pages (list, form, CSV import) render and are accessible.
3. A provider (Thuiszorg De Linde) sees a paid sheet with its payment reference on its
   overview, and the same reference in the payment specification.
An axe check on every page visited. The journey changes the demo (it refuses a version), so it
runs on a portal and a database of its own.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, log_out
from e2e.helpers import log_in_demo as log_in

pytestmark = pytest.mark.e2e

REASON = "Het aantal uren begeleiding past niet bij de beschikking. Verlaag de uren per week."


def test_consulent_refuses_with_a_reason_and_the_budget_holder_reads_it(page: Page, demo_server):
    from portal.demo.seed import ANNA, CONSULENT_UTRECHT

    base, app = demo_server
    log_in(page, base, CONSULENT_UTRECHT)

    # The consulent's start page is the review queue.
    expect(page.get_by_role("heading", level=1, name="Te beoordelen")).to_be_visible()
    queue = page.get_by_role("table", name=re.compile(r"wachten op beoordeling$"))
    change = queue.get_by_role("link", name=re.compile(r"\(wijziging, versie 2\)$"))
    expect(change).to_have_count(1)
    reference = change.inner_text().split(" ")[0]
    expect(queue.get_by_role("row").filter(has_text="Youssef El Amrani")).to_have_count(1)
    assert_accessible(page)

    change.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Zorgovereenkomst {reference} beoordelen")
    expect(page.get_by_role("table", name="Zorg en tarieven in deze versie")).to_be_visible()
    assert_accessible(page)

    # Refusing without a reason: the page says what is missing, next to the field.
    page.get_by_role("button", name="Afkeuren").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Schrijf bij een afkeuring wat er niet goed is")
    reason = page.get_by_label("Reden van afkeuren")
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    reason.fill(REASON)
    page.get_by_role("button", name="Afkeuren").click()
    # The check page: the decision, the reason and the budgets; the confirm button at the end.
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw besluit: afkeuren")
    expect(page.get_by_text(REASON)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Afkeuren bevestigen").click()
    expect(page.get_by_role("status").filter(has_text=f"zorgovereenkomst {reference} afgekeurd")
           ).to_be_visible()
    expect(page.get_by_role("region", name="Wat gebeurt er nu?")).to_contain_text(
        "De overeenkomst is afgekeurd")
    assert_accessible(page)
    page.get_by_role("link", name="Terug naar te beoordelen").click()
    expect(page.get_by_role("link", name=re.compile(re.escape(reference)))).to_have_count(0)
    assert_accessible(page)

    # The grant pages of the consulent.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Toekenningen").click()
    expect(page.get_by_role("heading", level=1, name="Toekenningen van Gemeente Utrecht")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Budget registreren").click()
    page.get_by_label("Burgerservicenummer (BSN) van het gezinslid").fill("123456782")
    page.get_by_role("button", name="Gezinslid opzoeken").click()
    expect(page.get_by_role("status").filter(has_text="Gevonden: D. J.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Budget registreren").click()  # the rest is still empty
    expect(page.get_by_role("alert")).to_contain_text("Vul de begindatum in")
    assert_accessible(page)
    page.goto(f"{base}/verstrekker/toekenningen/importeren")
    expect(page.get_by_role("table", name="De kolommen")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # The budget holder reads the reason in Berichten.
    log_in(page, base, ANNA)
    # Berichten is the link in the page header, with the unread count.
    page.get_by_role("banner").get_by_role("link", name=re.compile("^Berichten")).click()
    expect(page.get_by_role("heading", level=1, name="Berichten")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Zorgovereenkomst {reference} is afgekeurd").click()
    expect(page.get_by_text(REASON)).to_be_visible()
    assert_accessible(page)


def test_provider_sees_a_paid_sheet_with_its_reference(page: Page, demo_server):
    from portal.demo.seed import LINDE

    base, _app = demo_server
    log_in(page, base, LINDE)

    expect(page.get_by_role("heading", level=1, name="Mijn overeenkomsten")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Pieter Bakker"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Anna Jansen"))).to_be_visible()
    paid = page.get_by_text(re.compile(r"^Uitbetaald op \d+ \w+ \d{4} met kenmerk PGB-\d{8}-\d{4}-\d{3}$"))
    expect(paid.first).to_be_visible()
    reference = paid.first.inner_text().rsplit(" ", 1)[1]
    expect(page.get_by_text("Wacht op akkoord van de budgethouder").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Betalingen").click()
    expect(page.get_by_role("heading", level=1, name="Betalingen")).to_be_visible()
    spec = page.get_by_role("table", name=f"Specificatie van betaling {reference}")
    expect(spec).to_be_visible()
    # each line names the budget holder the sheet was for (De Linde works for both households)
    expect(spec.get_by_role("cell", name=re.compile("^(Anna Jansen|Pieter Bakker)$"))).not_to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\*{4} \d{4}$")).first).to_be_visible()
    assert_accessible(page)

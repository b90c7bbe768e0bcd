"""The payment office in a real Chromium, on the demo data: log in in two steps, preview and run
a payment run, see the run's payments, download the SEPA file (valid pain.001.001.03), and look
up a paper hour sheet by its reference. An axe check on every page visited.

The journey changes the demo (it pays the approved sheets), so it runs on a portal and a
database of its own instead of the shared e2e one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, log_in_as_office

pytestmark = pytest.mark.e2e

# Our pinned copy of the official schema, not the one inside sepaxml (which writes the file).
XSD = Path(__file__).resolve().parent.parent / "tests" / "payments" / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture(scope="module")
def office_server(demo_server):
    """A portal with the demo loaded, on its own SQLite file (conftest's demo_server)."""
    return demo_server[0]


def test_office_previews_runs_and_downloads_the_sepa_file(page: Page, office_server, tmp_path):
    log_in_as_office(page, office_server)

    # The start page of the office is the payment runs page.
    expect(page.get_by_role("heading", level=1, name="Betaalrondes")).to_be_visible()
    preview = page.get_by_role("table", name="Wat de volgende betaalronde betaalt, per zorgverlener")
    expect(preview).to_be_visible()
    expect(preview.get_by_role("rowheader", name="Thuiszorg De Linde B.V.")).to_be_visible()
    earlier = page.get_by_role("table", name="Uitgevoerde betaalrondes, de nieuwste eerst")
    earlier_count = earlier.get_by_role("row").count()
    assert_accessible(page)

    expect(page.get_by_role("button", name="Betaalronde uitvoeren")).to_have_count(0)  # no one click

    # The confirmation: exactly the sheets, transfers and total the run pays.
    page.get_by_role("link", name="Betaalronde voorbereiden").click()
    expect(page.get_by_role("heading", level=1, name="Betaalronde bevestigen")).to_be_visible()
    sheets = page.get_by_role("table", name="Elk urenbriefje dat deze betaalronde betaalt")
    confirmed_references = sorted(sheets.locator("tbody th").all_inner_texts())
    assert confirmed_references
    transfers = page.get_by_role("table", name="Overboekingen van deze betaalronde, per "
                                               "zorgverlener en rekening")
    confirmed_total = transfers.locator("tfoot td").inner_text()
    expect(page.locator("#samenvatting")).to_contain_text(confirmed_total)
    assert_accessible(page)

    page.get_by_role("button", name="Betaalronde uitvoeren").click()

    expect(page).to_have_url(re.compile(r"/betaalkantoor/betaalrondes/\d+$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Betaalronde PGB-\d{8}-\d{4}$"))
    reference = heading.inner_text().removeprefix("Betaalronde ")
    expect(page.get_by_role("status").filter(has_text=f"Betaalronde {reference} is uitgevoerd")
           ).to_be_visible()
    expect(page.locator(".run-facts")).to_contain_text(confirmed_total)  # what was confirmed
    payments = page.get_by_role("table", name="Betalingen in deze betaalronde")
    expect(payments.get_by_role("cell", name="Thuiszorg De Linde B.V.")).to_be_visible()
    payment_rows = payments.get_by_role("row").count() - 1  # minus the header row
    assert payment_rows >= 1
    for claim_reference in confirmed_references:  # every confirmed sheet, and no other
        expect(payments.locator("li", has_text=claim_reference)).to_have_count(1)
    expect(payments.locator("li")).to_have_count(len(confirmed_references))
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="SEPA-bestand downloaden (XML)").click()
    download = info.value
    assert download.suggested_filename == f"{reference}.xml"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    doc = etree.parse(str(saved))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    assert doc.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text == reference
    assert int(doc.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", NS).text) == payment_rows

    # Back to the list: the run is there, and nothing is left to pay (no second run possible).
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Betaalrondes").click()
    expect(page.get_by_text("Er zijn nu geen goedgekeurde urenbriefjes om te betalen.")).to_be_visible()
    expect(page.get_by_role("button", name="Betaalronde uitvoeren")).to_have_count(0)
    expect(earlier.get_by_role("row")).to_have_count(earlier_count + 1)
    expect(earlier.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)


def test_office_enters_a_paper_sheet_by_its_reference(page: Page, office_server):
    log_in_as_office(page, office_server)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Papieren urenbriefje").click()
    expect(page.get_by_role("heading", level=1, name="Papieren urenbriefje invoeren")).to_be_visible()
    assert_accessible(page)

    # A reference that is no reference: the message next to the field.
    page.get_by_label("Kenmerk op het urenbriefje").fill("UB-12")
    page.get_by_role("button", name="Urenbriefje openen").click()
    expect(page.get_by_role("alert")).to_contain_text("is geen kenmerk van een urenbriefje")
    expect(page.get_by_label("Kenmerk op het urenbriefje")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    # Choose the agreement and month by hand: the first agreement, last month.
    agreement = page.get_by_label("Zorgovereenkomst")
    agreement.select_option(index=1)
    from portal.dates import add_months, first_of_month, today

    month = first_of_month(add_months(today(), -1))
    page.get_by_label("Kenmerk op het urenbriefje").fill("")
    page.get_by_label("Maand").fill(f"{month:%Y-%m}")
    page.get_by_role("button", name="Urenbriefje openen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"^Papieren urenbriefje UB-{month:%Y%m}-\d{{6}}$"))
    grid = page.get_by_role("table", name=re.compile("^Zorg per dag in "))
    expect(grid).to_be_visible()
    assert_accessible(page)

    # The demo already has a sheet for that month: the same rule as in the portal refuses it.
    grid.get_by_role("textbox").first.fill("2:30")
    page.get_by_role("button", name="Urenbriefje indienen").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is al een urenbriefje")
    expect(grid.get_by_role("textbox").first).to_have_value("2:30")
    assert_accessible(page)


def test_office_refuses_a_suspended_sheet_with_a_reason(page: Page, office_server):
    log_in_as_office(page, office_server)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Urenbriefjes controleren").click()
    expect(page.get_by_role("heading", level=1, name="Urenbriefjes controleren")).to_be_visible()
    suspended = page.get_by_role("table", name="Urenbriefjes die worden nagekeken, met de reden")
    expect(suspended).to_be_visible()  # the demo has a sheet the office is checking
    assert_accessible(page)

    link = suspended.get_by_role("link").first
    reference = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {reference}")
    expect(page.get_by_role("table", name=re.compile("^Zorg per dag in "))).to_be_visible()
    assert_accessible(page)

    # Refusing needs a reason: the message next to the field, linked from the summary.
    page.get_by_role("button", name="Afkeuren").click()
    expect(page.get_by_role("alert")).to_contain_text("Schrijf de reden op")
    expect(page.get_by_label("Reden")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Reden").fill("Op drie dagen staat meer zorg dan de overeenkomst toestaat. "
                                    "Dien een verbeterd urenbriefje in.")
    page.get_by_role("button", name="Afkeuren").click()
    expect(page.get_by_role("status").filter(has_text=f"Urenbriefje {reference} is afgekeurd")
           ).to_be_visible()
    expect(page.get_by_role("link", name=reference)).to_have_count(0)
    assert_accessible(page)

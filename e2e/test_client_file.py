"""Working in a client's file in a real Chromium (issue 11): the Per Saldo advisor (view only)
reads Anna's file end to end through the file's own menu and sees no action buttons; Kees, her
representative (may act), approves a sheet in her file. An axe check on every page, at the
journey's width and at 320 px (assert_accessible)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, log_in_demo, log_out

pytestmark = pytest.mark.e2e

FILE_MENU = ["Budget", "Zorgovereenkomsten", "Urenbriefjes", "Betalingen", "Berichten"]


def open_annas_file(page: Page) -> None:
    expect(page.get_by_role("heading", level=1, name="Mijn klanten")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Anna Jansen").click()
    expect(page.get_by_role("heading", level=1, name="Budget van Anna Jansen")).to_be_visible()


def action_buttons(page: Page) -> list[str]:
    """The visible buttons of the page's content that change something: a form that only
    shows (a GET form, as the budget page's what-if) is no action."""
    return [name for name in page.locator("main form:not([method='get'])")
            .get_by_role("button").all_inner_texts()
            if name.strip()]


def test_an_advisor_reads_a_clients_file_through_its_menu_without_actions(page: Page,
                                                                          demo_server):
    from portal.demo.seed import FATIMA

    base, _app = demo_server
    log_in_demo(page, base, FATIMA)
    open_annas_file(page)
    bar = page.locator(".client-file")
    expect(bar).to_contain_text("U werkt in het dossier van Anna Jansen")
    expect(bar).to_contain_text("U mag alleen inzien")
    menu = page.get_by_role("navigation", name="Dossier van Anna Jansen")
    expect(page.get_by_role("heading", name="Wat moet Anna Jansen doen?")).to_be_visible()
    assert_accessible(page)
    for label in FILE_MENU:
        menu.get_by_role("link", name=label, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Jansen")
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page")
        assert action_buttons(page) == [], (label, action_buttons(page))
        expect(page.get_by_role("link", name="Nieuwe zorgovereenkomst maken")).to_have_count(0)
        assert_accessible(page)
    expect(menu.get_by_role("link", name="Papier", exact=True)).to_have_count(0)

    # A sheet waiting for Anna's akkoord: the advisor reads it, but cannot approve or refuse.
    menu.get_by_role("link", name="Budget", exact=True).click()
    page.get_by_role("link", name="Bekijk het urenbriefje").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Urenbriefje")
    expect(bar).to_contain_text("Anna Jansen")
    assert action_buttons(page) == []
    assert_accessible(page)

    # Back to the list: the file closes.
    bar.get_by_role("link", name="Terug naar Mijn klanten").click()
    expect(page.get_by_role("heading", level=1, name="Mijn klanten")).to_be_visible()
    expect(page.locator(".client-file")).to_have_count(0)


def test_a_representative_approves_a_sheet_in_a_clients_file(page: Page, demo_server):
    """Kees always goes through the check page (the sheet's own page has no akkoord button),
    approves at its end, and is told what happens next and when the money is expected (the
    next payment run's day, by the portal's own rule). The step is recorded as his, on Anna's
    behalf: in the sheet's history and on Anna's 'Wie bekeek mijn gegevens'."""
    from portal.dates import format_day, today
    from portal.demo.seed import ANNA, KEES
    from portal.payments.rules import next_run_date

    base, _app = demo_server
    log_in_demo(page, base, KEES)
    open_annas_file(page)
    expect(page.locator(".client-file")).to_contain_text("U mag namens Anna Jansen handelen")
    assert_accessible(page)
    waiting = page.get_by_role("region", name="Wat moet Anna Jansen doen?")
    waiting.get_by_role("link", name="Bekijk het urenbriefje").first.click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Urenbriefje \S+ \d{4}$"))
    month_label = heading.inner_text().removeprefix("Urenbriefje ")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Wacht op akkoord")
    reference = facts.locator("dd").nth(1).inner_text()
    # No akkoord on the sheet's own page: only the way to the check page.
    expect(page.get_by_role("button", name=re.compile(r"^Akkoord"))).to_have_count(0)
    assert_accessible(page)

    # The check page: the hours, the amounts and the budget after, the akkoord at the end.
    page.get_by_role("link", name="Controleren en akkoord geven").click()
    expect(heading).to_have_text(f"Controleer het urenbriefje {month_label}")
    expect(page.locator(".client-file")).to_contain_text("Anna Jansen")
    expect(page.get_by_role("heading", name="Gewerkte uren")).to_be_visible()
    expect(page.get_by_role("heading", name="Budget over na dit urenbriefje")).to_be_visible()
    expect(page.locator("main section.check-actions")).to_have_count(1)
    expect(page.locator("main section").last).to_have_class(re.compile(r"\bcheck-actions\b"))
    approve = page.locator("main section.check-actions").get_by_role(
        "button", name="Akkoord en indienen")
    expect(approve).to_have_count(1)
    assert_accessible(page)
    approve.click()

    # The confirmation panel: what happens now, and the next run's day.
    expect(page.get_by_role("status").first).to_contain_text(re.compile(r"akkoord", re.I))
    panel = page.get_by_role("region", name="Wat gebeurt er nu?")
    expect(panel).to_be_visible()
    expected = format_day(next_run_date(today()))
    expect(panel).to_contain_text(re.compile(rf"Verwachte betaaldatum:\s*{re.escape(expected)}"))
    expect(page.locator(".facts .tag")).to_have_text("Ingediend")
    history = page.get_by_role("region", name="Geschiedenis")
    expect(history.locator("li").last).to_contain_text("door Kees Jansen namens Anna Jansen")
    assert_accessible(page)

    # The sheet is submitted and no longer waits in Anna's file.
    page.get_by_role("navigation", name="Dossier van Anna Jansen").get_by_role(
        "link", name="Urenbriefjes", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Urenbriefjes van Anna Jansen")).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row", name=re.compile(re.escape(reference)))
    expect(row.first).not_to_contain_text("Wacht op akkoord")
    log_out(page)

    # Anna reads that Kees gave the akkoord on her behalf.
    log_in_demo(page, base, ANNA)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Wie bekeek mijn gegevens").click()
    expect(page.get_by_role("heading", level=1,
                            name="Wie heeft mijn gegevens bekeken of gewijzigd")).to_be_visible()
    approved = page.get_by_role("table").get_by_role("row").filter(
        has_text=f"Gaf akkoord op urenbriefje {month_label} ({reference}) en diende het in")
    expect(approved).to_have_count(1)
    expect(approved.get_by_role("rowheader")).to_have_text("Kees Jansen namens Anna Jansen")
    assert_accessible(page)

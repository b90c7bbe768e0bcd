"""Working in a client's file in a real Chromium (issue 11): the Per Saldo advisor (view only)
reads Anna's file end to end through the file's own menu and sees no action buttons; Kees, her
representative (may act), approves a sheet in her file. An axe check on every page, at the
journey's width and at 320 px (assert_accessible)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, log_in_demo

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
    from portal.demo.seed import KEES

    base, _app = demo_server
    log_in_demo(page, base, KEES)
    open_annas_file(page)
    expect(page.locator(".client-file")).to_contain_text("U mag namens Anna Jansen handelen")
    assert_accessible(page)
    waiting = page.get_by_role("region", name="Wat moet Anna Jansen doen?") \
        if page.get_by_role("region", name="Wat moet Anna Jansen doen?").count() else page
    waiting.get_by_role("link", name="Bekijk het urenbriefje").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Urenbriefje")
    reference = page.locator("dl.facts dd").nth(1).inner_text()
    assert_accessible(page)
    approve = page.get_by_role("button", name=re.compile(r"^Akkoord"))
    if approve.count() == 0:  # a check page first (the approval's own page)
        page.get_by_role("link", name=re.compile(r"[Cc]ontroleren|[Aa]kkoord")).first.click()
        assert_accessible(page)
        approve = page.get_by_role("button", name=re.compile(r"^Akkoord"))
    approve.first.click()
    expect(page.get_by_role("status").first).to_contain_text(re.compile(r"akkoord", re.I))
    assert_accessible(page)
    # The sheet is submitted and no longer waits in Anna's file.
    page.get_by_role("navigation", name="Dossier van Anna Jansen").get_by_role(
        "link", name="Urenbriefjes", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Urenbriefjes van Anna Jansen")).to_be_visible()
    assert_accessible(page)
    row = page.get_by_role("row", name=re.compile(re.escape(reference)))
    expect(row.first).not_to_contain_text("Wacht op akkoord")

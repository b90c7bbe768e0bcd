"""The budget holder's start page in a real Chromium: log in as the demo budget holder, the
start page shows the seeded figures (compared with household_usage computed here), the chart has
its table, then Berichten (open one) and Betalingen. An axe check on every page visited, and
the pages fit a 320 px wide screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, euro, fits_narrow_screen

pytestmark = pytest.mark.e2e


def usage_now(portal_app, household_id: int):
    from portal.dates import today
    from portal.overview.service import household_usage

    with portal_app.app_context():
        return household_usage(household_id, today())


def test_start_page_messages_and_payments(page: Page, live_server, portal_app, demo):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(demo["email"])
    page.get_by_label("Wachtwoord").fill(demo["password"])
    page.get_by_role("button", name="Inloggen").click()

    # Mijn budget: the seeded figures, per member and law, and the total.
    expect(page).to_have_url(f"{live_server}/huishoudens/{demo['household_id']}/budget")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn budget")
    usage = usage_now(portal_app, demo["household_id"])
    # Four budgets run today; in December next year's, granted already, show too.
    assert len([r for r in usage.rows if not r.next_year and not r.last_year]) == 4
    overview = page.get_by_role("table", name="Uw budgetten per gezinslid en per wet, en het totaal")
    seen: dict[str, int] = {}
    for row in usage.rows:
        u = row.usage
        name = f"{row.member_name}, {row.law_label}"
        line = overview.get_by_role("row", name=re.compile(rf"^{name}")).nth(seen.get(name, 0))
        seen[name] = seen.get(name, 0) + 1
        for cents in (u.granted_cents, u.paid_cents, u.in_progress_cents, u.available_cents,
                      u.committed_cents):
            expect(line).to_contain_text(euro(cents))
    total = overview.get_by_role("row", name=re.compile(r"^Totaal"))
    expect(total).to_contain_text(euro(usage.total.available_cents))
    expect(total).to_contain_text(euro(usage.total.granted_cents))
    expect(page.get_by_role("heading", name="Let op")).to_be_visible()
    expect(page.get_by_text(re.compile(r"wacht op uw akkoord")).first).to_be_visible()
    assert_accessible(page)

    # The chart is an image with a name; its table says the same in numbers.
    charts = page.get_by_role("img", name=re.compile(r"^Staafdiagram: uitgaven per maand"))
    expect(charts).to_have_count(len([r for r in usage.rows if r.monthly_detail]) + 1)
    page.get_by_text("Bekijk als tabel").first.click()
    months = page.get_by_role("table", name="Uitgaven per maand: alle budgetten samen")
    expect(months).to_be_visible()
    first_month, first_cents = usage.monthly_total[0]
    from portal.dates import format_month

    expect(months.get_by_role("row", name=re.compile(f"^{format_month(first_month)}"))) \
        .to_contain_text(euro(first_cents))
    assert_accessible(page)

    page.set_viewport_size({"width": 320, "height": 720})
    assert fits_narrow_screen(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    # Berichten, from the unread count in the header.
    page.get_by_role("link", name=re.compile(r"^Berichten \(\d+ ongelezen\)$")).click()
    expect(page).to_have_url(f"{live_server}/berichten")
    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")
    assert_accessible(page)
    first = page.get_by_role("listitem").filter(has_text="Nieuw").first.get_by_role("link")
    subject = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    assert_accessible(page)
    page.get_by_role("link", name="Terug naar berichten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")

    # Betalingen: per provider what was paid, when, with which reference.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Betalingen").click()
    expect(page).to_have_url(f"{live_server}/huishoudens/{demo['household_id']}/betalingen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Betalingen")
    expect(page.get_by_role("table", name=re.compile(r"^Betaald aan Marieke de Boer"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"PGB-\d{8}-\d{4}-\d{3}")).first).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 720})
    assert fits_narrow_screen(page)

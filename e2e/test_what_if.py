"""The what-if on Mijn budget in a real Chromium (issue 16): the demo budget holder chooses an
agreement, doubles the hours per week and sees, per budget, today's figures next to the changed
ones - before anything is saved. With an axe check on each page and at 320 px; the same steps
again with JavaScript off (a GET form)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, fits_narrow_screen

pytestmark = pytest.mark.e2e

RESULT = "Uitkomst: vandaag en met uw wijziging, per budget"


def _what_if(page: Page, base: str, demo: dict, *, check: bool) -> None:
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(demo["email"])
    page.get_by_label("Wachtwoord").fill(demo["password"])
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/huishoudens/{demo['household_id']}/budget")
    expect(page.get_by_role("heading", name="Wat als u de zorg verandert?")).to_be_visible()

    choose = page.get_by_label("Zorgovereenkomst", exact=True)
    marieke = next(text for text in choose.locator("option").all_inner_texts()
                   if text.startswith("Marieke"))
    choose.select_option(label=marieke)
    page.get_by_role("button", name="Kies deze overeenkomst").click()
    hours = page.get_by_label("Uren per week").first
    expect(hours).to_be_visible()
    if check:
        assert_accessible(page)
    typed = hours.input_value()
    h, m = (int(x) for x in typed.split(":"))
    doubled = 2 * (60 * h + m)
    hours.fill(f"{doubled // 60}:{doubled % 60:02d}")
    page.get_by_role("button", name="Reken uit").click()

    table = page.get_by_role("table", name=RESULT)
    expect(table).to_be_visible()
    today = table.get_by_role("row", name=re.compile(r": vandaag")).first
    changed = table.get_by_role("row", name=re.compile(r": met uw wijziging")).first
    expect(today).to_be_visible()
    expect(changed).to_be_visible()
    assert today.inner_text() != changed.inner_text()  # twice the hours costs more
    expect(page.get_by_label("Uren per week").first).to_have_value(
        f"{doubled // 60}:{doubled % 60:02d}")  # the form keeps what was typed
    if check:
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 720})
        assert fits_narrow_screen(page)


def test_the_holder_sees_what_more_hours_would_cost(page: Page, live_server, demo):
    _what_if(page, live_server, demo, check=True)


def test_the_what_if_works_without_javascript(page_without_js: Page, live_server, demo):
    _what_if(page_without_js, live_server, demo, check=False)

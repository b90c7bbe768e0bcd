"""The payment office's page of API keys in Chromium (issue 13): the demo's keys are listed by
their first characters only; a new key is shown once and works at once; revoking ends it. An
axe check on every page visited."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, fill_date, log_in_as_office, press

pytestmark = pytest.mark.e2e


def status_with(base: str, token: str) -> int:
    request = urllib.request.Request(base + "/api/v1/runs",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request) as answer:
            json.load(answer)
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_office_makes_a_key_shown_once_and_revokes_it(page: Page, demo_server):
    from portal.demo.seed import DEMO_API_KEYS

    base, _app = demo_server
    log_in_as_office(page, base)
    press(page, page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="API-sleutels"))
    expect(page.get_by_role("heading", level=1, name="API-sleutels")).to_be_visible()
    table = page.get_by_role("table", name="Alle API-sleutels")
    expect(table).to_contain_text("Planningssysteem De Linde")
    expect(table).not_to_contain_text(DEMO_API_KEYS["linde"])  # only its first characters
    assert_accessible(page)

    # Refused with the reasons next to the fields; then made.
    press(page, page.get_by_role("button", name="Sleutel maken"))
    expect(page.get_by_text("Geef de sleutel een naam").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Naam van de sleutel").fill("Kasboek")
    page.get_by_label("Voor wie is de sleutel?").select_option(label="Het betaalkantoor zelf")
    page.get_by_label("runs:read").check()
    fill_date(page, "Geldig tot en met", dt.date(2099, 1, 1))
    press(page, page.get_by_role("button", name="Sleutel maken"))
    expect(page.locator("#expires_on-error")).to_contain_text("ten hoogste twee jaar geldig")
    from portal.dates import today

    fill_date(page, "Geldig tot en met", today().replace(year=today().year + 1, day=1))
    press(page, page.get_by_role("button", name="Sleutel maken"))
    token = page.locator("#new-token").inner_text()
    assert token.startswith("pgb_")
    assert_accessible(page)
    assert status_with(base, token) == 200

    # Shown once: the page again has only its first characters.
    page.goto(base + "/betaalkantoor/api-sleutels")
    expect(page.locator("#new-token")).to_have_count(0)
    press(page, table.get_by_role("button", name="Intrekken (Kasboek)"))
    expect(page.get_by_text("De sleutel 'Kasboek' is ingetrokken")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Kasboek")).to_contain_text("Ingetrokken")
    assert_accessible(page)
    assert status_with(base, token) == 401


def test_the_api_documentation_page_is_readable_and_accessible(page: Page, demo_server):
    base, _app = demo_server
    page.goto(base + "/api/v1/docs")
    expect(page.get_by_role("heading", level=1, name="API-documentatie (versie 1)")).to_be_visible()
    expect(page.get_by_role("heading", name="POST /api/v1/sheets")).to_be_visible()
    expect(page.get_by_role("link", name="/api/v1/openapi.json")).to_be_visible()
    assert_accessible(page)

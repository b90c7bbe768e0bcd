"""The idle warning in a real Chromium (static/js/session.js): the hour sheet's live totals talk
to the server and restart the clock, the warning is read out and takes the focus, and "Blijf
ingelogd" renews the session with fetch: the page is not left, what was typed stays, the focus
goes back to the cell, and the sheet still saves (its form got the fresh CSRF token).

The warning comes after 13 minutes; session.js reads data-warning-seconds each time its clock
restarts, so the test sets it to 1 second and waits for the warning itself, never for a clock.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import assert_accessible, euro, log_in
from e2e.helpers import hour_cell as cell

pytestmark = pytest.mark.e2e


def set_warning_after(page: Page, seconds: int) -> None:
    page.locator("#idle-warning").evaluate(
        "(box, s) => box.setAttribute('data-warning-seconds', String(s))", seconds)


def test_blijf_ingelogd_keeps_the_session_without_leaving_the_page(page: Page, live_server,
                                                                     make_household):
    from portal.dates import add_months, first_of_month, format_month, today

    world = make_household("sessie")
    log_in(page, live_server, world["holder"], world["password"])
    month = first_of_month(add_months(first_of_month(today()), -1))
    sheet = f"{live_server}/overeenkomsten/{world['agreement_id']}/urenbriefje/{month:%Y-%m}"
    page.goto(sheet)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Urenbriefje {format_month(month)}")
    warning = page.get_by_role("region", name="U wordt over 2 minuten uitgelogd")
    expect(warning).to_be_hidden()
    page.evaluate("window.samePage = true")  # gone if the page were loaded again

    # Typing updates the totals through the server; that contact restarts the clock, now 1 s.
    set_warning_after(page, 1)
    day = month.replace(day=3)
    cell(page, day).fill("3:00")
    expect(page.locator("#totaal-bedrag")).to_have_text(euro(3 * 5000))

    expect(warning).to_be_visible()
    button = warning.get_by_role("button", name="Blijf ingelogd")
    expect(button).to_be_focused()
    expect(page.locator("#session-status")).to_have_text(
        re.compile(r"^U wordt over 2 minuten uitgelogd\. .*ingelogd blijven"))
    assert_accessible(page)

    # From here on the warning would come back after an hour: nothing races what follows.
    set_warning_after(page, 3600)
    with page.expect_response(re.compile(r"/sessie-verlengen$")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200 and answer.value.json()["csrf_token"]
    expect(warning).to_be_hidden()
    expect(page.locator("#session-status")).to_have_text("U blijft ingelogd.")
    expect(cell(page, day)).to_be_focused()
    expect(cell(page, day)).to_have_value("3:00")
    assert page.url == sheet and page.evaluate("window.samePage === true")
    token = answer.value.json()["csrf_token"]
    assert page.locator('#urenbriefje input[name="csrf_token"]').input_value() == token

    # The sheet saves with the form's fresh token, and the hours typed before the warning.
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.locator(".facts")).to_contain_text("Concept")
    expect(page.locator(".facts")).to_contain_text(euro(3 * 5000))
    assert_accessible(page)



def test_the_end_of_the_session_says_the_limit_the_page_was_given(page: Page, live_server,
                                                                   make_household, portal_app):
    """The words come from data-limit-seconds (the server's limit), not from a number in the
    script: given 120 seconds, the page says 2 minutes. The session ends on the server (the
    payment office turned the login off) and "Blijf ingelogd" finds out: no clock to wait for."""
    from sqlalchemy import select

    from portal.access.models import User
    from portal.database import transaction
    from portal.extensions import db

    world = make_household("sessie-einde")
    log_in(page, live_server, world["holder"], world["password"])
    page.locator("#idle-warning").evaluate(
        "box => box.setAttribute('data-limit-seconds', '120')")
    set_warning_after(page, 0)
    page.evaluate("document.dispatchEvent(new Event('portal:server-contact'))")  # clock restarts
    warning = page.get_by_role("region", name="U wordt over 2 minuten uitgelogd")
    expect(warning).to_be_visible()
    with portal_app.app_context(), transaction():
        db.session.scalar(select(User).where(User.email == world["holder"])) \
            .is_active_account = False
    warning.get_by_role("button", name="Blijf ingelogd").click()
    ended = page.get_by_role("region", name="U bent uitgelogd")
    expect(ended).to_be_visible()
    expect(page.locator("#idle-warning-text")).to_have_text(re.compile(
        r"^U was 2 minuten niet actief\. Voor uw veiligheid bent u uitgelogd\."))
    expect(ended.get_by_role("link", name="Opnieuw inloggen")).to_be_focused()
    assert_accessible(page)

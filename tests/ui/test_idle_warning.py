"""The idle warning in base.html and the keep-alive it talks to (static/js/session.js uses both;
the browser side is tested in e2e/test_session.py)."""

from __future__ import annotations

import datetime as dt

from portal.access.constants import Role
from portal.access.rules import IDLE_LIMIT, IDLE_WARNING
from portal.dates import now
from tests import factories as f
from tests.sessions import session_row, set_session_times
from tests.ui.pagetree import by_id, parse


def logged_in_page(client, login) -> str:
    login(f.make_user(Role.BUDGETHOUDER))
    response = client.get("/start", follow_redirects=True)
    # The budget page, not the login page (which would answer 200 too).
    assert response.status_code == 200 and response.request.path.endswith("/budget")
    return response.get_data(as_text=True)


def test_every_page_of_a_logged_in_user_carries_the_warning_hidden(client, db, login):
    page = parse(logged_in_page(client, login))
    box = by_id(page, "idle-warning")
    assert box is not None and "hidden" in box.attrs
    assert box.attrs["aria-labelledby"] == "idle-warning-title"
    assert box.attrs["data-warning-seconds"] == str(int(IDLE_WARNING.total_seconds()))
    assert box.attrs["data-limit-seconds"] == str(int(IDLE_LIMIT.total_seconds()))
    assert by_id(page, "idle-warning-title").full_text() == "U wordt over 2 minuten uitgelogd"
    assert "ingelogd blijven" in by_id(page, "idle-warning-text").full_text()

    # Without JavaScript an ordinary form: POST with the CSRF token to the keep-alive.
    (form,) = box.all("form")
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/sessie-verlengen"
    assert [i.attrs["name"] for i in form.all("input")] == ["csrf_token"]
    (button,) = form.all("button")
    assert button.attrs["type"] == "submit" and button.full_text() == "Blijf ingelogd"
    login_link = by_id(page, "idle-warning-login")
    assert "hidden" in login_link.attrs and login_link.all("a")[0].attrs["href"] == "/inloggen"

    # The live region the script reads the warning out through, and the script itself.
    status = by_id(page, "session-status")
    assert status.attrs["aria-live"] == "polite" and status.full_text() == ""
    scripts = [s.attrs.get("src") for s in page.all("script")]
    assert "/static/js/session.js" in scripts


def test_the_login_page_has_no_warning_and_no_script(client, db):
    page = parse(client.get("/inloggen").get_data(as_text=True))
    assert by_id(page, "idle-warning") is None
    assert "/static/js/session.js" not in [s.attrs.get("src") for s in page.all("script")]


def _set_last_seen(client, moment: dt.datetime) -> None:
    set_session_times(client, last_seen=moment)


def _last_seen(client) -> dt.datetime:
    return session_row(client).last_seen_at.replace(tzinfo=now().tzinfo)


def test_keep_alive_from_the_script_renews_the_session_and_stays_on_the_page(client, db, login):
    logged_in_page(client, login)
    ten_minutes_ago = now() - dt.timedelta(minutes=10)
    _set_last_seen(client, ten_minutes_ago)
    response = client.post("/sessie-verlengen", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json
    assert response.get_json()["csrf_token"]  # a fresh token for the page's forms
    assert _last_seen(client) > ten_minutes_ago + dt.timedelta(minutes=9)


def test_keep_alive_without_javascript_goes_back_to_the_page(client, db, login):
    logged_in_page(client, login)
    response = client.post("/sessie-verlengen", headers={"Referer": "http://portal.test/berichten"})
    assert response.status_code == 302 and response.headers["Location"] == "/berichten"


def test_keep_alive_after_15_idle_minutes_sends_to_the_login_page_not_json(client, db, login):
    """session.js tells 'already logged out' from a JSON answer by this redirect."""
    logged_in_page(client, login)
    _set_last_seen(client, now() - IDLE_LIMIT - dt.timedelta(seconds=1))
    response = client.post("/sessie-verlengen", headers={"Accept": "application/json"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert client.get("/start").status_code == 302  # and really logged out

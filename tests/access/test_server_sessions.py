"""Sessions live on the server (issue 9, finding 2): the cookie carries only a random id, and
logging out, a new password, the office turning a login off and "Overal uitloggen" end the
session for every copy of the cookie."""

from __future__ import annotations

import pytest

from portal.access import service
from portal.access.constants import Role
from tests import factories as f
from tests.conftest import log_in_client

NEW = "een-nieuw-wachtwoord"


def cookie(client) -> str:
    found = client.get_cookie("session", domain="portal.test")
    assert found is not None
    return found.value


def copy_of(client):
    """Another browser with a copy of `client`'s session cookie (as an attacker would have it)."""
    other = client.application.test_client()
    other.set_cookie("session", cookie(client), domain="portal.test")
    return other


def budget_page(user) -> str:
    return f"/huishoudens/{user.household_id}/budget"


def gets_the_login_page(client, path: str) -> bool:
    response = client.get(path)
    return response.status_code == 302 and "/inloggen" in response.headers["Location"]


@pytest.fixture
def holder(db):
    return f.make_user(Role.BUDGETHOUDER)


def test_a_copied_cookie_opens_the_page_while_the_session_lives(client, holder, login):
    login(holder)
    copy = copy_of(client)
    assert copy.get(budget_page(holder)).status_code == 200


def test_a_cookie_copied_before_logout_gets_the_login_page(client, holder, login):
    login(holder)
    copy = copy_of(client)
    assert client.post("/uitloggen").status_code == 302
    assert gets_the_login_page(copy, budget_page(holder))
    assert gets_the_login_page(client, budget_page(holder))


def test_a_cookie_copied_before_a_password_change_gets_the_login_page(client, holder, login):
    login(holder)
    copy = copy_of(client)
    response = client.post("/account/wachtwoord",
                           data={"current": f.PASSWORD, "password": NEW, "repeat": NEW})
    assert response.status_code == 302
    assert client.get(budget_page(holder)).status_code == 200  # the changing device goes on
    assert gets_the_login_page(copy, budget_page(holder))


def test_a_cookie_copied_before_the_login_is_turned_off_gets_the_login_page(
        client, holder, login):
    office = f.make_user(Role.BEHEERDER)
    login(holder)
    copy = copy_of(client)
    service.set_account_active(office, holder.id, False)
    service.set_account_active(office, holder.id, True)  # on again: the old session stays over
    assert gets_the_login_page(copy, budget_page(holder))
    assert gets_the_login_page(client, budget_page(holder))


def test_the_cookie_is_a_random_id_and_the_database_holds_only_its_hash(client, db, holder,
                                                                      login):
    import hashlib

    from sqlalchemy import select

    from portal.access.models import UserSession

    login(holder)
    value = cookie(client)
    assert "." not in value and len(value) >= 43  # no signed data: 256 random bits
    hashes = db.session.scalars(select(UserSession.token_hash)
                                .where(UserSession.user_id == holder.id)).all()
    assert hashes == [hashlib.sha256(value.encode()).hexdigest()]
    assert value not in hashes


def test_a_second_device_keeps_its_session_when_the_first_logs_out(client, holder, login):
    login(holder)
    other = client.application.test_client()
    log_in_client(other, holder)
    client.post("/uitloggen")
    assert other.get(budget_page(holder)).status_code == 200


# --- 'Waar bent u ingelogd' -------------------------------------------------------------------

SESSIONS = "/account/sessies"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


def device(client, user, user_agent: str):
    """`client` logged in as `user` from a browser that says `user_agent`."""
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    log_in_client(client, user)
    return client


def audit_summaries(db, user) -> list[str]:
    from sqlalchemy import select

    from portal.access.models import AuditEvent

    return list(db.session.scalars(select(AuditEvent.summary)
                                   .where(AuditEvent.actor_id == user.id)
                                   .order_by(AuditEvent.id)))


def test_the_page_lists_every_device_and_marks_this_one(client, db, holder):
    from tests.ui.pagetree import parse

    device(client, holder, FIREFOX)
    device(client.application.test_client(), holder, IPHONE)
    response = client.get(SESSIONS)
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    headers = [th.full_text() for th in page.all("th") if th.attrs.get("scope") == "col"]
    assert headers[:3] == ["Apparaat", "Ingelogd op", "Laatst gebruikt"]
    rows = [th.full_text() for th in page.all("th") if th.attrs.get("scope") == "row"]
    assert sorted(rows) == ["Firefox op Windows (dit apparaat)", "Safari op iPhone"]
    html = response.get_data(as_text=True)
    assert "Uitloggen op alle andere apparaten" in html and "Overal uitloggen, ook hier" in html
    assert f'href="{SESSIONS}"' in html  # in the account menu


def test_ending_one_session_logs_out_that_device_only(client, db, holder):
    from portal.access.session_store import find_session

    device(client, holder, FIREFOX)
    phone = device(client.application.test_client(), holder, IPHONE)
    phone_id = find_session(cookie(phone)).id
    response = client.post(f"{SESSIONS}/{phone_id}/uitloggen")
    assert response.status_code == 302 and response.headers["Location"].endswith(SESSIONS)
    assert gets_the_login_page(phone, budget_page(holder))
    assert client.get(budget_page(holder)).status_code == 200
    assert "Uitgelogd op een apparaat (Safari op iPhone)" in audit_summaries(db, holder)
    assert "Safari op iPhone" not in client.get(SESSIONS).get_data(as_text=True)


def test_someone_elses_session_is_404_and_stays(client, db, holder):
    other = f.make_user(Role.BUDGETHOUDER)
    theirs = device(client.application.test_client(), other, IPHONE)
    from portal.access.session_store import find_session

    their_id = find_session(cookie(theirs)).id
    device(client, holder, FIREFOX)
    assert client.post(f"{SESSIONS}/{their_id}/uitloggen").status_code == 404
    assert client.post(f"{SESSIONS}/999999/uitloggen").status_code == 404
    assert theirs.get(budget_page(other)).status_code == 200


def test_logging_out_everywhere_else_keeps_this_device(client, db, holder):
    device(client, holder, FIREFOX)
    phone = device(client.application.test_client(), holder, IPHONE)
    copy = copy_of(phone)
    response = client.post(f"{SESSIONS}/overal-uitloggen")
    assert response.status_code == 302 and response.headers["Location"].endswith(SESSIONS)
    assert gets_the_login_page(phone, budget_page(holder))
    assert gets_the_login_page(copy, budget_page(holder))
    assert client.get(budget_page(holder)).status_code == 200
    assert "Uitgelogd op alle andere apparaten" in audit_summaries(db, holder)


def test_a_cookie_copied_before_logging_out_everywhere_gets_the_login_page(client, db, holder):
    device(client, holder, FIREFOX)
    copy = copy_of(client)
    phone = device(client.application.test_client(), holder, IPHONE)
    response = client.post(f"{SESSIONS}/overal-uitloggen", data={"ook_hier": "ja"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    for browser in (client, copy, phone):
        assert gets_the_login_page(browser, budget_page(holder))
    assert "Overal uitgelogd" in audit_summaries(db, holder)


def test_the_page_works_with_csrf_on(client, db, holder, app, monkeypatch):
    import re

    device(client, holder, FIREFOX)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"{SESSIONS}/overal-uitloggen").status_code == 400
    html = client.get(SESSIONS).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(f"{SESSIONS}/overal-uitloggen", data={"csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("user_agent, expected", [
    (FIREFOX, "Firefox op Windows"),
    (IPHONE, "Safari op iPhone"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", "Chrome op Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge op Windows"),
    ("curl/8.5.0", "curl/8.5.0"),
    ("", "Onbekend apparaat"),
    ("x" * 500, "x" * 120),
])
def test_the_device_is_described_shortly(user_agent, expected):
    from portal.access.rules import describe_device

    assert describe_device(user_agent) == expected


def test_purge_removes_old_and_anonymous_sessions_only(client, db, holder):
    import datetime as dt

    from sqlalchemy import func, select

    from portal.access.models import UserSession
    from portal.access.session_store import purge_sessions
    from portal.dates import now
    from tests.sessions import set_session_times

    anonymous = client.application.test_client()
    anonymous.get("/inloggen")
    with anonymous.session_transaction() as session:
        session["iets"] = "bewaren"
    device(client, holder, FIREFOX)
    set_session_times(anonymous, last_seen=now() - dt.timedelta(minutes=16))
    live = db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.ended_at.is_(None)))
    assert purge_sessions(now(), dt.timedelta(minutes=15)) == 1
    assert db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.ended_at.is_(None))) == live - 1
    assert client.get(budget_page(holder)).status_code == 200


def test_the_purge_command_says_how_many_it_removed(app, db):
    from portal.cli import purge_sessions_command

    result = app.test_cli_runner().invoke(purge_sessions_command)
    assert result.exit_code == 0 and result.output.strip().endswith("sessies opgeruimd.")


# Two requests with the same cookie at once (a double click): the one that saves last must not
# wipe what the other stored (tests/test_twenty_at_once.py saw "Dit is al gedaan." vanish when
# the request that made the change saved after the repeats).

def test_merging_keeps_the_notices_of_a_request_that_saved_meanwhile():
    from portal.access.rules import merge_session_data

    opened = {"_user_id": "7"}
    ours = {"_user_id": "7", "_flashes": [("info", "De welkomstmail is opnieuw verstuurd.")]}
    stored = {"_user_id": "7", "_flashes": [("info", "Dit is al gedaan.")]}
    merged = merge_session_data(opened, ours, stored)
    assert merged["_flashes"] == [("info", "Dit is al gedaan."),
                                  ("info", "De welkomstmail is opnieuw verstuurd.")]


def test_merging_takes_this_requests_changes_and_keeps_the_others():
    from portal.access.rules import merge_session_data

    opened = {"a": 1, "b": 2, "gone": 3, "_flashes": [("info", "oud")]}
    ours = {"a": 10, "b": 2}  # changed a, removed gone, showed (popped) the old notice
    stored = {"a": 1, "b": 20, "gone": 3, "c": 4,
              "_flashes": [("info", "oud"), ("info", "nieuw van een ander")]}
    assert merge_session_data(opened, ours, stored) == {
        "a": 10, "b": 20, "c": 4, "_flashes": [("info", "nieuw van een ander")]}


def test_two_requests_at_once_with_one_cookie_keep_both_notices(app, client, holder, login):
    login(holder)
    token = cookie(client)
    interface = app.session_interface
    headers = {"Cookie": f"session={token}"}

    def opened():
        with app.test_request_context("/", method="POST", headers=headers) as context:
            return interface.open_session(app, context.request)

    first, second = opened(), opened()
    for session, text in ((second, "Dit is al gedaan."), (first, "Het is gedaan.")):
        session["_flashes"] = [*session.get("_flashes", []), ("info", text)]  # as flash() does
        with app.test_request_context("/", method="POST", headers=headers):
            interface.save_session(app, session, app.response_class())
    assert [m for _, m in opened().get("_flashes", [])] == ["Dit is al gedaan.", "Het is gedaan."]

"""Two-step codes on the server (issue 9, finding 5): a code works once per login, also when
half-finished logins send it at the same moment, and the count of wrong codes belongs to the
login, not to the cookie (replaying an older cookie does not reset it)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from portal.access.constants import Role
from portal.access.rules import MAX_CODE_ATTEMPTS
from tests import factories as f
from tests.access.test_two_step import current_code, logged_in, password_step, wrong_code

PARALLEL = 8


def test_replaying_an_older_cookie_does_not_reset_the_wrong_code_count(client, db):
    advisor = f.make_user(Role.ADVISEUR, totp_secret=pyotp.random_base32())
    password_step(client, advisor)
    fresh = client.get_cookie("session", domain="portal.test").value  # no wrong code yet
    bad = wrong_code(advisor.totp_secret)
    for _ in range(MAX_CODE_ATTEMPTS - 1):
        assert client.post("/inloggen/code", data={"code": bad}).status_code == 422
    replay = client.application.test_client()
    replay.set_cookie("session", fresh, domain="portal.test")
    last = replay.post("/inloggen/code", data={"code": bad})
    assert last.status_code == 302 and last.headers["Location"].endswith("/inloggen")
    # The login is locked for a while: a new password step and the right code do not help.
    again = client.application.test_client()
    password_step(again, advisor)
    response = again.post("/inloggen/code", data={"code": current_code(advisor.totp_secret)},
                          follow_redirects=True)
    assert "opnieuw proberen" in response.get_data(as_text=True)
    assert not logged_in(again)


def test_the_lock_says_when_to_try_again_and_ends_by_itself(client, db, monkeypatch):
    import datetime as dt

    from portal.access import views
    from portal.access.rules import CODE_LOCK
    from portal.dates import now as real_now

    advisor = f.make_user(Role.ADVISEUR, totp_secret=pyotp.random_base32())
    password_step(client, advisor)
    bad = wrong_code(advisor.totp_secret)
    for _ in range(MAX_CODE_ATTEMPTS):
        response = client.post("/inloggen/code", data={"code": bad})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "kunt u het om" in page and "uur opnieuw proberen" in page
    locked = client.application.test_client()
    password_step(locked, advisor)
    refused = locked.post("/inloggen/code", data={"code": current_code(advisor.totp_secret)})
    assert refused.headers["Location"].endswith("/inloggen")
    later = real_now() + CODE_LOCK + dt.timedelta(seconds=1)
    monkeypatch.setattr(views, "now", lambda: later)
    password_step(client, advisor)
    code = pyotp.TOTP(advisor.totp_secret).at(later)
    assert client.post("/inloggen/code", data={"code": code}).status_code == 302
    assert logged_in(client)


@pytest.mark.committing
def test_one_code_sent_by_eight_half_logins_at_once_logs_in_once(app, committing_db):
    db = committing_db
    advisor = f.make_user(Role.ADVISEUR, totp_secret=pyotp.random_base32())
    db.session.commit()
    clients = [app.test_client() for _ in range(PARALLEL)]
    for c in clients:
        assert password_step(c, advisor).headers["Location"].endswith("/inloggen/code")
    code = current_code(advisor.totp_secret)
    db.session.remove()  # the threads' connections only
    barrier = threading.Barrier(PARALLEL)

    def send(c):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                response = c.post("/inloggen/code", data={"code": code})
                return response.status_code, response.headers.get("Location", "")
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        statuses = list(pool.map(send, clients))
    # One gets in; the others are refused: a used code counts as a wrong one, so after
    # MAX_CODE_ATTEMPTS of them the login is locked and the rest start again at the password.
    assert statuses.count((302, "/start")) == 1
    assert all(s in ((422, ""), (302, "/inloggen")) for s in statuses if s != (302, "/start"))

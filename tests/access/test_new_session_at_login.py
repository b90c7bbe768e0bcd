"""A new session at login (no session fixation): nothing of the session from before the login
survives it, with the password alone and with the two-step code. (That the session ends after
15 idle minutes is tested in test_login.py.)"""

from __future__ import annotations

import pyotp

from portal.access.constants import Role
from portal.access.rules import totp_step
from portal.dates import now
from tests import factories as f
from tests.factories import PASSWORD

PLANTED = "planted-before-login"


def plant(client) -> str:
    """A value in the session before login (as an attacker's prepared cookie would carry),
    and the cookie that holds it."""
    client.get("/inloggen")
    with client.session_transaction() as session:
        session[PLANTED] = "van voor het inloggen"
    return cookie(client)


def cookie(client) -> str:
    found = client.get_cookie("session", domain="portal.test")
    assert found is not None
    return found.value


def session_keys(client) -> set[str]:
    with client.session_transaction() as session:
        return set(session.keys())


def test_logging_in_with_the_password_starts_a_new_session(client, db):
    user = f.make_user(Role.BUDGETHOUDER)
    before = plant(client)
    response = client.post("/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/start")
    keys = session_keys(client)
    assert PLANTED not in keys and "_user_id" in keys
    assert cookie(client) != before


def test_logging_in_in_two_steps_starts_a_new_session_at_each_step(client, db):
    advisor = f.make_user(Role.ADVISEUR, totp_secret=pyotp.random_base32())
    before = plant(client)
    response = client.post("/inloggen", data={"email": advisor.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/inloggen/code")
    halfway = session_keys(client)
    assert PLANTED not in halfway and "_user_id" not in halfway
    halfway_cookie = cookie(client)

    code = pyotp.TOTP(advisor.totp_secret).at(totp_step(now()) * 30)
    response = client.post("/inloggen/code", data={"code": code})
    assert response.status_code == 302
    keys = session_keys(client)
    assert PLANTED not in keys and "_user_id" in keys
    assert not any(k.startswith("pending") for k in keys)  # the halfway state is gone too
    assert cookie(client) not in (before, halfway_cookie)

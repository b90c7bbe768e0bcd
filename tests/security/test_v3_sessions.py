"""ASVS V3 (session management). Most of V3 is proved where sessions live:

- tests/access/test_server_sessions.py: V3.3.1 (a cookie copied before logout, a password change,
  a login turned off or "Overal uitloggen" gets the login page), V3.2.2 (the cookie is a random
  id; the database keeps only its hash), V3.3.4 (the user sees and ends their sessions);
- tests/access/test_login.py: V3.3.2 (idle and absolute lifetimes enforced on the server);
- tests/access/test_new_session_at_login.py: V3.2.1 (a new session id at login);
- tests/access/test_two_step_once.py: V2.8.4 (a two-step code is used once, also in parallel).

Here: the session cookie's own attributes (V3.4) and the new id at each login step (V3.2.1),
read from the answers' Set-Cookie headers.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from portal.access.constants import Role
from tests import factories as f


def session_cookie(response):
    """The session cookie the answer sets: (value, attributes in lower case)."""
    for header in response.headers.getlist("Set-Cookie"):
        jar = SimpleCookie()
        jar.load(header)
        if "session" in jar:
            morsel = jar["session"]
            flags = header.lower()
            return morsel.value, {"httponly": "httponly" in flags,
                                  "samesite": morsel["samesite"].lower(),
                                  "secure": "secure" in flags, "expires": morsel["expires"],
                                  "path": morsel["path"]}
    return None


def test_v3_4_the_session_cookie_is_httponly_samesite_and_ends_with_the_browser(client, db):
    """V3.4.2 HttpOnly, V3.4.3 SameSite, and no expiry date: the server ends the session, not
    the cookie. (V3.4.1 Secure is set in production: portal.config SESSION_COOKIE_SECURE.)"""
    user = f.make_user(Role.BUDGETHOUDER)
    response = client.post("/inloggen", data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    value, attributes = session_cookie(response)
    assert len(value) >= 40  # a random id of 256 bits, not signed data
    assert attributes["httponly"] and attributes["samesite"] == "lax"
    assert attributes["expires"] == "" and attributes["path"] == "/"


def test_v3_4_1_the_cookie_is_secure_in_production(app):
    from portal.config import load_config

    production = load_config({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 64,
                              "PORTAL_DATABASE_URL": "postgresql+psycopg://u@h/d",
                              "PORTAL_INSTANCE_DIR": app.config["PORTAL_INSTANCE_DIR"]})
    assert production["SESSION_COOKIE_SECURE"] is True


def test_v3_2_1_logging_in_gives_a_new_session_id(app, client, db):
    """A session id planted before the login (session fixation) is not the id of the logged-in
    session, and opens nothing."""
    user = f.make_user(Role.BUDGETHOUDER)
    planted = "planted-by-someone-else-" + "x" * 24
    client.set_cookie("session", planted, domain="portal.test")
    value, _attributes = session_cookie(client.post(
        "/inloggen", data={"email": user.email, "password": f.PASSWORD}))
    assert value != planted
    budget = f"/huishoudens/{user.household_id}/budget"
    assert client.get(budget).status_code == 200
    other = app.test_client()
    other.set_cookie("session", planted, domain="portal.test")
    answer = other.get(budget)
    assert answer.status_code == 302 and "/inloggen" in answer.headers["Location"]

"""ASVS V5 (validation, sanitisation, encoding): redirects stay on the portal (V5.1.5); one-line
fields refuse line breaks and control characters (V5.1.3, V5.1.4); the log writes one event per
line whatever a value holds (V7.3.1, log injection)."""

from __future__ import annotations

import pytest

from portal.access.constants import Role
from portal.web import safe_redirect_target
from tests import factories as f

# --- V5.1.5: redirects only to the portal's own paths -----------------------------------------

OUTSIDE = [
    "https://evil.example/start", "http://evil.example", "//evil.example/start",
    "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "https:evil.example", "javascript:alert(1)", "data:text/html,hoi", "start", "",
    "http://portal.test@evil.example/", "http://evil.example/http://portal.test/",
    "/\n/evil.example", "ftp://portal.test/start",
]


@pytest.mark.parametrize("target", OUTSIDE)
def test_v5_1_5_no_redirect_target_outside_the_portal(app, target):
    """V5.1.5: a scheme, another host, '//', a backslash or a control character is no path of
    ours."""
    with app.test_request_context("/"):
        assert safe_redirect_target(target) is None


def test_v5_1_5_the_portals_own_paths_are_kept(app):
    """V5.1.5: a path of the portal, or a full address of the portal itself (a Referer), is
    answered with just its path and query."""
    with app.test_request_context("/"):
        assert safe_redirect_target("/huishoudens/1/budget?maand=2026-01") == \
            "/huishoudens/1/budget?maand=2026-01"
        assert safe_redirect_target("http://portal.test/berichten") == "/berichten"
        assert safe_redirect_target("https://portal.test/berichten#x") == "/berichten"


@pytest.mark.parametrize("referer", ["https://evil.example/phish", "//evil.example/",
                                     "http://portal.test\\@evil.example/"])
def test_v5_1_5_keep_alive_never_sends_the_browser_to_another_site(referer, client, db, login):
    """V5.1.5 (issue 9, finding 7): 'Blijf ingelogd' without JavaScript used to redirect to
    whatever the Referer said."""
    login(f.make_user(Role.BUDGETHOUDER))
    response = client.post("/sessie-verlengen", headers={"Referer": referer})
    assert response.status_code == 302
    assert response.headers["Location"] == "/start"


def test_v5_1_5_keep_alive_goes_back_to_the_portals_own_page(client, db, login):
    login(f.make_user(Role.BUDGETHOUDER))
    response = client.post("/sessie-verlengen",
                           headers={"Referer": "http://portal.test/berichten?pagina=2"})
    assert response.headers["Location"] == "/berichten?pagina=2"

"""The identity tests' own OpenID Connect provider (portal.identity.testprovider) on 127.0.0.1,
and the test app configured for DigiD and eHerkenning through it for one test at a time."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from portal.config import oidc_schemes
from portal.identity.testprovider import running


@pytest.fixture(scope="session")
def oidc_provider():
    with running() as (provider, base):
        yield provider, base


@pytest.fixture
def oidc(app, oidc_provider):
    """DigiD and eHerkenning through the test provider, for this test; the provider behaves."""
    provider, base = oidc_provider
    before = app.config.get("PORTAL_OIDC_SCHEMES")
    app.config["PORTAL_OIDC_SCHEMES"] = oidc_schemes({"PORTAL_OIDC_TEST_PROVIDER": base},
                                                     "development")
    provider.mischief = None
    yield provider
    provider.mischief = None
    app.config["PORTAL_OIDC_SCHEMES"] = before


def to_provider(client, scheme: str = "digid"):
    """Click 'Inloggen met ...': the portal's redirect to the provider's login page."""
    response = client.get(f"/inloggen/{scheme}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def at_provider(authorize_url: str, number: str, *, loa: str | None = None, name: str = "",
                establishment: str = "", action: str = "login") -> str:
    """The person logs in at the test provider; returns the portal address it sends them back
    to (path and query)."""
    data = {"number": number, "name": name, "establishment": establishment, "action": action}
    if loa:
        data["loa"] = loa
    else:
        page = requests.get(authorize_url, timeout=10)
        assert page.status_code == 200, page.text
        data["loa"] = _selected_level(page.text)
    answer = requests.post(authorize_url, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def _selected_level(html: str) -> str:
    import re

    return re.search(r'<option value="([^"]+)" selected>', html).group(1)


def log_in_with(client, number: str, scheme: str = "digid", **kwargs):
    """The whole round trip; returns the portal's answer to the return from the provider."""
    return client.get(at_provider(to_provider(client, scheme), number, **kwargs))

"""Going through a check page in a test: read the token the page hands its final POST
(templates/macros/check.html, checked_field), and a funder's decision through its check page."""

from __future__ import annotations

import re


def checked_token(page) -> str:
    """The token of what a check page showed (a response or its HTML)."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    found = re.search(r'name="gecontroleerd" value="([^"]+)"', html)
    assert found, "no check page: the token is missing"
    return found.group(1)


def decide(client, version_id: int, decision: str, reason: str = ""):
    """A consulent's decision: the check page (POST with the choice), then its confirm POST."""
    data = {"decision": decision, "reason": reason}
    check = client.post(f"/verstrekker/beoordelen/{version_id}", data=data)
    assert check.status_code == 200, check.status_code
    return client.post(f"/verstrekker/beoordelen/{version_id}/besluit",
                       data={**data, "gecontroleerd": checked_token(check)})

"""Test helpers for sessions on the server (portal.access.sessions): find the row behind a
test client's cookie and move its clock, instead of waiting 15 minutes."""

from __future__ import annotations

import datetime as dt

from portal.access.models import UserSession
from portal.access.session_store import find_session
from portal.extensions import db


def session_cookie(client) -> str:
    found = client.get_cookie("session", domain="portal.test")
    assert found is not None
    return found.value


def session_row(client) -> UserSession:
    row = find_session(session_cookie(client))
    assert row is not None
    db.session.refresh(row)
    return row


def set_session_times(client, *, last_seen: dt.datetime | None = None,
                      started: dt.datetime | None = None) -> None:
    """As if the client's session was last used at `last_seen` / started at `started`."""
    row = session_row(client)
    if last_seen is not None:
        row.last_seen_at = last_seen
    if started is not None:
        row.created_at = started
    db.session.flush()

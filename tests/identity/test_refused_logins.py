"""A login through DigiD or eHerkenning that cannot be trusted is refused: a Dutch page, an
audit line with the reason, and no session. Each case from a real (misbehaving) provider."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.identity.service import link_bsn
from tests import factories as f
from tests.identity.conftest import at_provider, log_in_with, to_provider

DIGID_BASIS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def _no_session(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" not in session


def _last_refusal(db) -> dict:
    line = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_refused")
                              .order_by(AuditEvent.id.desc())).first()
    return line.detail


@pytest.fixture
def anna(db):
    bsn = f.valid_bsn()
    return link_bsn(f.make_user(Role.BUDGETHOUDER, name="Anna Jansen"), bsn), bsn


@pytest.mark.parametrize(("mischief", "reason"), [
    ("signature", "bad_signature"),
    ("issuer", "wrong_issuer"),
    ("audience", "wrong_audience"),
    ("nonce", "wrong_nonce"),
    ("expired", "expired"),
    ("no_number", "claim_missing"),
])
def test_a_token_that_cannot_be_trusted_is_refused(client, db, oidc, anna, mischief, reason):
    _user, bsn = anna
    oidc.mischief = mischief
    response = log_in_with(client, bsn)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "U bent niet ingelogd" in html and bsn not in html
    assert _no_session(client)
    assert _last_refusal(db) == {"scheme": "digid", "reason": reason}
    assert client.get("/start").status_code == 302  # to the login page


def test_a_level_of_assurance_below_the_configured_one_is_refused(client, db, oidc, anna):
    _user, bsn = anna
    response = log_in_with(client, bsn, loa=DIGID_BASIS)
    assert response.status_code == 403
    assert "te laag betrouwbaarheidsniveau" in response.get_data(as_text=True)
    assert _no_session(client)
    assert _last_refusal(db) == {"scheme": "digid", "reason": "loa_too_low"}


def test_a_replayed_code_is_refused(client, app, db, oidc, anna):
    _user, bsn = anna
    back = at_provider(to_provider(client), bsn)
    assert client.get(back).status_code == 302  # the first use logs in
    # The same return address again, in a browser that started the same login: the code was
    # used (the provider refuses it), and the state is gone from the session anyway.
    other = app.test_client()
    to_provider(other)
    with client.session_transaction() as first, other.session_transaction() as second:
        second.update({k: v for k, v in first.items() if k.startswith("_state_")})
    replay = client.get(back)
    assert replay.status_code == 403
    assert _last_refusal(db)["reason"] in ("code_refused", "state_mismatch")


def test_a_code_used_twice_is_refused_by_the_provider(client, app, db, oidc, anna):
    """The replay with a valid state (the attacker has the victim's session data): only the
    provider's one-time code stops it."""
    _user, bsn = anna
    url = to_provider(client)
    with client.session_transaction() as session:
        saved = dict(session)
    back = at_provider(url, bsn)
    assert client.get(back).status_code == 302
    replayer = app.test_client()
    with replayer.session_transaction() as session:
        session.update(saved)
    replay = replayer.get(back)
    assert replay.status_code == 403
    assert _no_session(replayer)
    assert _last_refusal(db) == {"scheme": "digid", "reason": "code_refused"}


def test_a_return_without_a_login_started_here_is_refused(client, db, oidc, anna):
    _user, bsn = anna
    back = at_provider(to_provider(client), bsn)
    stranger = client.application.test_client()
    response = stranger.get(back)
    assert response.status_code == 403
    assert _no_session(stranger)
    assert _last_refusal(db) == {"scheme": "digid", "reason": "state_mismatch"}

"""Logging in with DigiD (through the test provider: real discovery, real signed tokens)."""

from __future__ import annotations

from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.identity.service import link_bsn
from tests import factories as f
from tests.identity.conftest import at_provider, log_in_with, to_provider


def _logged_in_as(client) -> int | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return int(user_id.partition("-")[0]) if user_id else None


def test_the_login_page_shows_the_digid_and_eherkenning_buttons_when_configured(client, oidc):
    html = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen met DigiD" in html and "Inloggen met eHerkenning" in html
    assert 'href="/inloggen/digid"' in html
    assert "css/identity.css" in html


def test_without_configuration_there_are_no_buttons_and_no_route(client, db):
    assert "Inloggen met DigiD" not in client.get("/inloggen").get_data(as_text=True)
    assert client.get("/inloggen/digid").status_code == 404


def test_the_redirect_to_digid_uses_pkce_state_and_nonce_and_no_bsn(client, oidc):
    url = to_provider(client)
    assert "code_challenge_method=S256" in url and "code_challenge=" in url
    assert "state=" in url and "nonce=" in url and "scope=openid" in url


def test_a_budget_holder_logs_in_with_digid(client, db, oidc):
    bsn = f.valid_bsn()
    holder = link_bsn(f.make_user(Role.BUDGETHOUDER, name="Anna Jansen"), bsn)
    response = log_in_with(client, bsn)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/start")
    assert bsn not in response.headers["Location"]
    assert _logged_in_as(client) == holder.id
    assert holder.external_login_at is not None
    lines = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == holder.id)).all()
    assert {"login", "login_external"} <= {e.action for e in lines}
    assert all(bsn not in (e.summary + str(e.detail)) for e in lines)


def test_a_representative_logs_in_with_digid(client, db, oidc):
    bsn = f.valid_bsn()
    kees = link_bsn(f.make_user(Role.VERTEGENWOORDIGER, name="Kees Jansen"), bsn)
    assert log_in_with(client, bsn).status_code == 302
    assert _logged_in_as(client) == kees.id


def test_a_family_member_who_gives_care_logs_in_with_digid_as_care_provider(client, db, oidc):
    from portal.agreements.constants import ProviderKind

    bsn = f.valid_bsn()
    person = f.make_provider(ProviderKind.PERSOON, name="Marieke de Boer")
    marieke = link_bsn(f.make_user(Role.ZORGVERLENER, provider_id=person.id), bsn)
    assert log_in_with(client, bsn).status_code == 302
    assert _logged_in_as(client) == marieke.id


def test_only_the_keyed_hash_of_the_bsn_is_stored(db, app):
    bsn = f.valid_bsn()
    user = link_bsn(f.make_user(Role.VERTEGENWOORDIGER), bsn)
    assert user.external_id.startswith("digid:") and bsn not in user.external_id


def test_an_unknown_bsn_gets_the_we_do_not_know_you_page_and_no_account(client, db, oidc):
    from portal.access.models import User

    users_before = len(db.session.scalars(select(User)).all())
    bsn = f.valid_bsn()
    response = log_in_with(client, bsn)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Wij kennen u nog niet als budgethouder" in html
    assert "betaalkantoor" in html and bsn not in html
    assert _logged_in_as(client) is None
    assert len(db.session.scalars(select(User)).all()) == users_before
    line = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_refused")
                              .order_by(AuditEvent.id.desc())).first()
    assert line.detail == {"scheme": "digid", "reason": "unknown_person"}
    assert bsn not in line.summary


def test_a_childs_bsn_in_the_household_does_not_open_the_parents_login(client, db, oidc):
    household = f.make_household()
    f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    child = f.make_member(household)
    assert log_in_with(client, child.bsn).status_code == 403
    assert _logged_in_as(client) is None


def test_a_login_that_was_turned_off_is_refused(client, db, oidc):
    bsn = f.valid_bsn()
    link_bsn(f.make_user(Role.BUDGETHOUDER, is_active_account=False), bsn)
    response = log_in_with(client, bsn)
    assert response.status_code == 403 and _logged_in_as(client) is None


def test_cancelling_at_digid_is_refused_with_a_dutch_page(client, db, oidc):
    back = at_provider(to_provider(client), "", action="cancel", loa="x")
    response = client.get(back)
    assert response.status_code == 403
    assert "afgebroken" in response.get_data(as_text=True)


def test_logout_also_ends_the_session_at_the_identity_provider(client, db, oidc):
    bsn = f.valid_bsn()
    link_bsn(f.make_user(Role.BUDGETHOUDER), bsn)
    log_in_with(client, bsn)
    response = client.post("/uitloggen")
    assert response.status_code == 302
    target = response.headers["Location"]
    assert target.startswith("http://127.0.0.1:") and "/digid/end-session?" in target
    assert "post_logout_redirect_uri=http%3A%2F%2Fportal.test%2Finloggen" in target
    assert "client_id=pgb-portaal-test" in target and bsn not in target
    assert _logged_in_as(client) is None


def test_logout_after_a_password_login_stays_in_the_portal(client, db, oidc, login):
    login(f.make_user(Role.BUDGETHOUDER))
    response = client.post("/uitloggen")
    assert response.headers["Location"].endswith("/inloggen")


def test_the_bsn_is_never_logged(client, db, oidc, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    bsn = f.valid_bsn()
    link_bsn(f.make_user(Role.BUDGETHOUDER), bsn)
    assert log_in_with(client, bsn).status_code == 302
    unknown = f.valid_bsn()
    assert log_in_with(client.application.test_client(), unknown).status_code == 403
    assert caplog.records  # the provider's request lines, at least
    assert bsn not in caplog.text and unknown not in caplog.text


def test_an_unreachable_provider_gets_a_dutch_page(client, app, db, oidc):
    import socket

    from portal.config import oidc_schemes

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config["PORTAL_OIDC_SCHEMES"] = oidc_schemes(
        {"PORTAL_OIDC_TEST_PROVIDER": f"http://127.0.0.1:{port}"}, "development")
    response = client.get("/inloggen/digid")
    assert response.status_code == 403
    assert "DigiD is nu niet bereikbaar" in response.get_data(as_text=True)

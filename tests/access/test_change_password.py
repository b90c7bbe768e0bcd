"""'Wachtwoord wijzigen' for every logged-in user: the current password, then the new one twice,
with the rules of the reset form (access.rules.check_new_password)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.access import service
from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.refusals import Refused
from tests import factories as f
from tests.conftest import log_in_client

PAGE = "/account/wachtwoord"
NEW = "een-nieuw-wachtwoord"


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("current, password, repeat, codes", [
    ("fout-wachtwoord", NEW, NEW, ["current_password_wrong"]),
    (f.PASSWORD, "kort", "kort", ["password_too_short"]),
    (f.PASSWORD, NEW, NEW + "x", ["password_mismatch"]),
    ("fout-wachtwoord", "kort", "anders", ["current_password_wrong", "password_too_short",
                                           "password_mismatch"]),
])
def test_a_refused_change_keeps_the_old_password(db, current, password, repeat, codes):
    user = f.make_user(Role.ZORGVERLENER)
    with pytest.raises(Refused) as refused:
        service.change_password(user, current, password, repeat)
    assert refused.value.codes == codes
    assert service.verify_password(user, f.PASSWORD)


def test_exactly_the_minimum_length_is_enough(db):
    user = f.make_user(Role.ZORGVERLENER)
    service.change_password(user, f.PASSWORD, "1234567890", "1234567890")
    assert service.verify_password(user, "1234567890")
    assert not service.verify_password(user, f.PASSWORD)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_changes_its_password_and_logs_in_with_the_new_one(client, db, login, role):
    user = f.make_user(role)
    login(user)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Huidig wachtwoord" in html(page)
    assert f'href="{PAGE}"' in html(page)  # in the menu
    response = client.post(PAGE, data={"current": f.PASSWORD, "password": NEW, "repeat": NEW})
    assert response.status_code == 302
    assert "Uw wachtwoord is gewijzigd" in html(client.get(response.headers["Location"]))
    assert service.authenticate(user.email, NEW) == user
    assert service.authenticate(user.email, f.PASSWORD) is None
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == "password_changed")) == \
        "Wachtwoord gewijzigd"


def test_refusals_are_shown_next_to_their_fields(client, db, login):
    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    response = client.post(PAGE, data={"current": "fout-wachtwoord", "password": "kort",
                                       "repeat": "anders"})
    page = html(response)
    assert response.status_code == 422
    assert 'id="current-error">Uw huidige wachtwoord klopt niet' in page
    assert 'id="password-error">Kies een wachtwoord van minstens 10 tekens' in page
    assert 'id="repeat-error">De twee wachtwoorden zijn niet gelijk' in page
    assert service.verify_password(user, f.PASSWORD)


def test_empty_fields_are_asked_for(client, db, login):
    login(f.make_user(Role.BUDGETHOUDER))
    page = html(client.post(PAGE, data={}))
    assert "Vul uw huidige wachtwoord in." in page and "Vul een nieuw wachtwoord in." in page


def test_a_reset_link_sent_before_the_change_stops_working(client, db, login):
    user = f.make_user(Role.BUDGETHOUDER)
    with client.application.test_request_context():
        token = service.make_reset_token(user)
    assert service.user_for_reset_token(token) == user
    service.change_password(user, f.PASSWORD, NEW, NEW)
    assert service.user_for_reset_token(token) is None


def test_not_logged_in_goes_to_the_login_page(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def _second_device(client, user):
    """Another browser of the same person, logged in through the real form."""
    other = client.application.test_client()
    response = log_in_client(other, user)
    assert response.headers["Location"].endswith("/start")
    return other


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(client, db, login):
    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    other = _second_device(client, user)
    assert other.get(PAGE).status_code == 200
    client.post(PAGE, data={"current": f.PASSWORD, "password": NEW, "repeat": NEW})
    assert client.get(PAGE).status_code == 200  # the device that changed it goes on
    response = other.get(PAGE)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_password_set_through_a_link_ends_every_session(client, db, login):
    user = f.make_user(Role.BUDGETHOUDER)
    login(user)
    with client.application.test_request_context():
        token = service.make_reset_token(user)
    anonymous = client.application.test_client()
    assert anonymous.post(f"/wachtwoord-herstellen/{token}",
                          data={"password": NEW, "repeat": NEW}).status_code == 302
    response = client.get(PAGE)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


@pytest.mark.parametrize("user_id", ["9999999999999", "abc", "", "1-0000000000"])
def test_the_user_loader_loads_only_a_known_active_login(db, user_id):
    """The session lives on the server (portal.access.sessions), which ends it at a new
    password; the loader only turns the id the session remembers into an active login."""
    user = f.make_user(Role.BUDGETHOUDER)
    assert service.load_user(user.get_id()) == user
    assert service.load_user(user_id) is None
    user.is_active_account = False
    assert service.load_user(user.get_id()) is None

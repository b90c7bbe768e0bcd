"""Logging in with eHerkenning: the KvK number finds the care organisation; each person gets a
login of their own under it, made at the first login, which the payment office sees."""

from __future__ import annotations

from sqlalchemy import select

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.agreements.constants import ProviderKind
from portal.identity.service import EHERKENNING_MAIL_DOMAIN
from tests import factories as f
from tests.identity.conftest import log_in_with

EH2 = "urn:etoegang:core:assurance-class:loa2"


def _session_user(client) -> int | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return int(user_id.partition("-")[0]) if user_id else None


def _organisation(kvk: str):
    return f.make_provider(ProviderKind.ORGANISATIE, name="Thuiszorg De Linde B.V.", kvk=kvk)


def test_an_employee_of_a_known_organisation_gets_a_login_under_it(client, db, oidc):
    linde = _organisation("30123456")
    response = log_in_with(client, "30123456", "eherkenning", name="Jan Planner",
                           establishment="000012345678")
    assert response.status_code == 302 and response.headers["Location"].endswith("/start")
    user = db.session.get(User, _session_user(client))
    assert user.role == Role.ZORGVERLENER and user.provider_id == linde.id
    assert user.name == "Jan Planner"
    assert user.external_id.startswith("eherkenning:")
    assert user.email.endswith("@" + EHERKENNING_MAIL_DOMAIN)
    made = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_created",
                                                       AuditEvent.object_id == user.id)).one()
    assert "via eHerkenning" in made.summary and made.detail["establishment"] == "000012345678"


def test_the_same_person_logs_in_again_with_the_same_login(client, app, db, oidc):
    _organisation("30123457")
    log_in_with(client, "30123457", "eherkenning", name="Jan Planner")
    first = _session_user(client)
    other = app.test_client()
    log_in_with(other, "30123457", "eherkenning", name="Jan Planner")
    assert _session_user(other) == first
    third = app.test_client()
    log_in_with(third, "30123457", "eherkenning", name="Els Roosters")
    assert _session_user(third) not in (None, first)


def test_an_unknown_kvk_number_makes_no_login(client, db, oidc):
    before = len(db.session.scalars(select(User)).all())
    response = log_in_with(client, "39999999", "eherkenning", name="Iemand")
    assert response.status_code == 403
    assert "Wij kennen uw organisatie nog niet als zorgaanbieder" in response.get_data(as_text=True)
    assert _session_user(client) is None
    assert len(db.session.scalars(select(User)).all()) == before


def test_eh2_is_below_the_configured_eh3(client, db, oidc):
    _organisation("30123458")
    response = log_in_with(client, "30123458", "eherkenning", loa=EH2)
    assert response.status_code == 403
    assert "EH3" in response.get_data(as_text=True)
    assert _session_user(client) is None


def test_a_missing_kvk_number_is_refused(client, db, oidc):
    _organisation("30123459")
    oidc.mischief = "no_number"
    response = log_in_with(client, "30123459", "eherkenning")
    assert response.status_code == 403 and _session_user(client) is None


def test_the_office_sees_who_logged_in_with_eherkenning(client, app, db, oidc, login):
    _organisation("30123460")
    log_in_with(app.test_client(), "30123460", "eherkenning", name="Jan Planner")
    office = f.make_user(Role.BEHEERDER)
    login(office)
    html = client.get("/betaalkantoor/inlogaccounts?zoek=Jan+Planner").get_data(as_text=True)
    assert "Jan Planner" in html
    assert "Gemaakt via eHerkenning" in html and "laatst ingelogd met eHerkenning" in html
    assert EHERKENNING_MAIL_DOMAIN not in html
    assert "Welkomstmail opnieuw sturen" not in html

"""Authorisations (machtigingen): the use cases and the pages of budget holder and grantee."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access import authorizations
from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent, Authorization
from portal.dates import TZ, today
from portal.messages.models import Message
from portal.refusals import AlreadyDone, Refused
from tests import factories as f
from tests.conftest import log_in_client

TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 14, 5, tzinfo=TZ)


def count(model) -> int:
    from portal.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def holder(db):
    return f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")


@pytest.fixture
def advisor(db):
    return f.make_user(Role.ADVISEUR, name="Fatima Ouali", email="fatima@example.nl")


# --- service ---


def test_grant_writes_the_authorization_the_audit_event_and_a_message(db, holder, advisor):
    auth = authorizations.grant_authorization(holder, holder.household_id, email=" Fatima@Example.nl ",
                                       scope="bekijken", ends_on=dt.date(2026, 9, 30), today=TODAY)
    assert (auth.grantee_id, auth.scope, auth.starts_on, auth.ends_on) == (
        advisor.id, Scope.BEKIJKEN, TODAY, dt.date(2026, 9, 30))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "authorization_granted"))
    assert event.actor_id == holder.id and event.household_id == holder.household_id
    assert "Fatima Ouali" in event.summary and "30 september 2026" in event.summary
    message = db.session.scalar(select(Message).where(Message.user_id == advisor.id))
    assert "Anna Jansen" in message.subject and "Mijn klanten" in message.body


def test_grant_refused_writes_nothing(db, holder, advisor):
    before = (count(Authorization), count(AuditEvent), count(Message))
    with pytest.raises(Refused) as refused:
        authorizations.grant_authorization(holder, holder.household_id, email="fatima@example.nl",
                                    scope="bekijken", ends_on=TODAY - dt.timedelta(days=1),
                                    today=TODAY)
    assert refused.value.codes == ["end_in_past"]
    assert (count(Authorization), count(AuditEvent), count(Message)) == before


def test_second_authorization_for_the_same_person_is_refused_until_revoked(db, holder, advisor):
    first = authorizations.grant_authorization(holder, holder.household_id, email=advisor.email,
                                        scope="bekijken", ends_on=dt.date(2026, 6, 30), today=TODAY)
    with pytest.raises(Refused) as refused:
        authorizations.grant_authorization(holder, holder.household_id, email=advisor.email,
                                    scope="handelen", ends_on=dt.date(2026, 6, 30), today=TODAY)
    assert refused.value.codes == ["already_authorized"]
    authorizations.revoke_authorization(holder, first.id, now=NOW)
    again = authorizations.grant_authorization(holder, holder.household_id, email=advisor.email,
                                        scope="handelen", ends_on=dt.date(2026, 6, 30), today=TODAY)
    assert again.id != first.id


def test_an_ended_authorization_does_not_block_a_new_one(db, holder, advisor):
    from portal.budgets.models import Household

    household = db.session.get(Household, holder.household_id)
    ended = f.make_authorization(household, advisor, holder, starts_on=dt.date(2025, 1, 1),
                                 ends_on=TODAY - dt.timedelta(days=1))  # ended yesterday
    new = authorizations.grant_authorization(holder, holder.household_id, email=advisor.email,
                                      scope="bekijken", ends_on=TODAY, today=TODAY)
    assert new.id != ended.id and count(Authorization) == 2
    assert (new.grantee_id, new.scope, new.ends_on, new.revoked_at) == \
        (advisor.id, Scope.BEKIJKEN, TODAY, None)
    # the boundary: one that still runs today does block
    other = f.make_user(Role.ADVISEUR)
    f.make_authorization(household, other, holder, starts_on=dt.date(2025, 1, 1), ends_on=TODAY)
    with pytest.raises(Refused) as refused:
        authorizations.grant_authorization(holder, holder.household_id, email=other.email,
                                    scope="bekijken", ends_on=TODAY, today=TODAY)
    assert refused.value.codes == ["already_authorized"]


def test_a_representative_may_not_pass_access_on(db, holder, advisor):
    from portal.budgets.models import Household

    kees = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(db.session.get(Household, holder.household_id), kees, holder,
                         scope=Scope.HANDELEN)
    with pytest.raises(Refused) as refused:
        authorizations.grant_authorization(kees, holder.household_id, email=advisor.email,
                                    scope="bekijken", ends_on=TODAY, today=TODAY)
    assert refused.value.codes == ["not_allowed"]


def test_revoke_sets_the_moment_logs_and_tells_the_grantee(db, holder, advisor):
    auth = authorizations.grant_authorization(holder, holder.household_id, email=advisor.email,
                                       scope="bekijken", ends_on=dt.date(2026, 6, 30), today=TODAY)
    authorizations.revoke_authorization(holder, auth.id, now=NOW)
    assert auth.revoked_at == NOW
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "authorization_revoked")).object_id == auth.id
    subjects = db.session.scalars(select(Message.subject).where(Message.user_id == advisor.id)).all()
    assert any("ingetrokken" in s for s in subjects)
    with pytest.raises(Refused) as refused:
        authorizations.revoke_authorization(holder, auth.id, now=NOW)
    assert refused.value.codes == ["already_done"]  # a repeat: 'Dit is al gedaan'
    assert isinstance(refused.value, AlreadyDone)


def test_only_the_own_budget_holder_revokes(db, holder, advisor):
    auth = authorizations.grant_authorization(holder, holder.household_id, email=advisor.email,
                                       scope="bekijken", ends_on=dt.date(2026, 6, 30), today=TODAY)
    other = f.make_user(Role.BUDGETHOUDER)
    for actor in (other, advisor):
        with pytest.raises(Refused) as refused:
            authorizations.revoke_authorization(actor, auth.id, now=NOW)
        assert refused.value.codes == ["not_allowed"]
    assert auth.revoked_at is None
    with pytest.raises(Refused):
        authorizations.revoke_authorization(holder, 999_999, now=NOW)


def test_represented_by_lists_current_and_ended(db, holder, advisor):
    from portal.budgets.models import Household

    other = f.make_user(Role.BUDGETHOUDER, name="Pieter Bakker")
    third = f.make_user(Role.BUDGETHOUDER, name="Joke Smit")
    f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                         ends_on=dt.date(2026, 12, 31))
    f.make_authorization(db.session.get(Household, other.household_id), advisor, other,
                         ends_on=dt.date(2026, 12, 31), revoked_at=NOW)
    f.make_authorization(db.session.get(Household, third.household_id), advisor, third,
                         starts_on=dt.date(2025, 1, 1), ends_on=TODAY - dt.timedelta(days=1))
    listing = authorizations.represented_by(advisor, TODAY)
    assert [r.person_name for r in listing.current] == ["Anna Jansen"]
    assert sorted(r.person_name for r in listing.ended) == ["Joke Smit", "Pieter Bakker"]
    revoked = next(r for r in listing.ended if r.person_name == "Pieter Bakker")
    assert revoked.revoked_on == TODAY


# --- pages ---


def url(holder) -> str:
    return f"/huishoudens/{holder.household_id}/machtigingen"


def test_page_lists_authorizations(client, db, login, holder, advisor):
    from portal.budgets.models import Household

    f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                         starts_on=today() - dt.timedelta(days=3),
                         ends_on=today() + dt.timedelta(days=30))
    login(holder)
    html = client.get(url(holder)).get_data(as_text=True)
    assert "<h1>Machtigingen</h1>" in html and "Fatima Ouali" in html
    assert "Intrekken" in html and 'for="email"' in html and "<legend" in html
    assert 'name="ends_on-dag"' in html and 'type="date"' not in html  # dag, maand, jaar


def test_good_post_grants_and_redirects(client, db, login, holder, advisor):
    login(holder)
    before = count(Authorization)
    response = client.post(url(holder), data={"email": advisor.email, "scope": "bekijken",
                                              "ends_on": (today() + dt.timedelta(days=90)).isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(holder))
    assert count(Authorization) == before + 1
    page = client.get(url(holder)).get_data(as_text=True)
    assert "Fatima Ouali heeft nu een machtiging" in page


@pytest.mark.parametrize("data, field, message", [
    ({"email": "niemand@example.nl", "scope": "bekijken"}, "email", "Wij vinden geen account"),
    ({"email": "SELF", "scope": "bekijken"}, "email", "U kunt uzelf geen machtiging geven"),
    ({"email": "fatima@example.nl", "scope": ""}, "scope", "Kies wat de persoon mag"),
    ({"email": "fatima@example.nl", "scope": "alles"}, "scope", "Kies wat de persoon mag"),
    ({"email": "fatima@example.nl", "scope": "bekijken", "ends_on": "2020-01-01"}, "ends_on",
     "in het verleden"),
    ({"email": "fatima@example.nl", "scope": "bekijken", "ends_on": "2026-02-30"}, "ends_on",
     "Vul een bestaande datum in"),
    ({"email": "fatima@example.nl", "scope": "bekijken", "ends_on": "2099-01-01"}, "ends_on",
     "hoogstens 5 jaar"),
])
def test_bad_post_gives_422_with_the_message_at_the_field_and_writes_nothing(
        client, db, login, holder, advisor, data, field, message):
    login(holder)
    data = {"ends_on": (today() + dt.timedelta(days=30)).isoformat(), **data}
    if data["email"] == "SELF":
        data["email"] = holder.email
    before = (count(Authorization), count(Message))
    response = client.post(url(holder), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert f'href="#{field}' in html  # the error summary links to the field
    if data["email"] != holder.email:
        assert f'value="{data["email"]}"' in html  # what the user typed stays
    assert (count(Authorization), count(Message)) == before


def test_revoke_by_button_stops_access_at_the_next_request(client, app, db, login, holder, advisor):
    from portal.budgets.models import Household

    auth = f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                                starts_on=today(), ends_on=today() + dt.timedelta(days=30))
    advisor_client = app.test_client()
    log_in_client(advisor_client, advisor)
    probe = f"/huishoudens/{holder.household_id}/budget"
    assert advisor_client.get(probe).status_code == 200
    login(holder)
    response = client.post(f"{url(holder)}/{auth.id}/intrekken")
    assert response.status_code == 302
    gone = advisor_client.get(probe)
    assert gone.status_code == 404, gone.headers.get("Location")
    assert "ingetrokken" in client.get(url(holder)).get_data(as_text=True)


def test_the_authorization_of_a_login_that_was_turned_off_can_still_be_revoked(client, db, login,
                                                                               holder, advisor):
    from portal.budgets.models import Household

    auth = f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                                starts_on=today(), ends_on=today() + dt.timedelta(days=30))
    advisor.is_active_account = False  # the payment office turned the advisor's login off
    db.session.flush()
    login(holder)
    response = client.post(f"{url(holder)}/{auth.id}/intrekken", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == url(holder)  # back on the list, not on the login page
    assert f"De machtiging van {advisor.name} is ingetrokken" in response.get_data(as_text=True)
    assert auth.revoked_at is not None


def test_revoking_an_authorization_of_another_household_answers_404(client, db, login, holder,
                                                                    advisor):
    from portal.budgets.models import Household

    other = f.make_user(Role.BUDGETHOUDER)
    auth = f.make_authorization(db.session.get(Household, other.household_id), advisor, other)
    login(holder)
    assert client.post(f"{url(holder)}/{auth.id}/intrekken").status_code == 404
    assert client.post(f"/huishoudens/{other.household_id}/machtigingen/{auth.id}/intrekken"
                       ).status_code == 404
    db.session.refresh(auth)
    assert auth.revoked_at is None


def test_revoking_twice_is_answered_as_a_repeat(client, db, login, holder, advisor):
    from portal.budgets.models import Household

    auth = f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                                revoked_at=NOW)
    login(holder)
    response = client.post(f"{url(holder)}/{auth.id}/intrekken")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(holder))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit is al gedaan. Deze machtiging is ingetrokken." in page


def test_the_page_is_the_budget_holders_only(client, db, login, holder, advisor):
    from portal.budgets.models import Household

    kees = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(db.session.get(Household, holder.household_id), kees, holder,
                         scope=Scope.HANDELEN, starts_on=today())
    login(kees)
    assert client.get(url(holder)).status_code == 404
    assert client.post(url(holder), data={"email": advisor.email, "scope": "bekijken",
                                          "ends_on": today().isoformat()}).status_code == 404


def test_expired_authorization_stops_access(client, app, db, holder, advisor):
    from portal.budgets.models import Household

    f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                         starts_on=today() - dt.timedelta(days=30),
                         ends_on=today() - dt.timedelta(days=1))
    log_in_client(client, advisor)
    assert client.get(f"/huishoudens/{holder.household_id}/budget").status_code == 404


def test_represented_page(client, db, login, holder, advisor):
    from portal.budgets.models import Household

    other = f.make_user(Role.BUDGETHOUDER, name="Pieter Bakker")
    f.make_authorization(db.session.get(Household, holder.household_id), advisor, holder,
                         starts_on=today(), ends_on=today() + dt.timedelta(days=30))
    f.make_authorization(db.session.get(Household, other.household_id), advisor, other,
                         starts_on=today(), ends_on=today() + dt.timedelta(days=30),
                         revoked_at=NOW)
    login(advisor)
    response = client.get("/mijn-klanten")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    current, _, ended = html.partition("Gestopte machtigingen")
    assert "Anna Jansen" in current and "Pieter Bakker" not in current
    assert "Pieter Bakker" in ended


def test_represented_page_is_for_helpers_only(client, db, login, holder):
    login(holder)
    assert client.get("/mijn-klanten").status_code == 404


# The household's start page (overview.household) stands for every page behind household_view.

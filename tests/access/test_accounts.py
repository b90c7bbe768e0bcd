"""Logins the payment office makes (no password: a welcome link valid a week), turns off and on
again, and the password links: the rules, the service and what the person experiences."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import func, select

from portal.access import rules, service
from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.dates import now as real_now
from portal.refusals import Refused
from tests import factories as f

NEW_PASSWORD = "mijn-eigen-wachtwoord"


def link_for(token: str) -> str:
    return f"http://portal.test/wachtwoord-herstellen/{token}"


def path_of(link: str) -> str:
    return link.split("portal.test", 1)[1]


def users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def office(db):
    return f.make_user(Role.BEHEERDER, name="Sandra Mulder")


def invite(office, **kw) -> User:
    data = {"email": "nieuw@example.nl", "name": "Nieuwe Zorgverlener",
            "role": "zorgverlener", "link_for": link_for}
    if "provider_id" not in kw and kw.get("role", "zorgverlener") == "zorgverlener":
        kw["provider_id"] = f.make_provider().id
    return service.invite_user(office, **{**data, **kw})


def mailed_link(caplog) -> str:
    links = re.findall(r"https?://\S+/wachtwoord-herstellen/[^\s\\]+", caplog.text)
    assert len(links) == 1, caplog.text
    return links[0]


# --------------------------------------------------------------------------- rules


def test_a_new_login_without_password_skips_the_password_rule_only():
    assert rules.check_new_user("a@b.nl", None, "beheerder", "Sandra") == []
    codes = [r.code for r in rules.check_new_user("a@b.nl", "kort", "beheerder", "Sandra")]
    assert codes == ["password_too_short"]


@pytest.mark.parametrize("email, role, code", [
    ("", "beheerder", "email_missing"), ("   ", "beheerder", "email_missing"),
    ("geen-adres", "beheerder", "email_invalid"),
    ("a@b.nl", "", "role_missing"), ("a@b.nl", "directeur", "role_unknown"),
])
def test_new_user_refusals_say_what_is_missing_or_wrong(email, role, code):
    refusals = rules.check_new_user(email, None, role, "Sandra")
    assert [r.code for r in refusals] == [code]
    assert refusals[0].field == ("email" if code.startswith("email") else "role")


def test_nobody_turns_off_their_own_login_but_may_turn_off_another():
    assert [r.code for r in rules.check_account_activity(
        actor_id=1, target_id=1, active=True, wanted=False)] == ["own_account"]
    assert rules.check_account_activity(actor_id=1, target_id=2, active=True, wanted=False) == []


@pytest.mark.parametrize("active, wanted, message", [
    (False, False, "Dit is al gedaan. Deze inlog staat al uit."),
    (True, True, "Dit is al gedaan. Deze inlog staat al aan.")])
def test_a_login_already_as_wanted_is_a_repeat(active, wanted, message):
    assert [(r.code, r.message) for r in rules.check_account_activity(
        actor_id=1, target_id=2, active=active, wanted=wanted)] == [("already_done", message)]
    assert rules.check_account_activity(actor_id=1, target_id=2, active=not active,
                                        wanted=wanted) == []


def test_a_link_is_valid_as_long_as_it_says_and_at_most_a_week():
    signed = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    week = rules.link_validity(7 * 24 * 3600)
    assert week == rules.WELCOME_LINK_VALID == dt.timedelta(days=7)
    assert not rules.link_expired(signed, signed + week, week)
    assert rules.link_expired(signed, signed + week + dt.timedelta(seconds=1), week)
    assert rules.link_validity(30 * 24 * 3600) == dt.timedelta(days=7)  # never longer
    assert rules.link_validity(None) == rules.link_validity("3600") == rules.RESET_LINK_VALID


# --------------------------------------------------------------------------- a new login


def test_the_office_makes_a_login_without_a_usable_password(db, office, caplog):
    provider = f.make_provider(name="Thuiszorg De Linde")
    user = invite(office, provider_id=provider.id, email=" Planning@DeLinde.nl ",
                  name="Jan Planner")
    assert (user.email, user.name, user.role, user.provider_id) == (
        "planning@delinde.nl", "Jan Planner", Role.ZORGVERLENER, provider.id)
    assert not service.has_usable_password(user)
    # No password opens it, not even the marker itself or an empty one.
    for attempt in ("", user.password_hash, f.PASSWORD, "!"):
        assert service.authenticate(user.email, attempt) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account_created"))
    assert (event.actor_id, event.object_id) == (office.id, user.id)
    assert event.summary == "Inlog gemaakt voor Jan Planner (zorgverlener, planning@delinde.nl)"


def test_the_welcome_mail_waits_for_the_commit_and_a_rollback_sends_nothing(db, office, caplog):
    with caplog.at_level(logging.WARNING):
        invite(office, email="weg@example.nl")
        assert "wachtwoord-herstellen" not in caplog.text  # not before the commit
        db.session.rollback()
        db.session.commit()
    assert "wachtwoord-herstellen" not in caplog.text
    with caplog.at_level(logging.WARNING):
        user = invite(f.make_user(Role.BEHEERDER), email="blijft@example.nl", name="Els Blijft")
        db.session.commit()
    link = mailed_link(caplog)
    assert "Subject: Uw inlog voor het PGB-portaal" in caplog.text
    assert "Beste Els Blijft" in caplog.text and "7 dagen geldig" in caplog.text
    assert service.user_for_reset_token(link.rsplit("/", 1)[1]) == user


def test_a_two_step_role_is_told_so_in_the_welcome_mail(db, office, caplog):
    with caplog.at_level(logging.WARNING):
        invite(office, role="consulent", funder_id=f.make_funder().id, email="c@example.nl")
        db.session.commit()
    assert "in twee stappen" in caplog.text
    with caplog.at_level(logging.WARNING):
        caplog.clear()
        invite(office, email="z@example.nl")
        db.session.commit()
    assert "in twee stappen" not in caplog.text


@pytest.mark.parametrize("kw, codes", [
    ({"email": "geen-adres"}, ["email_invalid"]),
    ({"name": "  "}, ["name_missing"]),
    ({"role": "directeur", "provider_id": None}, ["role_unknown"]),
    ({"role": "budgethouder", "provider_id": None}, ["household_missing"]),
    ({"household_id": 999_999}, ["link_not_allowed"]),
    ({"provider_id": 999_999}, ["provider_unknown"]),
    ({"role": "beheerder", "provider_id": None, "funder_id": "FUNDER"}, ["link_not_allowed"]),
])
def test_the_office_gets_the_refusals_of_create_user_and_nothing_is_written(db, office, kw, codes):
    if kw.get("funder_id") == "FUNDER":
        kw["funder_id"] = f.make_funder().id
    before = users(db)
    with pytest.raises(Refused) as refused:
        invite(office, **kw)
    assert refused.value.codes == codes
    assert users(db) == before


def test_an_address_in_use_is_refused_whatever_its_capitals(db, office):
    f.make_user(Role.VERTEGENWOORDIGER, email="kees@example.nl")
    with pytest.raises(Refused) as refused:
        invite(office, email="Kees@Example.nl")
    assert refused.value.codes == ["email_taken"]
    invite(office, email="kees2@example.nl")  # just another address: fine


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT,
                                  Role.ADVISEUR, Role.VERTEGENWOORDIGER])
def test_only_the_payment_office_makes_logins(db, role):
    with pytest.raises(Refused) as refused:
        invite(f.make_user(role), email="x@example.nl")
    assert refused.value.codes == ["not_allowed"]


def test_an_organisation_has_several_employees_each_with_a_login(db, office):
    provider = f.make_provider(name="Thuiszorg De Linde")
    first = invite(office, provider_id=provider.id, email="jan@delinde.nl")
    second = invite(office, provider_id=provider.id, email="els@delinde.nl")
    assert first.provider_id == second.provider_id == provider.id and first.id != second.id


# --------------------------------------------------------------------------- the link


def test_the_welcome_link_sets_the_first_password_once_then_the_login_works(
        client, db, office, caplog):
    with caplog.at_level(logging.WARNING):
        user = invite(office, name="Jan Planner")
        db.session.commit()
    path = path_of(mailed_link(caplog))
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kies een wachtwoord" in html and "Welkom bij het PGB-portaal, Jan Planner" in html
    response = client.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert client.get(path).status_code == 404  # once
    assert client.post("/inloggen", data={"email": user.email, "password": NEW_PASSWORD}
                       ).status_code == 302
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == "password_set")) == \
        "Wachtwoord ingesteld"


def test_a_two_step_role_sets_up_its_app_at_the_first_login(client, db, office):
    user = invite(office, role="consulent", funder_id=f.make_funder().id, email="c@example.nl")
    with client.application.test_request_context():
        token = service.make_reset_token(user, rules.WELCOME_LINK_VALID)
    assert "inloggen in twee stappen in" in client.get(
        f"/wachtwoord-herstellen/{token}").get_data(as_text=True)
    client.post(f"/wachtwoord-herstellen/{token}",
                data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    response = client.post("/inloggen", data={"email": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen/instellen")


@pytest.mark.parametrize("valid, age, works", [
    (rules.WELCOME_LINK_VALID, dt.timedelta(days=7) - dt.timedelta(seconds=2), True),
    (rules.WELCOME_LINK_VALID, dt.timedelta(days=7, seconds=2), False),
    (rules.RESET_LINK_VALID, dt.timedelta(minutes=59, seconds=58), True),
    (rules.RESET_LINK_VALID, dt.timedelta(hours=1, seconds=2), False),
])
def test_a_link_works_as_long_as_it_was_made_for(client, db, office, travel, valid, age, works):
    user = f.make_user(Role.BUDGETHOUDER)
    with client.application.test_request_context():
        token = service.make_reset_token(user, valid)
    db.session.commit()  # a 404 rolls the request back; the user must stay
    travel(real_now() + age)
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == (200 if works else 404)


def test_an_expired_link_says_how_long_links_work(client, db, travel):
    user = f.make_user(Role.BUDGETHOUDER)
    with client.application.test_request_context():
        token = service.make_reset_token(user)
    db.session.commit()
    travel(real_now() + dt.timedelta(hours=2))
    html = client.get(f"/wachtwoord-herstellen/{token}").get_data(as_text=True)
    assert "een uur" in html and "7 dagen" in html and "Vraag een nieuwe link aan" in html


def test_a_forgotten_password_link_for_a_login_without_password_still_works(client, db, office,
                                                                            caplog):
    """The welcome link expired: 'Wachtwoord vergeten' gives the person a new (hour) link."""
    user = invite(office)
    db.session.commit()
    with caplog.at_level(logging.WARNING):
        caplog.clear()
        client.post("/wachtwoord-vergeten", data={"email": user.email})
    assert client.get(path_of(mailed_link(caplog))).status_code == 200


# --------------------------------------------------------------------------- off and on


def test_a_login_turned_off_ends_its_session_at_the_next_request(client, db, login, office):
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    assert client.get(f"/huishoudens/{holder.household_id}/budget").status_code == 200
    service.set_account_active(office, holder.id, False)
    db.session.commit()
    response = client.get(f"/huishoudens/{holder.household_id}/budget")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert service.authenticate(holder.email, f.PASSWORD) is None
    assert service.load_user(str(holder.id)) is None


def test_a_login_turned_on_again_logs_in(client, db, office):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    service.set_account_active(office, holder.id, False)
    service.set_account_active(office, holder.id, True)
    assert client.post("/inloggen", data={"email": holder.email, "password": f.PASSWORD}
                       ).status_code == 302
    summaries = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.object_type == "user", AuditEvent.object_id == holder.id)
        .order_by(AuditEvent.id)).all()
    assert summaries == [f"Inlog van Anna Jansen ({holder.email}) uitgezet",
                         f"Inlog van Anna Jansen ({holder.email}) weer aangezet"]
    # The budget holder reads it in 'Wie bekeek mijn gegevens' (the office is someone else).
    log = service.access_log(holder.household_id)
    assert [e.summary for e in log.entries][:2] == summaries[::-1]


def test_the_office_cannot_turn_off_its_own_login(db, office):
    with pytest.raises(Refused) as refused:
        service.set_account_active(office, office.id, False)
    assert refused.value.codes == ["own_account"]
    assert office.is_active_account
    colleague = f.make_user(Role.BEHEERDER)
    service.set_account_active(office, colleague.id, False)  # a colleague's: fine
    assert not colleague.is_active_account


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT])
def test_only_the_office_turns_logins_off(db, role):
    target = f.make_user(Role.VERTEGENWOORDIGER)
    with pytest.raises(Refused) as refused:
        service.set_account_active(f.make_user(role), target.id, False)
    assert refused.value.codes == ["not_allowed"] and target.is_active_account


def test_an_unknown_login_cannot_be_turned_off(db, office):
    for user_id in (999_999, 0, 2**40):
        with pytest.raises(Refused) as refused:
            service.set_account_active(office, user_id, False)
        assert refused.value.codes == ["account_unknown"]

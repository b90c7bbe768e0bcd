"""The payment office's page 'Inlogaccounts': who still needs a login, making one (the rules of
`portal create-user`, refusals next to the field, what was typed kept), the list of logins
(search, pages, a fixed number of queries) and turning a login off and on again."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent, User
from portal.agreements.constants import ProviderKind, VersionStatus
from portal.database import MAX_ID
from portal.dates import today
from portal.office import accounts
from portal.office.rules import ACCOUNTS_PER_PAGE, account_state
from portal.vocabulary import LOGIN
from tests import factories as f
from tests.statements import recorded_statements

ACCOUNTS = "/betaalkantoor/inlogaccounts"
NEW = "/betaalkantoor/inlogaccounts/nieuw"


def html(response) -> str:
    return response.get_data(as_text=True)


def users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def office(db):
    return f.make_user(Role.BEHEERDER, name="Sandra Mulder")


@pytest.fixture
def as_office(client, login, office):
    login(office)
    return client


def running_grant(household=None):
    day = today()
    return f.make_grant(f.make_member(household or f.make_household()),
                        period_start=dt.date(day.year, 1, 1),
                        period_end=dt.date(day.year, 12, 31))


def shared_with(provider, status=VersionStatus.GEDEELD, **kw):
    return f.make_agreement(running_grant(), provider, status=status, **kw)


# --------------------------------------------------------------------------- rules


def test_account_state():
    assert account_state(True, True) == ("actief", "ok")
    assert account_state(True, False) == ("wacht_op_wachtwoord", "warn")
    assert account_state(False, True)[0] == account_state(False, False)[0] == "uitgezet"
    assert LOGIN["wacht_op_wachtwoord"].label == "Wacht op wachtwoord"


# --------------------------------------------------------------------------- Eerst te doen


@pytest.mark.parametrize("status", [VersionStatus.GEDEELD, VersionStatus.ONDERTEKEND,
                                    VersionStatus.TER_BEOORDELING, VersionStatus.GOEDGEKEURD])
def test_a_provider_with_a_shared_or_approved_agreement_and_no_login_is_to_do(db, status):
    provider = f.make_provider(name="Jeroen Smits", email="jeroen@example.nl")
    shared_with(provider, status)
    todo = accounts.accounts_todo(today())
    assert [(p.provider_id, p.email, p.agreements, p.waiting_for_signature)
            for p in todo.providers] == [(provider.id, "jeroen@example.nl", 1,
                                          status == VersionStatus.GEDEELD)]
    assert todo.providers_total == 1


@pytest.mark.parametrize("case", ["login", "concept", "ended", "ended_agreement"])
def test_a_provider_is_not_to_do_with_a_login_or_without_an_agreement_it_must_see(db, case):
    provider = f.make_provider()
    if case == "login":
        shared_with(provider)
        f.make_user(Role.ZORGVERLENER, provider_id=provider.id)
    elif case == "concept":
        shared_with(provider, VersionStatus.CONCEPT)
    elif case == "ended":
        shared_with(provider, VersionStatus.BEEINDIGD)
    else:  # approved, but it ended yesterday
        shared_with(provider, VersionStatus.GOEDGEKEURD, starts_on=dt.date(2020, 1, 1),
                    ends_on=today() - dt.timedelta(days=1))
    assert accounts.accounts_todo(today()).providers == []


def test_a_provider_whose_only_login_was_turned_off_is_to_do_again(db):
    provider = f.make_provider()
    shared_with(provider)
    login = f.make_user(Role.ZORGVERLENER, provider_id=provider.id)
    assert accounts.accounts_todo(today()).providers == []
    login.is_active_account = False
    db.session.flush()
    assert [p.provider_id for p in accounts.accounts_todo(today()).providers] == [provider.id]


def test_providers_waiting_for_a_signature_come_first_and_the_rest_is_counted(db):
    approved = f.make_provider(name="Aaltje")
    shared_with(approved, VersionStatus.GOEDGEKEURD)
    waiting = f.make_provider(name="Zus")
    shared_with(waiting, VersionStatus.GEDEELD)
    shared_with(waiting, VersionStatus.GOEDGEKEURD)  # two agreements, counted once each
    todo = accounts.accounts_todo(today(), limit=1)
    assert [(p.provider_id, p.agreements) for p in todo.providers] == [(waiting.id, 2)]
    assert todo.providers_total == 2 and todo.providers_more == 1
    assert accounts.accounts_todo(today(), limit=2).providers_more == 0


def test_a_household_with_a_running_budget_and_no_budget_holder_login_is_to_do(db):
    household = f.make_household(name="De Graaf")
    running_grant(household)
    running_grant(household)
    todo = accounts.accounts_todo(today())
    assert [(h.household_id, h.name, h.members_with_budget) for h in todo.households] == \
        [(household.id, "De Graaf", 2)]
    running_grant(f.make_household(name="Zwart"))
    todo = accounts.accounts_todo(today(), limit=1)
    assert [h.name for h in todo.households] == ["De Graaf"] and todo.households_more == 1


@pytest.mark.parametrize("case", ["holder", "old_budget", "no_budget"])
def test_a_household_is_not_to_do_with_a_holder_or_without_a_running_budget(db, case):
    household = f.make_household()
    if case == "holder":
        running_grant(household)
        f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    elif case == "old_budget":
        f.make_grant(f.make_member(household), period_start=dt.date(2020, 1, 1),
                     period_end=today() - dt.timedelta(days=1))
    else:
        f.make_member(household)
    assert accounts.accounts_todo(today()).households == []


def test_the_to_do_list_links_to_a_form_filled_in_for_that_provider(as_office, db):
    provider = f.make_provider(name="Jeroen Smits", email="jeroen@example.nl")
    shared_with(provider)
    household = f.make_household(name="De Graaf")
    running_grant(household)
    page = html(as_office.get(ACCOUNTS))
    assert "Jeroen Smits" in page and "Bij de zorgverlener" in page and "De Graaf" in page
    assert f"{NEW}?zorgverlener={provider.id}" in page
    assert f"{NEW}?huishouden={household.id}" in page
    form = html(as_office.get(f"{NEW}?zorgverlener={provider.id}"))
    assert 'value="Jeroen Smits"' in form and 'value="jeroen@example.nl"' in form
    assert re.search(r'value="zorgverlener"[^>]*checked|checked[^>]*value="zorgverlener"', form)
    assert re.search(rf'<option selected value="{provider.id}">|<option value="{provider.id}" '
                     r'selected>', form)
    form = html(as_office.get(f"{NEW}?huishouden={household.id}"))
    assert re.search(r'value="budgethouder"[^>]*checked|checked[^>]*value="budgethouder"', form)


@pytest.mark.parametrize("name", ["zorgverlener", "huishouden"])
def test_a_number_too_large_for_an_id_fills_in_nothing(as_office, db, name):
    """No id of ours (database.MAX_ID): the form is empty, as for an unknown one, instead of
    PostgreSQL's driver refusing the number for an INTEGER id (a 500 there)."""
    provider = f.make_provider(name="Jeroen Smits")
    for number in (MAX_ID + 1, 9_999_999_999, 10**30):
        response = as_office.get(f"{NEW}?{name}={number}")
        assert response.status_code == 200
        assert "checked" not in html(response) and "Jeroen Smits" in html(response)
    assert 'value="Jeroen Smits"' in html(as_office.get(f"{NEW}?zorgverlener={provider.id}"))


def test_nothing_to_do_says_so(as_office, db):
    assert "Er is niets te doen" in html(as_office.get(ACCOUNTS))


# --------------------------------------------------------------------------- make a login


def test_making_a_login_mails_the_link_and_lists_the_login(as_office, db, office, caplog):
    provider = f.make_provider(name="Thuiszorg De Linde")
    with caplog.at_level(logging.WARNING):
        response = as_office.post(NEW, data={
            "name": "Jan Planner", "email": "jan@delinde.nl", "role": "zorgverlener",
            "household": "", "provider": str(provider.id), "funder": ""})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "jan@delinde.nl"))
    assert (user.role, user.provider_id, user.name) == (Role.ZORGVERLENER, provider.id,
                                                        "Jan Planner")
    link = re.search(r"https?://\S+/wachtwoord-herstellen/[^\s\\]+", caplog.text).group(0)
    listed = as_office.get(response.headers["Location"], follow_redirects=False)
    page = html(listed)
    assert "De inlog voor Jan Planner is gemaakt" in page and "7 dagen geldig" in page
    assert "jan@delinde.nl" in page and "Wacht op wachtwoord" in page
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "account_created", AuditEvent.object_id == user.id)) == office.id
    as_office.post("/uitloggen")
    assert "Kies een wachtwoord" in html(as_office.get(link.split("portal.test", 1)[1]))


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "a@b.nl", "role": "beheerder"}, "name", "Vul een naam in."),
    ({"name": "Els", "email": "geen-adres", "role": "beheerder"}, "email",
     "Vul een geldig e-mailadres in"),
    ({"name": "Els", "email": "a@b.nl"}, "role", "Kies een rol"),
    ({"name": "Els", "email": "a@b.nl", "role": "budgethouder"}, "household",
     "Een budgethouder hoort bij een huishouden"),
    ({"name": "Els", "email": "a@b.nl", "role": "beheerder", "provider": "PROVIDER"}, "provider",
     "Laat de zorgverlener weg"),
    # A number not in the list (access.service's provider_unknown is for the command line).
    ({"name": "Els", "email": "a@b.nl", "role": "zorgverlener", "provider": "999999"},
     "provider", "Kies uit de lijst."),
    ({"name": "Els", "email": "a@b.nl", "role": "zorgverlener", "provider": "99999999999"},
     "provider", "Kies uit de lijst."),
    ({"name": "Els", "email": "a@b.nl", "role": "consulent", "funder": "kapot"}, "funder",
     "Kies uit de lijst."),
    ({"name": "Els", "email": "TAKEN", "role": "beheerder"}, "email",
     "Er is al een account met dit e-mailadres"),
])
def test_bad_input_is_refused_next_to_its_field_keeps_what_was_typed_and_writes_nothing(
        as_office, db, data, field, message, caplog):
    if data.get("provider") == "PROVIDER":
        data["provider"] = str(f.make_provider().id)
    if data["email"] == "TAKEN":
        data["email"] = f.make_user(Role.ADVISEUR).email
    db.session.commit()  # a refused request rolls back: what the test made must stay
    before = users(db)
    with caplog.at_level(logging.WARNING):
        response = as_office.post(NEW, data=data)
    page = html(response)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert users(db) == before and "wachtwoord-herstellen" not in caplog.text
    if data["name"]:
        assert f'value="{data["name"]}"' in page
    assert f'value="{data["email"]}"' in page


def test_production_without_a_mail_server_tells_the_office_the_mail_did_not_go(
        as_office, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    monkeypatch.setitem(app.config, "PORTAL_MAIL_SERVER", None)
    response = as_office.post(NEW, data={"name": "Els", "email": "els@example.nl",
                                         "role": "beheerder"}, follow_redirects=True)
    page = html(response)
    assert "er is geen mailserver ingesteld (PORTAL_MAIL_SERVER)" in page
    assert "Els krijgt een e-mail" not in page
    monkeypatch.setitem(app.config, "PORTAL_MAIL_SERVER", "smtp.example.nl")
    monkeypatch.setattr("portal.access.mail._deliver", lambda *_args: True)
    response = as_office.post(NEW, data={"name": "Piet", "email": "piet@example.nl",
                                         "role": "beheerder"}, follow_redirects=True)
    assert "Piet krijgt een e-mail op piet@example.nl" in html(response)


def test_a_second_employee_of_an_organisation_gets_a_login_of_their_own(as_office, db):
    provider = f.make_provider(name="Thuiszorg De Linde")
    f.make_user(Role.ZORGVERLENER, provider_id=provider.id, email="planning@delinde.nl")
    response = as_office.post(NEW, data={"name": "Els", "email": "els@delinde.nl",
                                         "role": "zorgverlener", "provider": str(provider.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.provider_id == provider.id)) == 2


# --------------------------------------------------------------------------- the list


def test_the_list_searches_by_name_or_address_and_pages(as_office, db, office):
    for i in range(ACCOUNTS_PER_PAGE + 2):
        f.make_user(Role.VERTEGENWOORDIGER, name=f"Vertegenwoordiger {i:02d}",
                    email=f"rep{i:02d}@voorbeeld.nl")
    f.make_user(Role.ADVISEUR, name="Fatima Ouali", email="fatima@persaldo.nl")
    f.make_user(Role.ADVISEUR, name="Iemand 100%", email="procent@persaldo.nl")
    page = html(as_office.get(f"{ACCOUNTS}?zoek=OUALI"))
    assert "fatima@persaldo.nl" in page and "rep00@" not in page and "1 inlog(s)" in page
    page = html(as_office.get(f"{ACCOUNTS}?zoek=persaldo"))
    assert "fatima@persaldo.nl" in page and "procent@persaldo.nl" in page
    page = html(as_office.get(f"{ACCOUNTS}?zoek=100%25"))  # % is a character, not a wildcard
    assert "procent@persaldo.nl" in page and "fatima@" not in page
    assert "Er is geen inlog met" in html(as_office.get(f"{ACCOUNTS}?zoek=niemand"))
    first = html(as_office.get(f"{ACCOUNTS}?zoek=voorbeeld.nl"))
    second = html(as_office.get(f"{ACCOUNTS}?zoek=voorbeeld.nl&pagina=2"))
    assert "rep00@" in first and "rep00@" not in second and "rep26@" in second
    assert "pagina 2 van 2" in second and 'rel="prev"' in second
    assert "zoek=voorbeeld.nl&amp;pagina=2" in first  # the next page keeps the search
    assert "pagina=2" not in html(as_office.get(f"{ACCOUNTS}?zoek=OUALI"))


def _select_count(client, path) -> int:
    with recorded_statements(selects_only=True) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", [ACCOUNTS, NEW])
def test_the_pages_read_through_a_fixed_number_of_queries(as_office, db, path):
    f.make_user(Role.BUDGETHOUDER)
    shared_with(f.make_provider())
    before = _select_count(as_office, path)
    for _ in range(5):
        f.make_user(Role.ZORGVERLENER)
        f.make_user(Role.CONSULENT)
        shared_with(f.make_provider())
        running_grant()
    assert _select_count(as_office, path) == before


# --------------------------------------------------------------------------- off and on


def test_turning_a_login_off_and_on_again_from_the_list(as_office, db, client):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    response = as_office.post(f"{ACCOUNTS}/{holder.id}/uitzetten",
                              data={"zoek": "Anna", "pagina": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{ACCOUNTS}?zoek=Anna&pagina=1")
    assert not db.session.get(User, holder.id).is_active_account
    page = html(as_office.get(response.headers["Location"]))
    assert "De inlog van Anna Jansen staat uit" in page and "Uitgezet" in page
    assert "Inlog weer aanzetten" in page
    # Again (a second click): a repeat, and it says so on the list.
    again = as_office.post(f"{ACCOUNTS}/{holder.id}/uitzetten", data={"zoek": "Anna"})
    assert again.status_code == 303
    assert "Dit is al gedaan. Deze inlog staat al uit." in html(
        as_office.get(again.headers["Location"]))
    as_office.post(f"{ACCOUNTS}/{holder.id}/aanzetten")
    assert db.session.get(User, holder.id).is_active_account


def _invite(as_office, caplog, name="Jan Planner", email="jan@example.nl") -> tuple[User, str]:
    with caplog.at_level(logging.WARNING):
        as_office.post(NEW, data={"name": name, "email": email, "role": "vertegenwoordiger"})
    user = f.db.session.scalar(select(User).where(User.email == email))
    links = re.findall(r"https?://portal\.test(/wachtwoord-herstellen/[^\s\\]+)", caplog.text)
    caplog.clear()
    return user, links[-1]


def test_the_welcome_mail_goes_again_with_a_new_link_and_the_old_one_stops(as_office, db,
                                                                            office, caplog):
    user, first_link = _invite(as_office, caplog)
    page = html(as_office.get(f"{ACCOUNTS}?zoek=Jan"))
    assert "Welkomstmail opnieuw sturen" in page
    with caplog.at_level(logging.WARNING):
        response = as_office.post(f"{ACCOUNTS}/{user.id}/welkomstmail",
                                  data={"zoek": "Jan", "pagina": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{ACCOUNTS}?zoek=Jan&pagina=1")
    new_link = re.search(r"https?://portal\.test(/wachtwoord-herstellen/[^\s\\]+)",
                         caplog.text).group(1)
    assert new_link != first_link
    listed = html(as_office.get(response.headers["Location"]))
    assert "De welkomstmail voor Jan Planner is opnieuw verstuurd" in listed
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "welcome_sent_again", AuditEvent.object_id == user.id)) == office.id
    as_office.post("/uitloggen")
    assert as_office.get(first_link).status_code == 404
    assert "Kies een wachtwoord" in html(as_office.get(new_link))


def test_the_same_welcome_click_twice_sends_one_mail(as_office, db, caplog):
    """The button carries the state of the link the page saw: the second of two identical
    clicks finds a new link already sent ('Dit is al gedaan'), and sends no second mail."""
    user, _link = _invite(as_office, caplog)
    page = html(as_office.get(f"{ACCOUNTS}?zoek=Jan"))
    seen = re.search(r'name="stand" value="([0-9a-f]+)"', page).group(1)
    with caplog.at_level(logging.WARNING):
        first = as_office.post(f"{ACCOUNTS}/{user.id}/welkomstmail", data={"stand": seen})
        second = as_office.post(f"{ACCOUNTS}/{user.id}/welkomstmail", data={"stand": seen})
    assert (first.status_code, second.status_code) == (302, 303)
    assert len(re.findall(r"/wachtwoord-herstellen/\S+", caplog.text)) == 1
    assert "Dit is al gedaan. De welkomstmail is net opnieuw naar Jan Planner gestuurd" in html(
        as_office.get(second.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "welcome_sent_again")) == 1


def test_no_welcome_mail_again_once_a_password_is_chosen_or_the_login_is_off(as_office, db,
                                                                            caplog):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")  # has a password
    page = html(as_office.get(f"{ACCOUNTS}?zoek=Anna"))
    assert "Welkomstmail opnieuw sturen" not in page
    with caplog.at_level(logging.WARNING):
        response = as_office.post(f"{ACCOUNTS}/{holder.id}/welkomstmail", follow_redirects=True)
    assert "Anna Jansen heeft al een wachtwoord gekozen" in html(response)
    invited, _link = _invite(as_office, caplog)
    as_office.post(f"{ACCOUNTS}/{invited.id}/uitzetten")
    assert "Welkomstmail opnieuw sturen" not in html(as_office.get(f"{ACCOUNTS}?zoek=Jan"))
    before = invited.password_hash
    with caplog.at_level(logging.WARNING):
        response = as_office.post(f"{ACCOUNTS}/{invited.id}/welkomstmail", follow_redirects=True)
    assert "Deze inlog staat uit" in html(response)
    assert "wachtwoord-herstellen" not in caplog.text
    assert db.session.get(User, invited.id).password_hash == before
    assert as_office.post(f"{ACCOUNTS}/999999/welkomstmail").status_code == 404


def test_the_office_sees_no_button_for_its_own_login_and_cannot_turn_it_off(as_office, db,
                                                                           office):
    page = html(as_office.get(f"{ACCOUNTS}?zoek=Sandra"))
    assert "Dit bent u" in page and "Inlog uitzetten" not in page
    response = as_office.post(f"{ACCOUNTS}/{office.id}/uitzetten", follow_redirects=True)
    assert "U kunt uw eigen inlog niet uitzetten" in html(response)
    assert db.session.get(User, office.id).is_active_account


def test_an_unknown_login_is_404(as_office, db):
    assert as_office.post(f"{ACCOUNTS}/999999/uitzetten").status_code == 404


@pytest.mark.parametrize("path", [ACCOUNTS, NEW])
@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT,
                                  Role.ADVISEUR, Role.VERTEGENWOORDIGER])
def test_other_roles_get_404(client, login, db, path, role):
    target = f.make_user(Role.VERTEGENWOORDIGER)
    login(f.make_user(role))
    assert client.get(path).status_code == 404
    assert client.post(f"{ACCOUNTS}/{target.id}/uitzetten").status_code == 404
    assert client.post(f"{ACCOUNTS}/{target.id}/welkomstmail").status_code == 404
    assert db.session.get(User, target.id).is_active_account


def test_the_menu_has_inlogaccounts_for_the_office_only(client, login, db, office):
    login(office)
    assert f'href="{ACCOUNTS}"' in html(client.get("/betaalkantoor/betaalrondes"))
    client.post("/uitloggen")
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    assert f'href="{ACCOUNTS}"' not in html(client.get(f"/huishoudens/{holder.household_id}/budget"))


# --------------------------------------------------------------------------- API keys' accounts


def test_an_api_keys_account_is_no_login_of_the_office_list_nor_of_anything(as_office, db,
                                                                            monkeypatch):
    """An API key acts through an account of its own (turned off, the organisation's role): it
    is not in 'Inlogaccounts', cannot be turned on, gets no messages and is not 'a login'."""
    from portal.access.models import is_machine_email
    from portal.access.permissions import provider_recipients
    from portal.access.service import set_account_active
    from portal.api.service import create_api_key
    from portal.refusals import Refused

    provider = f.make_provider(ProviderKind.ORGANISATIE, name="Thuiszorg Sleutel")
    shared_with(provider)
    key, _token = create_api_key(None, label="Planning", owner_kind="provider",
                                 provider_id=provider.id, scopes=["claims:read"],
                                 expires_on=today() + dt.timedelta(days=30), today=today())
    machine = db.session.get(User, key.user_id)
    assert is_machine_email(machine.email) and machine.is_machine
    page = accounts.list_accounts("")
    assert machine.id not in {row.user_id for row in page.rows}
    assert page.total == db.session.scalar(select(func.count()).select_from(User)) - 1
    assert "API-sleutel Planning" not in html(as_office.get(ACCOUNTS))
    assert accounts.list_accounts("sleutel").rows == []
    # The office cannot turn it on: not by the button, not by the use case.
    response = as_office.post(f"{ACCOUNTS}/{machine.id}/aanzetten")
    assert response.status_code in (303, 404)
    assert not db.session.get(User, machine.id).is_active_account
    with pytest.raises(Refused) as refused:
        set_account_active(db.session.get(User, as_office_id(db)), machine.id, True)
    assert refused.value.codes == ["account_unknown"]
    # Even if it were on somehow: no messages, and the provider still needs a login.
    machine.is_active_account = True
    db.session.flush()
    assert provider_recipients(provider.id) == []
    assert [p.provider_id for p in accounts.accounts_todo(today()).providers] == [provider.id]


def as_office_id(db) -> int:
    return db.session.scalar(select(User.id).where(User.role == Role.BEHEERDER))

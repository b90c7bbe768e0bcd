"""Working in a client's file (issue 11, part 1): the bar that says whose file and on what
authority, the file's own menu with the pages' own checks, the client named on the pages, and
no action a view-only helper may not take (still refused when posted)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.access.constants import Role, Scope
from portal.budgets.models import Household
from portal.claims.constants import ClaimStatus
from portal.dates import add_months, first_of_month, today
from tests import factories as f
from tests.payments.builders import make_approved_claim


@pytest.fixture
def anna(db):
    """Anna's file: a budget, an agreement and a sheet waiting for her akkoord."""
    holder, household, sheet, _grant = anna_file(db)
    return holder, household, sheet


def anna_file(db):
    """Anna's file (holder, household, the waiting sheet, the grant), for other modules too."""
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna de Vries")
    household = db.session.get(Household, holder.household_id)
    month = first_of_month(add_months(today(), -1))
    grant = f.make_grant(f.make_member(household, name="Daan de Vries"), year=month.year,
                         period_start=dt.date(month.year - 1, 1, 1),
                         period_end=dt.date(month.year + 1, 12, 31))
    agreement = f.make_agreement(grant, f.make_provider(name="Youssef El Amrani"))
    sheet = make_approved_claim(agreement, month, status=ClaimStatus.WACHT_OP_AKKOORD)
    return holder, household, sheet, grant


def _helper(holder, household, role, scope, ends_on=None):
    helper = f.make_user(role, name="Fatima Ouali" if role == Role.ADVISEUR else "Kees Jansen")
    f.make_authorization(household, helper, holder, scope=scope, starts_on=today(),
                         ends_on=ends_on or today() + dt.timedelta(days=60))
    return helper


def _bar(html: str) -> str:
    found = re.search(r'<section class="client-file"[^>]*>(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def _file_menu(html: str) -> list[str]:
    bar = _bar(html)
    return re.findall(r"<li><a [^>]*>([^<]+)</a></li>", bar)


def test_an_advisor_who_may_only_look_sees_whose_file_and_a_menu_without_acting(
        client, login, anna):
    holder, household, sheet = anna
    advisor = _helper(holder, household, Role.ADVISEUR, Scope.BEKIJKEN,
                      ends_on=today() + dt.timedelta(days=30))
    login(advisor)
    listing = client.get("/mijn-klanten").get_data(as_text=True)
    assert _bar(listing) == ""  # "Mijn klanten" is outside every file
    assert f'href="/huishoudens/{household.id}/budget"' in listing

    html = client.get(f"/huishoudens/{household.id}/budget").get_data(as_text=True)
    bar = _bar(html)
    assert "U werkt in het dossier van" in bar and "Anna de Vries" in bar
    assert "U mag alleen inzien" in bar
    from portal.dates import format_day
    assert format_day(today() + dt.timedelta(days=30)) in bar
    assert 'href="/mijn-klanten"' in bar
    assert _file_menu(html) == ["Budget", "Zorgovereenkomsten", "Urenbriefjes", "Betalingen",
                                "Berichten", "Budgetoverzicht op papier (PDF)"]
    assert "<h1>Budget van Anna de Vries</h1>" in html
    assert "Mijn budget" not in html

    # Every page of the menu opens, names Anna, and has the bar.
    for path, heading in [(f"/huishoudens/{household.id}/overeenkomsten",
                           "Zorgovereenkomsten van Anna de Vries"),
                          (f"/huishoudens/{household.id}/urenbriefjes",
                           "Urenbriefjes van Anna de Vries"),
                          (f"/huishoudens/{household.id}/betalingen",
                           "Betalingen van Anna de Vries"),
                          (f"/huishoudens/{household.id}/berichten",
                           "Berichten van Anna de Vries")]:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert f"<h1>{heading}</h1>" in page, path
        assert "Anna de Vries" in _bar(page), path

    # The sheet (an address without the household) is still in Anna's file; no buttons.
    page = client.get(f"/urenbriefjes/{sheet.id}").get_data(as_text=True)
    assert "Anna de Vries" in _bar(page)
    assert "Akkoord" not in page and "Afwijzen" not in page
    # A page that names no household keeps the file open; "Mijn klanten" closes it.
    assert "Anna de Vries" in _bar(client.get("/account/wachtwoord").get_data(as_text=True))
    client.get("/mijn-klanten")
    assert _bar(client.get("/account/wachtwoord").get_data(as_text=True)) == ""


def test_a_view_only_helper_is_still_refused_when_posting(client, login, anna, db):
    holder, household, sheet = anna
    login(_helper(holder, household, Role.ADVISEUR, Scope.BEKIJKEN))
    assert client.post(f"/urenbriefjes/{sheet.id}/akkoord").status_code == 403
    assert client.post(f"/urenbriefjes/{sheet.id}/afwijzen",
                       data={"reason": "Nee"}).status_code == 403
    assert client.get(f"/huishoudens/{household.id}/papier").status_code == 403
    db.session.refresh(sheet)
    assert sheet.status == ClaimStatus.WACHT_OP_AKKOORD


def test_a_representative_who_may_act_sees_the_actions_and_the_paper_page(client, login, anna):
    holder, household, sheet = anna
    login(_helper(holder, household, Role.VERTEGENWOORDIGER, Scope.HANDELEN))
    html = client.get(f"/huishoudens/{household.id}/budget").get_data(as_text=True)
    assert "U mag namens Anna de Vries handelen" in _bar(html)
    assert "Papier" in _file_menu(html)
    assert "Budgetoverzicht op papier (PDF)" not in _file_menu(html)
    page = client.get(f"/urenbriefjes/{sheet.id}").get_data(as_text=True)
    assert "Anna de Vries" in _bar(page)
    assert "Controleren en akkoord geven" in page  # the way to the check page


def test_the_budget_holder_in_her_own_file_sees_no_bar(client, login, anna):
    holder, household, _sheet = anna
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/budget").get_data(as_text=True)
    assert _bar(html) == ""
    assert "<h1>Mijn budget</h1>" in html
    # Her own messages page is her inbox.
    response = client.get(f"/huishoudens/{household.id}/berichten")
    assert response.status_code == 302 and response.headers["Location"].endswith("/berichten")


def test_a_representative_with_two_files_switches_between_them(client, login, anna, db):
    holder, household, _sheet = anna
    kees = _helper(holder, household, Role.VERTEGENWOORDIGER, Scope.HANDELEN)
    other = f.make_user(Role.BUDGETHOUDER, name="Pieter Bakker")
    other_household = db.session.get(Household, other.household_id)
    f.make_authorization(other_household, kees, other, scope=Scope.BEKIJKEN, starts_on=today(),
                         ends_on=today() + dt.timedelta(days=10))
    login(kees)
    first = _bar(client.get(f"/huishoudens/{household.id}/budget").get_data(as_text=True))
    second = _bar(client.get(f"/huishoudens/{other_household.id}/budget").get_data(as_text=True))
    assert "Anna de Vries" in first and "handelen" in first
    assert "Pieter Bakker" in second and "alleen inzien" in second
    assert "Pieter Bakker" in _bar(client.get("/account/wachtwoord").get_data(as_text=True))


def test_a_revoked_authorisation_closes_the_file(client, login, anna, db):
    holder, household, _sheet = anna
    advisor = _helper(holder, household, Role.ADVISEUR, Scope.BEKIJKEN)
    login(advisor)
    client.get(f"/huishoudens/{household.id}/budget")
    auth = db.session.scalars(
        db.select(f.Authorization).where(f.Authorization.grantee_id == advisor.id)).one()
    from portal.dates import now
    auth.revoked_at = now()
    db.session.flush()
    assert _bar(client.get("/account/wachtwoord").get_data(as_text=True)) == ""
    assert client.get(f"/huishoudens/{household.id}/budget").status_code == 404


def test_the_list_of_clients_says_per_client_what_needs_attention(client, login, anna, db):
    holder, household, _sheet = anna
    advisor = _helper(holder, household, Role.ADVISEUR, Scope.BEKIJKEN)
    calm = f.make_user(Role.BUDGETHOUDER, name="Pieter Bakker")
    f.make_authorization(db.session.get(Household, calm.household_id), advisor, calm,
                         starts_on=today(), ends_on=today() + dt.timedelta(days=5))
    login(advisor)
    html = client.get("/mijn-klanten").get_data(as_text=True)
    anna_card = html[html.index("Anna de Vries"):html.index("Pieter Bakker")]
    assert "1 urenbriefje wacht op akkoord" in anna_card and "U mag alleen inzien" in anna_card
    assert "Er wacht niets op Pieter Bakker." in html


def test_the_client_start_page_speaks_of_the_client_not_of_you(client, login, anna):
    holder, household, _sheet = anna
    login(_helper(holder, household, Role.ADVISEUR, Scope.BEKIJKEN))
    html = client.get(f"/huishoudens/{household.id}/budget").get_data(as_text=True)
    main = html[html.index("<main"):]
    assert "Wat moet Anna de Vries doen?" in main
    assert "Zo staat het budget van Anna de Vries er op" in main
    for own in ("Mijn budget", "uw budget", "U komt", "U hoeft"):
        assert own not in main, own

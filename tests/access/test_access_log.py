"""'Wie heeft mijn gegevens bekeken of gewijzigd': the budget holder's view of the audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access import service
from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent
from portal.budgets.models import Household
from portal.dates import TZ, today
from tests import factories as f
from tests.statements import recorded_statements


@pytest.fixture
def world(db):
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    household = db.session.get(Household, holder.household_id)
    advisor = f.make_user(Role.ADVISEUR, name="Fatima Ouali")
    kees = f.make_user(Role.VERTEGENWOORDIGER, name="Kees Jansen")
    consulent = f.make_user(Role.CONSULENT, name="Ingrid Visser")
    return holder, household, advisor, kees, consulent


def add_event(household_id, actor, at, action="view", on_behalf_of=None, summary="GET /x",
              object_type="page"):
    f.add(AuditEvent(household_id=household_id, actor_id=actor.id if actor else None,
                     on_behalf_of_id=on_behalf_of.id if on_behalf_of else None, at=at,
                     action=action, object_type=object_type, summary=summary))


def test_only_others_newest_first_with_namens(db, world):
    holder, household, advisor, kees, consulent = world
    base = dt.datetime(2026, 3, 5, 9, 0, tzinfo=TZ)
    add_event(household.id, holder, base + dt.timedelta(hours=5), action="login")  # own: hidden
    add_event(household.id, None, base + dt.timedelta(hours=6), action="grant_registered")
    add_event(household.id, advisor, base + dt.timedelta(hours=1))
    add_event(household.id, kees, base + dt.timedelta(hours=2), action="claim.approve",
              on_behalf_of=holder, summary="Urenbriefje UB-1 goedgekeurd", object_type="claim")
    add_event(household.id, consulent, base + dt.timedelta(hours=3),
              action="agreement.approve", summary="Zorgovereenkomst goedgekeurd",
              object_type="agreement")
    other = f.make_household()
    add_event(other.id, advisor, base)  # another household: not here
    log = service.access_log(household.id)
    assert [e.who for e in log.entries] == [
        "Ingrid Visser (consulent van de financier)",
        "Kees Jansen namens Anna Jansen",
        "Fatima Ouali namens Anna Jansen",  # a helper always acts on the holder's behalf
    ]
    assert log.total == 3 and log.pages == 1
    assert log.entries[0].at.tzinfo is not None
    assert log.entries[0].at.astimezone(TZ).hour == 12


def test_pages_of_fifty_with_a_fixed_number_of_queries(db, world):
    holder, household, advisor, *_ = world
    base = dt.datetime(2026, 1, 1, 8, 0, tzinfo=TZ)
    for i in range(120):
        add_event(household.id, advisor, base + dt.timedelta(minutes=i), summary=f"GET /{i}")
    with recorded_statements() as statements:
        first = service.access_log(household.id, page=1)
    assert len(first.entries) == 50 and first.pages == 3 and first.has_next
    assert first.entries[0].summary == "GET /119"
    assert len(statements) <= 3
    with recorded_statements() as statements:
        last = service.access_log(household.id, page=3)
    assert len(last.entries) == 20 and not last.has_next and last.has_previous
    assert last.entries[-1].summary == "GET /0"
    assert len(statements) <= 3
    assert service.access_log(household.id, page=99).page == 3  # beyond the end: the last page


def test_page_shows_views_by_an_authorised_advisor(client, app, db, login, world):
    holder, household, advisor, *_ = world
    f.make_authorization(household, advisor, holder, scope=Scope.BEKIJKEN,
                         starts_on=today(), ends_on=today() + dt.timedelta(days=10))
    from tests.conftest import log_in_client

    advisor_client = app.test_client()
    log_in_client(advisor_client, advisor)
    # A household page opened by the advisor is logged by household_view.
    assert advisor_client.get(f"/huishoudens/{household.id}/budget").status_code == 200
    login(holder)
    response = client.get(f"/huishoudens/{household.id}/inzage")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wie heeft mijn gegevens bekeken of gewijzigd" in html
    assert "Fatima Ouali namens Anna Jansen" in html
    assert "Bekeek de pagina &#39;Mijn budget&#39;" in html
    assert "<caption" in html and 'scope="col"' in html


def test_page_names_a_menu_page(app, db):
    from portal.access.service import LogEntry
    from portal.access.views import describe_event

    entry = LogEntry(dt.datetime(2026, 3, 5, tzinfo=TZ), "F", Role.ADVISEUR, "A", "view", "page",
                     "GET /huishoudens/3/machtigingen")
    with app.test_request_context():
        assert describe_event(entry) == "Bekeek de pagina 'Machtigingen'"
        other = LogEntry(entry.at, "F", Role.ADVISEUR, "A", "claim.approve", "claim", "Goedgekeurd")
        assert describe_event(other) == "Goedgekeurd"


def test_empty_log_says_so(client, db, login, world):
    holder, household, *_ = world
    login(holder)
    html = client.get(f"/huishoudens/{household.id}/inzage").get_data(as_text=True)
    assert "Niemand anders heeft uw gegevens bekeken of gewijzigd." in html


def test_only_the_budget_holder_reads_the_log(client, db, login, world):
    holder, household, advisor, kees, _ = world
    f.make_authorization(household, kees, holder, scope=Scope.HANDELEN, starts_on=today())
    login(kees)
    assert client.get(f"/huishoudens/{household.id}/inzage").status_code == 404
    other = f.make_user(Role.BUDGETHOUDER)
    login(other)
    assert client.get(f"/huishoudens/{household.id}/inzage").status_code == 404


def test_pagination_links(client, db, login, world):
    holder, household, advisor, *_ = world
    base = dt.datetime(2026, 1, 1, 8, 0, tzinfo=TZ)
    for i in range(51):
        add_event(household.id, advisor, base + dt.timedelta(minutes=i))
    login(holder)
    first = client.get(f"/huishoudens/{household.id}/inzage").get_data(as_text=True)
    assert "pagina=2" in first and "Oudere" in first and "Nieuwere" not in first
    second = client.get(f"/huishoudens/{household.id}/inzage?pagina=2").get_data(as_text=True)
    assert "Nieuwere" in second and "pagina 2 van 2" in second
    assert client.get(f"/huishoudens/{household.id}/inzage?pagina=x").status_code == 200


# --------------------------------------------------------------------------- log_access


def test_log_access_logs_everyone_but_the_budget_holder(db, world):
    holder, household, advisor, kees, consulent = world
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=f.make_provider().id)
    office = f.make_user(Role.BEHEERDER)

    assert service.log_access(holder, household.id, "urenbriefje maart 2026 van X") is None
    assert service.log_access(None, household.id, "urenbriefje maart 2026 van X") is None
    for actor in (provider_user, office, consulent):
        event = service.log_access(actor, household.id, "urenbriefje maart 2026 van X",
                                   object_type="claim", object_id=7)
        assert (event.action, event.actor_id, event.on_behalf_of_id, event.household_id,
                event.object_type, event.object_id, event.summary) == (
            "view", actor.id, None, household.id, "claim", 7, "urenbriefje maart 2026 van X")


def test_a_helpers_look_is_on_the_budget_holders_behalf(db, world):
    holder, household, advisor, kees, _ = world
    event = service.log_access(kees, household.id, "de pagina 'Mijn budget'")
    assert event.on_behalf_of_id == holder.id
    # Another household's budget holder (never this one's) looks on its holder's behalf too.
    other = f.make_user(Role.BUDGETHOUDER)
    assert service.log_access(other, household.id, "x").on_behalf_of_id == holder.id
    db.session.flush()
    assert [e.who for e in service.access_log(household.id).entries] == [
        f"{other.name} namens Anna Jansen", "Kees Jansen namens Anna Jansen"]

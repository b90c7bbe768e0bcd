"""The hour-sheet screens through the test client: pages, 404s, the grid form and its refusals."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role, Scope
from portal.access.models import AuditEvent, User
from portal.agreements.models import Agreement
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant
from portal.claims import service
from portal.claims.constants import ClaimStatus
from portal.claims.forms import parse_count, parse_hours
from portal.claims.grid import month_weeks, sheet_columns
from portal.claims.models import Claim, ClaimEvent, ClaimLine
from portal.claims.rules import LineInput
from portal.dates import format_day
from portal.messages.models import Message
from portal.payments.rules import next_run_date
from tests.factories import (
    make_agreement,
    make_authorization,
    make_grant,
    make_member,
    make_provider,
    make_user,
)
from tests.statements import recorded_statements

D = dt.date
TODAY = D(2026, 4, 10)
MARCH = D(2026, 3, 1)
IB = CareKind.INDIVIDUELE_BEGELEIDING.value
NBSP = "\u00a0"  # Babel puts a no-break space between € and the amount


@dataclass
class World:
    grant: Grant
    agreement: Agreement
    holder: User
    provider_user: User
    other_holder: User
    other_provider: User
    viewer: User  # advisor with a view-only authorisation
    helper: User  # representative with scope 'handelen'


@pytest.fixture(autouse=True)
def fixed_today(today_is):
    today_is(TODAY)


@pytest.fixture
def w(db) -> World:
    grant = make_grant(amount_cents=100_000)  # EUR 1.000
    provider = make_provider(name="Marieke Test")
    agreement = make_agreement(grant, provider)  # individuele begeleiding, EUR 60 an hour
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id, name="Anna Test")
    viewer = make_user(Role.ADVISEUR, name="Fatima Test")
    helper = make_user(Role.VERTEGENWOORDIGER, name="Kees Test")
    household = agreement.household_id
    from portal.budgets.models import Household

    hh = db.session.get(Household, household)
    make_authorization(hh, viewer, holder, Scope.BEKIJKEN)
    make_authorization(hh, helper, holder, Scope.HANDELEN)
    return World(grant=grant, agreement=agreement, holder=holder,
                 provider_user=make_user(Role.ZORGVERLENER, provider_id=provider.id),
                 other_holder=make_user(Role.BUDGETHOUDER),
                 other_provider=make_user(Role.ZORGVERLENER), viewer=viewer, helper=helper)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def new_url(w: World, month: str = "2026-03") -> str:
    return f"/overeenkomsten/{w.agreement.id}/urenbriefje/{month}"


def prepared(w: World, minutes: int = 120, day: int = 2) -> Claim:
    """A sheet the provider prepared: waiting for the budget holder's akkoord."""
    return service.prepare_claim(w.provider_user, w.agreement, MARCH,
                                 [LineInput(D(2026, 3, day), IB, minutes)], TODAY)


def cell_error(html: str, cell_id: str) -> str:
    match = re.search(rf'<p class="error" id="{cell_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no error next to {cell_id}"
    return match.group(1)


def cell_value(html: str, cell_id: str) -> str | None:
    match = re.search(rf'<input[^>]*id="{cell_id}"[^>]*>', html)
    assert match, f"no input {cell_id}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


# --------------------------------------------------------------------------- parsing and grid


@pytest.mark.parametrize("text, minutes", [
    ("2:15", 135), ("2,25", 135), ("2.25", 135), ("2", 120), ("0:45", 45), (" 1,5 ", 90),
    ("", None), ("2,1", 126),
])
def test_parse_hours_accepts_clock_and_decimal_hours(text, minutes):
    assert parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["abc", "2:60", "-1", "2,33", "1:5", "100", "2 uur",
                                  "99999999999999999999", "1e3"])
def test_parse_hours_refuses_other_input_in_dutch(text):
    with pytest.raises(ValueError, match="geen"):
        parse_hours(text)


def test_parse_count():
    assert parse_count("2") == 2
    assert parse_count("") is None
    with pytest.raises(ValueError, match="geen aantal"):
        parse_count("1,5")
    with pytest.raises(ValueError, match="geen aantal"):  # never reaches the database
        parse_count("99999999999999999999")


def test_month_weeks_group_days_per_iso_week():
    weeks = month_weeks(MARCH)  # 1 March 2026 is a Sunday
    assert [len(w.days) for w in weeks] == [1, 7, 7, 7, 7, 2]
    assert weeks[0].number == 9 and weeks[1].days[0] == D(2026, 3, 2)
    assert sum(len(w.days) for w in weeks) == 31


def test_columns_follow_the_governing_version_and_grants_of_the_month(db):
    member = make_member()
    g2025 = make_grant(member, year=2025)
    g2026 = make_grant(member, year=2026)
    agreement = make_agreement(g2025, starts_on=D(2025, 1, 1), ends_on=D(2026, 12, 31), lines=[
        (g2025, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 240),
        (g2026, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 240),
        (g2026, CareKind.LOGEEROPVANG, Unit.ETMAAL, 15000, 1),
        (g2026, CareKind.HUISHOUDELIJKE_HULP, Unit.MAANDLOON, 90000, 240),
    ])
    columns = sheet_columns(agreement, MARCH)
    assert [(c.care_kind, c.grant_id) for c in columns] == [
        (IB, g2026.id), (CareKind.LOGEEROPVANG.value, g2026.id)]  # no 2025 grant, no wage
    assert columns[1].unit is Unit.ETMAAL and columns[1].tariff_cents == 15000


# --------------------------------------------------------------------------- pages and access


def test_index_lists_waiting_sheets_first_for_the_holder(client, login, w):
    claim = prepared(w)
    login(w.holder)
    response = client.get(f"/huishoudens/{w.agreement.household_id}/urenbriefjes")
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 200
    waiting = html.index("Wacht op uw akkoord")
    assert html.index(f"/urenbriefjes/{claim.id}") > waiting
    assert html.index(f"/urenbriefjes/{claim.id}") < html.index("Per zorgovereenkomst")
    assert "Zelf een urenbriefje invullen" in html


def test_index_for_view_only_advisor_has_no_fill_in_form_and_is_logged(client, login, w, db):
    login(w.viewer)
    before = count(db, AuditEvent)
    response = client.get(f"/huishoudens/{w.agreement.household_id}/urenbriefjes")
    assert response.status_code == 200
    assert "Zelf een urenbriefje invullen" not in response.get_data(as_text=True).replace(NBSP, " ")
    assert count(db, AuditEvent) == before + 1


@pytest.mark.parametrize("who", ["other_holder", "other_provider"])
def test_index_is_404_for_another_household(client, login, w, who):
    login(getattr(w, who))
    assert client.get(f"/huishoudens/{w.agreement.household_id}/urenbriefjes").status_code == 404


def test_sheet_form_for_provider_shows_grid_without_budgets(client, login, w):
    login(w.provider_user)
    response = client.get(new_url(w))
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 200
    assert "Individuele begeleiding" in html and "€ 60,00 per uur" in html
    assert 'scope="rowgroup"' in html and "Week 10" in html
    assert 'id="c0_31"' in html and 'id="c0_01"' in html
    assert "Budget over" not in html and "1.000,00" not in html
    assert "Klaarzetten voor de budgethouder" in html
    assert ">Indienen<" not in html


def test_sheet_form_for_holder_shows_budget_left(client, login, w):
    login(w.holder)
    html = client.get(new_url(w)).get_data(as_text=True).replace(NBSP, " ")
    assert "Budget over na dit urenbriefje" in html and "€ 1.000,00" in html
    assert ">Indienen<" in html and "Klaarzetten" not in html


@pytest.mark.parametrize("who, status", [("other_holder", 404), ("other_provider", 404),
                                         ("viewer", 403)])
def test_sheet_form_refused_for_others(client, login, w, who, status):
    login(getattr(w, who))
    assert client.get(new_url(w)).status_code == status
    assert client.post(new_url(w), data={"c0_02": "2:00", "action": "klaarzetten"}
                       ).status_code == status


def test_sheet_form_404_for_bad_month_or_agreement(client, login, w):
    login(w.holder)
    assert client.get(new_url(w, "2026-13")).status_code == 404
    assert client.get(new_url(w, "maart")).status_code == 404
    assert client.get("/overeenkomsten/999999/urenbriefje/2026-03").status_code == 404
    # Months the portal does not handle (year 0 and 9999 crashed the page).
    for month in ("0000-01", "9999-12", "1999-12", "\u0662\u0660\u0662\u0666-03"):
        assert client.get(new_url(w, month)).status_code == 404
        assert client.post(new_url(w, month), data={"c0_01": "1", "action": "bereken"}
                           ).status_code == 404


def test_show_page_for_each_side_and_404_for_others(client, login, w):
    claim = prepared(w)
    for user in (w.holder, w.provider_user, w.viewer, w.helper):
        login(user)
        response = client.get(f"/urenbriefjes/{claim.id}")
        assert response.status_code == 200, user.role
        html = response.get_data(as_text=True).replace(NBSP, " ")
        assert claim.reference in html and "Wacht op akkoord" in html
        assert "2:00 uur" in html and "€ 120,00" in html
    for user in (w.other_holder, w.other_provider):
        login(user)
        assert client.get(f"/urenbriefjes/{claim.id}").status_code == 404
    assert client.get("/urenbriefjes/999999").status_code == 404


# --------------------------------------------------------------------------- provider prepares


def test_provider_prepares_a_sheet(client, login, w, db):
    login(w.provider_user)
    response = client.post(new_url(w), data={"c0_02": "2:15", "c0_05": "1,5",
                                              "action": "klaarzetten"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.agreement_id == w.agreement.id))
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    assert [(line.day.day, line.quantity) for line in claim.lines] == [(2, 135), (5, 90)]
    assert claim.total_cents == 13500 + 9000
    assert response.headers["Location"].endswith(f"/urenbriefjes/{claim.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True).replace(NBSP, " ")
    assert "staat klaar voor de budgethouder" in page
    assert "Akkoord en indienen" not in page


def test_a_future_day_is_refused_next_to_its_cell_and_nothing_is_written(client, login, w, db):
    login(w.provider_user)
    before = count(db, Claim), count(db, ClaimLine)
    # April 2026 is not over on 10 April: the 15th lies in the future.
    response = client.post(new_url(w, "2026-04"), data={"c0_03": "2:00", "c0_15": "3:00",
                                                        "action": "klaarzetten"})
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 422
    assert "ligt in de toekomst" in cell_error(html, "c0_15")
    assert 'href="#c0_15"' in html  # the summary links to the cell
    assert re.search(r'id="c0_15"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="c0_15"',
                     html)
    assert "april 2026 is nog niet voorbij" in html.lower()
    assert cell_value(html, "c0_15") == "3:00" and cell_value(html, "c0_03") == "2:00"
    assert (count(db, Claim), count(db, ClaimLine)) == before


def test_the_last_past_day_is_accepted(client, login, w, db):
    login(w.holder)
    response = client.post(new_url(w), data={"c0_31": "1:00", "action": "opslaan"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.agreement_id == w.agreement.id))
    assert claim.status == ClaimStatus.CONCEPT and claim.lines[0].day == D(2026, 3, 31)


def test_unreadable_hours_are_refused_on_the_cell_and_typed_values_kept(client, login, w, db):
    login(w.provider_user)
    before = count(db, Claim)
    response = client.post(new_url(w), data={"c0_02": "twee", "c0_03": "2:00",
                                              "note": "Let op", "action": "klaarzetten"})
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 422
    assert "is geen aantal uren" in cell_error(html, "c0_02")
    assert cell_value(html, "c0_02") == "twee" and cell_value(html, "c0_03") == "2:00"
    assert "Let op" in html
    assert "Vul minstens" not in html
    assert count(db, Claim) == before


def test_hours_not_in_quarters_refused_by_the_rules_on_the_cell(client, login, w, db):
    login(w.provider_user)
    response = client.post(new_url(w), data={"c0_04": "2:10", "action": "klaarzetten"})
    assert response.status_code == 422
    assert "hele kwartieren" in cell_error(response.get_data(as_text=True).replace(NBSP, " "), "c0_04")
    assert count(db, Claim) == 0


def test_more_than_24_hours_on_a_day_refused_on_the_cell(client, login, w, db):
    login(w.provider_user)
    response = client.post(new_url(w), data={"c0_04": "24:15", "action": "klaarzetten"})
    assert response.status_code == 422
    assert "meer dan 24 uur" in cell_error(response.get_data(as_text=True).replace(NBSP, " "), "c0_04")
    ok = client.post(new_url(w), data={"c0_04": "24:00", "action": "klaarzetten"})
    assert ok.status_code == 302


def test_an_empty_sheet_is_refused_with_the_summary_linking_the_grid(client, login, w, db):
    login(w.provider_user)
    response = client.post(new_url(w), data={"action": "klaarzetten"})
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 422
    assert 'href="#urenbriefje-rooster"' in html and "Vul minstens één dag in" in html
    assert count(db, Claim) == 0


def test_provider_can_never_submit_a_forged_post_is_404(client, login, w, db):
    login(w.provider_user)
    response = client.post(new_url(w), data={"c0_02": "2:00", "action": "indienen"})
    assert response.status_code == 404
    assert count(db, Claim) == 0


def test_recalculate_without_javascript_writes_nothing(client, login, w, db):
    login(w.holder)
    response = client.post(new_url(w), data={"c0_02": "2:00", "c0_03": "0:30",
                                              "action": "bereken"})
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 200
    assert "2:30 uur" in html and "€ 150,00" in html
    assert "€ 850,00" in html  # budget left after this sheet
    assert count(db, Claim) == 0


def test_recalculate_as_json_for_the_script(client, login, w, db):
    login(w.provider_user)
    response = client.post(new_url(w), data={"c0_02": "1:45", "action": "bereken"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = {k: v.replace(NBSP, " ") if isinstance(v, str) else v
            for k, v in response.get_json().items()}
    data["columns"] = [{k: v.replace(NBSP, " ") for k, v in c.items()} for c in data["columns"]]
    assert data["total"] == "€ 105,00"
    assert data["columns"] == [{"quantity": "1:45 uur", "amount": "€ 105,00"}]
    assert data["budgets"] is None  # a provider never sees budgets
    assert count(db, Claim) == 0


def test_new_for_a_month_that_has_a_sheet_goes_to_that_sheet(client, login, w):
    claim = prepared(w)
    login(w.provider_user)
    response = client.get(new_url(w))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/urenbriefjes/{claim.id}")


def test_provider_changes_a_waiting_sheet(client, login, w, db):
    claim = prepared(w)
    login(w.provider_user)
    page = client.get(f"/urenbriefjes/{claim.id}/wijzigen").get_data(as_text=True).replace(NBSP, " ")
    assert cell_value(page, "c0_02") == "2:00"
    response = client.post(f"/urenbriefjes/{claim.id}/wijzigen",
                           data={"c0_02": "3:00", "action": "klaarzetten"})
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.lines[0].quantity == 180 and claim.status == ClaimStatus.WACHT_OP_AKKOORD


def test_edit_refused_keeps_the_stored_lines(client, login, w, db):
    claim = prepared(w)
    login(w.provider_user)
    response = client.post(f"/urenbriefjes/{claim.id}/wijzigen",
                           data={"c0_02": "2:05", "action": "klaarzetten"})
    assert response.status_code == 422
    db.session.refresh(claim)
    assert claim.lines[0].quantity == 120


def test_a_submitted_sheet_cannot_be_edited(client, login, w, db):
    claim = prepared(w)
    service.approve_claim(w.holder, claim, TODAY)
    login(w.holder)
    response = client.get(f"/urenbriefjes/{claim.id}/wijzigen")
    assert response.status_code == 302
    response = client.post(f"/urenbriefjes/{claim.id}/wijzigen",
                           data={"c0_02": "1:00", "action": "opslaan"})
    assert response.status_code == 422
    assert "status" in response.get_data(as_text=True).replace(NBSP, " ")
    db.session.refresh(claim)
    assert claim.lines[0].quantity == 120


# --------------------------------------------------------------------------- holder decides


def test_holder_approves_a_waiting_sheet(client, login, w, db):
    claim = prepared(w)
    login(w.holder)
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    # Approving before seeing (finding 3): the sheet's page leads to the check, no button.
    assert "Akkoord en indienen" not in page and "Terugsturen naar de zorgverlener" not in page
    assert f'href="/urenbriefjes/{claim.id}/controleren"' in page
    check = client.get(f"/urenbriefjes/{claim.id}/controleren").get_data(as_text=True)
    check = check.replace(NBSP, " ")
    assert "<h1>Controleer het urenbriefje maart 2026</h1>" in check
    hours, budget = check.index("Gewerkte uren"), check.index("Budget over na dit urenbriefje")
    buttons = check.index("Akkoord en indienen")
    assert hours < budget < buttons < check.index("Terugsturen naar de zorgverlener")
    assert "€ 880,00" in check
    response = client.post(f"/urenbriefjes/{claim.id}/akkoord")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/urenbriefjes/{claim.id}#wat-gebeurt-er-nu")
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.INGEDIEND
    assert db.session.get(Grant, w.grant.id).reserved_cents == 12000
    db.session.expire_all()  # the status as the database gives it back: a plain string
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True)
    assert 'tag tag--neutral">Ingediend</span>' in page
    expected = format_day(next_run_date(TODAY))  # a Friday: the next run is on Monday
    assert "Wat gebeurt er nu?" in page and f"Verwachte betaaldatum: <strong>{expected}" in page


def test_the_check_page_is_only_for_a_sheet_that_waits_for_the_holders_akkoord(client, login,
                                                                                w, db):
    claim = prepared(w)
    login(w.provider_user)
    assert client.get(f"/urenbriefjes/{claim.id}/controleren").status_code == 404
    login(w.viewer)
    assert client.get(f"/urenbriefjes/{claim.id}/controleren").status_code == 403
    login(w.holder)
    client.post(f"/urenbriefjes/{claim.id}/akkoord")
    again = client.get(f"/urenbriefjes/{claim.id}/controleren")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/urenbriefjes/{claim.id}")


def test_approve_refused_when_the_budget_is_too_small(client, login, w, db):
    claim = prepared(w, minutes=10 * 60)  # EUR 600
    w.grant.reserved_cents = 50_000  # EUR 500 left
    db.session.flush()
    login(w.holder)
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    assert "kan zo niet worden ingediend" in page
    response = client.post(f"/urenbriefjes/{claim.id}/akkoord")
    assert response.status_code == 422
    assert "niet genoeg budget" in response.get_data(as_text=True).replace(NBSP, " ")
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD
    assert db.session.get(Grant, w.grant.id).reserved_cents == 50_000


def test_approve_when_the_budget_just_fits(client, login, w, db):
    claim = prepared(w, minutes=10 * 60)  # EUR 600
    w.grant.reserved_cents = 40_000  # exactly EUR 600 left
    db.session.flush()
    login(w.holder)
    assert client.post(f"/urenbriefjes/{claim.id}/akkoord").status_code == 302


def test_view_only_advisor_sees_no_buttons_and_a_forged_post_is_refused(client, login, w, db):
    claim = prepared(w)
    login(w.viewer)
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    assert "Akkoord en indienen" not in page and "Afwijzen" not in page
    events = count(db, ClaimEvent)
    for action in ("akkoord", "afwijzen", "heropenen"):
        response = client.post(f"/urenbriefjes/{claim.id}/{action}", data={"reason": "Nee"})
        assert response.status_code in (403, 404)
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD and count(db, ClaimEvent) == events


def test_provider_forged_approve_is_404(client, login, w, db):
    claim = prepared(w)
    login(w.provider_user)
    assert client.post(f"/urenbriefjes/{claim.id}/akkoord").status_code == 404
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD


def test_representative_approves_on_behalf_and_it_is_logged(client, login, w, db):
    claim = prepared(w)
    login(w.helper)
    client.get(f"/urenbriefjes/{claim.id}")
    assert client.post(f"/urenbriefjes/{claim.id}/akkoord").status_code == 302
    db.session.refresh(claim)
    assert claim.submitted_on_behalf_of_id == w.holder.id
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == w.helper.id,
                                                        AuditEvent.action == "view")).all()
    assert views and views[0].on_behalf_of_id == w.holder.id
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    assert "Kees Test namens Anna Test" in page


def test_refuse_needs_a_reason(client, login, w, db):
    claim = prepared(w)
    login(w.holder)
    response = client.post(f"/urenbriefjes/{claim.id}/afwijzen", data={"reason": "  "})
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 422
    assert 'id="reason-error"' in html and "Schrijf op waarom" in html
    assert 'href="#reason"' in html
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD


def test_refuse_with_a_reason_sends_it_back(client, login, w, db):
    claim = prepared(w)
    login(w.holder)
    response = client.post(f"/urenbriefjes/{claim.id}/afwijzen",
                           data={"reason": "Op 2 maart was u er niet."})
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.CONCEPT
    login(w.provider_user)
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    assert "Op 2 maart was u er niet." in page and "teruggestuurd" in page
    assert "Uren aanpassen" in page


def test_holder_fills_in_and_submits_a_sheet(client, login, w, db):
    login(w.holder)
    response = client.post(new_url(w), data={"c0_09": "4:00", "action": "indienen"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.agreement_id == w.agreement.id))
    assert claim.status == ClaimStatus.INGEDIEND
    assert db.session.get(Grant, w.grant.id).reserved_cents == 24000


def test_holder_submit_over_budget_is_refused_with_summary_link(client, login, w, db):
    login(w.holder)
    response = client.post(new_url(w), data={"c0_09": "20:00", "c0_10": "20:00",
                                              "action": "indienen"})  # EUR 2.400
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert response.status_code == 422
    assert 'href="#budget-over"' in html and "niet genoeg budget" in html
    assert count(db, Claim) == 0


def test_reopen_a_refused_sheet(client, login, w, db):
    claim = prepared(w)
    service.approve_claim(w.holder, claim, TODAY)
    office = make_user(Role.BEHEERDER)
    service.office_refuse(office, claim, "Dubbele uren op 2 maart.", TODAY)
    login(w.provider_user)
    page = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    assert "Waarom het urenbriefje is afgekeurd" in page and "Dubbele uren" in page
    assert client.post(f"/urenbriefjes/{claim.id}/heropenen").status_code == 302
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.CONCEPT


# --------------------------------------------------------------------------- choosing


def test_provider_chooses_agreement_and_month(client, login, w):
    login(w.provider_user)
    page = client.get("/zorgverlener/urenbriefje")
    assert page.status_code == 200 and w.agreement.reference in page.get_data(as_text=True).replace(NBSP, " ")
    response = client.get(f"/zorgverlener/urenbriefje?overeenkomst={w.agreement.id}"
                          "&maand=2026-03")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(new_url(w))


def test_provider_sees_each_agreement_under_the_portals_one_household_label(client, login, w):
    """Issue 10, finding 4: the choice built "Huishouden <name>" by hand; it now names the
    household as every other page does (budgets.service.holder_labels: the budget holder)."""
    login(w.provider_user)
    html = client.get("/zorgverlener/urenbriefje").get_data(as_text=True)
    assert f"Anna Test ({w.agreement.reference})" in html


def test_provider_cannot_choose_another_providers_agreement(client, login, w):
    login(w.other_provider)
    response = client.get(f"/zorgverlener/urenbriefje?overeenkomst={w.agreement.id}"
                          "&maand=2026-03")
    assert response.status_code == 200
    html = response.get_data(as_text=True).replace(NBSP, " ")
    assert "Kies een zorgovereenkomst uit de lijst" in html
    assert w.agreement.reference not in html


def test_holder_chooses_and_a_month_past_its_deadline_or_not_begun_is_not_offered(client,
                                                                                  login, w):
    login(w.holder)
    url = f"/huishoudens/{w.agreement.household_id}/urenbriefjes/nieuw"
    for month in ("2026-05", "2025-12"):  # not begun; submit deadline 11 March 2026 passed
        response = client.get(f"{url}?overeenkomst={w.agreement.id}&maand={month}")
        assert response.status_code == 200
        assert "Kies een maand uit de lijst" in response.get_data(as_text=True)
    for month in ("2026-03", "2026-04"):  # over and in time; running (a concept)
        ok = client.get(f"{url}?overeenkomst={w.agreement.id}&maand={month}")
        assert ok.status_code == 302


# --------------------------------------------------------------------------- only valid months


def test_the_sheet_list_offers_only_open_months_each_with_its_deadline(client, login, w, db):
    """Finding 4: the list offered months that cannot be claimed. On 10 April 2026, with an
    agreement from 1 January 2026: April (running: a concept) and March (until 9 June) for
    the holder; February's sheet exists already; January until 11 April; December 2025 is
    before the agreement."""
    service.prepare_claim(w.holder, w.agreement, D(2026, 2, 1),
                          [LineInput(D(2026, 2, 2), IB, 60)], TODAY)
    login(w.holder)
    html = client.get(f"/huishoudens/{w.agreement.household_id}/urenbriefjes").get_data(
        as_text=True).replace(NBSP, " ")
    links = re.findall(rf'href="/overeenkomsten/{w.agreement.id}/urenbriefje/(\d{{4}}-\d{{2}})"',
                       html)
    assert links == ["2026-04", "2026-03", "2026-01"]
    assert "indienen uiterlijk 9 juni 2026" in " ".join(html.split())
    assert "indienen uiterlijk 11 april 2026" in " ".join(html.split())  # January: 10 weeks
    assert "Waarom staan andere maanden er niet bij?" in html
    options = re.findall(r'<option value="(\d{4}-\d{2})"', html)
    assert options == ["2026-04", "2026-03", "2026-02", "2026-01"]  # the form: every open month


def test_the_provider_is_offered_months_within_six_weeks(client, login, w):
    login(w.provider_user)
    html = client.get("/zorgverlener/urenbriefje").get_data(as_text=True).replace(NBSP, " ")
    links = re.findall(rf'href="/overeenkomsten/{w.agreement.id}/urenbriefje/(\d{{4}}-\d{{2}})"',
                       html)
    assert links == ["2026-04", "2026-03", "2026-02"]  # January's 6 weeks ended 14 March
    assert "naar de budgethouder uiterlijk 12 mei 2026" in " ".join(html.split())


@pytest.mark.parametrize(("who", "month", "reason"), [
    ("holder", "2026-05", "mei 2026 is nog niet begonnen"),
    ("provider_user", "2026-01", "De termijn voor januari 2026 is voorbij"),
    ("holder", "2025-12", "In december 2025 gold deze zorgovereenkomst niet"),
])
def test_a_month_not_offered_is_refused_by_its_address_before_any_grid(client, login, w, db,
                                                                        who, month, reason):
    login(getattr(w, who))
    for response in (client.get(new_url(w, month)),
                     client.post(new_url(w, month), data={"c0_02": "1:00", "action": "opslaan"})):
        html = response.get_data(as_text=True)
        assert response.status_code == 409
        assert reason.lower() in html.lower()
        assert 'id="urenbriefje"' not in html  # nothing to fill in
    assert count(db, Claim) == 0


def test_a_provider_saves_a_concept_during_the_month(client, login, w, db):
    """Providers can save hours during the month (finding 4): a concept, not handed over and
    not shown to the holder as waiting."""
    login(w.provider_user)
    page = client.get(new_url(w, "2026-04")).get_data(as_text=True)
    assert 'value="concept"' in page and 'value="klaarzetten"' not in page
    response = client.post(new_url(w, "2026-04"), data={"c0_02": "2:00", "action": "concept"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.month == D(2026, 4, 1)))
    assert claim.status == ClaimStatus.CONCEPT and claim.handed_over_on is None
    assert db.session.scalar(select(func.count(Message.id))
                             .where(Message.user_id == w.holder.id)) == 0  # nobody is told
    # More hours later in the month: still a concept.
    response = client.post(f"/urenbriefjes/{claim.id}/wijzigen",
                           data={"c0_02": "2:00", "c0_09": "1:00", "action": "concept"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/urenbriefjes/{claim.id}")
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.CONCEPT and len(claim.lines) == 2
    # Handing over during the month is refused (pay only after delivery).
    early = client.post(f"/urenbriefjes/{claim.id}/wijzigen",
                        data={"c0_02": "2:00", "c0_09": "1:00", "action": "klaarzetten"})
    assert early.status_code == 422 and "nog niet voorbij" in early.get_data(as_text=True)


def test_a_concept_from_during_the_month_is_handed_over_after_it_and_approved(client, login, w,
                                                                               db, today_is):
    claim = service.save_draft(w.provider_user, w.agreement, D(2026, 4, 1),
                               [LineInput(D(2026, 4, 2), IB, 120)], D(2026, 4, 20))
    today_is(D(2026, 5, 4))
    login(w.provider_user)
    response = client.post(f"/urenbriefjes/{claim.id}/wijzigen",
                           data={"c0_02": "2:00", "c0_16": "1:00", "action": "klaarzetten"})
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.WACHT_OP_AKKOORD and len(claim.lines) == 2
    login(w.holder)
    assert client.get(f"/urenbriefjes/{claim.id}/controleren").status_code == 200
    assert client.post(f"/urenbriefjes/{claim.id}/akkoord").status_code == 302
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.INGEDIEND


def test_the_holder_saves_a_concept_during_the_month(client, login, w, db):
    login(w.holder)
    page = client.get(new_url(w, "2026-04")).get_data(as_text=True)
    assert 'value="indienen"' not in page and 'value="concept"' in page
    response = client.post(new_url(w, "2026-04"), data={"c0_02": "2:00", "action": "opslaan"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.month == D(2026, 4, 1)))
    assert claim.status == ClaimStatus.CONCEPT


def test_provider_choice_page_is_only_for_providers(client, login, w):
    login(w.holder)
    assert client.get("/zorgverlener/urenbriefje").status_code == 404


def test_show_page_reads_a_fixed_number_of_queries(client, login, w, db):
    small = service.prepare_claim(w.holder, w.agreement, MARCH,
                                  [LineInput(D(2026, 3, d), IB, 60) for d in range(2, 4)], TODAY)
    second = make_agreement(w.grant, make_provider())
    big = service.prepare_claim(w.holder, second, MARCH,
                                [LineInput(D(2026, 3, d), IB, 60) for d in range(2, 28)], TODAY)
    login(w.holder)
    counts = []
    for claim in (small, big):
        with recorded_statements() as statements:
            assert client.get(f"/urenbriefjes/{claim.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] > 5, counts


def test_a_top_up_sheet_shows_what_the_budget_and_the_holder_pay(client, login, db):
    """Issue 16, finding 8: 2:00 at EUR 30.00 above a EUR 24.44 maximum. The page said
    '2:00 uur x EUR 30,00 = EUR 48,88'; now the budget's EUR 48.88 and the holder's own
    EUR 11.12 are recorded per line and shown, on the sheet and on the budget statement."""
    from portal.agreements.models import AgreementLine
    from portal.paper import documents

    grant = make_grant(amount_cents=100_000)
    agreement = make_agreement(grant, make_provider(),
                               lines=[(grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 3000, 120)])
    line = db.session.scalars(select(AgreementLine)).all()[-1]
    line.budget_tariff_cents = 2444
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    claim = service.submit_own_claim(holder, agreement, MARCH,
                                     [LineInput(D(2026, 3, 2), IB, 120)], TODAY)
    assert claim.total_cents == 4888
    assert [(ln.amount_cents, ln.holder_cents) for ln in claim.lines] == [(4888, 1112)]
    login(holder)
    html = client.get(f"/urenbriefjes/{claim.id}").get_data(as_text=True).replace(NBSP, " ")
    assert "Bijbetaling budgethouder" in html
    assert "Het budget betaalt € 48,88; de budgethouder betaalt de zorgverlener zelf € 11,12 bij" \
        in html
    doc = documents.statement_document(agreement.household_id, MARCH, MARCH, TODAY)
    assert doc.top_up_cents == 1112


def test_the_households_sheets_are_paged_newest_month_first(client, login, w, db):
    """Before, every sheet the household ever had was on one page."""
    from portal.claims.views import SHEETS_PAGE_SIZE

    months = [dt.date(2020 + i // 12, i % 12 + 1, 1) for i in range(SHEETS_PAGE_SIZE + 5)]
    db.session.execute(Claim.__table__.insert(), [
        {"reference": f"UB-PAGE{i:04d}", "agreement_id": w.agreement.id, "month": month,
         "status": ClaimStatus.UITBETAALD.value, "source": "portal", "total_cents": 100,
         "note": "", "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)} for i, month in enumerate(months)])
    login(w.holder)
    url = f"/huishoudens/{w.agreement.household_id}/urenbriefjes"

    first = client.get(url).get_data(as_text=True)
    assert first.count("UB-PAGE") == SHEETS_PAGE_SIZE
    assert f"UB-PAGE{len(months) - 1:04d}" in first and "UB-PAGE0000" not in first
    assert f'href="{url}?pagina=2#per-overeenkomst" rel="next"' in first

    second = client.get(url + "?pagina=2").get_data(as_text=True)
    assert second.count("UB-PAGE") == 5 and "UB-PAGE0000" in second

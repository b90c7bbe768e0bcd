"""The payment office's hour-sheet screen: the submitted and suspended sheets, one sheet, and
approve / suspend with a reason / refuse with a reason through the claims service. The reason
reaches the budget holder and the provider as a message, and the provider's payment status."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.budgets.models import Grant
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimEvent
from portal.dates import add_months, first_of_month
from portal.dates import today as real_today
from portal.messages.models import Message
from tests import factories as f
from tests.payments.builders import make_approved_claim
from tests.statements import recorded_statements

MONTH = first_of_month(add_months(real_today(), -1))
PREVIOUS = first_of_month(add_months(MONTH, -1))
REASON = "Op 3 maart staan 10 uur. Klopt dat? Wij bellen u hierover."


def page(response) -> str:
    return response.get_data(as_text=True)


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def world(db):
    household = f.make_household(name="Jansen")
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id, name="Anna Jansen")
    grant = f.make_grant(f.make_member(household, name="Anna Jansen"), year=MONTH.year,
                         period_start=dt.date(PREVIOUS.year, 1, 1),
                         period_end=dt.date(MONTH.year, 12, 31))
    provider = f.make_provider(name="Marieke de Boer")
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=provider.id, name="Marieke de Boer")
    agreement = f.make_agreement(grant, provider, household=household)
    office = f.make_user(Role.BEHEERDER, name="Sandra Mulder")
    submitted = make_approved_claim(agreement, MONTH, status=ClaimStatus.INGEDIEND)
    return {"household": household, "holder": holder, "grant": grant, "agreement": agreement,
            "provider_user": provider_user, "office": office, "submitted": submitted}


def url(claim) -> str:
    return f"/betaalkantoor/urenbriefjes/{claim.id}"


def messages_to(db, user) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.user_id == user.id)))


# --------------------------------------------------------------------------- who may see


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT,
                                  Role.ADVISEUR, Role.VERTEGENWOORDIGER])
def test_only_the_payment_office_opens_the_screen(client, login, db, world, role):
    login(f.make_user(role))
    claim = world["submitted"]
    assert client.get("/betaalkantoor/urenbriefjes").status_code == 404
    assert client.get(url(claim)).status_code == 404
    assert client.post(url(claim), data={"besluit": "goedkeuren"}).status_code == 404
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.INGEDIEND


def test_anonymous_is_sent_to_login(client, db, world):
    response = client.get("/betaalkantoor/urenbriefjes")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_an_unknown_sheet_is_404(client, login, db, world):
    login(world["office"])
    assert client.get("/betaalkantoor/urenbriefjes/999999").status_code == 404


# --------------------------------------------------------------------------- the list


def test_the_list_has_the_submitted_and_the_suspended_sheets_only(client, login, db, world):
    suspended = make_approved_claim(f.make_agreement(provider=f.make_provider(name="Thuiszorg X")),
                                    MONTH, status=ClaimStatus.OPGESCHORT)
    suspended.refusal_reason = REASON
    approved = make_approved_claim(f.make_agreement(), MONTH)
    waiting = make_approved_claim(f.make_agreement(), MONTH, status=ClaimStatus.WACHT_OP_AKKOORD)
    db.session.flush()
    login(world["office"])
    html = page(client.get("/betaalkantoor/urenbriefjes"))
    submitted_part, suspended_part = html.split('id="opgeschort-titel"')
    assert world["submitted"].reference in submitted_part and "Marieke de Boer" in submitted_part
    assert "Jansen" in submitted_part
    assert suspended.reference in suspended_part and REASON in suspended_part
    assert approved.reference not in html and waiting.reference not in html
    assert "Urenbriefjes controleren" in html  # in the office's menu


def test_the_list_and_a_sheet_read_through_a_fixed_number_of_queries(client, login, db, world):
    login(world["office"])
    client.get("/betaalkantoor/urenbriefjes")  # warm up (the menu, the session)
    with recorded_statements(selects_only=True) as few:
        client.get("/betaalkantoor/urenbriefjes")
    for _ in range(6):
        make_approved_claim(f.make_agreement(), MONTH, status=ClaimStatus.INGEDIEND)
    with recorded_statements(selects_only=True) as many:
        client.get("/betaalkantoor/urenbriefjes")
    assert len(many) == len(few)

    long = make_approved_claim(world["agreement"], PREVIOUS, minutes=[60] * 20,
                               status=ClaimStatus.INGEDIEND)
    urls = url(world["submitted"]), url(long)
    db.session.expunge_all()  # both start from an empty identity map
    with recorded_statements(selects_only=True) as one_line:
        client.get(urls[0])
    db.session.expunge_all()
    with recorded_statements(selects_only=True) as twenty_lines:
        client.get(urls[1])
    assert len(twenty_lines) == len(one_line)


# --------------------------------------------------------------------------- one sheet


def test_a_sheet_shows_its_lines_and_the_decisions_its_status_allows(client, login, db, world):
    login(world["office"])
    html = page(client.get(url(world["submitted"])))
    assert f"<h1>Urenbriefje {world['submitted'].reference}</h1>" in html
    assert "Marieke de Boer" in html and "Anna Jansen" in html
    assert '<span class="hint">Anna Jansen, ' in html  # the budget a line is paid from
    for button in ('value="goedkeuren"', 'value="opschorten"', 'value="afkeuren"'):
        assert button in html

    waiting = make_approved_claim(world["agreement"], PREVIOUS,
                                  status=ClaimStatus.WACHT_OP_AKKOORD)
    html = page(client.get(url(waiting)))
    assert 'name="besluit"' not in html and "Er is niets te beslissen." in html


def test_the_offices_look_is_in_the_budget_holders_log(client, login, db, world):
    household_id = world["household"].id
    login(world["office"])
    before = count(db, AuditEvent, AuditEvent.household_id == household_id)
    assert client.get(url(world["submitted"])).status_code == 200
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.household_id == household_id).order_by(AuditEvent.id)).all()
    assert len(events) == before + 1
    assert (events[-1].actor_id, events[-1].action, events[-1].object_id) == (
        world["office"].id, "view", world["submitted"].id)
    assert "Marieke de Boer" in events[-1].summary


# --------------------------------------------------------------------------- decisions


def test_approve(client, login, db, world):
    claim = world["submitted"]
    login(world["office"])
    response = client.post(url(claim), data={"besluit": "goedkeuren"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/betaalkantoor/urenbriefjes")
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.GOEDGEKEURD
    assert any("goedgekeurd" in m.subject for m in messages_to(db, world["provider_user"]))
    listing = page(client.get("/betaalkantoor/urenbriefjes"))
    assert f"Urenbriefje {claim.reference} is goedgekeurd." in listing
    assert f">{claim.reference}</a>" not in listing  # no longer waiting


def test_suspending_needs_a_reason_and_writes_nothing_without_one(client, login, db, world):
    claim = world["submitted"]
    login(world["office"])
    before = (count(db, Message), count(db, ClaimEvent), count(db, AuditEvent))
    response = client.post(url(claim), data={"besluit": "opschorten", "reason": "  "})
    assert response.status_code == 422
    html = page(response)
    assert "Schrijf de reden op" in html and 'aria-invalid="true"' in html
    assert 'href="#reason"' in html  # the error summary links to the field
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.INGEDIEND
    assert (count(db, Message), count(db, ClaimEvent), count(db, AuditEvent)) == before


def test_a_suspension_reason_reaches_the_holder_the_provider_and_the_payment_status(
        client, login, db, world):
    claim = world["submitted"]
    login(world["office"])
    assert client.post(url(claim), data={"besluit": "opschorten", "reason": REASON}
                       ).status_code == 302
    db.session.refresh(claim)
    assert (claim.status, claim.refusal_reason) == (ClaimStatus.OPGESCHORT, REASON)
    for user in (world["holder"], world["provider_user"]):
        assert any(REASON in m.body for m in messages_to(db, user)), user.name
    login(world["provider_user"])
    html = page(client.get("/zorgverlener"))
    assert "Wordt nagekeken" in html and REASON in html


def test_refusing_a_suspended_sheet_releases_the_budget_and_tells_why(client, login, db, world):
    claim = world["submitted"]
    grant = world["grant"]
    db.session.refresh(grant)
    reserved = grant.reserved_cents
    login(world["office"])
    client.post(url(claim), data={"besluit": "opschorten", "reason": REASON})
    html = page(client.get(url(claim)))
    assert 'value="goedkeuren"' in html and 'value="afkeuren"' in html
    assert 'value="opschorten"' not in html  # already suspended

    refusal = "De uren vallen buiten de overeenkomst. Dien ze in bij de juiste overeenkomst."
    assert client.post(url(claim), data={"besluit": "afkeuren", "reason": refusal}
                       ).status_code == 302
    db.session.refresh(claim)
    grant = db.session.get(Grant, grant.id)
    db.session.refresh(grant)
    assert claim.status == ClaimStatus.AFGEKEURD
    assert grant.reserved_cents == reserved - claim.total_cents
    assert any(refusal in m.body for m in messages_to(db, world["holder"]))
    login(world["provider_user"])
    provider_page = page(client.get("/zorgverlener"))
    assert "Afgekeurd" in provider_page and refusal in provider_page


def test_a_suspended_sheet_can_be_approved_after_the_check(client, login, db, world):
    claim = world["submitted"]
    login(world["office"])
    client.post(url(claim), data={"besluit": "opschorten", "reason": REASON})
    assert client.post(url(claim), data={"besluit": "goedkeuren"}).status_code == 302
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.GOEDGEKEURD


@pytest.mark.parametrize("decision", [None, "", "betalen"])
def test_no_or_an_unknown_decision_is_422_and_says_what_to_choose(client, login, db, world,
                                                                   decision):
    data = {"reason": REASON} | ({"besluit": decision} if decision is not None else {})
    login(world["office"])
    response = client.post(url(world["submitted"]), data=data)
    assert response.status_code == 422
    assert "Kies wat u met het urenbriefje wilt doen" in page(response)
    assert REASON in page(response)  # what was typed stays
    db.session.refresh(world["submitted"])
    assert world["submitted"].status == ClaimStatus.INGEDIEND


def test_a_decision_the_status_does_not_allow_is_refused_with_the_reason(client, login, db, world):
    paid_later = make_approved_claim(world["agreement"], PREVIOUS)  # already approved
    login(world["office"])
    response = client.post(url(paid_later), data={"besluit": "afkeuren", "reason": REASON})
    assert response.status_code == 422
    assert "heeft de status &#39;Goedgekeurd&#39;" in page(response)
    db.session.refresh(paid_later)
    assert paid_later.status == ClaimStatus.GOEDGEKEURD
    assert count(db, Claim, Claim.status == ClaimStatus.AFGEKEURD) == 0


def test_the_office_start_page_says_what_waits_first(client, login, db, world):
    make_approved_claim(world["agreement"], PREVIOUS, status=ClaimStatus.OPGESCHORT)
    login(world["office"])
    html = page(client.get("/betaalkantoor/betaalrondes"))
    tasks = html[html.index('<h2 id="taken">'):html.index("</section>", html.index('id="taken"'))]
    assert "Wat moet u doen?" in tasks
    assert "1 urenbriefje is opgeschort en wacht op uw besluit." in tasks
    assert "1 ingediend urenbriefje wacht op controle" in tasks
    assert 'href="/betaalkantoor/urenbriefjes#opgeschort-titel"' in tasks

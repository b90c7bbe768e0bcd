"""Paper intake: the payment office enters a signed paper hour sheet on the budget holder's
behalf. The same claim rules as a submission in the portal; nothing is written when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.claims import service
from portal.claims.constants import ClaimSource, ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.claims.rules import LineInput, submit_deadline
from portal.messages.models import Message
from portal.refusals import Refused
from tests.factories import make_agreement, make_grant, make_provider, make_user

D = dt.date
MARCH = D(2026, 3, 1)
TODAY = D(2026, 4, 10)
IB = "individuele_begeleiding"


@pytest.fixture
def world(db):
    grant = make_grant(amount_cents=100_000)
    agreement = make_agreement(grant, make_provider())  # individuele begeleiding, EUR 60 an hour
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id, name="A. Jansen")
    provider_user = make_user(Role.ZORGVERLENER, provider_id=agreement.provider_id)
    office = make_user(Role.BEHEERDER, name="S. Mulder")
    return {"grant": grant, "agreement": agreement, "holder": holder,
            "provider_user": provider_user, "office": office}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def written(db) -> tuple[int, int, int]:
    return count(db, Claim), count(db, ClaimLine), count(db, AuditEvent)


def lines(*pairs) -> list[LineInput]:
    return [LineInput(D(2026, 3, day), IB, minutes) for day, minutes in pairs]


def test_the_office_submits_a_paper_sheet_on_the_holders_behalf(db, world):
    claim = service.intake_paper_claim(world["office"], world["agreement"], MARCH,
                                       lines((2, 120), (3, 90)), TODAY)

    assert claim.status == ClaimStatus.INGEDIEND
    assert claim.source == ClaimSource.PAPER
    assert claim.reference == f"UB-202603-{world['agreement'].id:06d}"
    assert claim.total_cents == 21_000  # 3.5 h x EUR 60
    assert (claim.submitted_by_id, claim.submitted_on_behalf_of_id) == (
        world["office"].id, world["holder"].id)
    db.session.refresh(world["grant"])
    assert world["grant"].reserved_cents == 21_000
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.paper_intake"))
    assert (event.actor_id, event.on_behalf_of_id) == (world["office"].id, world["holder"].id)
    assert "betaalkantoor (S. Mulder) namens A. Jansen" in event.summary
    told = set(db.session.scalars(select(Message.user_id)))
    assert {world["holder"].id, world["provider_user"].id} <= told


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT])
def test_only_the_payment_office_may_enter_a_paper_sheet(db, world, role):
    actor = world["holder"] if role is Role.BUDGETHOUDER else make_user(role)
    before = written(db)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(actor, world["agreement"], MARCH, lines((2, 60)), TODAY)
    assert refused.value.codes == ["not_allowed"]
    assert written(db) == before


def test_the_month_must_be_over_on_its_last_day_refused_the_day_after_allowed(db, world):
    before = written(db)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)),
                                   D(2026, 3, 31))
    assert "month_not_over" in refused.value.codes
    assert written(db) == before
    service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)),
                               D(2026, 4, 1))


def test_every_line_refusal_at_once_with_its_field(db, world):
    before = written(db)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, [
            LineInput(D(2026, 3, 2), IB, 50),                       # not in quarters
            LineInput(D(2026, 3, 3), "huishoudelijke_hulp", 60),    # not agreed
        ], TODAY)
    assert sorted((r.code, r.field) for r in refused.value.refusals) == [
        ("care_kind_not_agreed", "lines[1].care_kind"), ("quantity_invalid", "lines[0].quantity")]
    assert written(db) == before


def test_a_second_sheet_for_the_same_month_is_refused(db, world):
    service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)), TODAY)
    before = written(db)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((4, 60)),
                                   TODAY)
    assert refused.value.codes == ["duplicate_sheet"]
    assert written(db) == before


def test_the_budget_must_cover_the_sheet_exactly_enough_is_allowed(db):
    grant = make_grant(amount_cents=12_000)
    agreement = make_agreement(grant, make_provider())
    make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    office = make_user(Role.BEHEERDER)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(office, agreement, MARCH, lines((2, 135)), TODAY)
    assert refused.value.codes == ["budget_insufficient"]
    db.session.refresh(grant)
    assert grant.reserved_cents == 0
    claim = service.intake_paper_claim(office, agreement, MARCH, lines((2, 120)), TODAY)
    assert claim.total_cents == 12_000


def test_without_a_received_on_date_the_deadline_counts_on_the_day_of_intake(db, world):
    deadline = submit_deadline(MARCH)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)),
                                   deadline + dt.timedelta(days=1))
    assert refused.value.codes == ["too_late"]
    claim = service.intake_paper_claim(world["office"], world["agreement"], MARCH,
                                       lines((2, 60)), deadline)
    assert claim.status == ClaimStatus.INGEDIEND


def test_the_deadline_counts_on_the_day_the_paper_sheet_came_in(db, world):
    """Received on the last day of the deadline, typed in a week later: in time. Received a day
    after the deadline: too late, whatever day it is typed in."""
    deadline = submit_deadline(MARCH)
    typed_on = deadline + dt.timedelta(days=7)
    before = written(db)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)),
                                   typed_on, received_on=deadline + dt.timedelta(days=1))
    assert refused.value.codes == ["too_late"]
    assert written(db) == before
    claim = service.intake_paper_claim(world["office"], world["agreement"], MARCH,
                                       lines((2, 60)), typed_on, received_on=deadline)
    assert claim.status == ClaimStatus.INGEDIEND
    summary = db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "claim.paper_intake", AuditEvent.object_id == claim.id))
    assert "ontvangen op" in summary


def test_a_received_on_date_in_the_future_is_refused_and_nothing_written(db, world):
    before = written(db)
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)),
                                   TODAY, received_on=TODAY + dt.timedelta(days=1))
    assert refused.value.codes == ["received_on_in_future"]
    assert refused.value.refusals[0].field == "received_on"
    assert written(db) == before
    claim = service.intake_paper_claim(world["office"], world["agreement"], MARCH,
                                       lines((2, 60)), TODAY, received_on=TODAY)  # today: fine
    assert claim.status == ClaimStatus.INGEDIEND


def test_a_sheet_received_before_its_month_was_over_is_refused(db, world):
    with pytest.raises(Refused) as refused:
        service.intake_paper_claim(world["office"], world["agreement"], MARCH, lines((2, 60)),
                                   TODAY, received_on=D(2026, 3, 31))
    assert "month_not_over" in refused.value.codes


def test_the_paper_grid_asks_for_the_received_on_date(client, login, db, world, today_is):
    today_is(TODAY)
    login(world["office"])
    url = f"/betaalkantoor/papier/{world['agreement'].id}/2026-03"
    page = client.get(url).get_data(as_text=True)
    assert 'for="received_on"' in page and f'value="{TODAY.isoformat()}"' in page
    for typed, message in (("2026-04-11", "ligt in de toekomst"),
                           ("11 april", "geen bestaande datum")):
        response = client.post(url, data={"received_on": typed, "d02_k0": "1:00"})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert message in page and f'value="{typed}"' in page and 'href="#received_on"' in page
    assert count(db, Claim) == 0
    response = client.post(url, data={"received_on": "2026-04-09", "d02_k0": "1:00"})
    assert response.status_code == 302
    assert count(db, Claim) == 1

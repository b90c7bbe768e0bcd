"""Issue 16: an open claim-back of the free amount (no later payment to the holder to net it
against) is settled when the holder pays it back by bank transfer: the payment office records
the day it was received and the amount, once (a repeat is AlreadyDone); the budget gets its
money back, the holder a message, the audit log a line, and the ledger check agrees."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.models import AuditEvent
from portal.budgets.models import Grant
from portal.claims import free_claim_back
from portal.claims.constants import ClaimStatus
from portal.claims.correction_rules import check_repayment
from portal.claims.models import Claim, Repayment
from portal.extensions import db as database
from portal.messages.models import Message
from portal.payments.household import household_payments
from portal.payments.ledger import check_ledger
from portal.payments.service import execute_run
from portal.refusals import AlreadyDone, Refused
from tests.claims.test_free_claim_back import REASON, pay_a_free_amount

D = dt.date


@pytest.fixture
def open_claim_back(db, travel):
    household, _member, grant, holder, _free, office = pay_a_free_amount(travel)
    travel(D(2026, 7, 3))
    claim_back = free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                                  D(2026, 7, 3))
    assert execute_run(None, D(2026, 7, 6)).run is None  # nothing to net it against
    assert claim_back.status == ClaimStatus.GOEDGEKEURD and claim_back.total_cents == 12_603
    return household, grant, holder, office, claim_back


def test_the_repayment_rule():
    ok = dict(is_holder_claim_back=True, received_on=D(2026, 7, 20), made_in=D(2026, 7, 1),
              today=D(2026, 7, 21), amount_cents=12_603, open_cents=12_603)
    assert check_repayment(**ok) == []
    assert [r.code for r in check_repayment(**{**ok, "received_on": D(2026, 7, 22)})] == [
        "received_on_in_future"]
    assert [r.code for r in check_repayment(**{**ok, "received_on": D(2026, 6, 30)})] == [
        "received_before_claim_back"]
    assert [r.code for r in check_repayment(**{**ok, "amount_cents": 10_000})] == [
        "repayment_not_whole"]
    assert [r.code for r in check_repayment(**{**ok, "is_holder_claim_back": False})] == [
        "not_a_holder_claim_back"]


def test_the_office_records_the_transfer_once_and_the_ledger_agrees(open_claim_back, travel):
    household, grant, holder, office, claim_back = open_claim_back
    paid_before = database.session.get(Grant, grant.id).paid_cents
    (listed,) = free_claim_back.open_claim_backs()[1]
    assert listed.claim_id == claim_back.id and listed.amount_cents == 12_603
    travel(D(2026, 7, 21))
    settled = free_claim_back.record_repaid(office, claim_back.id, D(2026, 7, 20), 12_603,
                                            D(2026, 7, 21))
    assert settled.status == ClaimStatus.UITBETAALD and settled.paid_on == D(2026, 7, 20)
    database.session.refresh(grant)
    assert grant.paid_cents == paid_before - 12_603  # the budget has its money back
    repayment = database.session.scalar(select(Repayment))
    assert (repayment.claim_id, repayment.received_on, repayment.amount_cents) == (
        claim_back.id, D(2026, 7, 20), 12_603)
    _count, differences = check_ledger()
    assert differences == []
    assert free_claim_back.open_claim_backs()[1] == []
    page = household_payments(household.id)
    assert page.to_pay_back == [] and page.to_pay_back_cents == 0
    (item,) = [i for i in page.to_holder if i.claim_id == claim_back.id]
    assert item.status_label == "Terugbetaald"
    assert database.session.scalar(select(Message.subject).where(
        Message.user_id == holder.id, Message.subject.like("Terugbetaling ontvangen%")))
    assert database.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "claim.repaid")).startswith(f"Terugvordering {claim_back.reference}")
    with pytest.raises(AlreadyDone):
        free_claim_back.record_repaid(office, claim_back.id, D(2026, 7, 20), 12_603,
                                      D(2026, 7, 21))
    assert database.session.scalar(select(Repayment.id).offset(1)) is None
    assert check_ledger()[1] == []


def test_a_partial_amount_or_a_future_day_is_refused_and_nothing_changes(open_claim_back,
                                                                        travel):
    _household, grant, _holder, office, claim_back = open_claim_back
    paid_before = database.session.get(Grant, grant.id).paid_cents
    travel(D(2026, 7, 21))
    with pytest.raises(Refused) as refused:
        free_claim_back.record_repaid(office, claim_back.id, D(2026, 7, 25), 5_000,
                                      D(2026, 7, 21))
    assert {r.code for r in refused.value.refusals} == {"received_on_in_future",
                                                        "repayment_not_whole"}
    assert database.session.get(Claim, claim_back.id).status == ClaimStatus.GOEDGEKEURD
    assert database.session.get(Grant, grant.id).paid_cents == paid_before
    assert database.session.scalar(select(Repayment.id)) is None


def test_the_office_records_it_on_its_page_with_a_check_and_a_repeat_is_said(
        open_claim_back, travel, client, login):
    _household, _grant, _holder, office, claim_back = open_claim_back
    travel(D(2026, 7, 21))
    login(office)
    listing = client.get("/betaalkantoor/terugvorderingen").get_data(as_text=True)
    assert claim_back.reference in listing and "126,03" in listing
    path = f"/betaalkantoor/terugvorderingen/{claim_back.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Terugbetaling vastleggen" in page and 'value="126,03"' in page
    # The day in three fields (dag, maand, jaar), as a person types it: no date picker.
    assert 'name="received_on-dag"' in page and 'type="date"' not in page
    received = {"received_on-dag": "20", "received_on-maand": "7", "received_on-jaar": "2026"}
    unchecked = client.post(path, data={**received, "amount": "126,03"})
    assert unchecked.status_code == 422
    html = unchecked.get_data(as_text=True)
    assert 'name="received_on-maand" type="text" inputmode="numeric" size="2" ' \
           'maxlength="2" autocomplete="off" value="7"' in html  # what was typed is kept
    assert "De terugbetaling is niet vastgelegd" in html
    assert "Vink aan dat u het bankafschrift heeft gecontroleerd." in html
    partial = client.post(path, data={**received, "amount": "100,00",
                                      "confirm": "y"})
    assert partial.status_code == 422
    assert "Een deel vastleggen kan niet." in partial.get_data(as_text=True)
    assert database.session.get(Claim, claim_back.id).status == ClaimStatus.GOEDGEKEURD
    done = client.post(path, data={**received, "amount": "126,03",
                                   "confirm": "y"})
    assert done.status_code == 303 and done.headers["Location"].endswith(
        "/betaalkantoor/terugvorderingen")
    database.session.expire_all()
    assert database.session.get(Claim, claim_back.id).status == ClaimStatus.UITBETAALD
    again = client.post(path, data={"received_on": "20-07-2026", "amount": "126,03",
                                    "confirm": "y"}, follow_redirects=True)
    assert "al gedaan" in again.get_data(as_text=True).lower()
    assert database.session.scalar(select(Repayment.id).offset(1)) is None
    assert check_ledger()[1] == []
    assert claim_back.reference not in client.get("/betaalkantoor/terugvorderingen").get_data(
        as_text=True)


@pytest.mark.committing
def test_two_recordings_at_the_same_moment_give_one_repayment(app, committing_db, travel):
    from portal.access.models import User
    from tests.claims.test_concurrency import at_the_same_moment

    db = committing_db
    _household, _member, grant, _holder, _free, office = pay_a_free_amount(travel)
    travel(D(2026, 7, 3))
    claim_back = free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                                  D(2026, 7, 3))
    db.session.commit()
    claim_id, office_id = claim_back.id, office.id
    paid_before = db.session.get(Grant, grant.id).paid_cents
    db.session.remove()

    def act(_item):
        free_claim_back.record_repaid(db.session.get_one(User, office_id), claim_id,
                                      D(2026, 7, 3), 12_603, D(2026, 7, 3))

    outcomes = at_the_same_moment(app, db, act, [1, 2])
    assert sorted(outcomes, key=str).count("ok") == 1
    assert db.session.scalar(select(func.count(Repayment.id))) == 1
    assert db.session.get(Grant, grant.id).paid_cents == paid_before - 12_603
    assert check_ledger()[1] == []


def test_the_holders_betalingen_page_says_terugbetaald_with_its_explanation(
        open_claim_back, travel, client, login):
    household, _grant, holder, office, claim_back = open_claim_back
    travel(D(2026, 7, 21))
    free_claim_back.record_repaid(office, claim_back.id, D(2026, 7, 20), 12_603, D(2026, 7, 21))
    database.session.commit()
    login(holder)
    page = client.get(f"/huishoudens/{household.id}/betalingen").get_data(as_text=True)
    assert "Terugbetaald" in page and "begrippen#terugvordering-terugbetaald" in page

"""Twenty budget holders' approvals at the same moment against one grant never overdraw it.

Real commits across connections (fixture committing_db): the grant row is locked by
budgets.service.reserve (SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite).
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import User
from portal.agreements.models import Agreement
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant
from portal.claims import service
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim, ClaimLine
from portal.claims.rules import LineInput
from portal.refusals import Refused
from tests.factories import make_agreement, make_grant, make_provider, make_user
from tests.ledger import assert_ledger_agrees

MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 4, 10)
SHEETS = 20
GRANT_CENTS = 200_000  # each sheet: 4 hours x EUR 50 = EUR 200 = 10% of the grant


def at_the_same_moment(app, db, act, items) -> list:
    """act(item) for every item, each in a thread and a unit of work of its own, all let go at
    the same moment: per item "ok" when it committed, or the refusal codes when it was refused
    (and rolled back)."""
    barrier = threading.Barrier(len(items))

    def one(item):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                act(item)
                db.session.commit()
                return "ok"
            except Refused as refused:
                db.session.rollback()
                return tuple(refused.codes)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(one, items))


@pytest.mark.committing
def test_twenty_parallel_approvals_exactly_ten_fit(app, committing_db):
    db = committing_db
    grant = make_grant(amount_cents=GRANT_CENTS)
    holder_id = None
    claim_ids = []
    for _ in range(SHEETS):
        provider = make_provider()
        agreement = make_agreement(grant, provider, lines=[
            (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 5000, 240)])
        if holder_id is None:
            holder_id = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id).id
        provider_user = make_user(Role.ZORGVERLENER, provider_id=provider.id)
        claim = service.prepare_claim(provider_user, agreement, MARCH,
                                      [LineInput(dt.date(2026, 3, 2),
                                                 CareKind.INDIVIDUELE_BEGELEIDING, 240)], TODAY)
        assert claim.total_cents == GRANT_CENTS // 10
        claim_ids.append(claim.id)
    grant_id = grant.id
    db.session.commit()
    db.session.remove()

    def approve(claim_id: int) -> None:
        service.approve_claim(db.session.get(User, holder_id), db.session.get(Claim, claim_id),
                              TODAY)

    results = at_the_same_moment(app, db, approve, claim_ids)

    assert results.count("ok") == 10, results
    refused = [r for r in results if r != "ok"]
    assert len(refused) == 10
    assert all(r == ("budget_insufficient",) for r in refused), refused

    grant = db.session.get(Grant, grant_id)
    assert grant.reserved_cents == grant.amount_cents == GRANT_CENTS
    assert grant.available_cents == 0
    submitted = db.session.scalar(select(func.count()).select_from(Claim)
                                  .where(Claim.status == ClaimStatus.INGEDIEND))
    waiting = db.session.scalar(select(func.count()).select_from(Claim)
                                .where(Claim.status == ClaimStatus.WACHT_OP_AKKOORD))
    assert (submitted, waiting) == (10, 10)
    assert_ledger_agrees()


@pytest.mark.committing
def test_two_sheets_of_one_person_at_the_same_moment_never_pass_24_hours(app, committing_db):
    """Two budget holders submit, at the same moment, a sheet of the same care provider (a
    person) with 13 hours on the same day: one goes through, the other hears the 24-hour rule.
    The provider's row is locked before the person's other sheets are read (SELECT ... FOR
    UPDATE on PostgreSQL; on SQLite the write transactions queue)."""
    db = committing_db
    person = make_provider()
    jobs = []
    for _ in range(2):
        grant = make_grant(amount_cents=GRANT_CENTS)
        agreement = make_agreement(grant, person, lines=[
            (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 5000, 240)])
        holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
        jobs.append((holder.id, agreement.id))
    db.session.commit()
    db.session.remove()
    def submit(job) -> None:
        holder_id, agreement_id = job
        service.submit_own_claim(
            db.session.get(User, holder_id), db.session.get(Agreement, agreement_id), MARCH,
            [LineInput(dt.date(2026, 3, 2), CareKind.INDIVIDUELE_BEGELEIDING, 13 * 60)], TODAY)

    results = sorted(at_the_same_moment(app, db, submit, jobs), key=str)
    assert results == [("day_over_24_hours",), "ok"], results
    minutes = db.session.scalar(select(func.sum(ClaimLine.quantity)).join(Claim).where(
        ClaimLine.day == dt.date(2026, 3, 2), Claim.status != ClaimStatus.AFGEKEURD))
    assert minutes == 13 * 60
    assert_ledger_agrees()

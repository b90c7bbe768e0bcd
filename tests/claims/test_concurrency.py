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
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant
from portal.claims import service
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.claims.rules import LineInput
from portal.refusals import Refused
from tests.factories import make_agreement, make_grant, make_provider, make_user

MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 4, 10)
SHEETS = 20
GRANT_CENTS = 200_000  # each sheet: 4 hours x EUR 50 = EUR 200 = 10% of the grant


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

    barrier = threading.Barrier(SHEETS)

    def approve(claim_id: int):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                holder = db.session.get(User, holder_id)
                claim = db.session.get(Claim, claim_id)
                service.approve_claim(holder, claim, TODAY)
                db.session.commit()
                return "ok"
            except Refused as refused:
                db.session.rollback()
                return tuple(refused.codes)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=SHEETS) as pool:
        results = list(pool.map(approve, claim_ids))

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

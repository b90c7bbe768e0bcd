"""Runs that commit for real: an interrupted run, and two runs at the same time."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from portal.budgets import service as budgets_service
from portal.budgets.models import Grant
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.database import transaction
from portal.money import format_euro
from portal.payments import service as payments_service
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.payments.service import run_payments
from tests import factories as f
from tests.ledger import assert_ledger_agrees
from tests.payments.builders import make_approved_claim

pytestmark = pytest.mark.committing

RUN_ON = dt.date(2026, 4, 10)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def three_claims_of_two_providers(db):
    """Provider 1 has one claim, provider 2 has two. Committed."""
    household = f.make_household()
    grant = f.make_grant(f.make_member(household), amount_cents=1_000_000)
    first, second = f.make_provider(), f.make_provider()
    a1 = f.make_agreement(grant, first, household=household)
    a2 = f.make_agreement(grant, second, household=household)
    claims = [make_approved_claim(a1, dt.date(2026, 3, 1)),
              make_approved_claim(a2, dt.date(2026, 2, 1)),
              make_approved_claim(a2, dt.date(2026, 3, 1), minutes=[60])]
    ids = {"grant": grant.id, "claims": [c.id for c in claims]}
    db.session.commit()
    return ids


def test_an_interrupted_run_pays_nothing_and_a_rerun_pays_everything_once(committing_db,
                                                                            monkeypatch):
    db = committing_db
    ids = three_claims_of_two_providers(db)
    reserved_before = db.session.get(Grant, ids["grant"]).reserved_cents
    assert reserved_before == 12_000 + 12_000 + 6_000

    real_settle = budgets_service.settle
    calls = []

    def settle_then_crash(shares):
        calls.append(shares)
        if len(calls) == 2:   # the first provider is done; the second one's first claim
            raise ConnectionError("connection lost halfway through the run")
        real_settle(shares)

    monkeypatch.setattr(budgets_service, "settle", settle_then_crash)
    # The run settles once per batch of whole payments: one payment a batch here, so the
    # crash falls between the first provider's payment and the second one's.
    monkeypatch.setattr(payments_service, "BATCH", 1)
    with pytest.raises(ConnectionError), transaction():
        run_payments(None, RUN_ON)
    assert len(calls) == 2

    # Nothing is paid, nothing is lost.
    db.session.remove()
    assert count(db, PaymentRun) == count(db, Payment) == count(db, PaymentItem) == 0
    grant = db.session.get(Grant, ids["grant"])
    assert (grant.reserved_cents, grant.paid_cents) == (reserved_before, 0)
    statuses = db.session.scalars(select(Claim.status).where(Claim.id.in_(ids["claims"]))).all()
    assert set(statuses) == {ClaimStatus.GOEDGEKEURD}
    assert_ledger_agrees()

    monkeypatch.setattr(budgets_service, "settle", real_settle)
    with transaction():
        run = run_payments(None, RUN_ON)
        assert run is not None
    with transaction():
        assert run_payments(None, RUN_ON) is None

    db.session.remove()
    assert count(db, PaymentRun) == 1
    assert count(db, Payment) == 2
    assert sorted(db.session.scalars(select(PaymentItem.claim_id)).all()) == sorted(ids["claims"])
    grant = db.session.get(Grant, ids["grant"])
    assert (grant.reserved_cents, grant.paid_cents) == (0, reserved_before)
    statuses = db.session.scalars(select(Claim.status).where(Claim.id.in_(ids["claims"]))).all()
    assert set(statuses) == {ClaimStatus.UITBETAALD}
    assert_ledger_agrees()


def test_two_runs_at_the_same_time_pay_each_claim_once(committing_db, app):
    db = committing_db
    ids = three_claims_of_two_providers(db)
    db.session.remove()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one_run():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                try:
                    with transaction():
                        run = run_payments(None, RUN_ON)
                        results.append(None if run is None else run.total_cents)
                finally:
                    db.session.remove()
        except Exception as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    # Usually one run pays all and the other finds nothing; if they overlap, each pays a part.
    assert len(results) == 2
    assert sum(r or 0 for r in results) == 30_000
    assert sorted(db.session.scalars(select(PaymentItem.claim_id)).all()) == sorted(ids["claims"])
    grant = db.session.get(Grant, ids["grant"])
    assert (grant.reserved_cents, grant.paid_cents) == (0, 30_000)
    assert_ledger_agrees()


def test_a_run_killed_between_batches_keeps_those_batches_and_a_rerun_pays_the_rest_once(
        committing_db, monkeypatch):
    """The command line commits each batch (batch_commits): a run killed after its first batch
    has paid that batch completely and nothing of the rest; the next run finishes the same run."""
    from portal.access.constants import Role
    from portal.access.models import AuditEvent
    from portal.agreements.models import Agreement
    from portal.messages.models import Message

    db = committing_db
    ids = three_claims_of_two_providers(db)
    agreements = [db.session.get(Agreement, db.session.get(Claim, cid).agreement_id)
                  for cid in ids["claims"]]
    first_provider = agreements[0].provider_id
    household_id = agreements[0].household_id
    f.make_user(Role.ZORGVERLENER, provider_id=first_provider)
    f.make_user(Role.ZORGVERLENER, provider_id=agreements[1].provider_id)
    holder_id = f.make_user(Role.BUDGETHOUDER, household_id=household_id).id
    db.session.commit()

    real_settle = budgets_service.settle
    calls = []

    def settle_then_die(shares):
        calls.append(shares)
        if len(calls) == 2:  # the first batch (first provider) is committed: the process dies
            raise KeyboardInterrupt
        real_settle(shares)

    monkeypatch.setattr(budgets_service, "settle", settle_then_die)
    monkeypatch.setattr(payments_service, "BATCH", 1)
    with pytest.raises(KeyboardInterrupt), payments_service.batch_commits(), transaction():
        run_payments(None, RUN_ON)
    db.session.remove()

    # The first batch is paid completely, nothing of the second.
    run = db.session.scalar(select(PaymentRun))
    assert run.status == "bezig"
    payments = db.session.scalars(select(Payment)).all()
    assert [(p.provider_id, p.amount_cents) for p in payments] == [(first_provider, 12_000)]
    assert db.session.scalars(select(PaymentItem.claim_id)).all() == [ids["claims"][0]]
    statuses = {c: db.session.get(Claim, c).status for c in ids["claims"]}
    assert statuses == {ids["claims"][0]: ClaimStatus.UITBETAALD,
                        ids["claims"][1]: ClaimStatus.GOEDGEKEURD,
                        ids["claims"][2]: ClaimStatus.GOEDGEKEURD}
    grant = db.session.get(Grant, ids["grant"])
    assert (grant.reserved_cents, grant.paid_cents) == (18_000, 12_000)
    assert count(db, Message) == 1  # the first provider is told; the household at the end
    assert_ledger_agrees()

    monkeypatch.setattr(budgets_service, "settle", real_settle)
    with payments_service.batch_commits(), transaction():
        finished = run_payments(None, RUN_ON)
        assert finished.id == run.id
    with payments_service.batch_commits(), transaction():
        assert run_payments(None, RUN_ON) is None
    db.session.remove()

    run = db.session.scalar(select(PaymentRun))
    assert (count(db, PaymentRun), run.status, run.total_cents) == (1, "uitgevoerd", 30_000)
    references = db.session.scalars(select(Payment.reference).order_by(Payment.id)).all()
    assert len(references) == len(set(references)) == 2
    assert sorted(db.session.scalars(select(PaymentItem.claim_id)).all()) == sorted(ids["claims"])
    grant = db.session.get(Grant, ids["grant"])
    assert (grant.reserved_cents, grant.paid_cents) == (0, 30_000)
    assert {db.session.get(Claim, c).status for c in ids["claims"]} == {ClaimStatus.UITBETAALD}
    household_notes = db.session.scalars(select(Message.body).where(
        Message.user_id == holder_id)).all()
    assert len(household_notes) == 1 and format_euro(30_000) in household_notes[0]
    assert count(db, Message) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "payment_run")) == 1
    assert_ledger_agrees()

"""Payment runs through the service, on the test database (SQLite or PostgreSQL)."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.access.constants import Role
from portal.access.models import AuditEvent
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.models import Grant
from portal.claims.constants import ClaimStatus
from portal.claims.models import Claim
from portal.messages.models import Message
from portal.payments.models import Payment, PaymentItem, PaymentRun
from portal.payments.service import preview_run, run_payments
from portal.refusals import Refused
from tests import factories as f
from tests.payments.builders import make_approved_claim

RUN_ON = dt.date(2026, 4, 10)
MARCH = dt.date(2026, 3, 1)
FEBRUARY = dt.date(2026, 2, 1)


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def office(db):
    return f.make_user(Role.BEHEERDER)


def test_two_claims_of_one_provider_are_one_payment(db, office):
    grant = f.make_grant()
    provider = f.make_provider(iban="NL91ABNA0417164300")
    agreement = f.make_agreement(grant, provider)
    first = make_approved_claim(agreement, FEBRUARY, minutes=[120, 60])   # 3 h x 60 = 180,00
    second = make_approved_claim(agreement, MARCH, minutes=[45])           # 0,75 h x 60 = 45,00

    run = run_payments(office, RUN_ON)

    assert run is not None
    assert run.reference == f"PGB-20260410-{run.id:04d}"
    assert run.executed_by_id == office.id
    assert len(run.payments) == 1
    payment = run.payments[0]
    assert (payment.provider_id, payment.iban, payment.amount_cents) == (
        provider.id, "NL91ABNA0417164300", 22_500)
    assert payment.reference == f"PGB-20260410-{run.id:04d}-001"
    assert sorted((i.claim_id, i.amount_cents) for i in payment.items) == [
        (first.id, 18_000), (second.id, 4_500)]
    assert run.total_cents == 22_500
    for claim in (first, second):
        db.session.refresh(claim)
        assert claim.status == ClaimStatus.UITBETAALD
        assert claim.paid_on == RUN_ON


def test_each_provider_gets_one_payment_per_run(db, office):
    household = f.make_household()
    grant = f.make_grant(f.make_member(household))
    providers = [f.make_provider(iban=iban) for iban in ("NL91ABNA0417164300",
                                                         "NL20INGB0001234567")]
    agreements = [f.make_agreement(grant, p, household=household) for p in providers]
    make_approved_claim(agreements[0], FEBRUARY)
    make_approved_claim(agreements[0], MARCH)
    make_approved_claim(agreements[1], MARCH)

    run = run_payments(office, RUN_ON)

    assert sorted((p.provider_id, len(p.items)) for p in run.payments) == [
        (providers[0].id, 2), (providers[1].id, 1)]
    assert {p.iban for p in run.payments} == {"NL91ABNA0417164300", "NL20INGB0001234567"}
    assert len({p.reference for p in run.payments}) == 2
    assert run.total_cents == sum(p.amount_cents for p in run.payments) == 3 * 12_000


def test_grant_totals_move_from_reserved_to_paid_by_exactly_the_claim_amounts(db, office):
    member = f.make_member()
    wmo = f.make_grant(member, law=Law.WMO, amount_cents=500_000)
    zvw = f.make_grant(member, law=Law.ZVW, amount_cents=300_000)
    untouched = f.make_grant(member, law=Law.WLZ, amount_cents=100_000, reserved_cents=7_000)
    agreement = f.make_agreement(wmo, lines=[
        (wmo, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6_123, 4 * 60),
        (zvw, CareKind.VERPLEGING, Unit.UUR, 7_777, 2 * 60),
    ])
    claim = make_approved_claim(agreement, MARCH, minutes=[15, 45])   # odd cents, rounded half up
    wmo_share = 1_531 + 4_592   # 15 min and 45 min at 61,23
    zvw_share = 1_944 + 5_833   # 15 min and 45 min at 77,77
    assert claim.total_cents == wmo_share + zvw_share
    before = {g.id: (g.reserved_cents, g.paid_cents) for g in (wmo, zvw, untouched)}
    assert before[wmo.id] == (wmo_share, 0) and before[zvw.id] == (zvw_share, 0)

    run = run_payments(office, RUN_ON)

    for g in (wmo, zvw, untouched):
        db.session.refresh(g)
    assert (wmo.reserved_cents, wmo.paid_cents) == (0, wmo_share)
    assert (zvw.reserved_cents, zvw.paid_cents) == (0, zvw_share)
    assert (untouched.reserved_cents, untouched.paid_cents) == (7_000, 0)
    assert run.total_cents == claim.total_cents
    assert run.payments[0].items[0].amount_cents == claim.total_cents


def test_running_twice_pays_nothing_twice(db, office):
    agreement = f.make_agreement()
    make_approved_claim(agreement, MARCH)
    assert run_payments(office, RUN_ON) is not None
    grant = db.session.get(Grant, agreement.versions[0].lines[0].grant_id)
    paid = grant.paid_cents

    assert run_payments(office, RUN_ON) is None
    assert run_payments(office, RUN_ON + dt.timedelta(days=1)) is None

    assert count(db, PaymentRun) == 1
    assert count(db, Payment) == 1
    assert count(db, PaymentItem) == 1
    db.session.refresh(grant)
    assert grant.paid_cents == paid


def test_a_claim_approved_after_a_run_is_paid_by_the_next_one(db, office):
    agreement = f.make_agreement()
    make_approved_claim(agreement, FEBRUARY)
    first = run_payments(office, RUN_ON)
    later = make_approved_claim(agreement, MARCH)

    second = run_payments(office, RUN_ON)

    assert second is not None and second.id != first.id
    assert second.reference != first.reference
    assert [i.claim_id for i in second.payments[0].items] == [later.id]
    assert second.payments[0].reference != first.payments[0].reference


def test_nothing_to_pay_makes_no_run(db, office):
    agreement = f.make_agreement()
    make_approved_claim(agreement, MARCH, status=ClaimStatus.INGEDIEND)
    make_approved_claim(agreement, FEBRUARY, status=ClaimStatus.OPGESCHORT)

    assert run_payments(office, RUN_ON) is None
    assert count(db, PaymentRun) == 0
    assert count(db, AuditEvent) == 0


def test_only_approved_claims_are_paid(db, office):
    agreement = f.make_agreement()
    submitted = make_approved_claim(agreement, FEBRUARY, status=ClaimStatus.INGEDIEND)
    approved = make_approved_claim(agreement, MARCH)

    run = run_payments(office, RUN_ON)

    assert [i.claim_id for i in run.payments[0].items] == [approved.id]
    db.session.refresh(submitted)
    assert submitted.status == ClaimStatus.INGEDIEND


def test_a_claim_of_zero_euro_is_closed_without_a_transfer(db, office):
    agreement = f.make_agreement()
    empty = f.add(Claim(reference=f"UB-T{f.seq():06d}", agreement_id=agreement.id, month=MARCH,
                        status=ClaimStatus.GOEDGEKEURD, total_cents=0))

    assert run_payments(office, RUN_ON) is None

    db.session.refresh(empty)
    assert empty.status == ClaimStatus.UITBETAALD
    assert count(db, Payment) == 0


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT])
def test_only_the_payment_office_runs_payments(db, role):
    make_approved_claim(f.make_agreement(), MARCH)
    with pytest.raises(Refused) as refused:
        run_payments(f.make_user(role), RUN_ON)
    assert refused.value.codes == ["payment_run_not_allowed"]
    assert count(db, PaymentRun) == 0


def test_the_system_itself_may_run_payments(db):
    make_approved_claim(f.make_agreement(), MARCH)
    run = run_payments(None, RUN_ON)
    assert run is not None and run.executed_by_id is None


def test_a_claim_whose_amounts_do_not_add_up_stops_the_run_before_anything_is_written(db, office):
    good = make_approved_claim(f.make_agreement(), FEBRUARY)
    bad = make_approved_claim(f.make_agreement(), MARCH)
    bad.total_cents += 1
    db.session.flush()

    with pytest.raises(Refused) as refused:
        run_payments(office, RUN_ON)

    assert refused.value.codes == ["claim_amount_mismatch"]
    assert bad.reference in refused.value.refusals[0].message
    assert count(db, PaymentRun) == count(db, Payment) == count(db, PaymentItem) == 0
    db.session.refresh(good)
    assert good.status == ClaimStatus.GOEDGEKEURD


def test_provider_and_budget_holder_are_told_and_the_run_is_in_the_audit_log(db, office):
    household = f.make_household()
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    provider = f.make_provider()
    provider_user = f.make_user(Role.ZORGVERLENER, provider_id=provider.id)
    agreement = f.make_agreement(f.make_grant(f.make_member(household)), provider,
                                 household=household)
    claim = make_approved_claim(agreement, MARCH)

    run = run_payments(office, RUN_ON)

    to_provider = db.session.scalars(select(Message).where(Message.user_id == provider_user.id)).all()
    assert [m.kind for m in to_provider] == ["betaald"]
    assert run.payments[0].reference in to_provider[0].body
    assert claim.reference in to_provider[0].body
    assert "€\u00a0120,00" in to_provider[0].subject
    to_holder = db.session.scalars(select(Message).where(Message.user_id == holder.id)).all()
    assert [m.kind for m in to_holder] == ["betaald"]
    assert provider.name in to_holder[0].body
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["claims_paid", "payment_run"]))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.household_id, e.actor_id) for e in events] == [
        ("claims_paid", household.id, office.id), ("payment_run", None, office.id)]
    assert events[0].detail["claim_ids"] == [claim.id]


def test_preview_shows_per_provider_what_a_run_would_pay_and_writes_nothing(db):
    household = f.make_household()
    grant = f.make_grant(f.make_member(household))
    p1, p2 = f.make_provider(), f.make_provider()
    a1 = f.make_agreement(grant, p1, household=household)
    a2 = f.make_agreement(grant, p2, household=household)
    make_approved_claim(a1, FEBRUARY)
    make_approved_claim(a1, MARCH, minutes=[60])
    make_approved_claim(a2, MARCH)
    make_approved_claim(a2, FEBRUARY, status=ClaimStatus.INGEDIEND)

    preview = preview_run(RUN_ON)

    assert [(p.id, n, cents) for p, n, cents in preview] == [(p1.id, 2, 18_000), (p2.id, 1, 12_000)]
    assert count(db, PaymentRun) == 0
    db.session.refresh(grant)
    assert grant.paid_cents == 0


def test_preview_with_nothing_to_pay_is_empty(db):
    assert preview_run(RUN_ON) == []

"""Issue 16, finding 9: changes after payment. A back-dated tariff change re-prices the sheets
not yet paid (never puts a correct one on hold) and makes a correction of a paid one; the office
corrects a paid sheet it found wrong. History is never edited; the run pays back-payments and
nets claim-backs (never a negative transfer; carried over when larger than what is due); the
ledger check includes corrections."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.agreements.constants import VersionStatus
from portal.agreements.models import AgreementLine, AgreementVersion
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant
from portal.claims import corrections
from portal.claims.constants import ClaimKind, ClaimStatus, status_label
from portal.claims.models import Claim, ClaimEvent
from portal.payments.ledger import check_ledger
from portal.payments.models import Payment, PaymentItem
from portal.payments.service import execute_run, run_payments
from portal.refusals import Refused
from tests import factories as f
from tests.payments.builders import make_approved_claim

MARCH = dt.date(2026, 3, 1)
CARE = CareKind.INDIVIDUELE_BEGELEIDING.value


def _agreement(tariff=6000, amount=1_000_000):
    grant = f.make_grant(amount_cents=amount, period_start=dt.date(2026, 1, 1),
                         period_end=dt.date(2026, 12, 31))
    agreement = f.make_agreement(grant, f.make_provider(), starts_on=dt.date(2026, 1, 1),
                                 ends_on=dt.date(2026, 12, 31), lines=[
                                     (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, tariff,
                                      8 * 60)])
    return grant, agreement


def _change_tariff(db, agreement, grant, tariff, starts_on=MARCH,
                   unit=Unit.UUR) -> AgreementVersion:
    """An approved version 2 from `starts_on` with another tariff (version 1 replaced), as
    the funder's approval leaves it (unit MAANDLOON: another monthly wage)."""
    first = db.session.scalars(select(AgreementVersion).where(
        AgreementVersion.agreement_id == agreement.id)).one()
    first.status = VersionStatus.VERVANGEN
    version = f.add(AgreementVersion(agreement_id=agreement.id, number=2,
                                     status=VersionStatus.GOEDGEKEURD, starts_on=starts_on,
                                     ends_on=first.ends_on, iban=first.iban))
    f.add(AgreementLine(version_id=version.id, grant_id=grant.id, care_kind=CARE,
                        unit=unit, tariff_cents=tariff, weekly_quantity=8 * 60))
    db.session.refresh(version)
    return version


def _lines(claim):
    return [(ln.day, ln.quantity, ln.tariff_cents, ln.amount_cents) for ln in claim.lines]


def test_a_back_dated_tariff_change_reprices_a_submitted_sheet_instead_of_holding_it(db):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120, 60],
                                status=ClaimStatus.INGEDIEND)
    assert sheet.total_cents == 18_000
    _change_tariff(db, agreement, grant, 6500)

    outcome = execute_run(None, dt.date(2026, 4, 10))

    db.session.refresh(sheet)
    assert sheet.status == ClaimStatus.UITBETAALD  # before: opgeschort (tariff_differs)
    assert sheet.total_cents == 19_500
    assert [p.amount_cents for p in outcome.run.payments] == [19_500]
    assert db.session.get(Grant, grant.id).paid_cents == 19_500
    assert check_ledger()[1] == []


def test_the_approved_change_reprices_unpaid_sheets_at_once(db):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120], status=ClaimStatus.GOEDGEKEURD)
    version = _change_tariff(db, agreement, grant, 6500)
    assert corrections.apply_approved_change(version, dt.date(2026, 4, 10)) == []
    db.session.refresh(sheet)
    assert (sheet.status, sheet.total_cents) == (ClaimStatus.GOEDGEKEURD, 13_000)
    assert db.session.get(Grant, grant.id).reserved_cents == 13_000
    events = db.session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id == sheet.id)).all()
    assert "Opnieuw berekend" in events[-1].reason
    assert check_ledger()[1] == []


def test_a_higher_tariff_from_a_paid_month_is_a_back_payment_paid_by_the_next_run(db):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120, 60])
    run_payments(None, dt.date(2026, 4, 10))
    db.session.refresh(sheet)
    paid_lines = _lines(sheet)

    version = _change_tariff(db, agreement, grant, 6500)
    [back] = corrections.apply_approved_change(version, dt.date(2026, 5, 2))

    assert (back.kind, back.status, back.total_cents) == (
        ClaimKind.NABETALING, ClaimStatus.GOEDGEKEURD, 1_500)
    assert back.corrects_claim_id == sheet.id and "gewijzigd vanaf" in back.correction_reason
    assert back.reference == f"NB-202603-{agreement.id:06d}-1"
    db.session.refresh(sheet)
    assert _lines(sheet) == paid_lines and sheet.status == ClaimStatus.UITBETAALD  # untouched
    assert check_ledger()[1] == []

    run = run_payments(None, dt.date(2026, 5, 10))
    assert [p.amount_cents for p in run.payments] == [1_500]
    db.session.refresh(back)
    assert back.status == ClaimStatus.UITBETAALD
    assert db.session.get(Grant, grant.id).paid_cents == 19_500
    # Approving it again changes nothing: what is paid now is what is due.
    assert corrections.apply_approved_change(version, dt.date(2026, 5, 11)) == []
    assert check_ledger()[1] == []


def test_a_lower_tariff_is_a_claim_back_netted_against_the_next_payment(db):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120, 60])
    run_payments(None, dt.date(2026, 4, 10))
    version = _change_tariff(db, agreement, grant, 5000)
    [claim_back] = corrections.apply_approved_change(version, dt.date(2026, 4, 20))
    assert (claim_back.kind, claim_back.total_cents) == (ClaimKind.TERUGVORDERING, 3_000)
    assert status_label(claim_back.kind, claim_back.status) == \
        "Te verrekenen met de volgende betaling"
    assert db.session.get(Grant, grant.id).reserved_cents == 0  # a claim-back reserves nothing

    april = make_approved_claim(agreement, dt.date(2026, 4, 1), minutes=[120])  # 100.00
    run = run_payments(None, dt.date(2026, 5, 10))

    [payment] = run.payments
    assert payment.amount_cents == 10_000 - 3_000
    items = db.session.scalars(select(PaymentItem).where(PaymentItem.payment_id == payment.id)
                               .order_by(PaymentItem.claim_id)).all()
    assert [(i.claim_id, i.amount_cents) for i in items] == [(claim_back.id, -3_000),
                                                              (april.id, 10_000)]
    db.session.refresh(claim_back)
    assert status_label(claim_back.kind, claim_back.status) == "Verrekend"
    assert db.session.get(Grant, grant.id).paid_cents == sheet.total_cents - 3_000 + 10_000
    assert check_ledger()[1] == []


def test_a_claim_back_larger_than_what_is_due_is_carried_over(db):
    grant, agreement = _agreement()
    make_approved_claim(agreement, MARCH, minutes=[600, 600])  # 20:00 x 60.00
    run_payments(None, dt.date(2026, 4, 10))
    version = _change_tariff(db, agreement, grant, 3000)
    [claim_back] = corrections.apply_approved_change(version, dt.date(2026, 4, 20))
    assert claim_back.total_cents == 60_000  # 20:00 x (60.00 - 30.00)

    make_approved_claim(agreement, dt.date(2026, 4, 1), minutes=[60])  # 30.00 < 600.00
    run = run_payments(None, dt.date(2026, 5, 10))
    assert [p.amount_cents for p in run.payments] == [3_000]  # never negative: carried over
    db.session.refresh(claim_back)
    assert claim_back.status == ClaimStatus.GOEDGEKEURD
    assert check_ledger()[1] == []

    make_approved_claim(agreement, dt.date(2026, 5, 1), minutes=[600, 600])  # 600.00
    assert run_payments(None, dt.date(2026, 6, 10)).payments[0].amount_cents == 60_000
    db.session.refresh(claim_back)  # 600.00 - 600.00 would be an empty transfer: carried
    assert claim_back.status == ClaimStatus.GOEDGEKEURD
    make_approved_claim(agreement, dt.date(2026, 6, 1), minutes=[600, 600, 60])  # 630.00
    run = run_payments(None, dt.date(2026, 7, 10))
    assert [p.amount_cents for p in run.payments] == [63_000 - 60_000]
    db.session.refresh(claim_back)
    assert claim_back.status == ClaimStatus.UITBETAALD
    assert db.session.scalar(select(Payment.amount_cents).where(Payment.amount_cents <= 0)) is None
    assert check_ledger()[1] == []


def test_the_office_corrects_a_paid_sheet_with_a_reason(db):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120, 60])  # 3:00 x 60.00
    run_payments(None, dt.date(2026, 4, 10))
    office = f.make_user(Role.BEHEERDER)
    db.session.refresh(sheet)

    [claim_back] = corrections.correct_paid_claim(office, sheet, {(CARE, grant.id): 150},
                                                  "Op 2 maart is maar een half uur gewerkt.")
    assert (claim_back.kind, claim_back.total_cents) == (ClaimKind.TERUGVORDERING, 3_000)
    [back] = corrections.correct_paid_claim(office, sheet, {(CARE, grant.id): 195},
                                            "Toch 3:15: het rooster was fout.")
    assert (back.kind, back.total_cents) == (ClaimKind.NABETALING, 4_500)  # 150 -> 195 minutes
    assert back.reference.endswith("-1") and claim_back.reference.endswith("-1")
    assert corrections.paid_so_far(sheet)[(CARE, grant.id)].amount_cents == 19_500
    assert check_ledger()[1] == []


@pytest.mark.parametrize("role", [Role.BUDGETHOUDER, Role.ZORGVERLENER, Role.CONSULENT])
def test_only_the_office_corrects(db, role):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120])
    run_payments(None, dt.date(2026, 4, 10))
    with pytest.raises(Refused):
        corrections.correct_paid_claim(f.make_user(role), sheet, {(CARE, grant.id): 60}, "Fout")
    assert db.session.scalars(select(Claim).where(Claim.corrects_claim_id == sheet.id)).all() == []


@pytest.mark.parametrize("quantities, reason, code", [
    ("other", "", "reason_missing"),
    ("same", "Fout", "nothing_changed"),
    ("negative", "Fout", "quantity_invalid"),
])
def test_a_correction_needs_a_reason_and_a_change(db, quantities, reason, code):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120])
    run_payments(None, dt.date(2026, 4, 10))
    db.session.refresh(sheet)
    given = {"same": {(CARE, grant.id): 120}, "negative": {(CARE, grant.id): -15}}.get(
        quantities, {(CARE, grant.id): 60})
    with pytest.raises(Refused) as refused:
        corrections.correct_paid_claim(f.make_user(Role.BEHEERDER), sheet, given, reason)
    assert code in refused.value.codes


def test_an_unpaid_sheet_is_not_corrected(db):
    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120])
    with pytest.raises(Refused) as refused:
        corrections.correct_paid_claim(f.make_user(Role.BEHEERDER), sheet,
                                       {(CARE, grant.id): 60}, "Fout")
    assert refused.value.codes == ["not_paid"]


def test_the_funders_approval_of_a_back_dated_change_makes_the_correction(db):
    """The hook: funders.service.decide (screen and API alike) applies an approved change to
    the months already claimed."""
    from portal.funders import service as funders_service

    grant, agreement = _agreement()
    sheet = make_approved_claim(agreement, MARCH, minutes=[120])
    run_payments(None, dt.date(2026, 4, 10))
    first = db.session.scalars(select(AgreementVersion).where(
        AgreementVersion.agreement_id == agreement.id)).one()
    version = f.add(AgreementVersion(agreement_id=agreement.id, number=2,
                                     status=VersionStatus.TER_BEOORDELING, starts_on=MARCH,
                                     ends_on=first.ends_on, iban=first.iban))
    f.add(AgreementLine(version_id=version.id, grant_id=grant.id, care_kind=CARE,
                        unit=Unit.UUR, tariff_cents=7000, weekly_quantity=8 * 60))
    db.session.refresh(version)
    consulent = f.make_user(Role.CONSULENT, funder_id=grant.funder_id)
    funders_service.decide(consulent, version, approve=True, reason=None,
                           today=dt.date(2026, 4, 20))
    assert version.status == VersionStatus.GOEDGEKEURD
    [back] = db.session.scalars(select(Claim).where(Claim.corrects_claim_id == sheet.id)).all()
    assert (back.kind, back.total_cents) == (ClaimKind.NABETALING, 2 * 1_000)
    assert check_ledger()[1] == []

"""Issue 16, finding 9, for every paid claim kind: a paid fixed monthly wage (wrong days in a
first or last month, wrong wage) and a paid Wlz allowance (the free amount to the holder, the
holiday allowance to a provider) found wrong get a correction of their own, by the same rules
as a paid sheet (claims.correction_rules): history is never edited, a back-payment is paid by
the next run, a claim-back is netted against the payee's next payments (a provider) or
recorded for the holder (never paid out to them). An approved change that alters the wage of a
month already paid makes a wage correction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.agreements.constants import ModelKind
from portal.agreements.models import AgreementVersion
from portal.budgets.constants import AllowanceKind, CareKind, Law, Unit
from portal.budgets.models import AllowanceCap, Grant
from portal.claims import allowances, correction_rules, corrections
from portal.claims.constants import ClaimKind, ClaimStatus, status_label
from portal.claims.correction_rules import WageFix
from portal.claims.models import Claim
from portal.claims.rules import LineInput
from portal.claims.service import submit_own_claim
from portal.extensions import db as database
from portal.payments.models import Payment, PaymentItem
from portal.payments.service import execute_run, run_payments
from portal.refusals import Refused
from tests import factories as f
from tests.claims.test_corrections import _change_tariff
from tests.ledger import assert_ledger_agrees

D = dt.date
IB = CareKind.INDIVIDUELE_BEGELEIDING.value
WAGE = 50_000  # EUR 500.00 a month
HOLDER_IBAN = "NL09RABO0417164301"


# --------------------------------------------------------------------------- the pure rules


def test_a_wage_is_the_monthly_wage_times_the_days_over_the_days_of_the_month():
    from portal.claims.rules import wage_amount

    assert wage_amount(WAGE, 17, 31) == 27_419  # rounded half up once
    assert wage_amount(WAGE, 14, 28) == 25_000
    assert wage_amount(WAGE, 0, 30) == 0


def test_a_wage_correction_needs_a_reason_days_within_the_month_and_a_change():
    paid = {(IB, 1): correction_rules.LineTotal(IB, Unit.MAANDLOON.value, 1, 31, WAGE, WAGE)}

    def codes(fixes, reason="Fout"):
        return [r.code for r in correction_rules.check_wage_correction(reason, fixes, paid, 31)]

    assert codes({(IB, 1): WageFix(20, WAGE)}) == []
    assert codes({(IB, 1): WageFix(20, WAGE)}, reason=" ") == ["reason_missing"]
    assert codes({(IB, 1): WageFix(32, WAGE)}) == ["quantity_invalid"]
    assert codes({(IB, 1): WageFix(20, -1)}) == ["quantity_invalid"]
    assert codes({(IB, 1): WageFix(31, WAGE)}) == ["nothing_changed"]
    assert codes({(IB, 2): WageFix(20, WAGE)}) == ["line_unknown"]
    due = correction_rules.corrected_wage_totals(paid, {(IB, 1): WageFix(17, 60_000)}, 31)
    assert (due[(IB, 1)].quantity, due[(IB, 1)].tariff_cents, due[(IB, 1)].amount_cents) == (
        17, 60_000, 32_903)


def test_an_amount_correction_needs_a_reason_a_positive_amount_and_a_change():
    def codes(amount, reason="Fout"):
        return [r.code for r in correction_rules.check_amount_correction(reason, amount, 20_000)]

    assert codes(15_000) == []
    assert codes(15_000, reason="") == ["reason_missing"]
    assert codes(-1) == ["amount_invalid"]
    assert codes(None) == ["amount_invalid"]
    assert codes(20_000) == ["nothing_changed"]


def test_what_is_paid_so_far_has_the_quantity_of_the_latest_correction():
    """A correction's line carries the quantity due; before, the quantities were added up, so
    after one correction the form showed the sheet's and the correction's quantity summed."""
    sheet = correction_rules.line_totals([_Line(IB, "uur", 1, 180, 6000, 18_000)])
    claim_back = correction_rules.line_totals([_Line(IB, "uur", 1, 150, 6000, 3_000)], -1)
    [total] = correction_rules.add_totals(sheet, claim_back).values()
    assert (total.quantity, total.amount_cents) == (150, 15_000)
    nothing = correction_rules.line_totals([_Line(IB, "uur", 1, 150, 6000, 15_000)], -1)
    [total] = correction_rules.add_totals(sheet, claim_back, nothing).values()
    assert (total.quantity, total.amount_cents) == (0, 0)


class _Line:
    def __init__(self, care_kind, unit, grant_id, quantity, tariff_cents, amount_cents):
        self.care_kind, self.unit, self.grant_id = care_kind, unit, grant_id
        self.quantity, self.tariff_cents, self.amount_cents = quantity, tariff_cents, amount_cents


# --------------------------------------------------------------------------- wages


JAN_15 = D(2026, 1, 15)


def _wage_agreement(starts_on=JAN_15):
    grant = f.make_grant(amount_cents=1_000_000)
    agreement = f.make_agreement(grant, f.make_provider(), ModelKind.ARBEID,
                                 starts_on=starts_on, ends_on=D(2026, 12, 31), lines=[
                                     (grant, CareKind.INDIVIDUELE_BEGELEIDING, Unit.MAANDLOON,
                                      WAGE, 8 * 60)])
    return grant, agreement


def _wage(agreement, month):
    return database.session.scalar(select(Claim).where(
        Claim.agreement_id == agreement.id, Claim.month == month, Claim.kind == ClaimKind.LOON))


def _change_wage(agreement, grant, wage, starts_on) -> AgreementVersion:
    return _change_tariff(database, agreement, grant, wage, starts_on, unit=Unit.MAANDLOON)


def test_an_approved_higher_wage_from_a_paid_month_is_a_back_payment_per_month(db):
    grant, agreement = _wage_agreement(starts_on=D(2026, 1, 1))
    run_payments(None, D(2026, 4, 10))  # January - March paid at EUR 500
    version = _change_wage(agreement, grant, 60_000, D(2026, 2, 1))

    made = corrections.apply_approved_change(version, D(2026, 4, 20))

    assert sorted((c.month.month, c.kind, c.total_cents) for c in made) == [
        (2, ClaimKind.NABETALING, 10_000), (3, ClaimKind.NABETALING, 10_000)]
    assert {c.corrects_claim_id for c in made} == {_wage(agreement, D(2026, m, 1)).id
                                                   for m in (2, 3)}
    assert _wage(agreement, D(2026, 2, 1)).total_cents == WAGE  # history untouched
    run = run_payments(None, D(2026, 5, 10))  # April's new wage and the two back-payments
    assert [p.amount_cents for p in run.payments] == [60_000 + 2 * 10_000]
    assert database.session.get(Grant, grant.id).paid_cents == WAGE + 3 * 60_000
    assert corrections.apply_approved_change(version, D(2026, 5, 11)) == []
    assert_ledger_agrees()


def test_an_approved_lower_wage_is_a_claim_back_netted_against_the_next_wage(db):
    grant, agreement = _wage_agreement(starts_on=D(2026, 1, 1))
    run_payments(None, D(2026, 3, 10))  # January, February
    version = _change_wage(agreement, grant, 40_000, D(2026, 2, 1))
    [claim_back] = corrections.apply_approved_change(version, D(2026, 3, 20))
    assert (claim_back.kind, claim_back.month, claim_back.total_cents) == (
        ClaimKind.TERUGVORDERING, D(2026, 2, 1), 10_000)
    run = run_payments(None, D(2026, 4, 10))
    assert [p.amount_cents for p in run.payments] == [40_000 - 10_000]
    assert database.session.get(Grant, grant.id).paid_cents == WAGE + 2 * 40_000
    assert_ledger_agrees()


def test_an_approved_change_that_ends_the_wage_earlier_claims_back_the_months_after(db):
    grant, agreement = _wage_agreement(starts_on=D(2026, 1, 1))
    run_payments(None, D(2026, 5, 10))  # January - April
    version = _change_wage(agreement, grant, WAGE, D(2026, 3, 1))
    version.ends_on = D(2026, 3, 15)
    made = corrections.apply_approved_change(version, D(2026, 5, 12))
    assert sorted((c.month.month, c.kind, c.total_cents) for c in made) == [
        (3, ClaimKind.TERUGVORDERING, WAGE - 24_194), (4, ClaimKind.TERUGVORDERING, WAGE)]
    assert_ledger_agrees()


def test_the_office_corrects_the_days_of_a_paid_first_month(db):
    grant, agreement = _wage_agreement()  # from 15 January: 17 of 31 days
    run_payments(None, D(2026, 2, 10))
    january = _wage(agreement, D(2026, 1, 1))
    office = f.make_user(Role.BEHEERDER)

    [claim_back] = corrections.correct_paid_wage(
        office, january, {(IB, grant.id): WageFix(days=10, wage_cents=WAGE)},
        "Begonnen op 22 januari, niet op 15 januari.")
    assert (claim_back.kind, claim_back.total_cents) == (ClaimKind.TERUGVORDERING,
                                                         27_419 - 16_129)
    assert claim_back.corrects_claim_id == january.id
    assert "22 januari" in claim_back.correction_reason
    row = corrections.wage_correction_rows(january)[0]
    assert (row.days, row.wage_cents, row.amount_cents, row.days_in_month) == (
        10, WAGE, 16_129, 31)

    [back] = corrections.correct_paid_wage(
        office, january, {(IB, grant.id): WageFix(days=10, wage_cents=55_000)},
        "Het loon was EUR 550.")
    assert (back.kind, back.total_cents) == (ClaimKind.NABETALING, 17_742 - 16_129)
    run = run_payments(None, D(2026, 3, 10))  # February's wage, netted and topped up
    assert [p.amount_cents for p in run.payments] == [WAGE - 11_290 + 1_613]
    assert database.session.get(Grant, grant.id).paid_cents == 17_742 + WAGE
    assert_ledger_agrees()


def test_a_wage_correction_is_refused_for_a_sheet_and_an_unpaid_wage(db):
    grant, agreement = _wage_agreement()
    run_payments(None, D(2026, 2, 10))
    january = _wage(agreement, D(2026, 1, 1))
    with pytest.raises(Refused):
        corrections.correct_paid_wage(f.make_user(Role.BUDGETHOUDER), january,
                                      {(IB, grant.id): WageFix(10, WAGE)}, "Fout")
    with pytest.raises(Refused) as refused:
        corrections.correct_paid_wage(f.make_user(Role.BEHEERDER), january,
                                      {(IB, grant.id): WageFix(40, WAGE)}, "Fout")
    assert refused.value.codes == ["quantity_invalid"]
    january.status = ClaimStatus.GOEDGEKEURD
    with pytest.raises(Refused) as refused:
        corrections.correct_paid_wage(f.make_user(Role.BEHEERDER), january,
                                      {(IB, grant.id): WageFix(10, WAGE)}, "Fout")
    assert refused.value.codes == ["not_paid"]


# --------------------------------------------------------------------------- allowances


@pytest.fixture
def wlz(db, travel):
    household = f.make_household(holder_iban=HOLDER_IBAN)
    member = f.make_member(household)
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=4_000_000)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    agreement = f.make_agreement(grant, f.make_provider(name="Piet Feestdag"))
    database.session.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026,
                                      cap_cents=27_200))
    travel(D(2026, 5, 10))
    submit_own_claim(holder, agreement, D(2026, 4, 1), [
        LineInput(day=day, care_kind=IB, quantity=240) for day in (D(2026, 4, 5),
                                                                   D(2026, 4, 6))],
        D(2026, 5, 10))
    execute_run(None, D(2026, 5, 10))
    return household, grant, holder, agreement


def test_the_office_corrects_a_paid_holiday_allowance_and_the_provider_pays_it_back(wlz):
    _household, grant, holder, agreement = wlz
    claim = allowances.ask_holiday_allowance(holder, grant.id, agreement.id, 20_000,
                                             D(2026, 5, 10))
    execute_run(None, D(2026, 5, 11))
    office = f.make_user(Role.BEHEERDER)
    database.session.refresh(claim)

    [claim_back] = corrections.correct_paid_allowance(office, claim, 12_000,
                                                      "Maar één feestdag gewerkt.")
    assert (claim_back.kind, claim_back.total_cents, claim_back.agreement_id) == (
        ClaimKind.TERUGVORDERING, 8_000, agreement.id)
    assert claim_back.lines[0].care_kind == AllowanceKind.FEESTDAGEN.value
    figures = allowances.allowance_status([grant])[grant.id][AllowanceKind.FEESTDAGEN]
    assert figures.used_cents == 12_000  # the claim-back gives room again
    with pytest.raises(Refused) as refused:  # 12,000 -> 30,000 > the cap of 27,200
        corrections.correct_paid_allowance(office, claim, 30_000, "Toch meer.")
    assert refused.value.codes == ["allowance_cap_exceeded"]

    submit_own_claim(holder, agreement, D(2026, 5, 1), [
        LineInput(day=D(2026, 5, 4), care_kind=IB, quantity=240)], D(2026, 6, 2))
    run = execute_run(None, D(2026, 6, 2)).run
    [payment] = run.payments
    assert payment.amount_cents == 24_000 - 8_000  # netted against the next sheet
    database.session.refresh(claim_back)
    assert status_label(claim_back.kind, claim_back.status) == "Verrekend"
    assert_ledger_agrees()


def test_the_office_corrects_a_paid_free_amount_paid_to_the_holder(wlz):
    household, grant, holder, _agreement = wlz
    claim = allowances.ask_free_allowance(holder, grant.id, D(2026, 5, 10))
    assert claim.total_cents == 25_000
    execute_run(None, D(2026, 5, 11))
    database.session.refresh(claim)
    office = f.make_user(Role.BEHEERDER)
    spent_before = allowances.spent_from_budgets([database.session.get(Grant, grant.id)])

    [back] = corrections.correct_paid_allowance(office, claim, 30_000,
                                                "Er was meer uitgegeven dan geteld.")
    assert (back.kind, back.agreement_id, back.household_id, back.total_cents) == (
        ClaimKind.NABETALING, None, household.id, 5_000)
    run = execute_run(None, D(2026, 5, 12)).run
    [payment] = run.payments
    assert (payment.provider_id, payment.household_id, payment.iban, payment.amount_cents) == (
        None, household.id, HOLDER_IBAN, 5_000)
    # an allowance and its corrections are no care spent
    assert allowances.spent_from_budgets([database.session.get(Grant, grant.id)]) == spent_before

    [claim_back] = corrections.correct_paid_allowance(office, claim, 25_000,
                                                      "Toch het minimum.")
    assert (claim_back.kind, claim_back.agreement_id, claim_back.total_cents) == (
        ClaimKind.TERUGVORDERING, None, 5_000)
    assert claim_back.reference != back.reference
    # recorded for the holder: never paid out to them, nothing to net it against
    assert execute_run(None, D(2026, 5, 13)).run is None
    assert database.session.scalar(select(PaymentItem).where(
        PaymentItem.claim_id == claim_back.id)) is None
    assert database.session.scalar(select(Payment.id).where(Payment.amount_cents <= 0)) is None
    database.session.refresh(claim_back)
    assert claim_back.status == ClaimStatus.GOEDGEKEURD
    figures = allowances.allowance_status([grant])[grant.id][AllowanceKind.VERANTWOORDINGSVRIJ]
    assert figures.used_cents == 25_000
    assert_ledger_agrees()


def test_an_allowance_is_corrected_by_amount_not_by_a_sheet_correction(wlz):
    _household, grant, holder, _agreement = wlz
    claim = allowances.ask_free_allowance(holder, grant.id, D(2026, 5, 10))
    execute_run(None, D(2026, 5, 11))
    database.session.refresh(claim)
    office = f.make_user(Role.BEHEERDER)
    with pytest.raises(Refused) as refused:
        corrections.correct_paid_claim(office, claim, {(AllowanceKind.VERANTWOORDINGSVRIJ.value,
                                                        grant.id): 2}, "Fout")
    assert refused.value.codes == ["not_paid"]
    with pytest.raises(Refused) as refused:
        corrections.correct_paid_allowance(office, claim, 125_001, "Fout")
    assert refused.value.codes == ["allowance_cap_exceeded"]

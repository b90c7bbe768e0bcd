"""Issue 16, findings 2 and 3: the Wlz allowances are claims with a payee, paid by the payment
run and in its SEPA file; the free amount is 1.5% of what was *spent* (min EUR 250, max
EUR 1,250), asked once a year after payments were made, paid to the holder's own account."""

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role, Scope
from portal.budgets.constants import AllowanceKind, CareKind, Law
from portal.budgets.models import AllowanceCap, Grant
from portal.claims import allowance_rules as rules
from portal.claims import allowances
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.rules import LineInput
from portal.claims.service import submit_own_claim
from portal.extensions import db as database
from portal.payments.models import Payment
from portal.payments.sepa import Payer, build_sepa_xml
from portal.payments.service import execute_run, run_payments
from portal.refusals import Refused
from tests import factories as f
from tests.ledger import assert_ledger_agrees

D = dt.date
HOLDER_IBAN = "NL09RABO0417164301"


# --------------------------------------------------------------------------- the pure rules


def test_public_holidays_of_2026():
    days = rules.public_holidays(2026)
    assert days[D(2026, 4, 5)] == "Eerste Paasdag"
    assert days[D(2026, 5, 14)] == "Hemelvaartsdag"
    assert days[D(2026, 5, 25)] == "Tweede Pinksterdag"
    assert days[D(2026, 4, 27)] == "Koningsdag"
    assert D(2025, 4, 26) in rules.public_holidays(2025) or D(2025, 4, 27) in rules.public_holidays(2025)
    assert rules.public_holidays(2014)[D(2014, 4, 26)] == "Koningsdag"  # 27 April was a Sunday
    assert len(days) == 11


@pytest.mark.parametrize(("spent", "amount"), [
    (0, 0), (1, 25_000), (1_000_000, 25_000), (2_000_000, 30_000), (8_333_400, 125_000),
    (50_000_000, 125_000)])
def test_the_free_amount_is_one_and_a_half_percent_of_what_was_spent(spent, amount):
    assert rules.free_allowance_amount(spent) == amount


def _free(**kw):
    base = dict(law=Law.WLZ, year=2026, today=D(2026, 6, 1), spent_cents=100_000,
                already_asked=False, holder_iban_ok=True, available_cents=1_000_000)
    return [r.code for r in rules.check_free_allowance(**{**base, **kw})]


def test_the_free_amount_refusals():
    assert _free() == []
    assert _free(spent_cents=0) == ["allowance_nothing_spent"]
    assert rules.check_free_allowance(
        law=Law.WLZ, year=2026, today=D(2026, 6, 1), spent_cents=0, already_asked=False,
        holder_iban_ok=True, available_cents=1)[0].message == (
        "U kunt het vrij besteedbaar bedrag pas aanvragen als er uit uw budget is betaald.")
    assert _free(already_asked=True) == ["allowance_already_asked"]
    assert _free(today=D(2027, 1, 5)) == ["allowance_outside_year"]
    assert _free(holder_iban_ok=False) == ["holder_iban_missing"]
    assert _free(available_cents=24_999) == ["budget_insufficient"]
    assert _free(law=Law.WMO) == ["allowance_not_wlz"]


def test_the_holiday_allowance_refusals():
    base = dict(law=Law.WLZ, year=2026, today=D(2026, 12, 30), amount_cents=10_000,
                cap_cents=27_200, used_cents=0, holiday_days=1, provider_name="Piet",
                available_cents=1_000_000)

    def codes(**kw):
        return [r.code for r in rules.check_holiday_allowance(**{**base, **kw})]

    assert codes() == []
    assert codes(holiday_days=0) == ["allowance_no_holiday_care"]
    assert codes(used_cents=17_201) == ["allowance_cap_exceeded"]
    assert codes(used_cents=17_200) == []
    assert codes(cap_cents=None) == ["allowance_cap_missing"]
    assert codes(amount_cents=0) == ["amount_not_positive"]
    assert codes(available_cents=9_999) == ["budget_insufficient"]


@pytest.mark.parametrize(("ended_on", "back"), [
    (D(2026, 12, 31), 0),  # the whole year: nothing back
    (D(2026, 6, 30), 63_014),  # 184 of 365 days after the end: 125,000 x 184 / 365
    (D(2026, 1, 1), 124_658),
    (D(2025, 12, 31), 125_000),
])
def test_the_claim_back_is_proportional_to_the_days_after_the_end(ended_on, back):
    assert rules.claim_back_cents(125_000, 2026, ended_on) == back


def test_nothing_to_claim_back_without_a_paid_free_amount():
    assert rules.claim_back_cents(0, 2026, D(2026, 3, 1)) == 0


# --------------------------------------------------------------------------- the claims


@pytest.fixture
def wlz(db):
    household = f.make_household(holder_iban=HOLDER_IBAN)
    member = f.make_member(household)
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=4_000_000)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    provider = f.make_provider(name="Piet Feestdag")
    agreement = f.make_agreement(grant, provider)
    return household, member, grant, holder, agreement


def _pay_a_sheet(holder, agreement, month, days, run_on):
    lines = [LineInput(day=day, care_kind=CareKind.INDIVIDUELE_BEGELEIDING.value, quantity=240)
             for day in days]
    submit_own_claim(holder, agreement, month, lines, run_on)
    execute_run(None, run_on)


def test_the_free_amount_needs_a_payment_first(wlz):
    _household, _member, grant, holder, _agreement = wlz
    with pytest.raises(Refused) as refused:
        allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 1))
    assert refused.value.codes == ["allowance_nothing_spent"]


def test_the_free_amount_is_paid_to_the_holders_own_account(wlz, travel):
    household, _member, grant, holder, agreement = wlz
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, d) for d in (2, 3, 4)],
                 D(2026, 3, 10))
    spent = database.session.get(Grant, grant.id).paid_cents
    assert spent == 3 * 4 * 6000
    claim = allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 10))
    assert (claim.kind, claim.status, claim.total_cents) == (ClaimKind.VRIJ, ClaimStatus.INGEDIEND,
                                                             25_000)  # the minimum
    assert claim.agreement_id is None and claim.household_id == household.id
    assert database.session.get(Grant, grant.id).reserved_cents == 25_000
    with pytest.raises(Refused) as refused:  # once a year
        allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 11))
    assert refused.value.codes == ["allowance_already_asked"]

    outcome = execute_run(None, D(2026, 3, 12))
    assert outcome.approved == [claim.id]
    payment = database.session.scalar(select(Payment).where(Payment.run_id == outcome.run.id))
    assert (payment.provider_id, payment.household_id, payment.iban, payment.amount_cents) == (
        None, household.id, HOLDER_IBAN, 25_000)
    assert database.session.get(type(claim), claim.id).status == ClaimStatus.UITBETAALD
    xml = build_sepa_xml(outcome.run, Payer("Betaalkantoor", "NL91ABNA0417164300"),
                         D(2026, 3, 12)).decode()
    assert HOLDER_IBAN in xml and "<InstdAmt Ccy=\"EUR\">250.00</InstdAmt>" in xml
    assert_ledger_agrees()
    figures = allowances.allowance_status([grant])[grant.id]
    assert figures[AllowanceKind.VERANTWOORDINGSVRIJ].used_cents == 25_000
    assert figures[AllowanceKind.VERANTWOORDINGSVRIJ].left_cents == 0


def test_without_the_holders_iban_it_is_refused(wlz, travel):
    household, _member, grant, holder, agreement = wlz
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, 2)], D(2026, 3, 10))
    household.holder_iban = None
    with pytest.raises(Refused) as refused:
        allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 10))
    assert refused.value.codes == ["holder_iban_missing"]


def test_a_stranger_may_not_ask(wlz):
    _household, _member, grant, _holder, _agreement = wlz
    with pytest.raises(Refused) as refused:
        allowances.ask_free_allowance(f.make_user(Role.BUDGETHOUDER), grant.id, D(2026, 3, 1))
    assert refused.value.codes == ["not_allowed"]


def test_a_representative_who_may_act_asks_on_behalf(wlz, travel):
    household, _member, grant, holder, agreement = wlz
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, 2)], D(2026, 3, 10))
    rep = f.make_user(Role.VERTEGENWOORDIGER)
    f.make_authorization(household, rep, holder, scope=Scope.HANDELEN)
    claim = allowances.ask_free_allowance(rep, grant.id, D(2026, 3, 10))
    assert claim.submitted_on_behalf_of_id == holder.id


def test_the_holiday_allowance_goes_to_the_provider_who_worked_on_a_holiday(wlz, travel):
    _household, _member, grant, holder, agreement = wlz
    database.session.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026,
                                      cap_cents=27_200))
    travel(D(2026, 5, 10))
    with pytest.raises(Refused) as refused:
        allowances.ask_holiday_allowance(holder, grant.id, agreement.id, 10_000, D(2026, 5, 10))
    assert refused.value.codes == ["allowance_no_holiday_care"]
    _pay_a_sheet(holder, agreement, D(2026, 4, 1), [D(2026, 4, 5), D(2026, 4, 6)], D(2026, 5, 10))
    claim = allowances.ask_holiday_allowance(holder, grant.id, agreement.id, 20_000,
                                             D(2026, 5, 10))
    assert (claim.kind, claim.agreement_id, claim.total_cents) == (
        ClaimKind.FEESTDAGEN, agreement.id, 20_000)
    outcome = execute_run(None, D(2026, 5, 11))
    payment = database.session.scalar(select(Payment).where(Payment.run_id == outcome.run.id))
    assert (payment.provider_id, payment.amount_cents) == (agreement.provider_id, 20_000)
    assert_ledger_agrees()
    travel(D(2026, 6, 10))
    with pytest.raises(Refused) as refused:  # 200 + 100 > 272
        allowances.ask_holiday_allowance(holder, grant.id, agreement.id, 10_000, D(2026, 6, 10))
    assert refused.value.codes == ["allowance_cap_exceeded"]
    figures = allowances.allowance_status([grant])[grant.id][AllowanceKind.FEESTDAGEN]
    assert (figures.cap_cents, figures.used_cents) == (27_200, 20_000)


def test_a_free_amount_without_a_valid_holder_iban_waits_for_a_later_run(wlz, travel):
    household, _member, grant, holder, agreement = wlz
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, 2)], D(2026, 3, 10))
    claim = allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 10))
    household.holder_iban = "NL00XXXX0000000000"
    outcome = execute_run(None, D(2026, 3, 12))
    assert outcome.run is None and [h.claim_id for h in outcome.held_back] == [claim.id]
    household.holder_iban = HOLDER_IBAN
    assert run_payments(None, D(2026, 3, 13)) is not None
    assert_ledger_agrees()


def test_the_claim_back_when_the_budget_ends_in_june(wlz, travel):
    _household, _member, grant, holder, agreement = wlz
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, 2)], D(2026, 3, 10))
    allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 10))
    execute_run(None, D(2026, 3, 11))
    assert allowances.free_allowance_claim_back(grant) == 0
    grant.period_end = D(2026, 6, 30)
    assert allowances.free_allowance_claim_back(grant) == rules.claim_back_cents(
        25_000, 2026, D(2026, 6, 30)) == 12_603


def test_the_office_sees_the_holders_payment_in_the_run_and_its_spec(wlz, travel, client,
                                                                     login):
    from portal.payments.service import run_details

    household, _member, grant, holder, agreement = wlz
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, 2)], D(2026, 3, 10))
    allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 10))
    run = execute_run(None, D(2026, 3, 12)).run
    (line,) = run_details(run.id).payments
    assert line.provider_name == f"Budgethouder {household.name}" and line.amount_cents == 25_000
    login(f.make_user(Role.BEHEERDER))
    # the holder's own specification (tests/paper/test_holder_payment_spec.py)
    assert client.get(f"/papier/betalingen/{run.payments[0].id}.pdf").status_code == 200

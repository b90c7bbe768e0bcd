"""Issue 16: the claim-back of the vrij besteedbaar bedrag when a Wlz budget ends during its
year (care in kind, death) is recorded as an item of its own (a terugvordering that names the
free amount it corrects and why), once per budget; it is netted against a later payment to the
budget holder, or stays open as an amount the holder must pay back; the ledger check and the
budget's figures count it."""

import datetime as dt

import pytest
from sqlalchemy import select

from portal.access.constants import Role
from portal.budgets import rules as budget_rules
from portal.budgets.constants import Law
from portal.budgets.models import Grant
from portal.claims import allowance_rules, allowances, free_claim_back
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim
from portal.extensions import db as database
from portal.payments.household import household_payments
from portal.payments.models import Payment, PaymentItem
from portal.payments.service import execute_run
from portal.refusals import Refused
from tests import factories as f
from tests.claims.test_allowances import HOLDER_IBAN, _pay_a_sheet
from tests.ledger import assert_ledger_agrees

D = dt.date
REASON = "Zorg in natura vanaf 1 juli"


def _wlz_household():
    household = f.make_household(holder_iban=HOLDER_IBAN)
    member = f.make_member(household)
    grant = f.make_grant(member, law=Law.WLZ, amount_cents=4_000_000)
    holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
    return household, member, grant, holder, f.make_agreement(grant, f.make_provider())


def pay_a_free_amount(travel):
    """A Wlz budget of 2026 whose free amount (EUR 250, the minimum) was paid in March:
    (household, member, grant, holder, the free amount, an office user)."""
    household, member, grant, holder, agreement = _wlz_household()
    travel(D(2026, 3, 10))
    _pay_a_sheet(holder, agreement, D(2026, 2, 1), [D(2026, 2, 2)], D(2026, 3, 10))
    free = allowances.ask_free_allowance(holder, grant.id, D(2026, 3, 10))
    execute_run(None, D(2026, 3, 11))
    assert database.session.get(Claim, free.id).status == ClaimStatus.UITBETAALD
    office = f.make_user(Role.BEHEERDER)
    return household, member, grant, holder, free, office


@pytest.fixture
def paid_free_amount(db, travel):
    return pay_a_free_amount(travel)


def _claim_backs(household_id):
    return database.session.scalars(select(Claim).where(
        Claim.household_id == household_id, Claim.kind == ClaimKind.TERUGVORDERING)
        .order_by(Claim.id)).all()


def test_the_grant_end_rule():
    start, end = D(2026, 1, 1), D(2026, 12, 31)

    def codes(ended_on, reason=REASON, last_care_day=None):
        return [r.code for r in budget_rules.check_grant_end(
            period_start=start, period_end=end, ended_on=ended_on, reason=reason,
            last_care_day=last_care_day)]

    assert codes(D(2026, 6, 30)) == []
    assert codes(D(2026, 12, 31)) == ["grant_end_not_earlier"]
    assert codes(D(2025, 12, 31)) == ["grant_end_before_start"]
    assert codes(D(2026, 6, 30), reason=" ") == ["reason_missing"]
    assert codes(D(2026, 6, 30), last_care_day=D(2026, 7, 2)) == ["grant_end_care_after"]
    assert codes(D(2026, 6, 30), last_care_day=D(2026, 6, 30)) == []


def test_ending_a_wlz_budget_in_june_records_the_claim_back_once(paid_free_amount, travel):
    household, _member, grant, _holder, free, office = paid_free_amount
    travel(D(2026, 7, 3))
    paid_before = database.session.get(Grant, grant.id).paid_cents
    claim_back = free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                                  D(2026, 7, 3))
    assert database.session.get(Grant, grant.id).period_end == D(2026, 6, 30)
    expected = allowance_rules.claim_back_cents(25_000, 2026, D(2026, 6, 30))
    assert claim_back is not None
    assert (claim_back.kind, claim_back.status, claim_back.total_cents) == (
        ClaimKind.TERUGVORDERING, ClaimStatus.GOEDGEKEURD, expected) == (
        ClaimKind.TERUGVORDERING, ClaimStatus.GOEDGEKEURD, 12_603)
    assert claim_back.corrects_claim_id == free.id and claim_back.agreement_id is None
    assert claim_back.household_id == household.id
    assert REASON in claim_back.correction_reason
    assert [ln.grant_id for ln in claim_back.lines] == [grant.id]
    # the free amount itself is never edited
    assert (database.session.get(Claim, free.id).total_cents,
            database.session.get(Claim, free.id).status) == (25_000, ClaimStatus.UITBETAALD)
    # nothing given back yet: it is open until netted or paid back
    assert database.session.get(Grant, grant.id).paid_cents == paid_before
    assert_ledger_agrees()
    # one claim-back per budget: asking again records nothing more
    assert free_claim_back.record_claim_back(None, grant.id, REASON, D(2026, 7, 4)) is None
    assert len(_claim_backs(household.id)) == 1


def test_without_a_later_payment_to_the_holder_it_stays_open_and_is_explained(
        paid_free_amount, travel):
    household, _member, grant, _holder, _free, office = paid_free_amount
    travel(D(2026, 7, 3))
    claim_back = free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                                  D(2026, 7, 3))
    assert execute_run(None, D(2026, 7, 6)).run is None  # carried over: no transfer is negative
    assert database.session.get(Claim, claim_back.id).status == ClaimStatus.GOEDGEKEURD
    assert_ledger_agrees()
    page = household_payments(household.id)
    (owed,) = page.to_pay_back
    assert (owed.reference, owed.amount_cents) == (claim_back.reference, -12_603)
    assert household_payments(household.id).to_pay_back_cents == 12_603
    assert "30 juni 2026" in owed.explanation and "€ 126,03" in owed.explanation.replace(
        "\xa0", " ")


def test_a_later_payment_to_the_holder_nets_it(paid_free_amount, travel):
    household, member, grant, holder, _free, office = paid_free_amount
    travel(D(2026, 7, 3))
    claim_back = free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                                  D(2026, 7, 3))
    paid_before = database.session.get(Grant, grant.id).paid_cents
    # next year's free amount, asked in 2027 from a new Wlz budget
    grant_2027 = f.make_grant(member, law=Law.WLZ, year=2027, amount_cents=4_000_000)
    agreement = f.make_agreement(grant_2027, f.make_provider())
    travel(D(2027, 3, 10))
    _pay_a_sheet(holder, agreement, D(2027, 2, 1), [D(2027, 2, 2)], D(2027, 3, 10))
    free_2027 = allowances.ask_free_allowance(holder, grant_2027.id, D(2027, 3, 10))
    run = execute_run(None, D(2027, 3, 11)).run
    payment = database.session.scalar(select(Payment).where(Payment.run_id == run.id,
                                                            Payment.household_id == household.id))
    assert payment.amount_cents == 25_000 - 12_603
    items = database.session.scalars(select(PaymentItem.claim_id).where(
        PaymentItem.payment_id == payment.id).order_by(PaymentItem.claim_id)).all()
    assert items == [claim_back.id, free_2027.id]
    assert database.session.get(Claim, claim_back.id).status == ClaimStatus.UITBETAALD
    # the budget of 2026 gets its money back
    assert database.session.get(Grant, grant.id).paid_cents == paid_before - 12_603
    assert_ledger_agrees()
    assert household_payments(household.id).to_pay_back == []
    # what was spent on care from the 2026 budget is unchanged by the netting
    grant = database.session.get(Grant, grant.id)
    assert allowances.spent_from_budgets([grant]) == grant.paid_cents - (25_000 - 12_603)


def test_the_paid_figures_count_what_went_to_the_holder(paid_free_amount, travel):
    from portal.overview import service as overview

    household, _member, grant, _holder, _free, office = paid_free_amount
    figures = overview.paid_figures(overview.household_usage(household.id, D(2026, 3, 12)))
    care = database.session.get(Grant, grant.id).paid_cents - 25_000
    assert (figures.allowances_cents, figures.providers_cents) == (25_000, care)


def test_a_budget_that_ends_on_31_december_or_without_a_paid_free_amount_claims_nothing(
        db, travel):
    household = f.make_household(holder_iban=HOLDER_IBAN)
    grant = f.make_grant(f.make_member(household), law=Law.WLZ)
    office = f.make_user(Role.BEHEERDER)
    travel(D(2026, 7, 3))
    assert free_claim_back.end_budget_early(office, grant.id, D(2026, 6, 30), REASON,
                                            D(2026, 7, 3)) is None
    assert database.session.get(Grant, grant.id).period_end == D(2026, 6, 30)
    assert _claim_backs(household.id) == []


JUNE_END = D(2026, 6, 30)


def _end(actor, grant_id, ended_on=JUNE_END):
    return free_claim_back.end_budget_early(actor, grant_id, ended_on, REASON, D(2026, 7, 3))


def test_who_may_end_a_budget(paid_free_amount, travel):
    _household, _member, grant, holder, _free, _office = paid_free_amount
    travel(D(2026, 7, 3))
    other = f.make_user(Role.CONSULENT, funder_id=f.make_funder().id)
    for stranger in (holder, other):
        with pytest.raises(Refused) as refused:
            _end(stranger, grant.id)
        assert refused.value.codes == ["not_allowed"]
    assert _end(f.make_user(Role.CONSULENT, funder_id=grant.funder_id), grant.id) is not None


def test_a_budget_with_care_claimed_after_the_new_end_is_not_ended(paid_free_amount, travel):
    _household, _member, grant, _holder, _free, office = paid_free_amount
    travel(D(2026, 7, 3))
    with pytest.raises(Refused) as refused:
        _end(office, grant.id, D(2026, 1, 31))
    assert refused.value.codes == ["grant_end_care_after"]
    assert database.session.get(Grant, grant.id).period_end == D(2026, 12, 31)


def test_the_consulent_ends_the_budget_on_its_page(paid_free_amount, travel, client, login):
    household, _member, grant, _holder, _free, _office = paid_free_amount
    travel(D(2026, 7, 3))
    consulent = f.make_user(Role.CONSULENT, funder_id=grant.funder_id)
    login(consulent)
    url = f"/verstrekker/toekenningen/{grant.id}/beeindigen"
    assert f'href="{url}"' in client.get("/verstrekker/toekenningen").text
    page = client.get(url)
    assert page.status_code == 200 and "Budget eerder beëindigen" in page.text
    refused = client.post(url, data={"ended_on": "2026-12-31", "reason": REASON})
    assert refused.status_code == 422 and "Kies een einddatum daarvoor" in refused.text
    done = client.post(url, data={"ended_on": "2026-06-30", "reason": REASON},
                       follow_redirects=True)
    assert done.status_code == 200
    assert "Het budget stopt nu op 30 juni 2026" in done.text
    assert "126,03" in done.text
    assert [c.total_cents for c in _claim_backs(household.id)] == [12_603]


@pytest.mark.parametrize("data", [
    {"ended_on": "30-02-2026", "reason": REASON},  # a day that does not exist
    {"ended_on": "morgen", "reason": REASON},
    {"ended_on": "", "reason": REASON},
    {"ended_on-dag": "31", "ended_on-maand": "13", "ended_on-jaar": "2026", "reason": REASON},
    {"ended_on": "2026-06-30", "reason": ""},
    {"ended_on": "2026-06-30", "reason": "x" * 501},
])
def test_bad_input_on_the_end_page_says_what_to_do_and_changes_nothing(
        paid_free_amount, travel, client, login, data):
    household, _member, grant, _holder, _free, _office = paid_free_amount
    travel(D(2026, 7, 3))
    login(f.make_user(Role.CONSULENT, funder_id=grant.funder_id))
    answer = client.post(f"/verstrekker/toekenningen/{grant.id}/beeindigen", data=data)
    assert answer.status_code == 422 and 'class="error-summary' in answer.text
    assert database.session.get(Grant, grant.id).period_end == D(2026, 12, 31)
    assert _claim_backs(household.id) == []


def test_a_free_amount_paid_after_the_budget_ended_is_claimed_back_when_paid(db, travel):
    household, _member, grant, holder, agreement = _wlz_household()
    travel(D(2026, 7, 10))
    _pay_a_sheet(holder, agreement, D(2026, 6, 1), [D(2026, 6, 2)], D(2026, 7, 10))
    free = allowances.ask_free_allowance(holder, grant.id, D(2026, 7, 10))
    # the budget ends before the free amount is paid: nothing to claim back yet
    assert _end(f.make_user(Role.BEHEERDER), grant.id) is None
    execute_run(None, D(2026, 7, 13))
    assert database.session.get(Claim, free.id).status == ClaimStatus.UITBETAALD
    (back,) = _claim_backs(household.id)
    assert (back.corrects_claim_id, back.total_cents, back.status) == (
        free.id, 12_603, ClaimStatus.GOEDGEKEURD)
    assert_ledger_agrees()
    execute_run(None, D(2026, 7, 14))  # a later run records nothing more
    assert len(_claim_backs(household.id)) == 1

"""Stateful property test of the whole money loop, through the real services.

Hypothesis drives any sequence of what people do: a provider hands over a sheet, the budget
holder prepares, submits, approves or sends one back, the payment office approves, suspends or
refuses, a refused sheet is reopened, payment runs (always twice in a row) that also pay the
fixed monthly wages, the free amount (asked, paid to the holder), the Wlz budget ending early
after its free amount was paid (its claim-back recorded once, then netted or paid back by the
holder by bank transfer), a holiday allowance asked and paid, the office correcting
a paid sheet, a paid wage (days or wage) or a paid holiday allowance (amount) and a back-dated
tariff change approved after payment (issue 16: back-payments paid, claim-backs netted or
carried over), and days passing (deadlines come and go), across the year change into the next
year (December's sheets are still claimed and paid from the old year's budgets in January).
Every call that is refused must write nothing.

After every step, for every grant (the budget's own running totals against its history):
- paid = the claim lines of paid claims of every kind (sheets, wages, allowances, corrections
  with their sign) + old allowance uses + repayments, and in progress = the claim lines
  of submitted, approved and suspended sheets, and every sheet paid out is paid by a payment
  run: the portal's own ledger check (portal.payments.ledger.check_ledger, which sums the
  history without the running columns) finds no difference;
- granted = paid + in progress + available, and none of them is negative.
And a second payment run right after the first pays nothing and changes nothing.

Deterministic: derandomized (a fixed seed), no example database; small enough to run in seconds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from portal.access.constants import Role
from portal.agreements.constants import ModelKind, ProviderKind, VersionStatus
from portal.agreements.models import AgreementLine, AgreementVersion
from portal.budgets.constants import AllowanceKind, CareKind, Law, Unit
from portal.budgets.models import AllowanceCap, Grant
from portal.claims import (
    allowance_rules,
    allowances,
    correction_rules,
    corrections,
    free_claim_back,
)
from portal.claims import service as claims
from portal.claims.constants import ClaimKind, ClaimStatus
from portal.claims.models import Claim
from portal.claims.rules import LineInput
from portal.dates import add_months, first_of_month, last_of_month
from portal.payments.ledger import check_ledger
from portal.payments.service import execute_run
from portal.refusals import AlreadyDone, Refused
from tests import factories as f
from tests.ledger import assert_grants_match_their_history

IB = CareKind.INDIVIDUELE_BEGELEIDING.value
PV = CareKind.PERSOONLIJKE_VERZORGING.value
START = dt.date(2026, 3, 10)
WAGE = 20_000
YEAR_END = dt.date(2026, 12, 31)
LAST_DAY = dt.date(2027, 3, 31)  # the old year's sheets are claimed and paid until mid-March

# (day of the month, quarters of an hour, which kind of care: 0 = IB, 1 = PV)
line = st.tuples(st.integers(1, 28), st.integers(1, 40), st.integers(0, 1))
lines = st.lists(line, min_size=1, max_size=4)
# 1: last month; 3 is before the grants start at first, later it is too late to claim
months_back = st.integers(1, 3)


class MoneyLoop(RuleBasedStateMachine):
    claims = Bundle("claims")

    def __init__(self, database):
        super().__init__()
        self.db = database
        self.outer = database.session.begin_nested()
        self.today = START
        household = f.make_household(holder_iban="NL09RABO0417164301")
        anna, daan = f.make_member(household), f.make_member(household)
        # Small budgets, so that budget refusals happen; EUR 60 an hour.
        self.wmo = f.make_grant(daan, law=Law.WMO, amount_cents=150_000)
        self.wlz = f.make_grant(anna, law=Law.WLZ, amount_cents=400_000)
        f.add(AllowanceCap(law=Law.WLZ, kind=AllowanceKind.FEESTDAGEN, year=2026, cap_cents=20_000))
        person, organisation = f.make_provider(), f.make_provider(ProviderKind.ORGANISATIE)
        self.agreements = [
            f.make_agreement(self.wmo, person),
            f.make_agreement(self.wmo, organisation, household=household, lines=[
                (self.wmo, CareKind.INDIVIDUELE_BEGELEIDING, Unit.UUR, 6000, 240),
                (self.wlz, CareKind.PERSOONLIJKE_VERZORGING, Unit.UUR, 6000, 240)]),
        ]
        # A fixed monthly wage of EUR 200 from the Wmo budget (issue 16, finding 1): each run
        # pays the months that are over.
        self.employment = f.make_agreement(self.wmo, f.make_provider(), ModelKind.ARBEID,
                                           household=household, lines=[
            (self.wmo, CareKind.INDIVIDUELE_BEGELEIDING, Unit.MAANDLOON, WAGE, 8 * 60)])
        self.providers = [f.make_user(Role.ZORGVERLENER, provider_id=person.id),
                          f.make_user(Role.ZORGVERLENER, provider_id=organisation.id)]
        self.holder = f.make_user(Role.BUDGETHOUDER, household_id=household.id)
        self.office = f.make_user(Role.BEHEERDER)
        self.grant_ids = [self.wmo.id, self.wlz.id]
        self.accepted = self.refused = 0

    def teardown(self):
        self.outer.rollback()
        self.db.session.expunge_all()  # no object of this example lives on in the next one

    # ----------------------------------------------------------------------- helpers

    def columns(self):
        return [(g.reserved_cents, g.paid_cents) for g in self.db.session.scalars(
            select(Grant).where(Grant.id.in_(self.grant_ids)).order_by(Grant.id)
            .execution_options(populate_existing=True))]

    def attempt(self, use_case, *args, **kwargs):
        """Call a service like a request does: all of it, or (when refused) nothing."""
        before = self.columns()
        savepoint = self.db.session.begin_nested()
        try:
            result = use_case(*args, **kwargs)
        except Refused:
            savepoint.rollback()
            self.refused += 1
            assert self.columns() == before, "a refused call changed a budget"
            return None
        savepoint.commit()
        self.accepted += 1
        return result

    def month(self, back: int) -> dt.date:
        return add_months(first_of_month(self.today), -back)

    def line_inputs(self, agreement_index: int, month: dt.date, drawn) -> list[LineInput]:
        by_day = {}
        for day, quarters, care in drawn:
            kind = PV if agreement_index == 1 and care else IB
            by_day[(day, kind)] = LineInput(month.replace(day=day), kind, quarters * 15)
        return list(by_day.values())

    def claim(self, claim_id: int) -> Claim:
        return self.db.session.get(Claim, claim_id, populate_existing=True)

    # ----------------------------------------------------------------------- sheets

    @rule(target=claims, which=st.integers(0, 1), back=months_back, drawn=lines)
    def provider_hands_over(self, which, back, drawn):
        month = self.month(back)
        claim = self.attempt(claims.prepare_claim, self.providers[which], self.agreements[which],
                             month, self.line_inputs(which, month, drawn), self.today)
        return claim.id if claim else multiple()

    @rule(target=claims, which=st.integers(0, 1), back=months_back, drawn=lines)
    def holder_prepares_a_concept(self, which, back, drawn):
        month = self.month(back)
        claim = self.attempt(claims.prepare_claim, self.holder, self.agreements[which], month,
                             self.line_inputs(which, month, drawn), self.today)
        return claim.id if claim else multiple()

    @rule(target=claims, which=st.integers(0, 1), back=months_back, drawn=lines)
    def holder_submits_own_sheet(self, which, back, drawn):
        month = self.month(back)
        claim = self.attempt(claims.submit_own_claim, self.holder, self.agreements[which], month,
                             self.line_inputs(which, month, drawn), self.today)
        return claim.id if claim else multiple()

    @rule(claim_id=claims)
    def holder_approves(self, claim_id):
        self.attempt(claims.approve_claim, self.holder, self.claim(claim_id), self.today)

    @rule(claim_id=claims)
    def holder_sends_back(self, claim_id):
        self.attempt(claims.refuse_by_holder, self.holder, self.claim(claim_id),
                     "Dag 3 klopt niet.", self.today)

    @rule(claim_id=claims)
    def office_approves(self, claim_id):
        self.attempt(claims.office_approve, self.office, self.claim(claim_id), self.today)

    @rule(claim_id=claims)
    def office_suspends(self, claim_id):
        self.attempt(claims.office_suspend, self.office, self.claim(claim_id),
                     "Wordt nagevraagd.", self.today)

    @rule(claim_id=claims)
    def office_refuses(self, claim_id):
        self.attempt(claims.office_refuse, self.office, self.claim(claim_id),
                     "Geen zorg geleverd.", self.today)

    @rule(claim_id=claims, by_provider=st.booleans())
    def reopen(self, claim_id, by_provider):
        claim = self.claim(claim_id)
        actor = self.holder
        if by_provider:
            actor = self.providers[[a.id for a in self.agreements].index(claim.agreement_id)]
        self.attempt(claims.reopen, actor, claim, self.today)

    # ----------------------------------------------------------------------- money

    def something_to_check_or_pay(self) -> bool:
        return self.db.session.scalar(select(Claim.id).where(
            Claim.agreement_id.in_([a.id for a in self.agreements]),
            Claim.status.in_([ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD])).limit(1)) is not None

    @precondition(something_to_check_or_pay)
    @rule()
    def payment_run_twice(self):
        self.attempt(execute_run, self.office, self.today)
        # (a claim-back larger than what its provider is due now stays approved: carried over)
        statuses = set(self.db.session.scalars(select(Claim.status).where(
            Claim.agreement_id.in_([a.id for a in self.agreements]),
            Claim.kind != ClaimKind.TERUGVORDERING)))
        # the run checked every submitted sheet and paid every approved one
        assert not statuses & {ClaimStatus.INGEDIEND, ClaimStatus.GOEDGEKEURD}, statuses
        before = self.columns()
        second = self.attempt(execute_run, self.office, self.today)
        assert second is not None and second.run is None and second.approved == []
        assert self.columns() == before

    def netted_wage_claim_backs(self) -> int:
        return sum(self.db.session.scalars(select(Claim.total_cents).where(
            Claim.agreement_id == self.employment.id, Claim.kind == ClaimKind.TERUGVORDERING,
            Claim.status == ClaimStatus.UITBETAALD)))

    @rule()
    def payment_run_pays_the_wages_due(self):
        netted_before = self.netted_wage_claim_backs()
        self.attempt(execute_run, self.office, self.today)
        # a wage claim-back the run netted gave the budget room only after it put wages ready
        refunded = self.netted_wage_claim_backs() - netted_before
        wages = {c.month: c for c in self.db.session.scalars(
            select(Claim).where(Claim.agreement_id == self.employment.id,
                                Claim.kind == ClaimKind.LOON)  # (not their corrections)
            .execution_options(populate_existing=True))}
        assert all(c.kind == ClaimKind.LOON and c.status == ClaimStatus.UITBETAALD
                   and c.total_cents == WAGE for c in wages.values())
        month = self.wmo.period_start
        while month < min(first_of_month(self.today), add_months(first_of_month(YEAR_END), 1)):
            # a month over without its wage: only when the budget cannot pay it
            assert month in wages or self.wmo.available_cents - refunded < WAGE, month
            month = add_months(month, 1)

    @rule()
    def free_allowance_asked(self):
        # the Wlz free-to-spend amount: a claim paid by the next run (claims.allowances)
        self.attempt(allowances.ask_free_allowance, self.holder, self.wlz.id, self.today)

    # ----------------------------------------------------------------------- corrections

    def paid_sheets(self) -> list[int]:
        return list(self.db.session.scalars(select(Claim.id).where(
            Claim.agreement_id.in_([a.id for a in self.agreements]),
            Claim.kind == ClaimKind.UREN, Claim.status == ClaimStatus.UITBETAALD)
            .order_by(Claim.id)))

    @rule(target=claims, which=st.integers(0, 1), back=months_back, drawn=lines)
    def holder_submits_and_a_run_pays(self, which, back, drawn):
        """A sheet paid at once, so that corrections and netting meet paid sheets often."""
        month = self.month(back)
        claim = self.attempt(claims.submit_own_claim, self.holder, self.agreements[which], month,
                             self.line_inputs(which, month, drawn), self.today)
        if claim is None:
            return multiple()
        self.attempt(execute_run, self.office, self.today)
        return claim.id

    @precondition(lambda self: self.paid_sheets())
    @rule(pick=st.integers(0, 20), quarters=st.integers(0, 40))
    def office_corrects_a_paid_sheet(self, pick, quarters):
        paid = self.paid_sheets()
        claim = self.claim(paid[pick % len(paid)])
        key = (claim.lines[0].care_kind, claim.lines[0].grant_id)
        self.attempt(corrections.correct_paid_claim, self.office, claim, {key: quarters * 15},
                     "Het rooster klopte niet.")

    @rule(which=st.integers(0, 1), back=months_back, tariff=st.integers(40, 80))
    def back_dated_tariff_change_is_approved(self, which, back, tariff):
        """A change from a month already claimed (maybe paid), approved now: unpaid sheets of
        those months are re-priced, paid ones get a back-payment or a claim-back."""
        agreement = self.agreements[which]
        versions = self.db.session.scalars(select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement.id).order_by(AgreementVersion.number)).all()
        current = versions[-1]
        starts_on = max(self.month(back), current.starts_on)
        if (starts_on == current.starts_on and len(versions) > 1) or starts_on > current.ends_on:
            return  # one change per month start, within the agreement's period
        current.status = VersionStatus.VERVANGEN
        version = f.add(AgreementVersion(agreement_id=agreement.id, number=current.number + 1,
                                         status=VersionStatus.GOEDGEKEURD, starts_on=starts_on,
                                         ends_on=current.ends_on, iban=current.iban))
        for old in current.lines:
            f.add(AgreementLine(version_id=version.id, grant_id=old.grant_id,
                                care_kind=old.care_kind, unit=old.unit,
                                tariff_cents=tariff * 100, weekly_quantity=old.weekly_quantity))
        self.db.session.refresh(version)
        self.attempt(corrections.apply_approved_change, version, self.today)

    def paid_of_kind(self, kind: ClaimKind) -> list[int]:
        return list(self.db.session.scalars(select(Claim.id).where(
            Claim.agreement_id.in_([a.id for a in [*self.agreements, self.employment]]),
            Claim.kind == kind, Claim.status == ClaimStatus.UITBETAALD).order_by(Claim.id)))

    @precondition(lambda self: self.paid_of_kind(ClaimKind.LOON))
    @rule(pick=st.integers(0, 20), days=st.integers(0, 31), wage=st.sampled_from([0, 1, 2]))
    def office_corrects_a_paid_wage(self, pick, days, wage):
        """Wrong days in a first or last month, or a wrong wage (issue 16): a back-payment
        paid by the next run, or a claim-back netted against the next wages."""
        paid = self.paid_of_kind(ClaimKind.LOON)
        claim = self.claim(paid[pick % len(paid)])
        key = (claim.lines[0].care_kind, claim.lines[0].grant_id)
        fix = correction_rules.WageFix(days=days, wage_cents=(WAGE, WAGE - 2_500,
                                                              WAGE + 3_333)[wage])
        self.attempt(corrections.correct_paid_wage, self.office, claim, {key: fix},
                     "Het aantal dagen of het loon klopte niet.")

    @rule(holiday=st.integers(0, 10), amount=st.integers(1, 120),
          correct_to=st.integers(0, 250))
    def holiday_allowance_asked_and_paid(self, holiday, amount, correct_to):
        """The organisation gave care on a public holiday from the Wlz budget (a sheet the
        holder submits, unless that month has one), the holder gives it a
        feestdagenuitkering, the next run pays it; the office may correct it afterwards."""
        days = [d for d in allowance_rules.public_holidays(self.today.year)
                if first_of_month(d) < first_of_month(self.today)]
        if days:
            day = days[holiday % len(days)]
            self.attempt(claims.submit_own_claim, self.holder, self.agreements[1],
                         first_of_month(day), [LineInput(day, PV, 60)], self.today)
        claim = self.attempt(allowances.ask_holiday_allowance, self.holder, self.wlz.id,
                             self.agreements[1].id, amount * 100, self.today)
        if claim is None:
            return
        self.attempt(execute_run, self.office, self.today)
        claim = self.claim(claim.id)
        if claim.status == ClaimStatus.UITBETAALD and correct_to % 3 == 0:
            self.attempt(corrections.correct_paid_allowance, self.office, claim,
                         correct_to * 100, "Het bedrag klopte niet.")
        used = allowances.holiday_allowance_used(self.db.session.get(Grant, self.wlz.id),
                                                 self.agreements[1].id)
        assert 0 <= used <= 20_000  # never over the yearly cap per provider

    # ----------------------------------------------------------------------- a budget ends

    def free_amount_paid(self) -> bool:
        return self.db.session.scalar(select(Claim.id).where(
            Claim.kind == ClaimKind.VRIJ, Claim.status == ClaimStatus.UITBETAALD).limit(1)) \
            is not None

    @rule(days=st.integers(0, 60))
    def wlz_budget_ends_early(self, days):
        """The Wlz budget ends before 31 December (care in kind) after its free amount was
        paid (asked and paid first, when it can be): the claim-back is recorded once
        (free_claim_back), then netted against a later payment to the holder or carried
        over; a repeat records nothing."""
        if not self.free_amount_paid():
            self.attempt(allowances.ask_free_allowance, self.holder, self.wlz.id, self.today)
            self.attempt(execute_run, self.office, self.today)
        ended_on = min(self.today + dt.timedelta(days=days), YEAR_END - dt.timedelta(days=1))
        self.attempt(free_claim_back.end_budget_early, self.office, self.wlz.id, ended_on,
                     "Zorg in natura", self.today)
        before = self.columns()
        assert self.attempt(free_claim_back.record_claim_back, None, self.wlz.id,
                            "Zorg in natura", self.today) is None
        assert self.columns() == before
        backs = self.db.session.scalars(select(Claim).where(
            Claim.kind == ClaimKind.TERUGVORDERING, Claim.agreement_id.is_(None))).all()
        # (ending it again, earlier, claims back the difference: never more than was paid)
        for free_id in {back.corrects_claim_id for back in backs}:
            free = self.claim(free_id)
            assert free.kind == ClaimKind.VRIJ and sum(
                b.total_cents for b in backs if b.corrects_claim_id == free_id) \
                <= free.total_cents

    @rule()
    def holder_pays_a_claim_back_back(self):
        """An open claim-back of the free amount (no later payment to the holder to net it
        against) paid back by the holder by bank transfer: the office records the whole open
        amount once (free_claim_back.record_repaid); the budget gets its money back, and a
        repeat is AlreadyDone and changes nothing."""
        open_id = self.db.session.scalar(select(Claim.id).where(
            Claim.kind == ClaimKind.TERUGVORDERING, Claim.agreement_id.is_(None),
            Claim.status == ClaimStatus.GOEDGEKEURD).limit(1))
        if open_id is None:
            return
        item = free_claim_back.holder_claim_back(open_id)
        assert item is not None
        self.attempt(free_claim_back.record_repaid, self.office, open_id, self.today,
                     item.amount_cents, self.today)
        assert self.claim(open_id).status == ClaimStatus.UITBETAALD
        before = self.columns()
        with pytest.raises(AlreadyDone):
            free_claim_back.record_repaid(self.office, open_id, self.today, item.amount_cents,
                                          self.today)
        assert self.columns() == before

    # ----------------------------------------------------------------------- time

    @rule(days=st.integers(1, 31))
    def time_passes(self, days):
        self.today = min(LAST_DAY, self.today + dt.timedelta(days=days))

    @precondition(lambda self: self.today.year == YEAR_END.year)
    @rule(day=st.integers(1, 31))
    def the_year_changes(self, day):
        """To January: the old year's budgets still pay December's sheets."""
        self.today = dt.date(YEAR_END.year + 1, 1, day)

    # ----------------------------------------------------------------------- invariants

    @invariant()
    def grants_equal_their_history(self):
        for grant in assert_grants_match_their_history(self.db.session, self.grant_ids):
            granted, paid, in_progress = (grant.amount_cents, grant.paid_cents,
                                          grant.reserved_cents)
            assert granted == paid + in_progress + (granted - paid - in_progress)
            assert grant.available_cents == granted - paid - in_progress >= 0

    @invariant()
    def the_ledger_check_finds_nothing(self):
        assert check_ledger(self.grant_ids)[1] == []

    @invariant()
    def sheets_add_up(self):
        for claim in self.db.session.scalars(select(Claim).where(
                Claim.agreement_id.in_([a.id for a in [*self.agreements, self.employment]]))):
            assert claim.total_cents == sum(ln.amount_cents for ln in claim.lines)
            # (a holiday allowance and its corrections: asked in their own month, no care)
            allowance = {str(ln.care_kind) for ln in claim.lines} == {AllowanceKind.FEESTDAGEN.value}
            assert claim.month < first_of_month(self.today) or claim.status == ClaimStatus.CONCEPT \
                or allowance
            assert allowance or all(first_of_month(ln.day) == claim.month and ln.day <= last_of_month(
                claim.month) for ln in claim.lines)


def test_the_money_loop_keeps_every_budget_equal_to_its_history(db):
    run_state_machine_as_test(
        lambda: MoneyLoop(db),
        settings=settings(max_examples=40, stateful_step_count=30, derandomize=True,
                          database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture]))

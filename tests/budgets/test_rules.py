"""Unit tests of portal.budgets.rules: no database, no app."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from portal.budgets import rules
from portal.budgets.constants import AllowanceKind, CareKind, FunderKind
from portal.identifiers import check_bsn

D = dt.date
TODAY = D(2026, 6, 15)
GOOD_BSN = "111222333"
BIRTH = D(2012, 3, 4)


def codes(refusals):
    return [r.code for r in refusals]


# ------------------------------------------------------------------ grants

GOOD = rules.GrantInput(law="wmo", period_start=D(2026, 1, 1), period_end=D(2026, 12, 31),
                        amount_cents=1_200_000, care_kinds=["individuele_begeleiding"])


def grant_codes(data=GOOD, *, member_known=True, funder_kind=FunderKind.GEMEENTE, others=()):
    return codes(rules.check_grant(data, member_known=member_known, funder_kind=funder_kind,
                                   other_periods=others))


def test_good_grant_passes():
    assert grant_codes() == []


def test_unknown_member_and_funder_are_both_reported():
    assert grant_codes(member_known=False, funder_kind=None) == ["member_unknown", "funder_unknown"]


def test_law_unknown():
    assert grant_codes(replace(GOOD, law="awbz")) == ["law_unknown"]


@pytest.mark.parametrize("kind, law, ok", [
    (FunderKind.GEMEENTE, "wmo", True), (FunderKind.GEMEENTE, "jeugdwet", True),
    (FunderKind.GEMEENTE, "wlz", False), (FunderKind.ZORGKANTOOR, "wlz", True),
    (FunderKind.ZORGKANTOOR, "zvw", False), (FunderKind.ZORGVERZEKERAAR, "zvw", True),
    (FunderKind.ZORGVERZEKERAAR, "wmo", False),
])
def test_law_must_be_funded_by_that_kind_of_funder(kind, law, ok):
    result = grant_codes(replace(GOOD, law=law), funder_kind=kind)
    assert result == ([] if ok else ["law_not_funded"])


@pytest.mark.parametrize("amount, expected", [
    (0, ["amount_not_positive"]), (-1, ["amount_not_positive"]), (1, []),
    (100_000_000, []), (100_000_001, ["amount_too_large"]),
])
def test_amount_bounds(amount, expected):
    assert grant_codes(replace(GOOD, amount_cents=amount)) == expected


def test_end_before_start_refused_same_day_allowed():
    assert grant_codes(replace(GOOD, period_end=D(2025, 12, 31))) == ["period_reversed"]
    assert grant_codes(replace(GOOD, period_end=D(2026, 1, 1))) == []


def test_period_at_most_one_year():
    start = D(2026, 4, 1)
    assert grant_codes(replace(GOOD, period_start=start, period_end=D(2027, 3, 31))) == []
    assert grant_codes(replace(GOOD, period_start=start, period_end=D(2027, 4, 1))) == \
        ["period_too_long"]


@pytest.mark.parametrize("start, last", [
    (D(2028, 2, 29), D(2029, 2, 28)),  # a leap day: its anniversary is 1 March
    (D(2027, 2, 28), D(2028, 2, 27)),  # into a leap year: the day before 28 February
    (D(2027, 3, 1), D(2028, 2, 29)),   # ends on the leap day
    (D(2026, 1, 31), D(2027, 1, 30)),
    (D(2026, 1, 1), D(2026, 12, 31)),
])
def test_last_day_of_one_year(start, last):
    assert rules.last_day_of_one_year(start) == last


def test_a_period_from_a_leap_day_may_last_a_whole_year():
    leap = replace(GOOD, period_start=D(2028, 2, 29))
    assert grant_codes(replace(leap, period_end=D(2029, 2, 28))) == []
    assert grant_codes(replace(leap, period_end=D(2029, 3, 1))) == ["period_too_long"]


def test_wlz_period_stays_in_one_calendar_year():
    wlz = replace(GOOD, law="wlz", period_start=D(2026, 4, 1))
    assert grant_codes(replace(wlz, period_end=D(2026, 12, 31)),
                       funder_kind=FunderKind.ZORGKANTOOR) == []
    assert grant_codes(replace(wlz, period_end=D(2027, 1, 1)),
                       funder_kind=FunderKind.ZORGKANTOOR) == ["period_crosses_year"]
    # Wmo may run across 1 January
    assert grant_codes(replace(GOOD, period_start=D(2026, 4, 1), period_end=D(2027, 1, 1))) == []


def test_care_kinds_empty_unknown_twice():
    assert grant_codes(replace(GOOD, care_kinds=[])) == ["care_kinds_empty"]
    assert grant_codes(replace(GOOD, care_kinds=["massage"])) == ["care_kind_unknown"]
    assert grant_codes(replace(GOOD, care_kinds=["vervoer", "vervoer"])) == ["care_kind_twice"]
    assert grant_codes(replace(GOOD, care_kinds=[c.value for c in CareKind])) == []


def test_decision_reference_length():
    assert grant_codes(replace(GOOD, decision_reference="x" * 60)) == []
    assert grant_codes(replace(GOOD, decision_reference="x" * 61)) == ["decision_reference_too_long"]


def test_overlap_with_existing_grant():
    # the day before and the day after do not overlap
    assert grant_codes(others=[(D(2025, 1, 1), D(2025, 12, 31)), (D(2027, 1, 1), D(2027, 12, 31))]) == []
    assert grant_codes(others=[(D(2025, 6, 1), D(2026, 1, 1))]) == ["grant_overlaps"]
    assert grant_codes(others=[(D(2026, 12, 31), D(2027, 6, 30))]) == ["grant_overlaps"]


def test_all_reasons_at_once_and_messages_in_dutch():
    bad = rules.GrantInput(law="wlz", period_start=D(2026, 2, 1), period_end=D(2026, 1, 1),
                           amount_cents=0, care_kinds=[])
    result = rules.check_grant(bad, member_known=True, funder_kind=FunderKind.GEMEENTE)
    assert codes(result) == ["law_not_funded", "amount_not_positive", "period_reversed",
                             "care_kinds_empty"]
    assert all(r.message and r.field for r in result)
    assert "gemeente verstrekt geen budget voor de Wlz" in result[0].message


# ------------------------------------------------------------------ households and members

def member_codes(*, name="Daan", birth=BIRTH, known=True, bsn=GOOD_BSN, taken=False):
    _, bsn_refusals = check_bsn(bsn)
    return codes(rules.check_member(name=name, birth_date=birth, today=TODAY,
                                    household_known=known, bsn_refusals=bsn_refusals,
                                    bsn_taken=taken))


def test_good_member_passes():
    assert member_codes() == []


def test_member_refusals():
    assert member_codes(known=False) == ["household_unknown"]
    assert member_codes(name="  ") == ["name_missing"]
    assert member_codes(name="x" * 201) == ["name_too_long"]
    assert member_codes(bsn="111222334") == ["bsn_invalid"]
    assert member_codes(taken=True) == ["bsn_taken"]


def test_birth_date_today_ok_tomorrow_refused():
    assert member_codes(birth=TODAY) == []
    assert member_codes(birth=TODAY + dt.timedelta(days=1)) == ["birth_date_in_future"]


def test_birth_date_too_long_ago():
    assert member_codes(birth=D(1901, 6, 15)) == []
    assert member_codes(birth=D(1901, 6, 14)) == ["birth_date_implausible"]


def test_household_name():
    assert codes(rules.check_household_name("Familie Jansen")) == []
    assert codes(rules.check_household_name(" ")) == ["name_missing"]
    assert codes(rules.check_household_name("x" * 201)) == ["name_too_long"]


# ------------------------------------------------------------------ allowances

@pytest.mark.parametrize("grant, cap", [
    (1_000_000, 25_000),      # 1.5% = 150: raised to the minimum 250
    (1_666_666, 25_000),      # 1.5% = 249.99999 -> 250.00 (half up)
    (1_666_600, 25_000),      # 1.5% = 249.99 -> minimum 250
    (2_000_000, 30_000),      # exactly 1.5%
    (8_333_333, 125_000),     # 1.5% = 1,250.00 (rounded)
    (8_333_400, 125_000),     # 1.5% = 1,250.01 -> capped at 1,250
    (20_000_000, 125_000),
])
def test_free_allowance_cap(grant, cap):
    assert rules.free_allowance_cap(grant) == cap


def test_allowance_cap_by_kind():
    assert rules.allowance_cap("wlz", "verantwoordingsvrij", 2_000_000, None) == 30_000
    assert rules.allowance_cap("wlz", "feestdagen", 2_000_000, 40_000) == 40_000
    assert rules.allowance_cap("wlz", "feestdagen", 2_000_000, None) is None
    assert rules.allowance_cap("wmo", "verantwoordingsvrij", 2_000_000, None) is None


def allowance_codes(**kw):
    args = dict(law="wlz", kind="verantwoordingsvrij", amount_cents=10_000, spent_on=D(2026, 5, 1),
                period_start=D(2026, 1, 1), period_end=D(2026, 12, 31), today=TODAY,
                cap_cents=30_000, used_cents=0, available_cents=1_000_000)
    args.update(kw)
    return codes(rules.check_allowance_use(**args))


def test_allowance_use_ok():
    assert allowance_codes() == []


def test_allowance_only_for_wlz():
    assert allowance_codes(law="wmo") == ["allowance_not_wlz"]


def test_allowance_kind_and_amount():
    assert allowance_codes(kind="vakantiegeld") == ["allowance_kind_unknown"]
    assert allowance_codes(amount_cents=0) == ["amount_not_positive"]
    assert allowance_codes(amount_cents=1) == []


def test_allowance_dates():
    assert allowance_codes(spent_on=TODAY) == []
    assert allowance_codes(spent_on=TODAY + dt.timedelta(days=1)) == ["allowance_date_in_future"]
    assert allowance_codes(spent_on=D(2025, 12, 31)) == ["allowance_date_outside_period"]
    assert allowance_codes(period_start=D(2026, 5, 1), spent_on=D(2026, 5, 1)) == []


def test_allowance_cap_exactly_reached_then_exceeded():
    assert allowance_codes(used_cents=20_000, amount_cents=10_000) == []
    result = allowance_codes(used_cents=20_000, amount_cents=10_001)
    assert result == ["allowance_cap_exceeded"]


def test_allowance_cap_missing_for_holiday_allowance():
    refusals = rules.check_allowance_use(
        law="wlz", kind="feestdagen", amount_cents=10_000, spent_on=D(2026, 5, 1),
        period_start=D(2026, 1, 1), period_end=D(2026, 12, 31), today=TODAY, cap_cents=None,
        used_cents=0, available_cents=1_000_000)
    assert codes(refusals) == ["allowance_cap_missing"]
    assert "nog niet vastgesteld" in refusals[0].message and "2026" in refusals[0].message


def test_allowance_budget_must_cover_it():
    assert allowance_codes(available_cents=10_000) == []
    assert allowance_codes(available_cents=9_999) == ["budget_insufficient"]


@pytest.mark.parametrize("cap, used, close", [
    (10_000, 7_999, False), (10_000, 8_000, True), (10_000, 10_000, True),
    (None, 50_000, False), (0, 0, False),
])
def test_close_to_cap_at_80_percent(cap, used, close):
    figures = rules.AllowanceFigures(kind=AllowanceKind.VERANTWOORDINGSVRIJ, year=2026,
                                     cap_cents=cap, used_cents=used)
    assert figures.close_to_cap is close


def test_allowance_left():
    assert rules.AllowanceFigures(AllowanceKind.FEESTDAGEN, 2026, 10_000, 2_500).left_cents == 7_500
    assert rules.AllowanceFigures(AllowanceKind.FEESTDAGEN, 2026, None, 2_500).left_cents is None


# ------------------------------------------------------------------ usage and prognosis

YEAR = (D(2026, 1, 1), D(2026, 12, 31))


def usage(*, granted=1_200_000, paid=0, in_progress=0, committed=0, spending=None, today=TODAY,
          period=YEAR):
    return rules.budget_usage(granted_cents=granted, paid_cents=paid, in_progress_cents=in_progress,
                              committed_cents=committed, period_start=period[0],
                              period_end=period[1], monthly_spending=spending or {}, today=today)


def test_months_over():
    assert rules.months_over(*YEAR, D(2026, 1, 31)) == []
    assert rules.months_over(*YEAR, D(2026, 2, 1)) == [D(2026, 1, 1)]
    assert len(rules.months_over(*YEAR, D(2027, 3, 1))) == 12
    assert rules.months_over(D(2026, 3, 15), D(2026, 12, 31), D(2026, 5, 2)) == \
        [D(2026, 3, 1), D(2026, 4, 1)]


def test_figures_and_available():
    u = usage(paid=300_000, in_progress=100_000, committed=700_000)
    assert (u.granted_cents, u.paid_cents, u.in_progress_cents, u.available_cents) == \
        (1_200_000, 300_000, 100_000, 800_000)
    assert u.used_percent == 33
    assert rules.will_not_last(u) is False


def test_will_not_last_boundary():
    assert rules.will_not_last(usage(paid=400_000, committed=800_000)) is False
    assert rules.will_not_last(usage(paid=400_000, committed=800_001)) is True
    assert rules.shortfall_cents(usage(paid=400_000, committed=800_001)) == 1


def test_pace_counts_months_without_claims_as_zero():
    # June 15th: January - May are over; spending only in Jan and Mar
    spending = {D(2026, 1, 1): 100_000, D(2026, 3, 1): 150_000, D(2026, 6, 1): 999_999}
    assert rules.current_pace(spending, *YEAR, TODAY) == 50_000


def test_pace_leaves_out_months_whose_sheets_are_still_to_come():
    # June 15th: January - May are over; May is still open (its sheet may come until August)
    spending = {D(2026, m, 1): 100_000 for m in range(1, 5)}
    assert rules.current_pace(spending, *YEAR, TODAY, open_months={D(2026, 5, 1)}) == 100_000
    assert rules.current_pace(spending, *YEAR, TODAY) == 80_000  # not open: May counts as zero
    # only open months over: no pace yet
    assert rules.current_pace({}, *YEAR, D(2026, 2, 10), open_months={D(2026, 1, 1)}) is None


def test_open_months_use_the_budget_up_first_in_the_runout_month():
    spending = {D(2026, m, 1): 100_000 for m in range(1, 5)}

    def runout(paid, open_months):
        return rules.budget_usage(granted_cents=1_200_000, paid_cents=paid, in_progress_cents=0,
                                  committed_cents=0, period_start=YEAR[0], period_end=YEAR[1],
                                  monthly_spending=spending, today=TODAY,
                                  open_months=open_months).runout_month

    may = {D(2026, 5, 1)}
    # 250,000 available at EUR 1,000 a month: May takes 100,000, June 100,000, July is short
    assert runout(950_000, may) == D(2026, 7, 1)
    assert runout(950_000, set()) == D(2026, 9, 1)  # May as zero: pace 80,000, index 3
    # less available than the open months need: it runs out this month
    assert runout(1_150_000, {D(2026, 4, 1), D(2026, 5, 1)}) == D(2026, 6, 1)
    # an open month outside the period changes nothing
    assert runout(950_000, {D(2025, 12, 1)}) == D(2026, 9, 1)


def test_no_pace_before_a_month_is_over():
    u = usage(today=D(2026, 1, 20), paid=1_000_000)
    assert u.pace_cents is None and u.runout_month is None


def test_runout_month_at_current_pace():
    # 5 months at 200,000 = 1,000,000 spent; 200,000 left; pace 200,000 a month:
    # June costs 200,000 (still fits exactly), so it runs out in July.
    spending = {D(2026, m, 1): 200_000 for m in range(1, 6)}
    u = usage(paid=1_000_000, spending=spending)
    assert u.pace_cents == 200_000
    assert u.runout_month == D(2026, 7, 1)
    # one cent less available: June no longer fits
    u = usage(paid=1_000_001, spending=spending)
    assert u.runout_month == D(2026, 6, 1)


def test_runout_in_last_month_is_given_after_the_period_is_none():
    # pace 100,000; available 650,000 on June 15: index 6 -> December: still in the period
    spending = {D(2026, m, 1): 100_000 for m in range(1, 6)}
    assert usage(paid=550_000, spending=spending).runout_month == D(2026, 12, 1)
    # available 700,000: index 7 -> January 2027, after the period: the budget lasts
    assert usage(paid=500_000, spending=spending).runout_month is None


def test_nothing_available_runs_out_this_month():
    spending = {D(2026, 1, 1): 1_200_000}
    assert usage(paid=1_200_000, spending=spending).runout_month == D(2026, 6, 1)


def test_zero_pace_never_runs_out_and_period_over_gives_none():
    assert usage(spending={}, paid=0).runout_month is None
    spending = {D(2026, m, 1): 100_000 for m in range(1, 13)}
    assert usage(paid=1_200_000, spending=spending, today=D(2027, 2, 1)).runout_month is None


def test_household_total_does_not_net_budgets_across_laws():
    short = usage(paid=1_000_000, committed=300_000,
                  spending={D(2026, m, 1): 200_000 for m in range(1, 6)})
    rich = usage(granted=5_000_000, committed=100_000)
    total = rules.household_total([short, rich])
    assert total.granted_cents == 6_200_000
    assert total.paid_cents == 1_000_000
    assert total.available_cents == 5_200_000
    assert total.committed_cents == 400_000
    # the total would look fine, but one budget is short by 100,000
    assert total.short_budgets == 1
    assert total.shortfall_cents == 100_000
    assert total.first_runout_month == D(2026, 7, 1)
    assert total.budget_count == 2


def test_household_total_empty():
    total = rules.household_total([])
    assert total.granted_cents == 0 and total.first_runout_month is None

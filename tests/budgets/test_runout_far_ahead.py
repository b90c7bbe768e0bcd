"""budget_usage with a tiny pace on a large budget: the budget lasts, no impossible date."""

from __future__ import annotations

import datetime as dt

from portal.budgets.rules import budget_usage

D = dt.date


def usage(available_cents: int, pace_cents: int):
    return budget_usage(granted_cents=available_cents + pace_cents * 5, paid_cents=pace_cents * 5,
                        in_progress_cents=0, committed_cents=0, period_start=D(2026, 1, 1),
                        period_end=D(2026, 12, 31),
                        monthly_spending={D(2026, m, 1): pace_cents for m in range(1, 6)},
                        today=D(2026, 6, 15))


def test_a_tiny_pace_on_a_large_budget_lasts_and_makes_no_date_beyond_year_9999():
    result = usage(available_cents=4_800_000, pace_cents=1)
    assert result.pace_cents == 1 and result.runout_month is None


def test_runout_in_the_last_month_of_the_period_and_just_after_it():
    # June is month index 0, December index 6: available // pace == 6 runs out in December
    assert usage(available_cents=6 * 1000 + 999, pace_cents=1000).runout_month == D(2026, 12, 1)
    assert usage(available_cents=7 * 1000, pace_cents=1000).runout_month is None

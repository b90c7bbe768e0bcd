"""budgets.rules.budget_verdict: one rule for the label next to a budget (start page, paper)."""

from __future__ import annotations

import datetime as dt

from portal.budgets.rules import budget_usage, budget_verdict

D = dt.date
TODAY = D(2026, 6, 15)


def usage(granted=1_200_000, paid=0, committed=0, spending=None):
    return budget_usage(granted_cents=granted, paid_cents=paid, in_progress_cents=0,
                        committed_cents=committed, period_start=D(2026, 1, 1),
                        period_end=D(2026, 12, 31), monthly_spending=spending or {},
                        today=TODAY)


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def test_enough_short_runout_and_no_prognosis():
    assert budget_verdict(usage(), TODAY).label == "Genoeg tot 31 december 2026"
    short = budget_verdict(usage(granted=1_000_000, paid=500_000, committed=571_500), TODAY)
    assert (short.kind, plain(short.label)) == ("short", "€ 715,00 tekort")
    fast = budget_verdict(usage(granted=1_200_000, paid=1_000_000, committed=0,
                                spending={D(2026, m, 1): 200_000 for m in range(1, 6)}), TODAY)
    assert (fast.kind, fast.label) == ("runout", "In dit tempo op in juli 2026")
    assert budget_verdict(usage(), D(2027, 1, 2)).label == "Periode voorbij"
    assert budget_verdict(usage(), D(2025, 12, 1)).label == "Begint op 1 januari 2026"

"""Figures that agree (issue 11): a total shown on two pages comes from one function, and
where the scope differs the pages say how.

Inventory: every total on two or more pages or documents, its one home, and its tests
(a: same figure for the same data; b: a marker from the one home shows on every page).

Per budget (member x law x period) - granted, paid, in progress, available, committed:
  start page (Mijn budget, holder; the same page in a client's file for an advisor or
  representative), the paper statement (budgetoverzicht PDF), the what-if's "today" column
  (committed; left = available - committed).
  Home: overview.service.household_usage -> budgets.rules.budget_usage (the grant's running
  totals). Tests: test_budget_figures_agree (budget figures, budget_usage).
Available / "Niet besteed": the above, the year-end statement (page and PDF) and the funder's
  end settlement (CSV and PDF); also Grant.available_cents and GrantBalance (check pages).
  Home: budgets.rules.available_cents. Scope: the year-end counts the budgets that began in
  that year, and its page says "Niet besteed" is "Beschikbaar". Tests: test_budget_figures_agree.
Verdict / expected shortfall ("Genoeg tot ...", "EUR 715 tekort"): start page cards and the
  paper statement. Home: BudgetRow.verdict -> budgets.rules.budget_verdict (shortfall_cents).
  Tests: test_budget_figures_agree (verdict).
Household total: start page's total row and the statement's total row. Home:
  budgets.rules.household_total. Scope: the statement counts the budgets that overlap its
  period, the start page the budgets of now (earlier ones while still being paid, later ones
  shown but not counted).
Paid, split into providers and allowances ("Uitbetaald"): start page and Betalingen.
  Home: overview.service.paid_figures. Scope (explained on both pages): Betalingen lists
  every payment to providers, all years; the start page the budgets of now, Wlz allowances
  included. Tests: this module.
Year figures (granted, paid for care, allowances, in progress, unspent): year-end page, its
  PDF, the end settlement CSV and PDF. Home: overview.year_end._year_figures (household_year,
  funder_settlement). Tests: test_budget_figures_agree (year figures).
Allowances used / left (Wlz free amount, holiday allowance): Uitkeringen page, start page,
  paper statement. Home: claims.allowances.allowance_status -> budgets.rules.AllowanceFigures.
  Scope: the year-end counts allowances paid; "gebruikt" also counts those asked, not yet
  paid (the year-end page says so). Tests: test_budget_figures_agree (allowances).
A payment run's total and counts: runs page (next run), confirmation page, the flash after
  executing, the run's page, the earlier runs list (and the API's runs), the SEPA file.
  Homes: payments.rules.run_total (before paying), the stored PaymentRun.total_cents (after),
  payments.service.run_counts (payments, sheets). The SEPA file's CtrlSum/NbOfTxs are added up
  by the file itself from its transfers (the bank checks them): agreement test only.
  Tests: tests/payments/test_run_figures_agree.
A payment's total (provider): the office's run page, the provider's Betalingen and payment
  page, the payment specification PDF. Home: the stored Payment.amount_cents (written once by
  the run). Tests: tests/payments/test_run_figures_agree.

Not covered yet: a sheet's amount (Claim.total_cents, stored) on the holder's and the
provider's start pages and the claim specification; the counts of what waits on "Mijn
klanten" (overview.files) against the client's own start page (overview.service
.household_attention): two queries, one per page, not yet one function.
"""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.budgets.constants import AllowanceKind, Law
from portal.budgets.models import AllowanceUse, Household
from portal.overview import service
from tests import factories as f


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


@pytest.fixture
def household(db, today_is):
    today_is(dt.date(2026, 6, 15))
    holder = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    household = db.session.get(Household, holder.household_id)
    grant = f.make_grant(f.make_member(household, name="Anna Jansen"), law=Law.WLZ,
                         period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31),
                         amount_cents=6_000_000)
    f.add(AllowanceUse(grant_id=grant.id, kind=AllowanceKind.VERANTWOORDINGSVRIJ,
                       amount_cents=75_000, spent_on=dt.date(2026, 3, 2)))
    grant.paid_cents = 3_343_850  # sheets paid and the allowance, as the ledger keeps them
    db.session.flush()
    return holder, household


def _pages(client, household_id: int) -> tuple[str, str]:
    start = plain(client.get(f"/huishoudens/{household_id}/budget").get_data(as_text=True))
    payments = plain(client.get(f"/huishoudens/{household_id}/betalingen").get_data(as_text=True))
    return start, payments


def test_paid_on_the_start_page_and_on_betalingen_agree_and_say_why_they_differ(
        client, login, household):
    holder, home = household
    login(holder)
    start, payments = _pages(client, home.id)
    assert "Uitbetaald uit het budget: € 33.438,50." in start
    assert "Daarvan ging € 32.688,50 naar zorgverleners en € 750,00 naar de jaarlijkse " \
           "bedragen (Wlz)." in start
    assert "staat € 33.438,50: alleen de budgetten van nu, en daarin ook € 750,00 aan " \
           "jaarlijkse bedragen (Wlz)" in payments
    assert "Daarvan ging € 32.688,50 naar zorgverleners." in payments


def test_both_pages_take_the_paid_figures_from_one_function(client, login, household,
                                                            monkeypatch):
    holder, home = household
    login(holder)
    monkeypatch.setattr(service, "paid_figures",
                        lambda usage: service.PaidFigures(paid_cents=12_345_678,
                                                          allowances_cents=45_678))
    start, payments = _pages(client, home.id)
    for page in (start, payments):
        assert "€ 123.456,78" in page and "€ 456,78" in page and "€ 123.000,00" in page

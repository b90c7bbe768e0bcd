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
One claim's amount (the stored Claim.total_cents, below zero for a claim-back): the holder's
  start page (tasks) and the sheet's page and list, the provider's start page and upcoming
  payments, the claim specification PDF. Home: claims.rules.claim_amount_cents.
  Tests: tests/claims/test_amount_agrees.
What waits in a client's file: the counts on "Mijn klanten" (overview.files.files_attention)
  and the tasks on the client's own start page. Home: overview.service.households_attention
  (one list per household, a fixed number of queries for any number of files; the counts are
  FileAttention.of that list). Tests: this module.
"""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role, Scope
from portal.agreements.constants import VersionStatus
from portal.agreements.models import Agreement
from portal.budgets.constants import AllowanceKind, Law
from portal.budgets.models import AllowanceUse, Household
from portal.claims.constants import ClaimStatus
from portal.dates import add_months, today
from portal.overview import service
from portal.overview.files import files_attention
from tests import factories as f
from tests.access.test_client_file import anna_file
from tests.payments.builders import make_approved_claim
from tests.statements import recorded_statements


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


# --------------------------------------------------------------------------------------------
# What waits in a client's file: "Mijn klanten" counts what the client's start page lists
# --------------------------------------------------------------------------------------------


@pytest.fixture
def busy_file(db):
    """Anna's file: two sheets waiting for her akkoord, an agreement the provider signed, a
    concept, and one at the funder; an advisor who may look."""
    holder, household, sheet, grant = anna_file(db)
    make_approved_claim(db.session.get(Agreement, sheet.agreement_id),
                        add_months(sheet.month, -1), status=ClaimStatus.WACHT_OP_AKKOORD)
    for status in (VersionStatus.ONDERTEKEND, VersionStatus.CONCEPT,
                   VersionStatus.TER_BEOORDELING):
        f.make_agreement(grant, f.make_provider(), status=status)
    advisor = f.make_user(Role.ADVISEUR, name="Fatima Ouali")
    f.make_authorization(household, advisor, holder, scope=Scope.BEKIJKEN, starts_on=today(),
                         ends_on=today() + dt.timedelta(days=60))
    return advisor, household


def _file_pages(client, household_id: int) -> tuple[str, str]:
    listing = plain(client.get("/mijn-klanten").get_data(as_text=True))
    start = plain(client.get(f"/huishoudens/{household_id}/budget").get_data(as_text=True))
    return listing[listing.index("Anna de Vries"):], start


def test_mijn_klanten_counts_what_the_client_start_page_lists(client, login, busy_file):
    advisor, household = busy_file
    login(advisor)
    listing, start = _file_pages(client, household.id)
    assert "2 urenbriefjes wachten op akkoord" in listing
    assert start.count("wacht op uw akkoord") == 2
    assert "1 zorgovereenkomst wacht op ondertekening" in listing
    assert start.count("Controleer en onderteken") == 1
    assert "1 zorgovereenkomst moet worden afgemaakt of verbeterd" in listing
    assert start.count("Maak de zorgovereenkomst af") == 1
    assert "1 zorgovereenkomst wordt beoordeeld." in listing
    assert start.count("beoordeelt de zorgovereenkomst") == 1


def test_both_pages_take_what_waits_from_one_function(client, login, busy_file, monkeypatch):
    advisor, household = busy_file
    login(advisor)
    sheet = service.WaitingSheet(claim_id=1, reference="ZO-MARKER", provider_name="Marker",
                                 month=dt.date(2026, 1, 1), total_cents=1)
    monkeypatch.setattr(service, "households_attention", lambda ids: {
        i: service.Attention(agreements_waiting=[], sheets_waiting=[sheet] * 7) for i in ids})
    listing, start = _file_pages(client, household.id)
    assert "7 urenbriefjes wachten op akkoord" in listing
    assert "ondertekening" not in listing and "afgemaakt" not in listing
    assert start.count("wacht op uw akkoord") == 7
    assert "Controleer en onderteken" not in start


def test_what_waits_is_read_in_a_fixed_number_of_queries_for_any_number_of_files(busy_file):
    _advisor, household = busy_file
    with recorded_statements(selects_only=True) as one:
        assert files_attention([household.id])[household.id].sheets_to_approve == 2
    others = [f.make_household() for _ in range(5)]
    for other in others:
        grant = f.make_grant(f.make_member(other))
        f.make_agreement(grant, status=VersionStatus.TER_BEOORDELING)
        make_approved_claim(f.make_agreement(grant), status=ClaimStatus.WACHT_OP_AKKOORD)
    with recorded_statements(selects_only=True) as many:
        found = files_attention([household.id, *(o.id for o in others)])
    assert [found[o.id].sheets_to_approve for o in others] == [1] * 5
    assert len(many) == len(one) <= 3

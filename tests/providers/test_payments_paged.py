"""A provider's payments: a page at a time, newest first, with a search by budget holder or
reference."""

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.payments.service import run_payments
from portal.providers import pages
from tests import factories as f
from tests.payments.builders import make_approved_claim

RUNS = pages.PAYMENTS_PAGE_SIZE + 2  # at most 12: one sheet a month of 2026


@pytest.fixture
def paid_often(db):
    """One provider paid in RUNS runs: one sheet of household A per run, and in the last run
    also one of household B, whose budget holder is Ria Zoekmij."""
    provider = f.make_provider()
    grant_a = f.make_grant(amount_cents=10_000_000)
    agreement_a = f.make_agreement(grant_a, provider)
    household_b = f.make_household()
    f.make_user(Role.BUDGETHOUDER, name="Ria Zoekmij", household_id=household_b.id)
    grant_b = f.make_grant(f.make_member(household_b), amount_cents=10_000_000)
    agreement_b = f.make_agreement(grant_b, provider, household=household_b)
    runs = []
    for i in range(RUNS):
        make_approved_claim(agreement_a, dt.date(2026, 1 + i, 1))
        if i == RUNS - 1:
            make_approved_claim(agreement_b, dt.date(2026, 1, 1))
        runs.append(run_payments(None, dt.date(2026, 3, 1) + dt.timedelta(days=i)))
    return provider, runs


def test_a_page_of_payments_newest_first(db, paid_often):
    provider, runs = paid_often
    first = pages.provider_payments(provider.id)
    assert first.page.total == RUNS and first.page.pages == 2
    assert len(first.specs) == pages.PAYMENTS_PAGE_SIZE
    assert first.specs[0].run_reference == runs[-1].reference
    second = pages.provider_payments(provider.id, page=2)
    assert [s.run_reference for s in second.specs] == [r.reference for r in runs[1::-1]]


def test_search_by_budget_holder_or_reference(db, paid_often):
    provider, runs = paid_often
    found = pages.provider_payments(provider.id, search="zoekMIJ")
    assert [s.run_reference for s in found.specs] == [runs[-1].reference]
    found = pages.provider_payments(provider.id, search=runs[3].payments[0].reference)
    assert [s.run_reference for s in found.specs] == [runs[3].reference]
    assert pages.provider_payments(provider.id, search="niemand%").specs == []


def test_the_page_shows_one_page_and_the_search(client, login, db, paid_often):
    provider, runs = paid_often
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    html = client.get("/zorgverlener/betalingen").get_data(as_text=True)
    assert html.count('class="payment-spec"') == pages.PAYMENTS_PAGE_SIZE
    assert 'rel="next"' in html
    html = client.get("/zorgverlener/betalingen?zoek=Zoekmij").get_data(as_text=True)
    assert html.count('class="payment-spec"') == 1
    assert 'value="Zoekmij"' in html

"""One payment of a large provider pays many sheets: the payments page shows how many and links
to a page of their own, a page of sheets at a time, with a search by budget holder or
reference; another provider's payment is not found."""

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.payments.service import run_payments
from portal.providers import pages
from tests import factories as f
from tests.payments.builders import make_approved_claim

SHEETS = pages.SPEC_LINES_PAGE_SIZE + 3  # more than one page, more than shown inline


@pytest.fixture
def large_payment(db):
    """One provider paid SHEETS sheets (one per household) in one run; the budget holder of the
    last household is Ria Zoekmij."""
    provider = f.make_provider()
    sheets = []
    for i in range(SHEETS):
        household = f.make_household()
        name = "Ria Zoekmij" if i == SHEETS - 1 else f"Holder {i:03d}"
        f.make_user(Role.BUDGETHOUDER, name=name, household_id=household.id)
        grant = f.make_grant(f.make_member(household), amount_cents=10_000_000)
        agreement = f.make_agreement(grant, provider, household=household)
        sheets.append(make_approved_claim(agreement, dt.date(2026, 2, 1)))
    run = run_payments(None, dt.date(2026, 3, 2))
    payment = next(p for p in run.payments if p.provider_id == provider.id)
    return provider, payment, sheets


def test_the_payments_page_counts_the_sheets_instead_of_listing_them(db, large_payment):
    provider, payment, _sheets = large_payment
    spec = pages.provider_payments(provider.id).specs[0]
    assert (spec.lines_shown, spec.lines, spec.sheet_count) == (False, [], SHEETS)


def test_one_payment_a_page_of_sheets_at_a_time_with_a_search(db, large_payment):
    provider, payment, sheets = large_payment
    first = pages.payment_lines(provider.id, payment.id)
    assert (first.page.total, first.page.pages) == (SHEETS, 2)
    assert [ln.claim_reference for ln in first.spec.lines] == \
        [s.reference for s in sheets[:pages.SPEC_LINES_PAGE_SIZE]]
    second = pages.payment_lines(provider.id, payment.id, page=2)
    assert [ln.claim_reference for ln in second.spec.lines] == \
        [s.reference for s in sheets[pages.SPEC_LINES_PAGE_SIZE:]]
    found = pages.payment_lines(provider.id, payment.id, search="zoekMIJ")
    assert [ln.holder_name for ln in found.spec.lines] == ["Ria Zoekmij"]
    assert found.spec.sheet_count == SHEETS  # the payment's own count, not the search's
    found = pages.payment_lines(provider.id, payment.id, search=sheets[7].reference)
    assert [ln.claim_reference for ln in found.spec.lines] == [sheets[7].reference]
    assert pages.payment_lines(provider.id, payment.id, search="niemand%").spec.lines == []
    assert pages.payment_lines(f.make_provider().id, payment.id) is None


def test_the_payment_page(client, login, db, large_payment):
    provider, payment, sheets = large_payment
    login(f.make_user(Role.ZORGVERLENER, provider_id=provider.id))
    listing = client.get("/zorgverlener/betalingen").get_data(as_text=True)
    assert f"/zorgverlener/betalingen/{payment.id}" in listing
    answer = client.get(f"/zorgverlener/betalingen/{payment.id}?pagina=2")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert sheets[-1].reference in html and sheets[0].reference not in html
    assert "pagina 2 van 2" in html
    other = f.make_user(Role.ZORGVERLENER, provider_id=f.make_provider().id)
    login(other)
    assert client.get(f"/zorgverlener/betalingen/{payment.id}").status_code == 404

"""Figures that agree (issue 11, part 4): a total shown on two pages comes from one function,
and where the scope differs the pages say how (Betalingen: every payment to providers, all
years; the start page: the budgets of now, Wlz allowances included)."""

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

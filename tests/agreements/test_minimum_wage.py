"""The family model's floor (at least the statutory minimum hourly wage) and the year a maximum
tariff's refusal names when a year has no table of its own. No database, except the screen."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from portal.agreements import rules, service
from portal.agreements.constants import EndKind, ModelKind, Relation
from portal.agreements.tariffs import MINIMUM_HOURLY_WAGE, MinimumWage, TariffRow, minimum_wages
from portal.budgets.constants import CareKind, Law, Unit
from tests.agreements.test_rules import GRANT, codes, draft, line

D = dt.date
RAISE = MINIMUM_HOURLY_WAGE + ((D(2026, 7, 1), 1500),)  # a raise the table does not have yet


def family(**kw):
    values = dict(model=ModelKind.FAMILIE, relation=Relation.BROER_ZUS, starts_on=D(2026, 2, 1),
                  ends_on=D(2026, 6, 30))
    values.update(kw)
    return draft(**values)


def test_the_table_is_sorted_and_in_cents():
    assert [since for since, _ in MINIMUM_HOURLY_WAGE] == sorted(s for s, _ in MINIMUM_HOURLY_WAGE)
    assert dict(MINIMUM_HOURLY_WAGE)[D(2026, 1, 1)] == 1471
    assert dict(MINIMUM_HOURLY_WAGE)[D(2024, 1, 1)] == 1327


def test_minimum_wages_in_a_period():
    assert minimum_wages(D(2026, 2, 1), D(2026, 6, 30)) == [MinimumWage(1471, D(2026, 1, 1))]
    assert minimum_wages(D(2025, 3, 1), D(2025, 12, 31)) == [MinimumWage(1406, D(2025, 1, 1)),
                                                             MinimumWage(1440, D(2025, 7, 1))]
    assert [w.cents for w in minimum_wages(D(2024, 1, 1), None)] == [1327, 1368, 1406, 1440, 1471]
    assert minimum_wages(D(2023, 1, 1), D(2023, 12, 31)) == []  # no hourly minimum before 2024


def test_a_family_tariff_below_the_minimum_wage_is_refused():
    low = family(lines=(line(tariff_cents=1470),))
    refusals = rules.check_minimum_wage(low)
    assert [(r.code, r.field) for r in refusals] == [("tariff_below_minimum_wage",
                                                       "lines-0-tariff_cents")]
    assert "€ 14,71" in refusals[0].message.replace("\xa0", " ")
    assert "1 januari 2026" in refusals[0].message
    assert "tariff_below_minimum_wage" in codes(rules.validate_draft(low, rules.ProviderFacts(
        rules.ProviderKind.PERSOON), {GRANT.id: GRANT}).refusals)
    assert rules.check_minimum_wage(family(lines=(line(tariff_cents=1471),))) == []


def test_the_highest_minimum_in_the_period_binds():
    d = family(ends_on=D(2026, 12, 31), lines=(line(tariff_cents=1471),))
    (refusal,) = rules.check_minimum_wage(d, RAISE)
    assert "1 juli 2026" in refusal.message and "€ 15,00" in refusal.message.replace("\xa0", " ")
    assert rules.check_minimum_wage(family(lines=(line(tariff_cents=1471),)), RAISE) == []
    open_ended = family(end_kind=EndKind.GEEN, ends_on=None, lines=(line(tariff_cents=1471),))
    assert len(rules.check_minimum_wage(open_ended, RAISE)) == 1


@pytest.mark.parametrize("d", [
    draft(lines=(line(tariff_cents=1000),)),  # not the family model
    family(lines=(line(unit=Unit.DAGDEEL, tariff_cents=1000, weekly_quantity=2),)),  # no hours
    family(starts_on=D(2023, 2, 1), ends_on=D(2023, 6, 30), lines=(line(tariff_cents=1000),)),
])
def test_no_minimum_wage_check(d):
    assert rules.check_minimum_wage(d) == []


WLZ_2026 = dataclasses.replace(GRANT, id=30, law=Law.WLZ, funder_id=300)


def test_a_funders_maximum_from_an_earlier_year_is_named_by_its_own_year():
    """A gemeente's maxima hold until it sets new ones (national Wlz maxima never do: see
    test_tariffs_and_costs)."""
    wmo = dataclasses.replace(GRANT, id=31, law=Law.WMO, funder_id=301)
    rows = [TariffRow(Law.WMO, 2024, True, Unit.UUR, 2444, funder_id=301)]
    d = family(lines=(line(grant_id=wmo.id, care_kind=CareKind.INDIVIDUELE_BEGELEIDING,
                           tariff_cents=3000),))
    refusals, verdicts = rules.check_tariffs(d, {wmo.id: wmo}, rows)
    (refusal,) = refusals
    assert "het maximum van 2024, dat geldt zolang er voor 2026 geen nieuw maximum is" in \
        refusal.message
    assert "in 2026" not in refusal.message
    assert verdicts[0].maximum_year == 2024 and verdicts[0].maximum_cents == 2444


def test_a_maximum_of_the_year_itself_is_named_plainly():
    wlz_2024 = dataclasses.replace(WLZ_2026, period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    d = family(starts_on=D(2024, 2, 1), ends_on=D(2024, 6, 30),
               lines=(line(grant_id=wlz_2024.id, tariff_cents=3000),))
    (refusal,), _ = rules.check_tariffs(d, {wlz_2024.id: wlz_2024})
    assert "(het maximum van 2024)" in refusal.message


def test_the_care_step_of_a_family_agreement_says_the_minimum_and_refuses_below_it(db, client,
                                                                                   login):
    from tests.agreements.conftest import text
    from tests.agreements.test_views import World, step_url

    w = World()
    agreement = w.draft(model=ModelKind.FAMILIE, relation=Relation.BROER_ZUS,
                        lines=[w.line(tariff_cents=2000)])
    login(w.holder)
    page = text(client.get(step_url(agreement, "zorg")))
    assert "minstens het wettelijk minimumuurloon: € 14,71 per uur" in page
    p = f"g{w.grant.id}_persoonlijke_verzorging"
    response = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "12,00"})
    assert response.status_code == 302  # a concept may be saved; the step says what is wrong
    page = text(client.get(response.location))
    assert f'id="{p}-tariff_cents-error">Het tarief voor persoonlijke verzorging (€ 12,00 per uur) is ' \
           "lager dan het wettelijk minimumuurloon" in page
    verdict = service.draft_verdict(agreement.versions[0])
    assert "tariff_below_minimum_wage" in codes(verdict.refusals)

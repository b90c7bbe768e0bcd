"""Maximum tariffs (national Wlz table, funder rows, fallback year, top-up) and costs. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from portal.agreements import rules
from portal.agreements.changes import (
    VersionTerms,
    check_change_start,
    check_something_changed,
    needs_new_approval,
)
from portal.agreements.constants import EndKind, ModelKind, Relation
from portal.agreements.costs import cost_between_cents, cost_by_grant_cents, weekly_cost_cents
from portal.agreements.tariffs import TariffRow, maximum_for, missing_national_maxima
from portal.budgets.constants import CareKind, Law, Unit
from tests.agreements.test_rules import GRANT, PERSON, codes, draft, line

D = dt.date
WLZ_2024 = dataclasses.replace(GRANT, id=20, law=Law.WLZ, funder_id=200,
                               period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
WLZ_2023 = dataclasses.replace(WLZ_2024, id=21, period_start=D(2023, 1, 1),
                               period_end=D(2023, 12, 31))
WLZ_2027 = dataclasses.replace(WLZ_2024, id=22, period_start=D(2027, 1, 1),
                               period_end=D(2027, 12, 31))
GRANTS = {g.id: g for g in (GRANT, WLZ_2024, WLZ_2023, WLZ_2027)}


def wlz_draft(grant, tariff, unit=Unit.UUR, **kw):
    year = grant.period_start.year
    qty = 3 if unit == Unit.DAGDEEL else 240
    return draft(starts_on=D(year, 1, 1), ends_on=D(year, 12, 31),
                 lines=(line(grant_id=grant.id, unit=unit, tariff_cents=tariff,
                             weekly_quantity=qty),), **kw)


def tariff_codes(d, rows=()):
    refusals, _ = rules.check_tariffs(d, GRANTS, rows)
    return codes(refusals)


@pytest.mark.parametrize(("grant", "unit", "maximum"), [
    (WLZ_2024, Unit.UUR, 7700), (WLZ_2024, Unit.DAGDEEL, 7088),
    (WLZ_2023, Unit.UUR, 7239), (WLZ_2023, Unit.DAGDEEL, 6664),
])
def test_wlz_formal_maximum_exact_boundary(grant, unit, maximum):
    assert tariff_codes(wlz_draft(grant, maximum, unit)) == []
    assert tariff_codes(wlz_draft(grant, maximum + 1, unit)) == ["tariff_above_maximum"]


@pytest.mark.parametrize(("grant", "maximum"), [(WLZ_2024, 2444), (WLZ_2023, 2298)])
def test_family_care_uses_the_informal_maximum(grant, maximum):
    family = dict(model=ModelKind.FAMILIE, relation=Relation.KIND)
    assert tariff_codes(wlz_draft(grant, maximum, **family)) == []
    assert tariff_codes(wlz_draft(grant, maximum + 1, **family)) == ["tariff_above_maximum"]
    # The same tariff is fine for formal care.
    assert tariff_codes(wlz_draft(grant, maximum + 1)) == []


def test_informal_without_own_maximum_falls_back_to_formal():
    family = dict(model=ModelKind.FAMILIE, relation=Relation.KIND)
    assert tariff_codes(wlz_draft(WLZ_2024, 7088, Unit.DAGDEEL, **family)) == []
    assert tariff_codes(wlz_draft(WLZ_2024, 7089, Unit.DAGDEEL, **family)) == ["tariff_above_maximum"]


def test_a_wlz_year_without_national_maxima_is_refused_never_another_years_figures():
    """Finding 6: 2027 has no national Wlz table; the check refuses with its reason instead of
    silently using 2024's figures."""
    found = maximum_for(Law.WLZ, 2027, Unit.UUR, informal=False, funder_id=None)
    assert found is None
    assert missing_national_maxima(Law.WLZ, 2027) and not missing_national_maxima(Law.WLZ, 2024)
    assert not missing_national_maxima(Law.WMO, 2027)  # gemeenten set their own
    refusals, verdicts = rules.check_tariffs(wlz_draft(WLZ_2027, 100), GRANTS)
    assert codes(refusals) == ["maxima_not_set"]
    assert "De maximumtarieven voor 2027 zijn nog niet vastgesteld" in refusals[0].message
    assert verdicts[0].maximum_cents is None
    # Once the office enters 2027's national maxima (portal set-max-tariff), they apply.
    rows = [TariffRow(Law.WLZ, 2027, False, Unit.UUR, 8000)]
    assert tariff_codes(wlz_draft(WLZ_2027, 8000), rows) == []
    assert tariff_codes(wlz_draft(WLZ_2027, 8001), rows) == ["tariff_above_maximum"]


def test_a_monthly_wage_needs_no_maximum_table():
    assert tariff_codes(wlz_draft(WLZ_2027, 300_000, Unit.MAANDLOON)) == []


@pytest.mark.parametrize(("informal", "maximum"), [(False, 24 * 7700), (True, 24 * 2444)])
def test_wlz_has_a_maximum_per_etmaal(informal, maximum):
    """Finding 6: without a published maximum per 24 hours, an etmaal counts as 24 hours (as
    the 24-hour check counts it): at most 24 x the hourly maximum."""
    found = maximum_for(Law.WLZ, 2024, Unit.ETMAAL, informal=informal, funder_id=None)
    assert found is not None and found.max_cents == maximum
    kw = dict(model=ModelKind.FAMILIE, relation=Relation.KIND) if informal else {}
    assert tariff_codes(wlz_draft(WLZ_2024, maximum, Unit.ETMAAL, **kw)) == []
    assert tariff_codes(wlz_draft(WLZ_2024, 999_900, Unit.ETMAAL, **kw)) == ["tariff_above_maximum"]
    # An etmaal maximum of its own wins.
    own = [TariffRow(Law.WLZ, 2024, informal, Unit.ETMAAL, 30_000)]
    assert tariff_codes(wlz_draft(WLZ_2024, 30_001, Unit.ETMAAL, **kw), own) == \
        ["tariff_above_maximum"]


def test_no_entry_before_the_first_year_and_no_maximum_for_other_laws():
    assert maximum_for(Law.WLZ, 2022, Unit.UUR, informal=False, funder_id=None) is None
    assert maximum_for(Law.ZVW, 2024, Unit.UUR, informal=False, funder_id=None) is None


def test_funder_rows_add_maxima_for_wmo_and_override_for_their_own_grants():
    rows = [TariffRow(Law.WMO, 2026, False, Unit.UUR, 6500, funder_id=GRANT.funder_id),
            TariffRow(Law.WMO, 2026, False, Unit.UUR, 1000, funder_id=999)]  # another gemeente
    d = draft(lines=(line(tariff_cents=6500),))
    assert tariff_codes(d, rows) == []
    assert tariff_codes(draft(lines=(line(tariff_cents=6501),)), rows) == ["tariff_above_maximum"]
    override = [TariffRow(Law.WLZ, 2024, False, Unit.UUR, 8000, funder_id=WLZ_2024.funder_id)]
    assert tariff_codes(wlz_draft(WLZ_2024, 8000), override) == []
    national_row = [TariffRow(Law.WLZ, 2026, False, Unit.UUR, 7900)]
    assert maximum_for(Law.WLZ, 2026, Unit.UUR, informal=False, funder_id=None,
                       db_rows=national_row).max_cents == 7900
    # Funder rows (gemeenten) still hold until the funder sets new ones.
    assert maximum_for(Law.WMO, 2027, Unit.UUR, informal=False, funder_id=GRANT.funder_id,
                       db_rows=rows).max_cents == 6500


def test_top_up_allows_a_tariff_above_the_maximum_and_the_budget_pays_the_maximum():
    d = wlz_draft(WLZ_2024, 8500, top_up=True)
    refusals, verdicts = rules.check_tariffs(d, GRANTS)
    assert refusals == []
    assert verdicts[0].maximum_cents == 7700 and verdicts[0].budget_tariff_cents == 7700
    verdict = rules.validate_draft(d, PERSON, GRANTS)
    assert "top_up" in [n.code for n in verdict.notices]
    # At or under the maximum the budget pays the tariff itself.
    _, verdicts = rules.check_tariffs(wlz_draft(WLZ_2024, 7700, top_up=True), GRANTS)
    assert verdicts[0].budget_tariff_cents is None


def test_agreement_spanning_two_years_is_checked_against_each_year():
    two_years = dataclasses.replace(WLZ_2024, id=23, period_start=D(2023, 1, 1))
    grants = {**GRANTS, two_years.id: two_years}
    d = draft(starts_on=D(2023, 6, 1), ends_on=D(2024, 6, 30),
              lines=(line(grant_id=two_years.id, tariff_cents=7500),))
    refusals, verdicts = rules.check_tariffs(d, grants)
    assert codes(refusals) == ["tariff_above_maximum"] and "2023" in refusals[0].message
    assert verdicts[0].maximum_cents == 7239


# --- cost -------------------------------------------------------------------------------------

def test_weekly_cost_per_unit():
    assert weekly_cost_cents(line(weekly_quantity=90, tariff_cents=6001)) == 9002  # 9001.5
    assert weekly_cost_cents(line(unit=Unit.DAGDEEL, weekly_quantity=3, tariff_cents=7088)) == 21264
    assert weekly_cost_cents(line(unit=Unit.ETMAAL, weekly_quantity=2, tariff_cents=20000)) == 40000
    assert weekly_cost_cents(line(unit=Unit.MAANDLOON, tariff_cents=260000)) == 60000


def test_cost_between_dates_rounds_once():
    lines = [line(weekly_quantity=60, tariff_cents=7000)]  # 70.00 a week = 10.00 a day
    assert cost_between_cents(lines, D(2026, 1, 1), None, D(2026, 1, 1), D(2026, 1, 7)) == 7000
    # one day of 1/7 week of 1 cent per minute x 1 minute... exact fractions are kept until the end
    odd = [line(weekly_quantity=15, tariff_cents=1), line(grant_id=11, weekly_quantity=15,
                                                           tariff_cents=1)]
    # each line: 15 x 1 / 60 = 0.25 cent a week; 14 days -> 0.5 each, 1.0 together
    assert cost_between_cents(odd, D(2026, 1, 1), None, D(2026, 1, 1), D(2026, 1, 14)) == 1


def test_cost_is_clipped_to_the_version_period_and_ending():
    lines = [line(weekly_quantity=60, tariff_cents=7000)]
    assert cost_between_cents(lines, D(2026, 1, 5), D(2026, 1, 6), D(2026, 1, 1),
                                    D(2026, 1, 31)) == 2000
    assert cost_between_cents(lines, D(2026, 1, 1), None, D(2026, 1, 1), D(2026, 1, 31),
                                    ended_on=D(2026, 1, 3)) == 3000
    assert cost_between_cents(lines, D(2026, 2, 1), None, D(2026, 1, 1), D(2026, 1, 31)) == 0


def test_monthly_wage_counts_per_month_touched():
    wage = [line(unit=Unit.MAANDLOON, tariff_cents=150000, weekly_quantity=600)]
    assert cost_between_cents(wage, D(2026, 1, 1), None, D(2026, 3, 15), D(2026, 12, 31)) == 150000 * 10


def test_cost_by_grant_and_budget_tariff():
    class Row:  # an AgreementLine-like object with a capped budget tariff
        grant_id, unit, tariff_cents, weekly_quantity, budget_tariff_cents = 20, Unit.UUR, 8500, 60, 7700
    costs = cost_by_grant_cents([Row(), line(weekly_quantity=60, tariff_cents=7000)],
                                      D(2026, 1, 1), None, D(2026, 1, 1), D(2026, 1, 7))
    assert costs == {20: 7700, GRANT.id: 7000}


# --- changes ----------------------------------------------------------------------------------

def terms(**kw):
    values = dict(ends_on=D(2026, 12, 31), end_kind=EndKind.EINDDATUM, days_per_week=2,
                  top_up=False, lines=[line()])
    values.update(kw)
    return VersionTerms.of(**values)


def test_extension_needs_no_new_approval():
    old = terms()
    assert not needs_new_approval(old, terms(ends_on=D(2027, 6, 30)))
    assert not needs_new_approval(old, terms(ends_on=None, end_kind=EndKind.GEEN))


@pytest.mark.parametrize("change", [
    dict(lines=[line(weekly_quantity=255)]), dict(lines=[line(tariff_cents=6100)]),
    dict(lines=[line(care_kind=CareKind.HUISHOUDELIJKE_HULP)]), dict(lines=[line(grant_id=99)]),
    dict(lines=[line(), line(care_kind=CareKind.HUISHOUDELIJKE_HULP)]), dict(days_per_week=3),
    dict(top_up=True), dict(ends_on=D(2026, 11, 30)),
    dict(ends_on=D(2027, 6, 30), lines=[line(tariff_cents=6100)]),
])
def test_a_change_in_the_work_or_tariff_needs_approval(change):
    assert needs_new_approval(terms(), terms(**change))


def test_line_order_does_not_matter():
    a, b = line(), line(care_kind=CareKind.HUISHOUDELIJKE_HULP)
    assert terms(lines=[a, b]) == terms(lines=[b, a])


def test_change_starts_on_the_first_of_a_month():
    today = D(2026, 4, 15)
    check = lambda start: codes(check_change_start(D(2026, 1, 1), D(2026, 12, 31), start, today))  # noqa: E731
    assert check(D(2026, 5, 2)) == ["change_not_first_of_month"]
    assert check(D(2026, 5, 1)) == []
    assert check(D(2026, 4, 1)) == []  # this month is fine
    assert check(D(2026, 3, 1)) == ["change_in_past"]
    assert "change_leaves_gap" in check(D(2027, 2, 1))
    assert "change_leaves_gap" not in check(D(2027, 1, 1))
    assert codes(check_change_start(D(2026, 5, 1), None, D(2026, 5, 1), today)) == [
        "change_before_current"]
    assert check(None) == []  # no start date: check_period says so


def test_a_change_changes_something():
    old = terms()
    assert codes(check_something_changed(old, terms())) == ["change_nothing"]
    assert codes(check_something_changed(old, terms(days_per_week=3))) == []
    assert codes(check_something_changed(old, terms(top_up=True))) == []

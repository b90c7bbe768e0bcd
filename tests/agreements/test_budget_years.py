"""Issue 11, the wizard: a budget (member x law x funder) is one choice, whatever the number
of years it is granted for; the agreement's dates decide which years (grants) it draws on."""

from __future__ import annotations

import datetime as dt
import re

from portal.agreements import rules
from portal.agreements.rules import BudgetYear, LineInput
from portal.budgets.constants import CareKind, Law, Unit

D = dt.date
SARA_WLZ = (1, Law.WLZ.value, 7)
DAAN_JW = (2, Law.JEUGDWET.value, 8)
KINDS = frozenset({CareKind.PERSOONLIJKE_VERZORGING.value, CareKind.VERPLEGING.value})
Y2026 = BudgetYear(10, SARA_WLZ, D(2026, 1, 1), D(2026, 12, 31), KINDS)
Y2027 = BudgetYear(11, SARA_WLZ, D(2027, 1, 1), D(2027, 12, 31), KINDS)
DAAN = BudgetYear(20, DAAN_JW, D(2026, 1, 1), D(2026, 12, 31), KINDS)
YEARS = [Y2027, DAAN, Y2026]


def line(grant_id: int, minutes: int = 240, tariff: int = 2000,
         kind: CareKind = CareKind.PERSOONLIJKE_VERZORGING) -> LineInput:
    return LineInput(grant_id, kind, Unit.UUR, tariff, minutes)


def test_each_budget_is_offered_once_by_its_first_year():
    assert rules.one_per_budget(YEARS) == [Y2026, DAAN]


def test_a_budget_chosen_without_an_end_date_draws_on_every_year_from_the_start():
    lines, chosen = rules.spread_over_period([line(10)], {10}, YEARS, D(2026, 2, 1), None)
    assert chosen == {10, 11}
    assert lines == (line(10), line(11))


def test_the_dates_decide_the_years():
    lines, chosen = rules.spread_over_period([line(10), line(11)], {10, 11}, YEARS,
                                             D(2026, 2, 1), D(2026, 12, 31))
    assert (lines, chosen) == ((line(10),), {10})
    lines, chosen = rules.spread_over_period([line(10), line(11)], {10, 11}, YEARS,
                                             D(2027, 3, 1), D(2027, 12, 31))
    assert (lines, chosen) == ((line(11),), {11})


def test_the_first_year_line_says_what_every_year_gets():
    """The wizard shows one row per budget and kind of care (the first year's): what is typed
    there holds for each year the agreement covers."""
    lines, _ = rules.spread_over_period([line(10, minutes=300), line(11, minutes=240)], {10, 11},
                                        YEARS, D(2026, 2, 1), None)
    assert lines == (line(10, minutes=300), line(11, minutes=300))


def test_a_year_that_may_not_pay_a_kind_of_care_gets_no_line_for_it():
    only_care = BudgetYear(11, SARA_WLZ, D(2027, 1, 1), D(2027, 12, 31),
                           frozenset({CareKind.VERPLEGING.value}))
    lines, chosen = rules.spread_over_period([line(10)], {10}, [Y2026, only_care],
                                             D(2026, 2, 1), None)
    assert lines == (line(10),) and chosen == {10, 11}


def test_a_period_outside_every_year_keeps_the_choice_for_the_rules_to_refuse():
    lines, chosen = rules.spread_over_period([line(10)], {10}, YEARS, D(2029, 1, 1), None)
    assert (lines, chosen) == ((line(10),), {10})


def test_other_budgets_and_unknown_grants_are_left_alone():
    lines, chosen = rules.spread_over_period([line(20), line(99)], {20, 99}, YEARS,
                                             D(2026, 2, 1), None)
    assert lines == (line(20), line(99)) and chosen == {20, 99}


def test_the_week_total_counts_one_year_at_a_time():
    grants = {10: rules.GrantFacts(10, 1, 7, Law.WLZ, D(2026, 1, 1), D(2026, 12, 31), KINDS),
              11: rules.GrantFacts(11, 1, 7, Law.WLZ, D(2027, 1, 1), D(2027, 12, 31), KINDS)}
    from portal.agreements.constants import EndKind, ModelKind, Relation
    draft = rules.DraftInput(1, ModelKind.OPDRACHT, Relation.GEEN, D(2026, 2, 1), None,
                             EndKind.GEEN, 0, (line(10, minutes=100 * 60),
                                               line(11, minutes=100 * 60)), False)
    assert rules.check_week_total(draft, grants) == []
    same_year = rules.DraftInput(1, ModelKind.OPDRACHT, Relation.GEEN, D(2026, 2, 1), None,
                                 EndKind.GEEN, 0, (line(10, minutes=100 * 60),
                                                   line(10, minutes=100 * 60,
                                                        kind=CareKind.VERPLEGING)), False)
    assert [r.code for r in rules.check_week_total(same_year, grants)] == ["week_total_too_large"]


# ---------------------------------------------------------------------------------------------
# The wizard's pages
# ---------------------------------------------------------------------------------------------

import pytest  # noqa: E402

from tests import factories as f  # noqa: E402
from tests.agreements.conftest import text  # noqa: E402
from tests.agreements.test_views import World, settle, step_url, wizard_start  # noqa: E402,F401


@pytest.fixture
def two_years(w, today_is):
    from tests.agreements.conftest import TODAY
    today_is(TODAY)
    w.next_year = f.make_grant(w.member, w.zorgkantoor, Law.WLZ, year=2027,
                               amount_cents=2_100_000,
                               care_kinds=[CareKind.PERSOONLIJKE_VERZORGING.value,
                                           CareKind.VERPLEGING.value])
    settle()
    return w


def test_the_budget_step_lists_a_budget_granted_for_two_years_once(two_years, client, login):
    w = two_years
    login(w.holder)
    agreement = wizard_start(w, client)
    page = text(client.get(step_url(agreement, "budgetten")))
    assert page.count('name="grants"') == 1
    assert f'value="{w.grant.id}"' in page and f'value="{w.next_year.id}"' not in page
    assert "Sara Proef - Wlz" in page and "31 december 2026" not in page

    response = client.post(step_url(agreement, "budgetten"), data={"grants": [w.grant.id]})
    assert response.status_code == 302
    version = agreement.versions[0]
    assert version.ends_on is None  # no end date yet: this year's and next year's grant
    assert version.chosen_grant_ids == [w.grant.id, w.next_year.id]
    assert re.search(rf'<input checked[^>]*value="{w.grant.id}"',
                     text(client.get(step_url(agreement, "budgetten"))))


def test_care_and_hours_are_asked_once_and_hold_for_every_year(two_years, client, login):
    w = two_years
    login(w.holder)
    agreement = wizard_start(w, client)
    client.post(step_url(agreement, "budgetten"), data={"grants": [w.grant.id]})
    care = text(client.get(step_url(agreement, "zorg")))
    assert f"g{w.next_year.id}_" not in care
    p = f"g{w.grant.id}_persoonlijke_verzorging"
    client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": "20,00"})
    version = agreement.versions[0]
    assert sorted(ln.grant_id for ln in version.lines) == [w.grant.id, w.next_year.id]

    hours = text(client.get(step_url(agreement, "uren")))
    assert 'name="lines-0-weekly_quantity"' in hours
    assert 'name="lines-1-weekly_quantity"' not in hours
    client.post(step_url(agreement, "uren"), data={"lines-0-weekly_quantity": "4:00"})
    assert [ln.weekly_quantity for ln in version.lines] == [240, 240]

    # The dates decide the years: an end date this year leaves next year's grant out.
    client.post(step_url(agreement, "periode"), data={
        "starts_on-day": "1", "starts_on-month": "3", "starts_on-year": "2026",
        "starts_on": "2026-03-01", "end_kind": "einddatum",
        "ends_on-day": "31", "ends_on-month": "12", "ends_on-year": "2026",
        "ends_on": "2026-12-31"})
    assert [ln.grant_id for ln in version.lines] == [w.grant.id]
    assert version.chosen_grant_ids == [w.grant.id]
    check = text(client.get(step_url(agreement, "controleren")))
    assert "€ 21.000,00" not in check  # next year's grant is not in the 'Genoeg?' check

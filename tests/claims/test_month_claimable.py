"""Why a month's hour sheet has nothing to fill in (rules.check_month_claimable), and the sheet
page that shows it instead of guessing 'a fixed monthly wage'."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.access.constants import Role
from portal.agreements.constants import VersionStatus
from portal.budgets.constants import CareKind, Unit
from portal.claims import rules
from portal.claims.rules import AgreedLine
from tests.claims.test_rules import facts, version
from tests.factories import make_agreement, make_grant, make_user

D = dt.date
IB = CareKind.INDIVIDUELE_BEGELEIDING.value
FEB, MARCH, DEC = D(2026, 2, 1), D(2026, 3, 1), D(2026, 12, 1)
GRANT_2026 = {1: (D(2026, 1, 1), D(2026, 12, 31))}


def codes(month, fcts):
    return [r.code for r in rules.check_month_claimable(month, fcts)]


def test_a_month_within_an_approved_agreement_and_its_budget_is_claimable():
    assert codes(MARCH, facts(version(starts=MARCH), grant_periods=GRANT_2026)) == []


def test_the_first_and_last_month_of_the_agreement_are_claimable():
    fcts = facts(version(starts=D(2026, 3, 31), ends=D(2026, 5, 1)), grant_periods=GRANT_2026)
    assert codes(MARCH, fcts) == [] and codes(D(2026, 5, 1), fcts) == []


def test_a_month_before_the_agreement_says_when_it_runs():
    refusals = rules.check_month_claimable(FEB, facts(version(starts=MARCH, ends=None),
                                                      grant_periods=GRANT_2026))
    assert [r.code for r in refusals] == ["month_outside_agreement"]
    assert "In februari 2026 gold deze zorgovereenkomst niet" in refusals[0].message
    assert "vanaf 1 maart 2026" in refusals[0].message and "Kies een maand" in refusals[0].message


def test_a_month_after_an_ended_agreement_names_its_last_day():
    refusals = rules.check_month_claimable(
        DEC, facts(version(starts=FEB, ends=D(2026, 11, 30)), grant_periods=GRANT_2026))
    assert [r.code for r in refusals] == ["month_outside_agreement"]
    assert "van 1 februari 2026 tot en met 30 november 2026" in refusals[0].message


def test_an_agreement_not_approved_says_so_first():
    fcts = facts(version(status=VersionStatus.TER_BEOORDELING), grant_periods=GRANT_2026)
    assert codes(MARCH, fcts) == ["agreement_not_approved"]


def test_a_fixed_monthly_wage_only_is_paid_without_a_sheet():
    wage = version(lines=[AgreedLine(IB, Unit.MAANDLOON, 250_000, 1)])
    assert codes(MARCH, facts(wage, grant_periods=GRANT_2026)) == ["monthly_wage_not_claimable"]
    both = version(lines=[AgreedLine(IB, Unit.MAANDLOON, 250_000, 1),
                          AgreedLine(CareKind.PERSOONLIJKE_VERZORGING.value, Unit.UUR, 6000, 1)])
    assert codes(MARCH, facts(both, grant_periods=GRANT_2026)) == []


def test_a_month_outside_every_budget_of_the_agreement():
    fcts = facts(version(starts=D(2025, 6, 1), ends=None), grant_periods=GRANT_2026)
    assert codes(D(2025, 12, 1), fcts) == ["month_outside_grant"]
    assert codes(D(2026, 1, 1), fcts) == []


# ------------------------------------------------------------------ the sheet page

TODAY = D(2026, 4, 10)


@pytest.fixture(autouse=True)
def fixed_today(today_is):
    today_is(TODAY)


def test_the_sheet_page_for_a_month_before_the_agreement_gives_that_reason(client, login, db):
    """December 2025, before an agreement (and its budget) of 2026: nothing to fill in, and the
    page says why (a month that a budget does cover shows the grid, refused day by day)."""
    grant = make_grant(amount_cents=100_000)
    agreement = make_agreement(grant, starts_on=FEB)
    holder = make_user(Role.BUDGETHOUDER, household_id=agreement.household_id)
    login(holder)
    html = client.get(f"/overeenkomsten/{agreement.id}/urenbriefje/2025-12").get_data(as_text=True)
    assert "In december 2025 gold deze zorgovereenkomst niet" in html
    assert "vanaf 1 februari 2026" in html or "van 1 februari 2026" in html
    assert "vast maandloon" not in html
    assert 'id="urenbriefje"' not in html  # no grid to fill in


def test_the_sheet_page_for_a_monthly_wage_gives_that_reason(client, login, db):
    grant = make_grant(amount_cents=1_000_000)
    agreement = make_agreement(grant, lines=[(grant, CareKind.INDIVIDUELE_BEGELEIDING,
                                              Unit.MAANDLOON, 250_000, 0)])
    login(make_user(Role.BUDGETHOUDER, household_id=agreement.household_id))
    html = client.get(f"/overeenkomsten/{agreement.id}/urenbriefje/2026-03").get_data(as_text=True)
    assert "vast maandloon. Dat loon wordt elke maand vanzelf betaald" in html
    assert "gold deze zorgovereenkomst niet" not in html


# --------------------------------------------------------------------------- open months


def open_codes(month, today, provider=False, fcts=None):
    fcts = fcts or facts(version(starts=D(2026, 1, 1)), grant_periods=GRANT_2026)
    return [r.code for r in rules.check_month_open(month, today, fcts, provider)]


@pytest.mark.parametrize(("month", "today", "provider", "expected"), [
    (D(2026, 4, 1), D(2026, 4, 10), False, []),                   # running: a concept
    (D(2026, 5, 1), D(2026, 4, 10), False, ["month_not_begun"]),
    (D(2026, 1, 1), D(2026, 4, 11), False, []),                   # 10 weeks: last day
    (D(2026, 1, 1), D(2026, 4, 12), False, ["too_late"]),
    (D(2026, 1, 1), D(2026, 3, 14), True, []),                    # 6 weeks: last day
    (D(2026, 1, 1), D(2026, 3, 15), True, ["too_late"]),
    (D(2025, 12, 1), D(2026, 1, 5), False, ["month_outside_agreement"]),
])
def test_a_month_is_open_while_begun_in_time_and_claimable(month, today, provider, expected):
    assert open_codes(month, today, provider) == expected


def test_open_months_are_newest_first_with_deadlines_and_leave_out_taken_ones():
    fcts = facts(version(starts=D(2026, 1, 1)), grant_periods=GRANT_2026)
    months = rules.open_months(D(2026, 4, 10), fcts, False, taken=[D(2026, 2, 1)])
    assert [(m.month, m.deadline, m.draft_only) for m in months] == [
        (D(2026, 4, 1), D(2026, 7, 9), True),
        (D(2026, 3, 1), D(2026, 6, 9), False),
        (D(2026, 1, 1), D(2026, 4, 11), False),
    ]
    provider = rules.open_months(D(2026, 4, 10), fcts, True)
    assert [m.month for m in provider] == [D(2026, 4, 1), D(2026, 3, 1), D(2026, 2, 1)]


def test_a_draft_skips_only_the_month_over_check():
    fcts = facts(version(starts=D(2026, 1, 1)), grant_periods=GRANT_2026)
    line = rules.LineInput(day=D(2026, 4, 2), care_kind=IB, quantity=120)
    _priced, refusals = rules.check_sheet(D(2026, 4, 1), [line], fcts, D(2026, 4, 10),
                                          rules.Stage.DRAFT)
    assert refusals == []
    _priced, refusals = rules.check_sheet(D(2026, 4, 1), [line], fcts, D(2026, 4, 10),
                                          rules.Stage.HANDOVER)
    assert [r.code for r in refusals] == ["month_not_over"]
    future = rules.LineInput(day=D(2026, 4, 20), care_kind=IB, quantity=120)
    _priced, refusals = rules.check_sheet(D(2026, 4, 1), [future], fcts, D(2026, 4, 10),
                                          rules.Stage.DRAFT)
    assert [r.code for r in refusals] == ["month_not_over"]  # that day is not worked yet

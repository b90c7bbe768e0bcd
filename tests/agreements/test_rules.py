"""Unit tests of the agreement rules: no database, plain data in, verdict out."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from portal.agreements import rules
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
from portal.agreements.lifecycle import check_end
from portal.agreements.review import check_review
from portal.agreements.rules import DraftInput, GrantFacts, LineInput, ProviderFacts
from portal.budgets.constants import CareKind, Law, Unit

D = dt.date
HH = 1
GRANT = GrantFacts(10, HH, 100, Law.WMO, D(2026, 1, 1), D(2026, 12, 31),
                   frozenset({CareKind.INDIVIDUELE_BEGELEIDING.value,
                              CareKind.HUISHOUDELIJKE_HULP.value}))
OTHER_HH_GRANT = dataclasses.replace(GRANT, id=11, household_id=2)
GRANTS = {g.id: g for g in (GRANT, OTHER_HH_GRANT)}
PERSON = ProviderFacts(ProviderKind.PERSOON)
ORG = ProviderFacts(ProviderKind.ORGANISATIE, kvk="12345678", agb="87654321")


def line(**kw) -> LineInput:
    values = dict(grant_id=GRANT.id, care_kind=CareKind.INDIVIDUELE_BEGELEIDING, unit=Unit.UUR,
                  tariff_cents=6000, weekly_quantity=240)
    values.update(kw)
    return LineInput(**values)


def draft(**kw) -> DraftInput:
    values = dict(household_id=HH, model=ModelKind.OPDRACHT, relation=Relation.GEEN,
                  starts_on=D(2026, 2, 1), ends_on=D(2026, 12, 31), end_kind=EndKind.EINDDATUM,
                  days_per_week=2, lines=(line(),), top_up=False)
    values.update(kw)
    return DraftInput(**values)


def codes(refusals) -> list[str]:
    return [r.code for r in refusals]


def verdict_codes(d: DraftInput, provider: ProviderFacts = PERSON) -> list[str]:
    return codes(rules.validate_draft(d, provider, GRANTS).refusals)


def test_a_complete_draft_passes():
    verdict = rules.validate_draft(draft(), PERSON, GRANTS)
    assert verdict.ok and verdict.refusals == [] and not verdict.payroll_required


def test_every_refusal_has_a_dutch_message_and_all_reasons_come_at_once():
    d = draft(lines=(line(tariff_cents=0, weekly_quantity=-15),), starts_on=None)
    refusals = rules.validate_draft(d, PERSON, GRANTS).refusals
    assert {"start_missing", "tariff_not_positive", "quantity_negative"} <= set(codes(refusals))
    assert all(r.message and r.message[0].isupper() for r in refusals)
    assert "lines-0-tariff_cents" in [r.field for r in refusals]


# --- completeness and validity ----------------------------------------------------------------

def test_no_lines_refused_one_line_enough():
    assert "no_lines" in verdict_codes(draft(lines=()))
    assert "no_lines" not in verdict_codes(draft(lines=(line(),)))


@pytest.mark.parametrize(("tariff", "refused"), [(0, True), (-1, True), (1, False)])
def test_tariff_must_be_above_zero(tariff, refused):
    assert ("tariff_not_positive" in verdict_codes(draft(lines=(line(tariff_cents=tariff),)))) is refused


@pytest.mark.parametrize(("qty", "refused"), [(-1, True), (0, False)])
def test_weekly_quantity_not_negative(qty, refused):
    assert ("quantity_negative" in verdict_codes(draft(lines=(line(weekly_quantity=qty),)))) is refused


@pytest.mark.parametrize(("qty", "refused"), [(14, True), (16, True), (15, False), (150, False)])
def test_hourly_quantity_in_quarters(qty, refused):
    assert ("quantity_not_quarter" in verdict_codes(draft(lines=(line(weekly_quantity=qty),)))) is refused


def test_day_parts_are_counts_not_quarters():
    d = draft(lines=(line(unit=Unit.DAGDEEL, weekly_quantity=3),))
    assert "quantity_not_quarter" not in verdict_codes(d)


def test_start_date_required():
    assert "start_missing" in verdict_codes(draft(starts_on=None))
    assert "start_missing" not in verdict_codes(draft())


def test_end_date_required_for_einddatum_not_for_geen_or_vervanging():
    assert "end_missing" in verdict_codes(draft(ends_on=None))
    assert verdict_codes(draft(ends_on=None, end_kind=EndKind.GEEN)) == []
    assert verdict_codes(draft(ends_on=None, end_kind=EndKind.VERVANGING)) == []


def test_no_end_date_with_end_kind_geen():
    assert "end_not_expected" in verdict_codes(draft(end_kind=EndKind.GEEN))


def test_end_before_start_refused_same_day_allowed():
    assert "end_before_start" in verdict_codes(draft(ends_on=D(2026, 1, 31)))
    assert "end_before_start" not in verdict_codes(draft(ends_on=D(2026, 2, 1)))


@pytest.mark.parametrize(("days", "refused"), [(-1, True), (8, True), (0, False), (7, False)])
def test_days_per_week(days, refused):
    assert ("days_per_week_invalid" in verdict_codes(draft(days_per_week=days))) is refused


def test_grant_of_another_household_refused():
    assert "grant_other_household" in verdict_codes(draft(lines=(line(grant_id=OTHER_HH_GRANT.id),)))
    assert "grant_other_household" in verdict_codes(draft(lines=(line(grant_id=999),)))


def test_grant_period_must_overlap():
    # The grant runs 2026; an agreement from 2027 does not overlap, one ending on 1 Jan 2026 does.
    assert "grant_period_no_overlap" in verdict_codes(
        draft(starts_on=D(2027, 1, 1), ends_on=D(2027, 6, 30)))
    assert "grant_period_no_overlap" not in verdict_codes(
        draft(starts_on=D(2025, 6, 1), ends_on=D(2026, 1, 1)))
    assert "grant_period_no_overlap" in verdict_codes(
        draft(starts_on=D(2025, 6, 1), ends_on=D(2025, 12, 31)))


def test_grant_must_allow_the_care_kind():
    assert "care_kind_not_in_grant" in verdict_codes(
        draft(lines=(line(care_kind=CareKind.VERPLEGING),)))
    assert "care_kind_not_in_grant" not in verdict_codes(
        draft(lines=(line(care_kind=CareKind.HUISHOUDELIJKE_HULP),)))


def test_same_kind_of_care_twice_on_one_grant_refused():
    assert "line_duplicate" in verdict_codes(draft(lines=(line(), line(tariff_cents=5000))))
    two = (line(), line(care_kind=CareKind.HUISHOUDELIJKE_HULP))
    assert "line_duplicate" not in verdict_codes(draft(lines=two))


def test_monthly_wage_only_for_employment():
    wage = (line(unit=Unit.MAANDLOON, tariff_cents=150000, weekly_quantity=600),)
    assert "monthly_wage_needs_employment" in verdict_codes(draft(lines=wage))
    assert "monthly_wage_needs_employment" not in verdict_codes(
        draft(lines=wage, model=ModelKind.ARBEID))


# --- model kinds ------------------------------------------------------------------------------

def test_zorginstelling_needs_an_organisation_with_kvk_and_agb():
    d = draft(model=ModelKind.ZORGINSTELLING)
    assert "provider_not_organisation" in verdict_codes(d, PERSON)
    assert verdict_codes(d, ORG) == []
    assert "provider_kvk_missing" in verdict_codes(d, dataclasses.replace(ORG, kvk=None))
    assert "provider_agb_missing" in verdict_codes(d, dataclasses.replace(ORG, agb=None))


def test_familie_needs_a_family_relation():
    assert "family_relation_missing" in verdict_codes(draft(model=ModelKind.FAMILIE))
    ok = draft(model=ModelKind.FAMILIE, relation=Relation.BROER_ZUS, lines=(line(tariff_cents=2000),))
    assert verdict_codes(ok) == []


def test_familie_and_arbeid_need_a_person():
    assert "provider_not_person" in verdict_codes(
        draft(model=ModelKind.FAMILIE, relation=Relation.OUDER), ORG)
    assert "provider_not_person" in verdict_codes(draft(model=ModelKind.ARBEID), ORG)
    assert "provider_not_person" not in verdict_codes(draft(model=ModelKind.ARBEID), PERSON)


def test_employment_never_with_a_relative():
    assert "employment_with_relative" in verdict_codes(
        draft(model=ModelKind.ARBEID, relation=Relation.PARTNER))
    assert "employment_with_relative" not in verdict_codes(draft(model=ModelKind.ARBEID))


@pytest.mark.parametrize(("days", "payroll"), [(3, False), (4, True), (7, True)])
def test_employment_four_days_or_more_means_payroll_a_notice_not_a_refusal(days, payroll):
    verdict = rules.validate_draft(draft(model=ModelKind.ARBEID, days_per_week=days), PERSON, GRANTS)
    assert verdict.ok
    assert verdict.payroll_required is payroll
    assert ("payroll_required" in [n.code for n in verdict.notices]) is payroll


def test_payroll_only_for_employment():
    assert not rules.payroll_required(ModelKind.OPDRACHT, 5)


def test_opdracht_default_notice_one_month():
    assert rules.default_notice_months(ModelKind.OPDRACHT) == 1


# --- review and ending ------------------------------------------------------------------------

def test_rejection_needs_a_reason_of_a_few_words():
    assert codes(check_review(False, None)) == ["rejection_reason_too_short"]
    assert codes(check_review(False, "nee")) == ["rejection_reason_too_short"]
    assert codes(check_review(False, "niet goed")) == ["rejection_reason_too_short"]
    assert codes(check_review(False, "tarief te hoog")) == ["rejection_reason_too_short"]
    assert check_review(False, "Tarief is te hoog") == []  # 3 words, 17 characters
    assert check_review(True, None) == []


def test_end_not_in_the_past_today_allowed():
    today = D(2026, 3, 10)
    refusals, _ = check_end(D(2026, 1, 1), D(2026, 12, 31), D(2026, 3, 9), today, 1)
    assert codes(refusals) == ["end_in_past"]
    refusals, notices = check_end(D(2026, 1, 1), D(2026, 12, 31), today, today, 1)
    assert refusals == []
    assert {"end_not_month_end", "notice_short"} == {n.code for n in notices}


def test_end_not_after_the_agreement_end():
    today = D(2026, 3, 10)
    refusals, _ = check_end(D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 1), today, 1)
    assert codes(refusals) == ["end_after_agreement_end"]
    refusals, notices = check_end(D(2026, 1, 1), D(2026, 12, 31), D(2026, 12, 31), today, 1)
    assert refusals == [] and notices == []


def test_end_date_missing():
    refusals, _ = check_end(D(2026, 1, 1), None, None, D(2026, 3, 1), 1)
    assert codes(refusals) == ["end_date_missing"]


def test_notice_period_boundary():
    today = D(2026, 3, 31)
    _, notices = check_end(D(2026, 1, 1), None, D(2026, 4, 29), today, 1)
    assert "notice_short" in [n.code for n in notices]
    _, notices = check_end(D(2026, 1, 1), None, D(2026, 4, 30), today, 1)
    assert notices == []


# --------------------------------------------------------------------------- start in the budget


YEAR_2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
YEAR_2027 = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))


@pytest.mark.parametrize(("current", "periods", "today", "expected"), [
    # Finding 5: a budget of this year chosen in December defaulted to next January.
    (dt.date(2027, 1, 1), [YEAR_2026], dt.date(2026, 12, 6), dt.date(2026, 12, 1)),
    (dt.date(2027, 1, 1), [YEAR_2026, YEAR_2027], dt.date(2026, 12, 6), dt.date(2027, 1, 1)),
    (dt.date(2026, 3, 1), [YEAR_2026], dt.date(2026, 2, 10), dt.date(2026, 3, 1)),
    (dt.date(2026, 3, 1), [YEAR_2027], dt.date(2026, 2, 10), dt.date(2027, 1, 1)),
    (dt.date(2026, 3, 1), [(dt.date(2025, 1, 1), dt.date(2025, 12, 31))], dt.date(2026, 2, 10),
     dt.date(2026, 3, 1)),  # no chosen budget runs from now on: left as it is (refused later)
])
def test_the_start_date_defaults_inside_the_chosen_budgets_period(current, periods, today,
                                                                  expected):
    assert rules.start_in_periods(current, periods, today) == expected

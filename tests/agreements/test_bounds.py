"""Bounds on what people type into an agreement: hours per week (a week has 168 hours, per line
and all lines together), tariffs (a 0 too many), dates (not before 2000, not more than 10 years
ahead). Refused with a Dutch message next to the field, nothing written, never an error page."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from portal.agreements import forms, rules
from portal.agreements.constants import EndKind
from portal.agreements.lifecycle import check_end
from portal.agreements.models import AgreementLine, AgreementVersion
from portal.budgets.constants import CareKind, Unit
from portal.dates import latest_date
from tests.agreements import test_views
from tests.agreements.conftest import count, text
from tests.agreements.test_rules import GRANTS, PERSON, draft, line
from tests.agreements.test_views import step_url

World = test_views.World  # the page tests' world, which the w fixture builds
D = dt.date

pytestmark = pytest.mark.usefixtures("fixed_today")


def codes(d, today=None):
    return [r.code for r in rules.validate_draft(d, PERSON, GRANTS, today=today).refusals]


@pytest.mark.parametrize("unit, ok, too_much", [
    (Unit.UUR, 168 * 60, 168 * 60 + 15), (Unit.DAGDEEL, 42, 43), (Unit.ETMAAL, 7, 8),
])
def test_a_line_holds_at_most_a_week(unit, ok, too_much):
    assert codes(draft(lines=(line(unit=unit, weekly_quantity=ok, tariff_cents=2000),))) == []
    refusals = rules.validate_draft(
        draft(lines=(line(unit=unit, weekly_quantity=too_much, tariff_cents=2000),)), PERSON,
        GRANTS).refusals
    assert [(r.code, r.field) for r in refusals] == [("quantity_too_large",
                                                       "lines-0-weekly_quantity")]
    assert "hoogstens" in refusals[0].message


def test_all_lines_together_hold_at_most_a_week():
    a = line(weekly_quantity=100 * 60)
    b = line(care_kind=CareKind.HUISHOUDELIJKE_HULP, weekly_quantity=68 * 60)
    assert codes(draft(lines=(a, b))) == []  # exactly 168 hours
    c = dataclasses.replace(b, weekly_quantity=68 * 60 + 15)
    refusals = rules.validate_draft(draft(lines=(a, c)), PERSON, GRANTS).refusals
    assert [(r.code, r.field) for r in refusals] == [("week_total_too_large", "week_total")]
    assert "168:15 uur per week" in refusals[0].message
    # A day part counts as 4 hours: 40 day parts (160 h) and 9 hours is too much.
    d = line(unit=Unit.DAGDEEL, weekly_quantity=40, tariff_cents=5000)
    e = line(care_kind=CareKind.HUISHOUDELIJKE_HULP, weekly_quantity=9 * 60)
    assert codes(draft(lines=(d, e))) == ["week_total_too_large"]


@pytest.mark.parametrize("unit, ceiling", [
    (Unit.UUR, 50_000), (Unit.DAGDEEL, 200_000), (Unit.ETMAAL, 1_200_000),
])
def test_a_tariff_above_the_ceiling_is_a_typing_error(unit, ceiling):
    one = 60 if unit == Unit.UUR else 1  # one hour, one day part, one 24-hour stay
    assert codes(draft(lines=(line(unit=unit, tariff_cents=ceiling, weekly_quantity=one),))) == []
    refusals = rules.validate_draft(draft(lines=(line(unit=unit, tariff_cents=ceiling + 1,
                                                      weekly_quantity=one),)), PERSON, GRANTS).refusals
    assert [(r.code, r.field) for r in refusals] == [("tariff_too_high", "lines-0-tariff_cents")]
    assert "een 0 te veel" in refusals[0].message


def test_dates_between_2000_and_ten_years_ahead():
    today = D(2026, 12, 1)
    assert codes(draft(starts_on=D(2000, 1, 1), ends_on=D(2036, 12, 1)), today) == []
    early = rules.validate_draft(draft(starts_on=D(1999, 12, 31)), PERSON, GRANTS,
                                 today=today).refusals
    assert ("date_out_of_range", "starts_on") in [(r.code, r.field) for r in early]
    assert "1 januari 2000 en 1 december 2036" in early[0].message
    late = codes(draft(ends_on=D(2036, 12, 2)), today)
    assert late == ["date_out_of_range"]
    # No today: only the dates the portal handles at all (dates.DATE_CEILING).
    assert codes(draft(ends_on=D(2099, 12, 31))) == []
    assert codes(draft(ends_on=D(2100, 1, 1))) == ["date_out_of_range"]
    # Without an end date the (emptied) end date is not checked.
    assert "date_out_of_range" not in codes(draft(end_kind=EndKind.GEEN, ends_on=None), today)
    assert latest_date(D(2028, 2, 29)) == D(2038, 2, 28)


def test_ending_far_in_the_future_is_refused():
    refusals, _ = check_end(D(2026, 1, 1), None, D(9999, 12, 31), D(2026, 12, 1), 1)
    assert [(r.code, r.field) for r in refusals] == [("date_out_of_range", "ended_on")]
    assert check_end(D(2026, 1, 1), None, D(2027, 6, 30), D(2026, 12, 1), 1)[0] == []


@pytest.mark.parametrize("typed, unit, minutes", [
    ("4:30", Unit.UUR, 270), ("4,25", Unit.UUR, 255), ("4.5", Unit.UUR, 270),
    ("168:00", Unit.UUR, 10080), ("2:5", Unit.UUR, 125), ("3", Unit.DAGDEEL, 3),
    ("999999", Unit.UUR, 999999 * 60),  # big but a number: the rule says how much is allowed
])
def test_parse_quantity(typed, unit, minutes):
    assert forms.parse_quantity(typed, unit) == minutes


@pytest.mark.parametrize("typed, unit, message", [
    ("99999999999999999999", Unit.UUR, "te groot"), ("99999999999999999999", Unit.ETMAAL, "te groot"),
    ("1e9", Unit.UUR, "uren:minuten"), ("Infinity", Unit.UUR, "uren:minuten"),
    ("NaN", Unit.UUR, "uren:minuten"), ("4:60", Unit.UUR, "uren:minuten"),
    ("-2", Unit.UUR, "negatief"), ("-2", Unit.DAGDEEL, "negatief"), ("2,5", Unit.DAGDEEL, "heel getal"),
    ("1e3", Unit.DAGDEEL, "heel getal"),
])
def test_parse_quantity_refuses(typed, unit, message):
    with pytest.raises(forms.QuantityError) as info:
        forms.parse_quantity(typed, unit)
    assert message in str(info.value)


# ---------------------------------------------------------------------------------------------
# Through the screens: next to the field, nothing written
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, message", [
    ("99999999999999999999", "Dit getal is te groot"),
    ("169", "Vul hoogstens 168 uur per week in voor persoonlijke verzorging"),
])
def test_hours_step_refuses_too_many_hours_next_to_the_field(w, client, login, typed, message):
    agreement = w.draft()
    login(w.holder)
    response = client.post(step_url(agreement, "uren"), data={"lines-0-weekly_quantity": typed})
    assert response.status_code == 422
    page = text(response)
    assert f'id="lines-0-weekly_quantity-error">{message}' in page
    assert f'value="{typed}"' in page
    assert agreement.versions[0].lines[0].weekly_quantity == 240


@pytest.mark.parametrize("typed, message", [
    ("99999999999999999999", "is meer dan"),  # money.parse_euros' own cap
    ("600,00", "Een tarief van meer dan € 500,00 per uur kan niet"),
])
def test_care_step_refuses_a_huge_tariff_next_to_the_field(w, client, login, typed, message):
    agreement = w.draft()
    login(w.holder)
    p = f"g{w.grant.id}_persoonlijke_verzorging"
    before = count(AgreementLine)
    response = client.post(step_url(agreement, "zorg"), data={
        f"{p}-care_kind": "y", f"{p}-unit": "uur", f"{p}-tariff_cents": typed})
    assert response.status_code == 422
    page = text(response)
    assert f'id="{p}-tariff_cents-error">' in page and message in page
    assert count(AgreementLine) == before
    assert agreement.versions[0].lines[0].tariff_cents == 6000


def test_period_step_refuses_dates_out_of_range(w, client, login):
    agreement = w.draft()
    login(w.holder)
    response = client.post(step_url(agreement, "periode"), data={
        "starts_on": "1999-03-01", "end_kind": "einddatum", "ends_on": "9999-12-31"})
    assert response.status_code == 422
    page = text(response)
    assert 'id="starts_on-error">De datum 1 maart 1999 kan niet' in page
    assert 'id="ends_on-error">De datum 31 december 9999 kan niet' in page
    assert agreement.versions[0].starts_on == D(2026, 2, 1)


def test_ending_on_31_12_9999_is_refused(w, client, login):
    agreement = w.approved()
    login(w.holder)
    before = count(AgreementVersion)
    response = client.post(f"/overeenkomsten/{agreement.id}/beeindigen",
                           data={"ended_on": "9999-12-31"})
    assert response.status_code == 422
    # The field refuses a day the portal does not handle at all; the rule then holds a typed
    # date to ten years from today.
    assert "tussen 1 januari 2000 en 31 december 2099" in text(response)
    assert 'value="9999"' in text(response)  # what was typed is kept (jaar)
    response = client.post(f"/overeenkomsten/{agreement.id}/beeindigen",
                           data={"ended_on": "2036-01-16"})
    assert response.status_code == 422
    assert "tussen 1 januari 2000 en 15 januari 2036" in text(response)
    assert agreement.versions[0].ended_on is None and count(AgreementVersion) == before

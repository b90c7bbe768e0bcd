"""Issue 16: the what-if on the budget page. The holder changes the hours per week (or the
tariff) of an agreement and sees, before anything is saved and without JavaScript (a GET form),
what the budget will cost until the end of the period and the month it runs out, next to
today's figures. The rule is budgets.rules.what_if, on the prognosis's own run-out rule."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from portal.agreements.models import AgreementLine, AgreementVersion
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.rules import BudgetUsage, Projection, runout_month, what_if
from tests import factories as f
from tests.overview.test_views import TODAY, eur, fixed_today, jansen  # noqa: F401

D = dt.date


def _usage(available=600_000, committed=700_000, open_months=()):
    return BudgetUsage(granted_cents=1_200_000, paid_cents=1_200_000 - available,
                       in_progress_cents=0, committed_cents=committed,
                       period_start=D(2026, 1, 1), period_end=D(2026, 12, 31), pace_cents=None,
                       runout_month=None, open_months=tuple(open_months))


# --------------------------------------------------------------------------- the rule


def test_no_change_gives_todays_figures_twice():
    today, changed = what_if(_usage(), 300_000, 300_000, TODAY)
    assert today == changed
    # 700,000 over the 7 months June - December: 100,000 a month; 600,000 lasts 6 months.
    assert today == Projection(700_000, -100_000, D(2026, 12, 1))


def test_more_expensive_care_uses_the_budget_up_sooner():
    today, changed = what_if(_usage(), 300_000, 600_000, TODAY)
    assert changed.committed_cents == 1_000_000 and changed.left_cents == -400_000
    assert changed.runout_month < today.runout_month  # 1,000,000 / 7 a month: out in October
    assert changed.runout_month == D(2026, 10, 1)


def test_fewer_hours_let_the_budget_last():
    _today, changed = what_if(_usage(), 300_000, 100_000, TODAY)
    assert changed == Projection(500_000, 100_000, None)


def test_open_months_are_paid_first():
    today, _changed = what_if(_usage(open_months=[D(2026, 5, 1)]), 0, 0, TODAY)
    # 8 months to pay (May still open + June - December): 87,500 a month; 600,000 lasts
    # 6 of them, the first being May.
    assert today.runout_month == D(2026, 11, 1)


def test_runout_month_is_the_prognosis_rule():
    assert runout_month(100, 50, D(2026, 12, 31), TODAY) == D(2026, 8, 1)
    assert runout_month(100, 0, D(2026, 12, 31), TODAY) is None
    assert runout_month(10_000, 50, D(2026, 12, 31), TODAY) is None  # lasts


# --------------------------------------------------------------------------- the page


def _page(client, household_id, **args) -> tuple[int, str]:
    response = client.get(f"/huishoudens/{household_id}/budget", query_string=args)
    return response.status_code, response.get_data(as_text=True).replace("\xa0", " ")


def _agreement_of(db, grant) -> int:
    version_id = db.session.scalar(select(AgreementLine.version_id).where(
        AgreementLine.grant_id == grant.id))
    return db.session.get(AgreementVersion, version_id).agreement_id


def _rows(html: str) -> list[str]:
    table = html[html.index('id="wat-als-tabel"'):]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in table.split("</table>")[0].split("<tr>")[2:]]


def test_the_holder_chooses_an_agreement_changes_the_hours_and_sees_both(client, login, db):
    household, holder, wlz, _jeugd = jansen()
    login(holder)
    status, html = _page(client, household.id)
    assert status == 200 and "Wat als u de zorg verandert?" in html
    assert 'method="get"' in html and "Marieke" in html
    agreement_id = _agreement_of(db, wlz)
    lines_before = db.session.scalar(select(func.count(AgreementLine.id)))

    status, html = _page(client, household.id, overeenkomst=agreement_id)
    assert status == 200 and 'value="4:00"' in html and 'value="60,00"' in html

    status, html = _page(client, household.id, overeenkomst=agreement_id,
                         **{"per-week-0": "8:00", "tarief-0": "60,00"})
    assert status == 200
    today_row, changed_row = _rows(html)
    assert today_row.startswith("Anna, Wlz (2026): vandaag")
    assert changed_row.startswith("Anna, Wlz (2026): met uw wijziging")
    today_cost = int(re.search(r"€ ([\d.]+),(\d\d)", today_row).group(0)[2:]
                     .replace(".", "").replace(",", ""))
    changed_cost = int(re.search(r"€ ([\d.]+),(\d\d)", changed_row).group(0)[2:]
                       .replace(".", "").replace(",", ""))
    assert changed_cost > today_cost  # twice the hours from June on
    assert db.session.scalar(select(func.count(AgreementLine.id))) == lines_before  # nothing saved


def test_a_bad_input_is_named_and_nothing_is_computed(client, login, db):
    household, holder, wlz, _jeugd = jansen()
    login(holder)
    agreement_id = _agreement_of(db, wlz)
    status, html = _page(client, household.id, overeenkomst=agreement_id,
                         **{"per-week-0": "veel", "tarief-0": "abc"})
    assert status == 200
    assert "is geen aantal per week" in html and "is geen bedrag" in html
    assert 'id="wat-als-tabel"' not in html


def test_an_agreement_of_another_household_is_not_offered(client, login, db):
    household, holder, _wlz, _jeugd = jansen()
    other = f.make_grant(law=Law.WMO)
    foreign = f.make_agreement(other, provider=f.make_provider(name="Vreemde"), lines=[
        (other, CareKind.HUISHOUDELIJKE_HULP, Unit.UUR, 3000, 120)])
    login(holder)
    status, html = _page(client, household.id, overeenkomst=foreign.id,
                         **{"per-week-0": "8:00"})
    assert status == 200 and "Vreemde" not in html and 'id="wat-als-tabel"' not in html


@pytest.mark.parametrize("weekly", ["200:00"])
def test_more_than_a_week_has_is_refused(client, login, db, weekly):
    household, holder, wlz, _jeugd = jansen()
    login(holder)
    agreement_id = _agreement_of(db, wlz)
    _status, html = _page(client, household.id, overeenkomst=agreement_id,
                          **{"per-week-0": weekly})
    assert "hoogstens 168 uur" in html

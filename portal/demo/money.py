"""The demo's money that the rules owe (issue 16): a Wlz allowance claim of each kind.

One call from seed_demo (portal/demo/seed.py), after the months of sheets and runs:
- Anna gives Marieke de Boer, her sister who cares for her on Mondays and Thursdays, a
  feestdagenuitkering for the latest year in which Marieke worked on a public holiday;
- Anna asks for the vrij besteedbaar bedrag of this year (1.5% of what was spent from her
  Wlz budget so far, at least EUR 250), paid to her own account by the next run. Early in the
  year nothing was paid from this year's budget yet (the page says why it cannot be asked for
  yet): then she asked for last year's in last year's December.
Both stay "ingediend", so the office's next run (README, "Demo") checks and pays them.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select

from portal.access.models import User
from portal.agreements.models import Agreement
from portal.budgets.constants import Law
from portal.budgets.models import Grant, Member
from portal.claims import allowances
from portal.extensions import db
from portal.providers.models import Provider
from portal.refusals import Refused


def seed_allowances(holder: User, today: dt.date) -> list[str]:
    """Anna's allowance claims; returns their references (for the tests)."""
    assert holder.household_id is not None  # a budget holder always has a household
    grants = {g.period_start.year: g for g in db.session.scalars(
        select(Grant).join(Member, Member.id == Grant.member_id)
        .where(Member.household_id == holder.household_id, Grant.law == Law.WLZ.value))}
    made = []
    marieke = db.session.scalar(select(Agreement.id).join(Provider)
                                .where(Agreement.household_id == holder.household_id,
                                       Provider.name == "Marieke de Boer"))
    for year in (today.year, today.year - 1):  # the latest year she worked on a holiday
        care = allowances.holiday_care(holder.household_id, year)
        if year in grants and care:
            agreement = marieke if marieke in care else min(care)
            made.append(allowances.ask_holiday_allowance(holder, grants[year].id, agreement,
                                                         15_000, today).reference)
            break
    # This year's free amount; early in the year nothing was paid from this year's budget yet
    # (refused, the page says why): then last year's, asked in its December, after its runs.
    for year, on in ((today.year, today), (today.year - 1, dt.date(today.year - 1, 12, 15))):
        if year in grants:
            with contextlib.suppress(Refused):
                made.append(allowances.ask_free_allowance(holder, grants[year].id,
                                                          on).reference)
                break
    return made

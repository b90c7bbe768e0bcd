"""The demo's fixed monthly wage (issue 16): Anna employs Sanne Vermeulen.

One call from seed_demo (portal/demo/seed.py), after the other agreements (so the README's
ids of those stay what they are) and before the months of sheets and runs:
- Anna has an arbeidsovereenkomst with Sanne Vermeulen (not a relative), 3 days and 12 hours a
  week of individuele begeleiding at a fixed EUR 1,150.00 a month from her Wlz budget of each
  year; Sanne started halfway the first month of the demo, so that month is paid pro rata;
- no hour sheet: every payment run of the demo puts ready and pays the wage of each month that
  is over (claims of kind loon), like a sheet; last month's wage waits for the office's next
  run (README, "Demo"). Anna and Sanne see each wage like a sheet.
Payroll tax (loonheffing) is out of scope (README).
"""

from __future__ import annotations

import datetime as dt

from portal.access.models import User
from portal.agreements import service as agreements
from portal.agreements.constants import EndKind, ModelKind, Relation
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.rules import LineInput
from portal.budgets.constants import CareKind, Unit
from portal.budgets.models import Grant

WAGE_CENTS = 115_000  # EUR 1,150.00 a month
WAGE_WEEKLY_MINUTES = 12 * 60  # fixed hours: 12 a week
WAGE_DAYS_PER_WEEK = 3  # fewer than 4: no payroll by the payment office
WAGE_CARE_KIND = CareKind.INDIVIDUELE_BEGELEIDING


def wage_start(window_start: dt.date) -> dt.date:
    """Sanne started on the 15th of the demo's first month (paid pro rata for that month)."""
    return window_start + dt.timedelta(days=14)


def draft_employment(holder: User, household_id: int, provider_id: int,
                     grants: dict[int, Grant], window_start: dt.date,
                     on: dt.date) -> AgreementVersion:
    """The employment agreement as a draft (the caller signs and approves it): the same
    monthly wage on the Wlz budget of every year the demo touches."""
    lines = [LineInput(grant_id=g.id, care_kind=WAGE_CARE_KIND, unit=Unit.MAANDLOON,
                       tariff_cents=WAGE_CENTS, weekly_quantity=WAGE_WEEKLY_MINUTES)
             for _year, g in sorted(grants.items())]
    agreement: Agreement = agreements.create_draft(
        holder, household_id=household_id, provider_id=provider_id, model=ModelKind.ARBEID,
        relation=Relation.GEEN, starts_on=wage_start(window_start), ends_on=None,
        end_kind=EndKind.GEEN, days_per_week=WAGE_DAYS_PER_WEEK, lines=lines, today=on)
    return agreement.versions[-1]

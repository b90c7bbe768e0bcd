"""The what-if on the budget page: other hours per week (or another tariff) for the lines of
one agreement, and what that does to each budget it pays from - what the agreements will
still cost until the end of the period, what is left then and the month the budget runs out -
next to today's figures. Nothing is saved: the page asks by a GET form (works without
JavaScript).

The cost is agreements.costs' rule (cost_by_grant_cents), the projection budgets.rules.what_if
(the prognosis's own run-out rule): this module only loads, parses and puts them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from portal.agreements.costs import cost_by_grant_cents
from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.periods import EVER_APPROVED, VersionPeriod, coverage
from portal.budgets.constants import CareKind, Unit
from portal.budgets.rules import Projection, what_if
from portal.dates import first_of_month
from portal.extensions import db
from portal.money import format_euro, parse_euros
from portal.overview.service import BudgetRow
from portal.providers.models import Provider
from portal.quantities import (
    MINUTE_UNITS,
    QuantityError,
    format_minutes,
    parse_count,
    parse_minutes,
)
from portal.refusals import Refused

MAX_WEEKLY_MINUTES = 7 * 24 * 60  # a week has no more hours


@dataclass(frozen=True)
class CostLine:
    """A line as agreements.costs reads it."""

    grant_id: int
    unit: str
    tariff_cents: int
    budget_tariff_cents: int | None
    weekly_quantity: int


@dataclass(frozen=True)
class WhatIfLine:
    """One line of the chosen agreement, with the inputs of the what-if form."""

    index: int
    care_label: str
    budget_label: str
    line: CostLine
    weekly_text: str  # what the form shows: typed, or the agreement's own
    tariff_text: str

    @property
    def is_wage(self) -> bool:
        return self.line.unit == Unit.MAANDLOON

    @property
    def hours_field(self) -> str:
        return f"per-week-{self.index}"

    @property
    def tariff_field(self) -> str:
        return f"tarief-{self.index}"

    @property
    def weekly_label(self) -> str:
        return "Uren per week" if self.line.unit in MINUTE_UNITS else "Aantal per week"


@dataclass(frozen=True)
class WhatIfBudget:
    label: str
    today: Projection
    changed: Projection


@dataclass(frozen=True)
class WhatIfPage:
    choices: list[tuple[int, str]]
    chosen: int | None = None
    lines: list[WhatIfLine] = field(default_factory=list)
    budgets: list[WhatIfBudget] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _choices(household_id: int, this_month: dt.date) -> list[tuple[int, str]]:
    """The household's agreements with an approved version that still runs this month:
    (id, 'provider (reference)'). One query."""
    still = [AgreementVersion.status.in_([s.value for s in EVER_APPROVED]),
             or_(AgreementVersion.ends_on.is_(None), AgreementVersion.ends_on >= this_month),
             or_(AgreementVersion.ended_on.is_(None), AgreementVersion.ended_on >= this_month)]
    rows = db.session.execute(
        select(Agreement.id, Agreement.reference, Provider.name)
        .join(Provider, Provider.id == Agreement.provider_id)
        .where(Agreement.household_id == household_id,
               exists().where(AgreementVersion.agreement_id == Agreement.id, *still))
        .order_by(Provider.name, Agreement.id)).all()
    return [(aid, f"{name} ({reference})") for aid, reference, name in rows]


def _running_version(agreement_id: int, this_month: dt.date) -> tuple | None:
    """(the approved version that governs from this month on, its first day, last day)."""
    versions = db.session.scalars(
        select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id)
        .options(selectinload(AgreementVersion.lines))).all()
    by_number = {v.number: v for v in versions}
    spans = coverage([VersionPeriod(v.number, v.status, v.starts_on, v.ends_on, v.ended_on)
                      for v in versions])
    running = [(by_number[vp.number], first, last) for vp, first, last in spans
               if last is None or last >= this_month]
    return running[0] if running and running[0][0].lines else None


def _parse(line: WhatIfLine, args: Mapping[str, str], errors: dict[str, str]) -> CostLine:
    """The line as the form changes it; a bad input is named in `errors` and left as it is."""
    weekly, tariff = line.line.weekly_quantity, line.line.tariff_cents
    text = (args.get(line.hours_field) or "").strip()
    if text and not line.is_wage:
        try:
            value = (parse_minutes(text, digits=3) if line.line.unit in MINUTE_UNITS
                     else parse_count(text, digits=3))
            if value is not None and value * (1 if line.line.unit in MINUTE_UNITS else 60) \
                    > MAX_WEEKLY_MINUTES:
                raise QuantityError("too_large")
            weekly = value if value is not None else weekly
        except QuantityError:
            errors[line.hours_field] = (f"'{text}' is geen aantal per week voor "
                                        f"{line.care_label.lower()}. Schrijf uren als 7:45 of "
                                        "7,75; een week heeft hoogstens 168 uur.")
    text = (args.get(line.tariff_field) or "").strip()
    if text:
        try:
            tariff = parse_euros(text, line.tariff_field, maximum_cents=10_000_000)
        except Refused as refused:
            errors[line.tariff_field] = refused.refusals[0].message
    cap = line.line.budget_tariff_cents  # a topped-up tariff: the budget pays at most the cap
    return CostLine(line.line.grant_id, line.line.unit, tariff,
                    min(cap, tariff) if cap is not None else None, weekly)


def what_if_page(household_id: int, rows: list[BudgetRow], args: Mapping[str, str],
                 today: dt.date) -> WhatIfPage:
    """The what-if section of the budget page, from the page's own budget rows and the
    query string: `overeenkomst` (the agreement), and per line `per-week-N` / `tarief-N`."""
    this_month = first_of_month(today)
    choices = _choices(household_id, this_month)
    try:
        chosen = int(args.get("overeenkomst") or 0) or None
    except ValueError:
        chosen = None
    running = (_running_version(chosen, this_month)
               if chosen in {aid for aid, _label in choices} else None)
    if running is None:
        return WhatIfPage(choices)
    version, first, last = running
    by_grant = {row.grant_id: row for row in rows}
    lines = []
    for i, ln in enumerate(version.lines):
        cost = CostLine(ln.grant_id, str(ln.unit), ln.tariff_cents, ln.budget_tariff_cents,
                        ln.weekly_quantity)
        row = by_grant.get(ln.grant_id)
        label = (f"{row.member_name}, {row.law_label} ({row.period_start.year})" if row
                 else "een budget dat nu niet loopt")
        weekly = (format_minutes(ln.weekly_quantity) if str(ln.unit) in MINUTE_UNITS
                  else str(ln.weekly_quantity))
        lines.append(WhatIfLine(i, CareKind(ln.care_kind).label, label, cost,
                                args.get(f"per-week-{i}") or weekly,
                                args.get(f"tarief-{i}") or format_euro(ln.tariff_cents)
                                .replace("€", "").strip()))
    errors: dict[str, str] = {}
    changed = [_parse(line, args, errors) for line in lines]
    labels = {line.line.grant_id: line.budget_label for line in reversed(lines)}
    budgets = []
    for grant_id in dict.fromkeys(line.line.grant_id for line in lines):
        row = by_grant.get(grant_id)
        if row is None or row.last_year:
            continue
        start = max(this_month, row.period_start)
        now = cost_by_grant_cents([ln.line for ln in lines], first, last, start,
                                  row.period_end).get(grant_id, 0)
        new = cost_by_grant_cents(changed, first, last, start, row.period_end).get(grant_id, 0)
        today_p, changed_p = what_if(row.usage, now, new, today)
        budgets.append(WhatIfBudget(labels[grant_id], today_p, changed_p))
    return WhatIfPage(choices, chosen, lines, budgets if not errors else [], errors)

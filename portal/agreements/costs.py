"""What an agreement costs: the tariff a budget pays, the cost per week, and the cost per grant
or between two days, in integer cents.

Pure: no Flask, no session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from portal.budgets.constants import (
    Unit,
)
from portal.dates import (
    months_between,
)
from portal.money import round_half_up


class CostLine(Protocol):
    """A line of an agreement as the cost rules read it: an AgreementLine row, the rules'
    LineFacts, a line typed in the wizard. A line may also have `budget_tariff_cents`: what
    the budget pays when the budget holder tops up the rest."""

    @property
    def unit(self) -> str: ...
    @property
    def weekly_quantity(self) -> int: ...
    @property
    def tariff_cents(self) -> int: ...
    @property
    def grant_id(self) -> int: ...


def tariff_for_budget(line: CostLine) -> int:
    """What the budget pays per unit (the maximum when the budget holder tops up the rest)."""
    budget: int | None = getattr(line, "budget_tariff_cents", None)
    return line.tariff_cents if budget is None else budget


def _weekly_exact(line: CostLine) -> Decimal:
    tariff = Decimal(tariff_for_budget(line))
    if line.unit == Unit.UUR:
        return Decimal(line.weekly_quantity) * tariff / Decimal(60)
    if line.unit == Unit.MAANDLOON:
        return tariff * Decimal(12) / Decimal(52)
    return Decimal(line.weekly_quantity) * tariff


def weekly_cost_cents(line: CostLine) -> int:
    """Cost to the budget of one week of a line: hourly minutes x tariff / 60; day parts and
    24-hour stays count x tariff; a fixed monthly wage as 12/52 of the wage."""
    return round_half_up(_weekly_exact(line))


def _clip(starts_on: dt.date, ends_on: dt.date | None, ended_on: dt.date | None,
          first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    a = max(starts_on, first)
    b = last
    for end in (ends_on, ended_on):
        if end is not None:
            b = min(b, end)
    return (a, b) if a <= b else None


def cost_by_grant_cents(lines: Iterable[CostLine], starts_on: dt.date, ends_on: dt.date | None,
                        first: dt.date, last: dt.date, *,
                        ended_on: dt.date | None = None) -> dict[int, int]:
    """Cost to each grant of a version's lines between `first` and `last` (inclusive), clipped
    to the version's period. Weekly cost x days / 7, rounded half up once per grant; a fixed
    monthly wage counts once for every calendar month the range touches."""
    span = _clip(starts_on, ends_on, ended_on, first, last)
    exact: dict[int, Decimal] = {}
    monthly: dict[int, int] = {}
    for line in lines:
        exact.setdefault(line.grant_id, Decimal(0))
        monthly.setdefault(line.grant_id, 0)
        if span is None:
            continue
        if line.unit == Unit.MAANDLOON:
            monthly[line.grant_id] += tariff_for_budget(line) * months_between(*span)
        else:
            days = (span[1] - span[0]).days + 1
            exact[line.grant_id] += _weekly_exact(line) * Decimal(days) / Decimal(7)
    return {gid: round_half_up(exact[gid]) + monthly[gid] for gid in exact}


def cost_between_cents(lines: Iterable[CostLine], starts_on: dt.date, ends_on: dt.date | None,
                       first: dt.date, last: dt.date, *, ended_on: dt.date | None = None) -> int:
    """Cost of a version between two dates (see cost_by_grant_cents), rounded once in total."""
    lines = list(lines)
    span = _clip(starts_on, ends_on, ended_on, first, last)
    if span is None:
        return 0
    days = (span[1] - span[0]).days + 1
    exact = sum((_weekly_exact(ln) * Decimal(days) / Decimal(7) for ln in lines
                 if ln.unit != Unit.MAANDLOON), Decimal(0))
    monthly = sum(tariff_for_budget(ln) * months_between(*span) for ln in lines
                  if ln.unit == Unit.MAANDLOON)
    return round_half_up(exact) + monthly

"""The hour sheet as a grid, for screens and paper: the month's days by week, and the kinds of
care of the agreement that governs that month (one column per kind of care and budget).

Read-only. It decides nothing about a sheet's validity: the claim rules judge the lines the
grid produces (a day in the future, a day outside the agreement, ...). It only lays them out.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.agreements.models import Agreement, AgreementVersion
from portal.agreements.periods import VersionPeriod, versions_in_month
from portal.budgets.constants import CareKind, Law, Unit
from portal.budgets.models import Grant, Member
from portal.claims.rules import PricedLine
from portal.dates import first_of_month, format_day, format_dutch, last_of_month, month_days
from portal.extensions import db
from portal.quantities import format_minutes, quantity_label

_CARE_ORDER = {kind.value: i for i, kind in enumerate(CareKind)}

@dataclass(frozen=True)
class Column:
    """One kind of care paid from one budget, with the agreed tariff and unit."""

    care_kind: str
    grant_id: int
    unit: Unit
    tariff_cents: int
    member_name: str
    law: str
    year: int

    @property
    def care_label(self) -> str:
        try:
            return CareKind(self.care_kind).label
        except ValueError:
            return str(self.care_kind)

    @property
    def budget_label(self) -> str:
        try:
            law = Law(self.law).label
        except ValueError:
            law = str(self.law)
        return f"{self.member_name}, {law} ({self.year})"

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def is_hours(self) -> bool:
        return Unit(self.unit) is Unit.UUR

    @property
    def key(self) -> tuple[str, int]:
        return (self.care_kind, self.grant_id)


@dataclass(frozen=True)
class Week:
    number: int  # ISO week number
    days: tuple[dt.date, ...]

    @property
    def label(self) -> str:
        first, last = self.days[0], self.days[-1]
        if first == last:
            return f"Week {self.number} ({format_day(first)})"
        return (f"Week {self.number} ({format_dutch(first, 'd MMMM')} "
                f"t/m {format_day(last)})")


def day_label(day: dt.date) -> str:
    """'ma 2 maart' (weekday abbreviated, for the row header)."""
    return format_dutch(day, "EEEEEE d MMMM")


def month_weeks(month: dt.date) -> list[Week]:
    """The days of the month grouped per ISO week (Monday to Sunday)."""
    return [Week(number, tuple(days)) for number, days
            in itertools.groupby(month_days(month), key=lambda day: day.isocalendar().week)]


def input_value(unit: Unit | str, quantity: int) -> str:
    """A stored quantity as the user types it: '2:15' for hours, '2' for a count."""
    return format_minutes(quantity) if Unit(unit) is Unit.UUR else str(quantity)


def sheet_columns(agreement: Agreement, month: dt.date,
                  extra: Iterable[tuple[str, int, str, int]] = ()) -> list[Column]:
    """The columns of the agreement's sheet for `month`, in two queries.

    The kinds of care of the approved version(s) governing a day of that month, on a grant whose
    period touches the month; when no approved version governs the month, those of the latest
    version (the rules then refuse the sheet, and the grid still shows what was agreed).
    Monthly wages are paid automatically and get no column. `extra`: (care_kind, grant_id,
    unit, tariff_cents) of lines already on a sheet, so stored lines always have a column.
    """
    month = first_of_month(month)
    last = last_of_month(month)
    versions = db.session.scalars(
        select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id)
        .options(selectinload(AgreementVersion.lines)).order_by(AgreementVersion.number)
    ).all()
    periods = [VersionPeriod(number=v.number, status=v.status, starts_on=v.starts_on,
                             ends_on=v.ends_on, ended_on=v.ended_on) for v in versions]
    numbers = {p.number for p in versions_in_month(periods, month)}
    governing = [v for v in versions if v.number in numbers]
    if not governing and versions:
        governing = [versions[-1]]

    wanted: dict[tuple[str, int], tuple[str, int]] = {}
    for version in governing:
        for line in version.lines:
            if line.unit == Unit.MAANDLOON:
                continue
            wanted.setdefault((line.care_kind, line.grant_id), (line.unit, line.tariff_cents))
    for care_kind, grant_id, unit, tariff in extra:
        wanted.setdefault((care_kind, grant_id), (unit, tariff))
    if not wanted:
        return []
    grant_ids = {gid for _kind, gid in wanted}
    grants = {g.id: (g, name) for g, name in db.session.execute(
        select(Grant, Member.name).join(Member, Member.id == Grant.member_id)
        .where(Grant.id.in_(grant_ids)))}
    extra_keys = {(kind, gid) for kind, gid, _u, _t in extra}
    columns = []
    for (care_kind, grant_id), (unit, tariff) in wanted.items():
        grant, member_name = grants[grant_id]
        touches = grant.period_start <= last and grant.period_end >= month
        if not touches and (care_kind, grant_id) not in extra_keys:
            continue
        columns.append(Column(care_kind=str(care_kind), grant_id=grant_id, unit=Unit(unit),
                              tariff_cents=tariff, member_name=member_name, law=str(grant.law),
                              year=grant.period_start.year))
    columns.sort(key=lambda c: (_CARE_ORDER.get(c.care_kind, 99), c.member_name, c.year,
                                c.grant_id))
    return columns


@dataclass(frozen=True)
class ColumnTotal:
    column: Column
    quantity: int
    amount_cents: int  # what the budget pays
    holder_cents: int = 0  # what the budget holder pays themselves (bijbetaling)

    @property
    def quantity_label(self) -> str:
        return quantity_label(self.column.unit, self.quantity)


def column_totals(columns: Sequence[Column], lines: Iterable[PricedLine]) -> list[ColumnTotal]:
    """Quantity, the budget's amount and the holder's own share per column, from priced lines."""
    sums = {c.key: [0, 0, 0] for c in columns}
    for line in lines:
        entry = sums.get((line.care_kind, line.grant_id))
        if entry is not None:
            entry[0] += line.quantity
            entry[1] += line.amount_cents
            entry[2] += line.holder_cents
    return [ColumnTotal(c, *sums[c.key]) for c in columns]

"""Maximum tariffs: the national table (Wlz) in code, funder maxima from the database on top;
and the statutory minimum hourly wage (the floor of a family agreement's tariff).

Pure: no Flask, no session. The service loads the MaxTariff rows and passes them in as
`TariffRow`s; `maximum_for` decides.

How a maximum is found for (law, year, informal, unit), in this order of sources:

1. rows of the grant's own funder (gemeenten set maxima for Wmo and Jeugdwet);
2. national rows in the database (MaxTariff with funder_id NULL), to add a year without a release;
3. the national table below (NATIONAL).

Within a funder's own rows, the entry of the year itself counts; when that year has no entry,
the entry of the latest EARLIER year holds (a gemeente's maxima stay in force until it sets new
ones). A later year never applies to an earlier one.

National maxima (the Wlz, NATIONAL_LAWS) change every 1 January and count only for their own
year: a year without national entries (in the table below or national MaxTariff rows) has no
maxima yet, and an agreement in that year is refused with that reason (missing_national_maxima;
agreements.rules.check_tariffs), never checked against another year's figures.

For informal care (the family model) the informal maximum applies (searched in all sources
first); when no source has an informal maximum for that unit, the formal maximum is the ceiling.
A stay of 24 hours (etmaal) under a national law without a maximum per etmaal of its own is
capped at 24 x the hourly maximum of the same source and kind: an etmaal counts as 24 hours, as
the claims' 24-hour check counts it. No entry anywhere means no maximum (e.g. Zvw, or a fixed
monthly wage), and the tariff is not capped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from portal.budgets.constants import MINUTES_PER_UNIT, Law, Unit

HOURS_PER_ETMAAL = MINUTES_PER_UNIT[Unit.ETMAAL] // 60


@dataclass(frozen=True)
class TariffRow:
    """One maximum: a row of the national table or a MaxTariff row (funder_id None: national)."""

    law: Law
    year: int
    informal: bool
    unit: Unit
    max_cents: int
    funder_id: int | None = None


@dataclass(frozen=True)
class Maximum:
    max_cents: int
    year: int  # the year of the entry that applies (may be earlier than asked: fallback)
    source: str  # "financier", "landelijk"
    informal: bool


def _national(law: Law, table: dict[int, dict[tuple[bool, Unit], int]]) -> list[TariffRow]:
    return [TariffRow(law, year, informal, unit, cents)
            for year, entries in table.items() for (informal, unit), cents in entries.items()]


# Wlz maxima (DOMAIN.md). Add a year here when the new table is published (every 1 January).
NATIONAL: tuple[TariffRow, ...] = tuple(_national(Law.WLZ, {
    2023: {(False, Unit.UUR): 7239, (False, Unit.DAGDEEL): 6664, (True, Unit.UUR): 2298},
    2024: {(False, Unit.UUR): 7700, (False, Unit.DAGDEEL): 7088, (True, Unit.UUR): 2444},
}))


# Laws whose maxima are set nationally for one calendar year at a time (DOMAIN.md).
NATIONAL_LAWS = frozenset({Law.WLZ})


def _latest(rows: Iterable[TariffRow], law: Law, year: int, informal: bool,
            unit: Unit, *, exact: bool = False) -> TariffRow | None:
    """The row of `year` itself, or (not exact) of the latest earlier year."""
    best = None
    for row in rows:
        matches = (row.law == law and row.unit == unit and row.informal == informal
                   and (row.year == year if exact else row.year <= year))
        if matches and (best is None or row.year > best.year):
            best = row
    return best


def missing_national_maxima(law: Law, year: int, db_rows: Iterable[TariffRow] = (),
                            national: Iterable[TariffRow] | None = None) -> bool:
    """True when `law` has national maxima but none are known for `year` yet (neither in the
    table in code nor as national MaxTariff rows): nothing can be checked against them."""
    if law not in NATIONAL_LAWS:
        return False
    known = [*(NATIONAL if national is None else national),
             *(r for r in db_rows if r.funder_id is None)]
    return not any(r.law == law and r.year == year for r in known)


def maximum_for(law: Law, year: int, unit: Unit, *, informal: bool, funder_id: int | None,
                db_rows: Iterable[TariffRow] = (),
                national: Iterable[TariffRow] | None = None) -> Maximum | None:
    """The maximum tariff (cents per unit) that applies, or None when there is none."""
    db_rows = list(db_rows)
    exact = law in NATIONAL_LAWS  # national maxima count only for their own year
    sources = [
        ("financier", [r for r in db_rows if funder_id is not None and r.funder_id == funder_id],
         False),
        ("landelijk", [r for r in db_rows if r.funder_id is None], exact),
        ("landelijk", list(NATIONAL if national is None else national), exact),
    ]
    for kind in (True, False) if informal else (False,):
        for name, rows, only_year in sources:
            row = _latest(rows, law, year, kind, unit, exact=only_year)
            if row is not None:
                return Maximum(row.max_cents, row.year, name, kind)
            if unit is Unit.ETMAAL and law in NATIONAL_LAWS:
                hourly = _latest(rows, law, year, kind, Unit.UUR, exact=only_year)
                if hourly is not None:
                    return Maximum(hourly.max_cents * HOURS_PER_ETMAAL, hourly.year, name, kind)
    return None


# ---------------------------------------------------------------------------------------------
# Statutory minimum hourly wage (wettelijk minimumuurloon)
# ---------------------------------------------------------------------------------------------

# The gross statutory minimum wage per hour for employees of 21 and older, from the day it
# applies. Source: Rijksoverheid, "Bedragen minimumloon" (rijksoverheid.nl, onderwerp
# Minimumloon), which publishes the new amount a few months before every 1 January and 1 July.
# CHECK AND EXTEND THIS TABLE EVERY HALF YEAR; until a new row is added the latest one holds.
# (Since 2024 the minimum wage is set per hour; there is no hourly amount before that.)
MINIMUM_HOURLY_WAGE: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2024, 1, 1), 1327),
    (dt.date(2024, 7, 1), 1368),
    (dt.date(2025, 1, 1), 1406),
    (dt.date(2025, 7, 1), 1440),
    (dt.date(2026, 1, 1), 1471),
)


@dataclass(frozen=True)
class MinimumWage:
    cents: int  # per hour
    since: dt.date


def minimum_wages(first: dt.date, last: dt.date | None,
                  table: Iterable[tuple[dt.date, int]] = MINIMUM_HOURLY_WAGE) -> list[MinimumWage]:
    """The minimum hourly wages that apply on some day from `first` to `last` (None: open-ended):
    the one in force on `first` and every later one that starts by `last`, oldest first."""
    rows = sorted(table)
    result = [MinimumWage(cents, since) for since, cents in rows if since <= first][-1:]
    result += [MinimumWage(cents, since) for since, cents in rows
               if first < since and (last is None or since <= last)]
    return result

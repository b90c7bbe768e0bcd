"""Version periods: which version of an agreement governs which day (used by claims, payments,
overview and the agreements themselves). Pure: plain data in, dates out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from portal.agreements.constants import (
    OPEN_STATUSES,
    VersionStatus,
)
from portal.dates import (
    first_of_month,
    last_of_month,
)

# Versions that were approved by the funder at some point (and so governed some days).
EVER_APPROVED = frozenset({VersionStatus.GOEDGEKEURD, VersionStatus.VERVANGEN,
                           VersionStatus.BEEINDIGD})


@dataclass(frozen=True)
class VersionPeriod:
    """What coverage needs to know of a version."""

    number: int
    status: VersionStatus
    starts_on: dt.date
    ends_on: dt.date | None
    ended_on: dt.date | None = None


def coverage(versions: Sequence[VersionPeriod]) -> list[tuple[VersionPeriod, dt.date, dt.date | None]]:
    """The days each approved version governs: (version, first day, last day or None).

    A later approved version takes over from its start date; the earlier one governs until
    the day before. Ending an agreement (ended_on) cuts the period short.
    """
    approved = sorted((v for v in versions if v.status in EVER_APPROVED), key=lambda v: v.number)
    result = []
    for i, v in enumerate(approved):
        last = v.ends_on
        if v.ended_on is not None:
            last = v.ended_on if last is None else min(last, v.ended_on)
        later = [w.starts_on for w in approved[i + 1:]]
        if later:
            cut = min(later) - dt.timedelta(days=1)
            last = cut if last is None else min(last, cut)
        if last is not None and last < v.starts_on:
            continue
        result.append((v, v.starts_on, last))
    return result


def version_for_day(versions: Sequence[VersionPeriod], day: dt.date) -> VersionPeriod | None:
    """The approved version that governs `day`, or None when no approved version covers it."""
    for v, first, last in coverage(versions):
        if first <= day and (last is None or day <= last):
            return v
    return None


def versions_in_month(versions: Sequence[VersionPeriod], month: dt.date) -> list[VersionPeriod]:
    """The approved versions that govern at least one day of `month`, earliest first (coverage
    gives each version days before the next one's), [] when none does."""
    first_day, last_day = first_of_month(month), last_of_month(month)
    return [v for v, first, last in coverage(versions)
            if first <= last_day and (last is None or last >= first_day)]


def last_day_of_care(versions: Sequence[VersionPeriod]) -> dt.date | None:
    """The last day an agreement covers, from its versions; None while it has no end (or a
    version is still on its way to approval, so it may go on). An agreement that never was
    approved and has nothing open any more covers no day: date.min."""
    if any(v.status in OPEN_STATUSES for v in versions):
        return None
    lasts = [last for _v, _first, last in coverage(versions)]
    if not lasts:
        return dt.date.min
    return None if None in lasts else max(last for last in lasts if last is not None)

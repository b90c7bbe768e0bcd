"""Pure decisions about care agreements: no Flask, no session. Plain data in, verdict out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from portal.agreements.constants import VersionStatus

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

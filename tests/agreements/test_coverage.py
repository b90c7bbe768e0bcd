"""Which approved versions govern which days: version_for_day and versions_in_month. No database."""

from __future__ import annotations

import datetime as dt

from portal.agreements.constants import VersionStatus
from portal.agreements.periods import VersionPeriod, version_for_day, versions_in_month

D = dt.date
S = VersionStatus


def v(number, starts_on, ends_on=None, status=S.GOEDGEKEURD, ended_on=None):
    return VersionPeriod(number, status, starts_on, ends_on, ended_on)


def numbers(versions, month):
    return [p.number for p in versions_in_month(versions, month)]


def test_a_change_takes_over_from_the_month_it_starts():
    versions = [v(1, D(2026, 1, 1), D(2026, 12, 31), S.VERVANGEN), v(2, D(2026, 4, 1))]
    assert numbers(versions, D(2026, 3, 1)) == [1]
    assert numbers(versions, D(2026, 4, 1)) == [2]
    assert numbers(versions, D(2026, 4, 17)) == [2]  # any day of the month names the month
    assert numbers(versions, D(2025, 12, 1)) == []
    assert version_for_day(versions, D(2026, 3, 31)).number == 1
    assert version_for_day(versions, D(2026, 4, 1)).number == 2


def test_a_month_with_two_versions_lists_both_earliest_first():
    """A version that ends in the middle of a month and the next one that starts there."""
    versions = [v(1, D(2026, 1, 1), D(2026, 12, 31), S.VERVANGEN), v(2, D(2026, 5, 15))]
    assert numbers(versions, D(2026, 5, 1)) == [1, 2]
    assert version_for_day(versions, D(2026, 5, 14)).number == 1


def test_only_approved_days_count():
    ended = [v(1, D(2026, 1, 1), status=S.BEEINDIGD, ended_on=D(2026, 3, 10))]
    assert numbers(ended, D(2026, 3, 1)) == [1]  # it governed 1 to 10 March
    assert numbers(ended, D(2026, 4, 1)) == []
    assert numbers([v(1, D(2026, 1, 1), status=S.CONCEPT)], D(2026, 1, 1)) == []
    late_start = [v(1, D(2026, 6, 20), D(2026, 6, 25))]
    assert numbers(late_start, D(2026, 6, 1)) == [1]  # neither the 1st nor the 30th: still June
    assert version_for_day(late_start, D(2026, 6, 1)) is None

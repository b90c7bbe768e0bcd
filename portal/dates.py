"""Dates in Europe/Amsterdam, and the month arithmetic the domain uses."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date

from portal.refusals import Refusal, Refused

# Fixed, not a setting: the pgb rules (deadlines, "the month is over", a payment date) are
# Dutch and count in Dutch days, wherever the server runs.
TIMEZONE_NAME = "Europe/Amsterdam"
TZ = ZoneInfo(TIMEZONE_NAME)


def now() -> dt.datetime:
    return dt.datetime.now(TZ)


def today() -> dt.date:
    return now().date()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> int:
    """Number of calendar months from start's month to end's month, inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_days(month: dt.date) -> list[dt.date]:
    first = first_of_month(month)
    return [first + dt.timedelta(days=i) for i in range(calendar.monthrange(first.year, first.month)[1])]


def parse_month(text: str, field: str = "maand") -> dt.date:
    """'2026-03' -> date(2026, 3, 1). Refuses anything else with a clear message."""
    try:
        year, month = str(text).strip().split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise Refused(Refusal("month_invalid", f"'{text}' is geen maand. Schrijf de maand als "
                              "JJJJ-MM, bijvoorbeeld 2026-03.", field)) from None


def parse_date(text: str, field: str = "datum") -> dt.date:
    """'2026-02-28' -> date. A date that does not exist (2026-02-30) is refused."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise Refused(Refusal("date_invalid", f"'{text}' is geen bestaande datum. Schrijf de datum "
                              "als JJJJ-MM-DD, bijvoorbeeld 2026-03-31.", field)) from None


def format_month(month: dt.date) -> str:
    return format_date(month, "MMMM yyyy", locale="nl_NL")


def format_day(day: dt.date) -> str:
    return format_date(day, "d MMMM yyyy", locale="nl_NL")

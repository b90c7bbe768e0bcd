"""Dates in Europe/Amsterdam, and the month arithmetic the domain uses."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

from babel.dates import format_date

from portal.refusals import Refusal, Refused, refuse_if

# Fixed, not a setting: the pgb rules (deadlines, "the month is over", a payment date) are
# Dutch and count in Dutch days, wherever the server runs.
TIMEZONE_NAME = "Europe/Amsterdam"
TZ = ZoneInfo(TIMEZONE_NAME)


def now() -> dt.datetime:
    """The portal's one clock, read at call time: every page, service and model asks it (or
    today()) for the time. Tests move it with time-machine (tests/conftest.py: travel, today_is)."""
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


# The days the portal handles at all, whoever types them (a form, a CSV, the command line, an
# address): pgb care of before 2000 is not paid now, and '31-12-9999' or '0001-01-01' is a
# typing error. Inside these the month arithmetic (a deadline, the next month) never leaves
# the calendar. Typed dates are held to a closer bound too: at most YEARS_AHEAD from today.
DATE_FLOOR = dt.date(2000, 1, 1)
DATE_CEILING = dt.date(2099, 12, 31)
YEARS_AHEAD = 10


def latest_date(today: dt.date) -> dt.date:
    """The latest day a person may type: YEARS_AHEAD years from today."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_date_range(day: dt.date | None, today: dt.date | None, field: str) -> list[Refusal]:
    """A typed date from 1 January 2000 up to YEARS_AHEAD years from today (today None: up to
    DATE_CEILING)."""
    if day is None:
        return []
    last = latest_date(today) if today is not None else DATE_CEILING
    if day < DATE_FLOOR or day > last:
        return [Refusal("date_out_of_range", f"De datum {format_day(day)} kan niet. Kies een datum "
                        f"tussen {format_day(DATE_FLOOR)} en {format_day(last)}.", field)]
    return []


def in_date_range(day: dt.date) -> bool:
    return DATE_FLOOR <= day <= DATE_CEILING


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def parse_month(text: str, field: str = "maand") -> dt.date:
    """'2026-03' -> date(2026, 3, 1). Refuses anything else ('2026-3' too), and months outside
    DATE_FLOOR .. DATE_CEILING, with a clear message. The one check of a typed month: the
    command line, the paper intake and the addresses of hour sheets all use it."""
    try:
        if not _MONTH.fullmatch(str(text).strip()):  # only 0-9: int() reads other digits too
            raise ValueError(text)
        year, month = str(text).strip().split("-")
        first = dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise Refused(Refusal("month_invalid", f"'{text}' is geen maand. Schrijf de maand als "
                              "JJJJ-MM, bijvoorbeeld 2026-03.", field)) from None
    if not in_date_range(first):
        raise Refused(Refusal("month_out_of_range", f"De maand {text} kan niet. Kies een maand "
                              f"van {format_month(DATE_FLOOR)} tot en met "
                              f"{format_month(DATE_CEILING)}.", field))
    return first


def parse_date(text: str, field: str = "datum") -> dt.date:
    """'2026-02-28' -> date. A date that does not exist (2026-02-30), or one outside DATE_FLOOR ..
    DATE_CEILING, is refused."""
    try:
        if not str(text).isascii():
            raise ValueError(text)
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise Refused(Refusal("date_invalid", f"'{text}' is geen bestaande datum. Schrijf de datum "
                              "als JJJJ-MM-DD, bijvoorbeeld 2026-03-31.", field)) from None
    refuse_if(check_date_range(day, None, field))
    return day


@functools.lru_cache(maxsize=8192)
def format_dutch(day: dt.date, pattern: str) -> str:
    """`day` written with a CLDR `pattern` in Dutch ("d MMMM yyyy"). Cached: the same few
    hundred days are written on every page, and babel looks up the locale each time."""
    return format_date(day, pattern, locale="nl_NL")


def format_month(month: dt.date) -> str:
    return format_dutch(month, "MMMM yyyy")


def format_day(day: dt.date) -> str:
    return format_dutch(day, "d MMMM yyyy")

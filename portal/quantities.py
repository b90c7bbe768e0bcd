"""Quantities as people type them, for every screen that takes them (the hour sheet, paper
intake, the hours of an agreement): hours as '2:15', '2,25', '2.25' or '2' become minutes, day
parts and 24-hour stays are a whole count.

One grammar. A screen says how many digits a whole number may have (`digits`: a day's cell
two, a week's quantity six) and words the refusal itself: QuantityError.code says why the text
is no quantity. Exponents, signs, 'Infinity' and the like are never a quantity, and more digits
than `digits` is refused before anything is converted (nothing that large reaches the
database). Whether the minutes are whole quarters, or the total fits a week, is for the rules.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

NEGATIVE = "negative"  # '-2'
TOO_LARGE = "too_large"  # more digits than the screen allows
NOT_HOURS = "not_hours"  # 'vier', '2:60', '1e3'
NOT_WHOLE_MINUTES = "not_whole_minutes"  # '2,33': 139,8 minutes
NOT_COUNT = "not_count"  # '1,5' day parts


class QuantityError(ValueError):
    """The typed text is no quantity: `code` says why, str() is the screen's Dutch message."""

    def __init__(self, code: str, message: str | None = None):
        super().__init__(message or code)
        self.code = code


@functools.cache
def _patterns(digits: int, one_digit_minutes: bool) -> tuple[re.Pattern[str], ...]:
    whole = rf"\d{{1,{digits}}}"
    minutes = r"\d{1,2}" if one_digit_minutes else r"\d\d"
    # re.ASCII: only 0-9 are digits here (int() would read other scripts' digits too).
    return (re.compile(rf"\d{{{digits + 1},}}(?:[.,:]\d*)?", re.ASCII),  # too many digits
            re.compile(rf"({whole}):({minutes})", re.ASCII),
            re.compile(rf"({whole})(?:[.,](\d{{1,2}}))?", re.ASCII),
            re.compile(whole, re.ASCII))


def _typed(text: str | None, digits: int) -> str | None:
    value = (text or "").strip()
    if not value:
        return None
    if value.startswith("-"):
        raise QuantityError(NEGATIVE)
    if _patterns(digits, False)[0].fullmatch(value):
        raise QuantityError(TOO_LARGE)
    return value


def parse_minutes(text: str | None, *, digits: int, one_digit_minutes: bool = False) -> int | None:
    """'2:15', '2,25', '2.25', '2' -> minutes (135, 135, 135, 120); empty -> None.

    one_digit_minutes: '2:5' is 2:05 (else the minutes after the colon are two digits). A
    decimal with at most two decimals must be a whole number of minutes ('2,1' is 126, '2,33'
    is refused). Anything else raises QuantityError.
    """
    value = _typed(text, digits)
    if value is None:
        return None
    _too_long, clock_pattern, decimal_pattern, _count = _patterns(digits, one_digit_minutes)
    clock = clock_pattern.fullmatch(value)
    if clock:
        if int(clock.group(2)) >= 60:
            raise QuantityError(NOT_HOURS)
        return int(clock.group(1)) * 60 + int(clock.group(2))
    decimal = decimal_pattern.fullmatch(value)
    if decimal:
        minutes = Decimal(f"{decimal.group(1)}.{decimal.group(2) or '0'}") * 60
        if minutes != minutes.to_integral_value():
            raise QuantityError(NOT_WHOLE_MINUTES)
        return int(minutes)
    raise QuantityError(NOT_HOURS)


def parse_count(text: str | None, *, digits: int) -> int | None:
    """'2' -> 2 (day parts or 24-hour stays); empty -> None; anything else: QuantityError."""
    value = _typed(text, digits)
    if value is None:
        return None
    if not _patterns(digits, False)[3].fullmatch(value):
        raise QuantityError(NOT_COUNT)
    return int(value)


# ---------------------------------------------------------------------------------------------
# Quantities in words, for every screen and paper document
# ---------------------------------------------------------------------------------------------

# The unit values of portal.budgets.constants.Unit whose quantity is minutes (hourly care and a
# fixed wage's hours); the others are a count of day parts or 24-hour stays.
MINUTE_UNITS = frozenset({"uur", "maandloon"})
UNIT_WORDS = {"dagdeel": ("dagdeel", "dagdelen"), "etmaal": ("etmaal", "etmalen")}  # (one, many)


def format_minutes(minutes: int) -> str:
    """135 -> '2:15'."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def quantity_label(unit: str, quantity: int, *, per_week: bool = False) -> str:
    """'2:15 uur', '1 dagdeel', '3 etmalen' (with per_week: '... per week')."""
    unit = str(getattr(unit, "value", unit))
    if unit in MINUTE_UNITS:
        text = f"{format_minutes(quantity)} uur"
    else:
        one, many = UNIT_WORDS.get(unit, ("", ""))
        text = f"{quantity} {one if quantity == 1 else many}".strip()
    return f"{text} per week" if per_week else text

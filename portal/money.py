"""Money as integer cents. No float ever touches an amount.

One rounding helper (half up) for the places where quantity x tariff makes fractions of a
cent; formatting only at the edge (templates, PDFs) through Babel in nl_NL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

from portal.refusals import Refusal, Refused


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_times_tariff(minutes: int, tariff_cents_per_hour: int) -> int:
    """Amount in cents for `minutes` of care at an hourly tariff, rounded half up."""
    return round_half_up(Decimal(minutes) * Decimal(tariff_cents_per_hour) / Decimal(60))


def spread_minutes_times_tariff(minutes: Sequence[int], tariff_cents_per_hour: int) -> list[int]:
    """One agreement line of one month: the total of `minutes` x the hourly tariff, rounded
    half up ONCE (minutes_times_tariff of the summed minutes), spread over the days in their
    order by cumulative rounding: day k gets round(first k days) - round(first k-1 days).
    The days add up to exactly the once-rounded total, and none is negative."""
    amounts, done, running = [], 0, 0
    for m in minutes:
        running += m
        cumulative = minutes_times_tariff(running, tariff_cents_per_hour)
        amounts.append(cumulative - done)
        done = cumulative
    return amounts


def percentage_of(cents: int, percent: Decimal) -> int:
    return round_half_up(Decimal(cents) * percent / Decimal(100))


# The highest amount a person types anywhere in the portal (a tariff, a grant, an allowance):
# far above any real pgb amount, so more is a typing error (a zero too many). It also keeps
# every amount well inside the database's 64-bit integers.
AMOUNT_MAX_CENTS = 100_000_000  # EUR 1,000,000

_AMOUNT = re.compile(r"^[+-]?\d+(?:\.\d+)?$", re.ASCII)  # only 0-9 are digits


def parse_euros(text: str, field: str = "bedrag", *, maximum_cents: int = AMOUNT_MAX_CENTS) -> int:
    """'1.234,56', '1234.56', '€ 12' -> cents. Refuses what is not an amount, and an amount
    above `maximum_cents` (EUR 1,000,000 unless the caller says less)."""
    cleaned = str(text).replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not _AMOUNT.match(cleaned):
        raise Refused(Refusal("amount_invalid", f"'{_shown(text)}' is geen bedrag. Schrijf het bedrag "
                              "als 1234,56.", field))
    value = Decimal(cleaned)
    # The maximum first: a very long number would not fit Decimal's precision below.
    if abs(value) * 100 > maximum_cents:
        raise Refused(Refusal("amount_too_large", f"'{_shown(text)}' is meer dan "
                              f"{format_euro(maximum_cents)}, het hoogste bedrag dat u hier kunt "
                              "invullen. Controleer of er geen nul te veel staat.", field))
    if value != value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise Refused(Refusal("amount_invalid", f"'{_shown(text)}' is geen bedrag in hele centen. "
                              "Schrijf het bedrag als 1234,56.", field))
    return int(value * 100)


def _shown(text: str, limit: int = 30) -> str:
    """What the user typed, shortened for a message."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "..."


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / Decimal(100)).quantize(Decimal("0.01"))


def format_euro(cents: int | None) -> str:
    if cents is None:
        return ""
    return _format_euro(int(cents))


@functools.lru_cache(maxsize=65_536)
def _format_euro(cents: int) -> str:
    """Babel's formatting is ~0.25 ms a call; pages and the payment run show the same amounts
    again and again (tariffs, sheet totals), so each is formatted once."""
    return format_currency(cents_to_decimal(cents), "EUR", locale="nl_NL")

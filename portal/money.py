"""Money as integer cents. No float ever touches an amount.

One rounding helper (half up) for the places where quantity x tariff makes fractions of a
cent; formatting only at the edge (templates, PDFs) through Babel in nl_NL.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

from portal.refusals import Refusal, Refused


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_times_tariff(minutes: int, tariff_cents_per_hour: int) -> int:
    """Amount in cents for `minutes` of care at an hourly tariff, rounded half up."""
    return round_half_up(Decimal(minutes) * Decimal(tariff_cents_per_hour) / Decimal(60))


def percentage_of(cents: int, percent: Decimal) -> int:
    return round_half_up(Decimal(cents) * percent / Decimal(100))


def parse_euros(text: str, field: str = "bedrag") -> int:
    """'1.234,56', '1234.56', '€ 12' -> cents. Refuses what is not an amount."""
    cleaned = str(text).replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise Refused(Refusal("amount_invalid", f"'{text}' is geen bedrag. Schrijf het bedrag "
                              "als 1234,56.", field)) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise Refused(Refusal("amount_invalid", f"'{text}' is geen bedrag in hele centen. "
                              "Schrijf het bedrag als 1234,56.", field))
    return int(value * 100)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / Decimal(100)).quantize(Decimal("0.01"))


def format_euro(cents: int | None) -> str:
    if cents is None:
        return ""
    return format_currency(cents_to_decimal(cents), "EUR", locale="nl_NL")

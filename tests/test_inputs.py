"""Shared input parsing: dates, months, amounts, identifiers. Each refusal and its boundary."""

import datetime as dt
from decimal import Decimal

import pytest

from portal import dates, identifiers, money
from portal.refusals import Refused


def test_a_date_that_does_not_exist_is_refused():
    with pytest.raises(Refused) as refused:
        dates.parse_date("2026-02-29")
    assert refused.value.codes == ["date_invalid"]
    assert "2026-02-29" in refused.value.refusals[0].message
    assert dates.parse_date("2028-02-29") == dt.date(2028, 2, 29)  # a leap day does exist


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "maart", "", "2026/03"])
def test_a_month_that_does_not_exist_is_refused(text):
    with pytest.raises(Refused) as refused:
        dates.parse_month(text)
    assert refused.value.codes == ["month_invalid"]


def test_month_parsing_and_arithmetic():
    assert dates.parse_month("2026-12") == dt.date(2026, 12, 1)
    assert dates.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert dates.add_months(dt.date(2026, 11, 15), -10) == dt.date(2026, 1, 15)
    assert dates.months_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 12
    assert len(dates.month_days(dt.date(2026, 2, 1))) == 28


@pytest.mark.parametrize("text, cents", [("1.234,56", 123456), ("1234.56", 123456), ("€ 12", 1200),
                                         ("0,01", 1)])
def test_amounts_are_parsed_into_cents(text, cents):
    assert money.parse_euros(text) == cents


@pytest.mark.parametrize("text", ["twaalf", "1,234", "12.345,678", "NaN", "inf", "1e5", "1E+2"])
def test_amounts_that_are_not_whole_cents_are_refused(text):
    with pytest.raises(Refused) as refused:
        money.parse_euros(text)
    assert refused.value.codes == ["amount_invalid"]


@pytest.mark.parametrize("text", ["1.000.000,01", "99999999999999999999", "-1000000,01",
                                  "9" * 500])
def test_amounts_above_one_million_euros_are_refused(text):
    """A person never types more than EUR 1,000,000 (and never more than the database holds)."""
    with pytest.raises(Refused) as refused:
        money.parse_euros(text, "tarief")
    assert refused.value.codes == ["amount_too_large"]
    assert refused.value.refusals[0].field == "tarief"
    assert "nul te veel" in refused.value.refusals[0].message


def test_the_maximum_amount_itself_is_accepted_and_a_caller_may_ask_less():
    assert money.parse_euros("1.000.000,00") == money.AMOUNT_MAX_CENTS == 100_000_000
    assert money.parse_euros("500,00", maximum_cents=50_000) == 50_000
    with pytest.raises(Refused) as refused:
        money.parse_euros("500,01", maximum_cents=50_000)
    assert refused.value.codes == ["amount_too_large"]


def test_rounding_is_half_up_and_never_float():
    assert money.minutes_times_tariff(15, 2444) == 611  # 611.0
    assert money.minutes_times_tariff(1, 30) == 1  # 0.5 cent rounds up
    assert money.minutes_times_tariff(1, 29) == 0  # 0.48 cent rounds down
    assert money.percentage_of(1_666_700, Decimal("1.5")) == 25_001  # 25000.5 -> up
    assert money.format_euro(123456) == "€\u00a01.234,56"


def test_bsn_eleven_test():
    assert identifiers.check_bsn("111222333") == ("111222333", [])
    value, refusals = identifiers.check_bsn("111222334")
    assert value is None and [r.code for r in refusals] == ["bsn_invalid"]
    assert identifiers.mask_bsn("111222333") == "*****333"


def test_iban_check():
    assert identifiers.check_iban("NL91 ABNA 0417 1643 00")[0] == "NL91ABNA0417164300"
    value, refusals = identifiers.check_iban("NL91ABNA0417164301")
    assert value is None and [r.code for r in refusals] == ["iban_invalid"]


@pytest.mark.parametrize("check, code", [(identifiers.check_kvk, "kvk_invalid"),
                                         (identifiers.check_agb, "agb_invalid")])
def test_kvk_and_agb_have_eight_digits(check, code):
    assert check("1234 5678")[0] == "12345678"
    for bad in ("1234567", "123456789", "1234567a"):
        assert [r.code for r in check(bad)[1]] == [code]

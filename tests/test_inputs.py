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


@pytest.mark.parametrize("text, code", [("0001-01-01", "date_out_of_range"),
                                        ("1999-12-31", "date_out_of_range"),
                                        ("2100-01-01", "date_out_of_range"),
                                        ("9999-12-31", "date_out_of_range"),
                                        ("\u0662\u0660\u0662\u0666-01-01", "date_invalid")])
def test_a_date_outside_the_portals_days_is_refused(text, code):
    with pytest.raises(Refused) as refused:
        dates.parse_date(text)
    assert refused.value.codes == [code]
    assert dates.parse_date("2000-01-01") == dates.DATE_FLOOR
    assert dates.parse_date("2099-12-31") == dates.DATE_CEILING


@pytest.mark.parametrize("text, code", [("0000-01", "month_invalid"), ("1999-12", "month_out_of_range"),
                                        ("2100-01", "month_out_of_range"),
                                        ("9999-12", "month_out_of_range"),
                                        ("\u0662\u0660\u0662\u0666-01", "month_invalid")])
def test_a_month_outside_the_portals_months_is_refused(text, code):
    with pytest.raises(Refused) as refused:
        dates.parse_month(text)
    assert refused.value.codes == [code]
    assert dates.parse_month("2000-01") == dates.DATE_FLOOR
    assert dates.parse_month("2099-12") == dt.date(2099, 12, 1)


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


@pytest.mark.parametrize("typed", ["1" * 5000, "1112\x0022333", "\u0661\u0661\u0661222333",
                                   "111222333x", "1112223330", "111 222 33²"])
def test_a_bsn_is_nine_plain_digits(typed):
    assert identifiers.check_bsn(typed)[0] is None
    assert identifiers.check_bsn("111.222.333")[0] == identifiers.check_bsn("111 222 333")[0] \
        == "111222333"


@pytest.mark.parametrize("typed", ["NL" + "9" * 5000, "NL91ABNA0417164300\x00", "NL91ABNA٠٤١٧١٦٤٣٠٠"])
def test_an_absurd_iban_is_refused_not_a_crash(typed):
    value, refusals = identifiers.check_iban(typed)
    assert value is None and [r.code for r in refusals] == ["iban_invalid"]


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


def test_every_date_field_reads_what_a_person_types_and_refuses_days_the_portal_does_not_handle(
        app):
    from werkzeug.datastructures import MultiDict

    from portal.forms import DATE_MESSAGE, BaseForm, DutchDateField

    class DayForm(BaseForm):
        class Meta:
            csrf = False

        day = DutchDateField("Dag")

    with app.test_request_context():
        for typed in ("2026-12-31", "31-12-2026", "31/12/2026"):  # date picker, or by hand
            form = DayForm(formdata=MultiDict({"day": typed}))
            assert form.validate() and form.day.data == dt.date(2026, 12, 31)
        for typed, message in (("2026-02-30", DATE_MESSAGE), ("kerst", DATE_MESSAGE),
                               ("9999-12-31", "De datum 31 december 9999 kan niet. Kies een datum "
                                              "tussen 1 januari 2000 en 31 december 2099."),
                               ("0001-01-01", "De datum 1 januari 0001 kan niet")):
            form = DayForm(formdata=MultiDict({"day": typed}))
            assert not form.validate() and form.day.data is None
            assert form.day.errors[0].startswith(message), form.day.errors
            assert f'value="{typed}"' in form.day()  # what was typed is shown again


@pytest.mark.parametrize("typed, kept", [
    ("\u200b", ""), (" \u200bAnna\u200d Jansen\ufeff ", "Anna Jansen"), ("\u202eabc", "abc"),
    ("regel 1\nregel 2\tmet tab", "regel 1\nregel 2\tmet tab"), ("\x07bel", "bel"),
    ("José Ørsted-Ñuñez", "José Ørsted-Ñuñez"), (None, None),
])
def test_typed_text_loses_invisible_characters_and_outer_spaces(typed, kept):
    from portal.text import clean_text

    assert clean_text(typed) == kept


@pytest.mark.parametrize("email, code", [
    ("naam@voorbeeld.nl", None), ("Anna.Jansen+pgb@demo.pgb", None),
    ("a@b.nl,c@d.nl", "email_invalid"), ("a@[127.0.0.1]", "email_invalid"),
    ("geen-adres", "email_invalid"), ("a b@c.nl", "email_invalid"), ("a@localhost", "email_invalid"),
    ("a" * 250 + "@b.nl", "email_too_long"),
])
def test_one_rule_for_an_email_address(email, code):
    from portal.access.rules import check_email

    assert [r.code for r in check_email(email)] == ([code] if code else [])


def test_every_text_field_is_cleaned_before_its_checks_and_passwords_are_not(client, login, db):
    from sqlalchemy import func, select

    from portal.access.constants import Role
    from portal.access.models import User
    from tests import factories as f

    login(f.make_user(Role.BEHEERDER))
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/betaalkantoor/inlogaccounts/nieuw", data={
        "name": "\u200b", "email": "a@b.nl,c@d.nl", "role": "beheerder"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error">Vul een naam in.' in page
    assert 'id="email-error">Vul een geldig e-mailadres in' in page
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    # A password keeps what was typed, spaces and all (it is never shown or cleaned).
    holder = f.make_user(Role.BUDGETHOUDER)
    login(holder)
    spaced = "  met spaties\u200b  "
    client.post("/account/wachtwoord", data={"current": f.PASSWORD, "password": spaced,
                                             "repeat": spaced})
    from portal.access.service import verify_password

    assert verify_password(holder, spaced) and not verify_password(holder, spaced.strip())


# --------------------------------------------------------------------------- three-field date


def _date_form(app, data):
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import InputRequired

    from portal.forms import BaseForm, DatePartsField

    class F(BaseForm):
        class Meta:
            csrf = False

        day = DatePartsField("Eerste dag van de zorg", validators=[InputRequired("Vul in.")])

    with app.test_request_context():
        form = F(formdata=MultiDict(data))
        return form, form.validate(), str(form.day(hint="Bijvoorbeeld 1 3 2026."))


def test_a_date_in_three_fields_is_read_and_kept(app):
    import datetime as dt

    form, valid, html = _date_form(app, {"day-dag": "1", "day-maand": "3", "day-jaar": "2026"})
    assert valid and form.day.data == dt.date(2026, 3, 1)
    assert '<legend class="label">Eerste dag van de zorg</legend>' in html
    for part, label in (("dag", "Dag"), ("maand", "Maand"), ("jaar", "Jaar")):
        assert f'<label class="label" for="day-{part}">{label}</label>' in html
        assert f'name="day-{part}" type="text" inputmode="numeric"' in html
    assert 'type="date"' not in html and 'value="3"' in html


def test_a_date_in_three_fields_that_does_not_exist_is_refused_with_what_was_typed(app):
    form, valid, html = _date_form(app, {"day-dag": "31", "day-maand": "2", "day-jaar": "2026"})
    assert not valid and form.day.errors == ["Vul een bestaande datum in, bijvoorbeeld 31-12-2026."]
    assert 'value="31"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="day-hint day-error"' in html
    empty, valid, _html = _date_form(app, {"day-dag": "", "day-maand": "", "day-jaar": ""})
    assert not valid and empty.day.errors == ["Vul in."]


def test_a_date_in_one_field_is_still_read(app):
    import datetime as dt

    form, valid, _html = _date_form(app, {"day": "1-3-2026"})
    assert valid and form.day.data == dt.date(2026, 3, 1)

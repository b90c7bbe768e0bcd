"""The portal's own fields (portal.forms): EuroField and QuantityField parse what people type
with the one parser of each (portal.money, portal.quantities) and say in Dutch what is wrong;
line forms in a FieldList carry the rules' field names, so a rule's refusal of a line lands on
its field without a mapping."""

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import FormField
from wtforms.validators import InputRequired

from portal.forms import (
    DATE_MESSAGE,
    BaseForm,
    DatePartsField,
    EuroField,
    LineForm,
    LineList,
    QuantityField,
    apply_refusals,
)
from portal.refusals import Refusal


class AmountForm(BaseForm):
    class Meta:
        csrf = False

    amount = EuroField("Bedrag")


class HoursForm(BaseForm):
    class Meta:
        csrf = False

    quantity = QuantityField("Per week")


class Line(LineForm):
    tariff_cents = EuroField("Tarief")
    weekly_quantity = QuantityField("Per week")


class LinesForm(BaseForm):
    class Meta:
        csrf = False

    lines = LineList(FormField(Line), min_entries=2)


def _amount(app, typed):
    with app.test_request_context(method="POST"):
        form = AmountForm(formdata=MultiDict({"amount": typed}))
        valid = form.validate()
        return valid, form.amount.data, form.amount.errors, form.amount._value()


@pytest.mark.parametrize("typed, cents", [
    ("22,98", 2298), ("1.234,50", 123450), ("€ 5", 500), ("12", 1200), ("0,05", 5),
])
def test_euro_field_reads_dutch_amounts_as_cents(app, typed, cents):
    valid, data, errors, shown = _amount(app, typed)
    assert (valid, data, errors) == (True, cents, [])
    assert shown == typed  # what was typed is shown again


@pytest.mark.parametrize("typed, message", [
    ("veel", "'veel' is geen bedrag. Schrijf het bedrag als 1234,56."),
    ("1,234", "is geen bedrag in hele centen"),
    ("99999999999999999999", "het hoogste bedrag dat u hier kunt invullen"),
])
def test_euro_field_refuses_what_is_no_amount_in_dutch_and_keeps_the_text(app, typed, message):
    valid, data, errors, shown = _amount(app, typed)
    assert valid is False and data is None
    assert len(errors) == 1 and message in errors[0]
    assert shown == typed


def test_euro_field_empty_is_none_and_shows_cents_as_an_amount(app):
    assert _amount(app, "")[:3] == (True, None, [])
    with app.test_request_context():
        form = AmountForm(formdata=None, data={"amount": 6050})
        assert form.amount._value() == "60,50"


def _quantity(app, typed, unit):
    with app.test_request_context(method="POST"):
        form = HoursForm(formdata=MultiDict({"quantity": typed}))
        form.quantity.unit = unit
        valid = form.validate()
        return valid, form.quantity.data, form.quantity.errors


@pytest.mark.parametrize("typed, unit, quantity", [
    ("2:30", "uur", 150), ("2,5", "uur", 150), ("2", "uur", 120), ("2:5", "uur", 125),
    ("3", "dagdeel", 3), ("1", "etmaal", 1), ("160:00", "maandloon", 9600),
])
def test_quantity_field_reads_hours_as_minutes_and_counts_as_counts(app, typed, unit, quantity):
    assert _quantity(app, typed, unit) == (True, quantity, [])


@pytest.mark.parametrize("typed, unit, message", [
    ("vier", "uur", "Schrijf de uren als uren:minuten"),
    ("2:60", "uur", "Schrijf de uren als uren:minuten"),
    ("-2", "uur", "Het aantal uren kan niet negatief zijn."),
    ("2,5", "dagdeel", "Vul een heel getal in"),
    ("99999999999", "etmaal", "Dit getal is te groot."),
])
def test_quantity_field_refuses_in_dutch(app, typed, unit, message):
    valid, data, errors = _quantity(app, typed, unit)
    assert valid is False and data is None
    assert errors and message in errors[0]


def test_rule_refusals_of_lines_land_on_the_line_fields_without_a_mapping(app):
    with app.test_request_context(method="POST"):
        form = LinesForm(formdata=MultiDict({
            "lines-0-tariff_cents": "60,00", "lines-0-weekly_quantity": "4:00",
            "lines-1-tariff_cents": "700,00", "lines-1-weekly_quantity": "2"}))
        assert form.validate()
        assert [e.tariff_cents.data for e in form.lines] == [6000, 70000]
        general = apply_refusals(form, [
            Refusal("tariff_too_high", "Een tarief van meer dan € 500,00 kan niet.",
                    "lines-1-tariff_cents"),
            Refusal("no_lines", "Kies minstens één soort zorg.", "lines"),
        ])
        assert form.lines[1].tariff_cents.errors == ["Een tarief van meer dan € 500,00 kan niet."]
        assert not form.lines[0].tariff_cents.errors
        assert general == ["Kies minstens één soort zorg."]
        html = render_template_string(
            '{% from "macros/forms.html" import error_summary, field %}'
            '{{ error_summary(form) }}{{ field(form.lines[1].tariff_cents) }}', form=form)
    assert ('<a href="#lines-1-tariff_cents">Een tarief van meer dan € 500,00 kan niet.</a>'
            in html)
    assert 'id="lines-1-tariff_cents-error"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="lines-1-tariff_cents-error"' in html
    assert 'value="700,00"' in html


def test_lines_counted_by_the_rules_land_on_the_rows_they_came_from(app):
    """A form with more rows than lines (a row per kind of care, only the ticked ones are
    lines): `lines` says which row each line of the rules is."""

    class Rows(BaseForm):
        class Meta:
            csrf = False

        a = FormField(Line)
        b = FormField(Line)
        c = FormField(Line)

    with app.test_request_context(method="POST"):
        form = Rows(formdata=MultiDict({"b-tariff_cents": "1,00", "c-tariff_cents": "2,00"}))
        general = apply_refusals(form, [Refusal("low", "Te laag.", "lines-1-tariff_cents"),
                                        Refusal("odd", "Buiten de rij.", "lines-5-unit")],
                                 lines=[form.b, form.c])
        assert form.c.tariff_cents.errors == ["Te laag."]
        assert not form.b.tariff_cents.errors and not form.a.tariff_cents.errors
        assert general == ["Buiten de rij."]


def test_line_i_of_the_form_is_line_i_whatever_was_posted(app):
    """A line that was not sent stays empty (not filled with the next line's text), one too
    many is not read."""
    with app.test_request_context(method="POST"):
        form = LinesForm(formdata=MultiDict({"lines-1-tariff_cents": "7,00",
                                             "lines-5-tariff_cents": "9,00"}))
        form.validate()
        assert [e.name for e in form.lines] == ["lines-0", "lines-1"]
        assert [e.tariff_cents.data for e in form.lines] == [None, 700]


def test_only_spaces_is_nothing_typed_and_a_required_line_says_so(app):
    from wtforms.validators import InputRequired

    class Required(LineForm):
        tariff_cents = EuroField("Tarief", validators=[InputRequired("Vul het tarief in.")])
        weekly_quantity = QuantityField("Per week", validators=[InputRequired("Vul in hoeveel.")])

    with app.test_request_context(method="POST"):
        form = Required(formdata=MultiDict({"tariff_cents": "  ", "weekly_quantity": " "}))
        assert not form.validate()
        assert form.tariff_cents.errors == ["Vul het tarief in."]
        assert form.weekly_quantity.errors == ["Vul in hoeveel."]


# ---------------------------------------------------------------------------------------------
# Dates: three fields (dag, maand, jaar) on every page, never a browser date picker
# ---------------------------------------------------------------------------------------------

PORTAL = Path(__file__).resolve().parents[2] / "portal"
# A date field made in a form of the portal: the browser shows <input type="date"> (mm/dd/yyyy
# in an English browser) under a Dutch "Bijvoorbeeld 1-3-2026" hint.
DATE_PICKER = re.compile(r"\b(DutchDateField|DateField|DateTimeField)\(")


def test_no_form_a_person_fills_in_offers_a_browser_date_picker():
    """Every date a person types is a DatePartsField (portal.forms): the one home of a date
    field; DutchDateField stays only as its base there."""
    found = [f"{path.relative_to(PORTAL)}:{n}: {line.strip()}"
             for path in sorted(PORTAL.rglob("*.py")) if path != PORTAL / "forms.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DATE_PICKER.search(line)]
    assert found == []


class DayForm(BaseForm):
    class Meta:
        csrf = False

    day = DatePartsField("Ontvangen op", validators=[InputRequired("Vul de dag in.")])


def _field_macro(form, hint):
    return render_template_string(
        '{% from "macros/forms.html" import field %}{{ field(form.day, hint=hint) }}',
        form=form, hint=hint)


def test_the_field_macro_shows_a_date_as_dag_maand_jaar_with_its_hint_once(app):
    """Pages call field(form.x, hint=...) for a date too: one fieldset with the label as
    legend, the hint and the error once, three text inputs, and no date picker."""
    with app.test_request_context(method="POST"):
        form = DayForm(formdata=MultiDict({"day-dag": "31", "day-maand": "2", "day-jaar": "2026"}))
        assert not form.validate()
        html = _field_macro(form, "Bijvoorbeeld 20 7 2026.")
    assert 'type="date"' not in html
    assert html.count("<fieldset") == 1 and '<legend class="label">Ontvangen op</legend>' in html
    assert '<label class="label" for="day">' not in html  # no label for a control that is not there
    assert html.count("Bijvoorbeeld 20 7 2026.") == 1
    assert html.count(DATE_MESSAGE) == 1 and 'href' not in html
    assert html.count('aria-invalid="true"') == 3 and 'value="31"' in html


def test_a_date_a_view_sets_after_making_the_form_is_shown_in_the_three_fields(app):
    with app.test_request_context():
        form = DayForm(formdata=None)
        form.day.data = dt.date(2026, 7, 20)
        html = _field_macro(form, None)
    assert all(f'name="day-{part}" type="text" inputmode="numeric" size="{size}" '
               f'maxlength="{size}" autocomplete="off" value="{value}"' in html
               for part, size, value in (("dag", 2, "20"), ("maand", 2, "7"), ("jaar", 4, "2026")))


def test_a_date_posted_in_one_field_is_read_as_before(app):
    """Clients and tests that post <name>=2026-07-20 (or 20-7-2026) keep working."""
    for typed in ("2026-07-20", "20-7-2026"):
        with app.test_request_context(method="POST"):
            form = DayForm(formdata=MultiDict({"day": typed}))
            assert form.validate() and form.day.data == dt.date(2026, 7, 20)


@pytest.mark.parametrize("typed", ["2026-02-30", "30-2-2026"])
def test_no_date_posted_in_one_field_is_shown_again_as_typed_in_the_three_fields(app, typed):
    with app.test_request_context(method="POST"):
        form = DayForm(formdata=MultiDict({"day": typed}))
        assert not form.validate() and form.day.errors == [DATE_MESSAGE]
        html = _field_macro(form, None)
    assert 'value="30"' in html and 'value="2026"' in html

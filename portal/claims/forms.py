"""Forms of the hour-sheet screens. Parsing only: the claim rules judge the sheet.

The sheet grid is a form built per agreement and month (`sheet_form`): one text input per day
and column. Hours are typed as "2:15", "2,25" or "2.25" and become minutes here; day parts and
24-hour stays are typed as a count. Anything else is refused on that cell, in Dutch. A day in the
future or outside the agreement is refused by the rules (claims.rules), not here.

`parse_hours` and `parse_count` are usable by any screen that takes hours (paper intake too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import quantities
from portal.budgets.constants import Unit
from portal.claims.grid import Column, day_label, input_value
from portal.claims.rules import LineInput, is_draft_month, month_deadline
from portal.dates import add_months, first_of_month, format_day, format_month
from portal.forms import BaseForm

HOURS_HELP = "Schrijf de uren als 2:15 of 2,25 (twee uur en een kwartier)."
DIGITS = 2  # a day's cell: at most 24 hours, or a handful of day parts


def parse_hours(text: str | None) -> int | None:
    """'2:15', '2,25', '2.25', '2' -> minutes (135, 135, 135, 120). Empty -> None.

    Raises ValueError with a Dutch message for anything else, and for a decimal that is not a
    whole number of minutes (e.g. 2,33). Whether the minutes are whole quarters is the rules'
    check (claims.rules.check_quantity), so every channel says the same. The grammar is
    portal.quantities' (two digits, minutes after a colon in two digits).
    """
    try:
        return quantities.parse_minutes(text, digits=DIGITS)
    except quantities.QuantityError as error:
        typed = (text or "").strip()
        if error.code == quantities.NOT_WHOLE_MINUTES:
            message = (f"'{typed}' is geen heel aantal minuten. Schrijf uren in kwartieren, "
                       "bijvoorbeeld 2:15 of 2,25.")
        else:
            message = f"'{typed}' is geen aantal uren. {HOURS_HELP}"
        raise quantities.QuantityError(error.code, message) from None


def parse_count(text: str | None) -> int | None:
    """'2' -> 2 (day parts or 24-hour stays). Empty -> None. Anything else: ValueError."""
    try:
        return quantities.parse_count(text, digits=DIGITS)
    except quantities.QuantityError as error:
        raise quantities.QuantityError(
            error.code, f"'{(text or '').strip()}' is geen aantal. Vul een heel getal in, "
                        "bijvoorbeeld 1 of 2.") from None


def parse_quantity(unit: Unit | str, text: str | None) -> int | None:
    return parse_hours(text) if Unit(unit) is Unit.UUR else parse_count(text)


class _Quantity:
    """Field validator: the cell must parse as hours (or a count) for its column."""

    def __init__(self, unit: Unit):
        self.unit = unit

    def __call__(self, form, field) -> None:
        try:
            field.quantity = parse_quantity(self.unit, field.data)
        except ValueError as error:
            field.quantity = None
            raise ValidationError(str(error)) from None


def cell_name(column_index: int, day: dt.date) -> str:
    return f"c{column_index}_{day.day:02d}"


class SheetForm(BaseForm):
    """The grid's fixed part; the cells are added per agreement and month by `sheet_form`."""

    note = TextAreaField("Toelichting (niet verplicht)",
                         validators=[Length(max=2000, message="Schrijf de toelichting in "
                                                              "hoogstens 2000 tekens.")])

    columns: Sequence[Column] = ()
    days: Sequence[dt.date] = ()

    def cells(self):
        """(field, column, day) for every cell, column by column, day by day."""
        for ci, column in enumerate(self.columns):
            for day in self.days:
                yield self[cell_name(ci, day)], column, day

    def cell(self, column_index: int, day: dt.date):
        return self[cell_name(column_index, day)]

    def lines(self) -> tuple[list[LineInput], list]:
        """The filled-in cells as claim lines (empty and 0 skipped, unreadable cells skipped:
        they carry their own error), and the cell of each line, for the refusals' fields
        ('lines[3].quantity' -> the third line's cell)."""
        lines, cells = [], []
        for field, column, day in self.cells():
            quantity = getattr(field, "quantity", None)
            if quantity is None and not field.errors:
                try:
                    quantity = parse_quantity(column.unit, field.data)
                except ValueError:
                    quantity = None
            if not quantity:
                continue
            lines.append(LineInput(day=day, care_kind=column.care_kind, quantity=quantity,
                                   grant_id=column.grant_id))
            cells.append(field)
        return lines, cells

    def has_cell_errors(self) -> bool:
        return any(field.errors for field, _c, _d in self.cells())


def sheet_form(columns: Sequence[Column], days: Sequence[dt.date], *, formdata=None,
               lines: Sequence = (), note: str = "") -> SheetForm:
    """A SheetForm with one input per column and day. `lines`: stored claim lines to show."""

    class _SheetForm(SheetForm):
        pass

    _SheetForm.columns = tuple(columns)
    _SheetForm.days = tuple(days)
    for ci, column in enumerate(columns):
        what = "uren" if column.is_hours else "aantal"
        for day in days:
            label = (f"{column.care_label}, {column.budget_label}, {day_label(day)}: {what}")
            setattr(_SheetForm, cell_name(ci, day),
                    StringField(label, validators=[_Quantity(column.unit)]))
    data = {"note": note}
    index = {column.key: ci for ci, column in enumerate(columns)}
    for line in lines:
        found = index.get((line.care_kind, line.grant_id))
        if found is not None:
            data[cell_name(found, line.day)] = input_value(line.unit, line.quantity)
    if formdata is not None:
        return _SheetForm(formdata=formdata)
    return _SheetForm(formdata=None, data=data)


class ChooseSheetForm(BaseForm):
    """Which agreement and which month (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    overeenkomst = SelectField("Zorgovereenkomst", validate_choice=False,
                               validators=[DataRequired("Kies een zorgovereenkomst.")])
    maand = SelectField("Maand", validate_choice=False,
                        validators=[DataRequired("Kies een maand.")])

    def validate_overeenkomst(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Kies een zorgovereenkomst uit de lijst.")

    def validate_maand(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Kies een maand uit de lijst.")


class RefuseForm(BaseForm):
    reason = TextAreaField(
        "Reden van afwijzen",
        validators=[DataRequired("Schrijf op waarom u het urenbriefje afwijst, zodat de "
                                 "zorgverlener weet wat er anders moet."),
                    Length(max=2000, message="Schrijf de reden in hoogstens 2000 tekens.")])


def month_choices(today: dt.date, provider: bool = False) -> list[tuple[str, str]]:
    """The months a sheet can still be started for by this side (claims.rules.check_month_open
    without an agreement: begun, deadline not passed), newest first, with their deadline, as
    ('2026-03', 'maart 2026 (uiterlijk 9 juni 2026)'). Whether the chosen agreement ran that
    month the sheet's address says."""
    choices = []
    month = first_of_month(today)
    while month_deadline(month, provider) >= today:
        if is_draft_month(month, today):
            label = f"{format_month(month)} (loopt nog: als concept bewaren)"
        else:
            label = f"{format_month(month)} (uiterlijk {format_day(month_deadline(month, provider))})"
        choices.append((f"{month:%Y-%m}", label))
        month = add_months(month, -1)
    return choices

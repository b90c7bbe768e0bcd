"""The web floor's forms: the base form, the portal's own fields, and the one path from a use
case's refusals onto a form.

Every area's forms build on BaseForm and these fields; every view that catches `Refused` puts
it on its form through `apply_refusals` (a refusal naming a field of the form becomes that
field's error, the rest goes to the error summary, `not_allowed` answers 404: a denied object
is not shown to exist). A repeat (`AlreadyDone`) is answered with portal.web.show_repeat.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

from flask import abort, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from portal import quantities
from portal.dates import check_date_range
from portal.money import parse_euros
from portal.refusals import Refusal, Refused
from portal.text import ONE_LINE_MESSAGE, clean_text, is_one_line

NOT_ALLOWED = "not_allowed"


def one_line_field(form, field) -> None:
    """The first check of every one-line text field: no line break, tab or other control
    character in what was typed (before clean_text dropped any of them)."""
    if any(isinstance(raw, str) and not is_one_line(raw) for raw in field.raw_data or ()):
        raise StopValidation(ONE_LINE_MESSAGE)


class BaseForm(FlaskForm):
    """Every form of the portal: CSRF-protected, Dutch messages, and every text field cleaned
    of invisible characters and outer spaces (portal.text.clean_text) before any check; a text
    field that is not a TextAreaField is one line (one_line_field)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField | HiddenField):
                filters = [*unbound_field.kwargs.get("filters", ()), clean_text]
                field = unbound_field.bind(form=form, **{**options, "filters": filters})
                if not issubclass(cls, TextAreaField):
                    field.validators = [one_line_field, *field.validators]
                return field
            return unbound_field.bind(form=form, **options)

    def error_items(self) -> list[tuple[str, str]]:
        """For the error summary (templates/macros/forms.html): see error_items."""
        return error_items(self)


# A date as the browser's date picker sends it (JJJJ-MM-DD), or as a person types it in a
# browser without one (31-12-2026, 31/12/2026).
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
DATE_MESSAGE = "Vul een bestaande datum in, bijvoorbeeld 31-12-2026."


class DutchDateField(DateField):
    """Every date field of the portal: a Dutch message for a date that does not exist, and a day
    outside the days the portal handles (portal.dates.DATE_FLOOR .. DATE_CEILING) refused here,
    before any rule counts with it. What was typed is shown again."""

    def __init__(self, label=None, validators=None, format=DATE_FORMATS, **kwargs):  # noqa: A002
        super().__init__(label, validators, format=list(format), **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DATE_MESSAGE) from None
        refusals = check_date_range(self.data, None, self.name)
        if refusals:
            self.data = None
            raise ValueError(refusals[0].message)


class LineForm(BaseForm):
    """One line of a form with several (FieldList(FormField(...)) or FormField per row): no
    CSRF token of its own (the page's form has one). Name its fields as the rules name a
    line's parts (tariff_cents, weekly_quantity, unit, care_kind) and the rules' refusals
    (`lines-<i>-<name>`) land on them without a mapping."""

    class Meta:
        csrf = False


class LineList(FieldList):
    """The lines of a form: exactly `min_entries` line forms, named lines-0 .. lines-<n-1>
    whatever was posted, so line i of the form is always line i of the rules (a line that
    was not sent is empty, one too many is not read)."""

    def _extract_indices(self, prefix, formdata):
        return range(self.min_entries)


def _typed_text(field) -> str:
    return field.raw_data[0] if field.raw_data else ""


def _blank_is_empty(field, valuelist) -> str:
    """What was typed, stripped; only spaces count as nothing typed (for InputRequired too)."""
    text = (valuelist[0] if valuelist else "").strip()
    if not text:
        field.raw_data = []
    return text


class EuroField(Field):
    """An amount as people type it ('22,98', '1.234,50', '€ 5') -> integer cents
    (portal.money.parse_euros: its Dutch message when it is no amount, or too large). Empty
    is None (an InputRequired validator says it is needed). What was typed is shown again."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, maximum_cents: int | None = None, **kw):
        kw.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kw)
        self.maximum_cents = maximum_cents

    def process_formdata(self, valuelist):
        self.data = None
        text = _blank_is_empty(self, valuelist)
        if not text:
            return
        limit = {} if self.maximum_cents is None else {"maximum_cents": self.maximum_cents}
        try:
            self.data = parse_euros(text, self.name, **limit)
        except Refused as refused:
            raise ValueError(refused.refusals[0].message) from None

    def _value(self) -> str:
        if self.raw_data:
            return _typed_text(self)
        if self.data is None:
            return ""
        return f"{self.data // 100},{self.data % 100:02d}"


QUANTITY_DIGITS = 6  # a week has 168 hours; more than six digits is a typing error


def parse_quantity(text: str | None, unit: str, *, digits: int = QUANTITY_DIGITS,
                   too_large: str = "Dit getal is te groot.") -> int:
    """'4:30' or '4,5' hours -> 270 minutes (units counted in minutes); '3' -> 3 (day parts,
    24-hour stays). portal.quantities' grammar ('2:5' is 2:05 here), with Dutch messages:
    QuantityError carries the code and the message."""
    unit = str(getattr(unit, "value", unit))
    hours = unit in quantities.MINUTE_UNITS
    help_text = HOURS_HELP if hours else COUNT_HELP
    try:
        quantity = (quantities.parse_minutes(text, digits=digits, one_digit_minutes=True)
                    if hours else quantities.parse_count(text, digits=digits))
    except quantities.QuantityError as error:
        if error.code == quantities.NEGATIVE:
            message = ("Het aantal uren kan niet negatief zijn." if hours
                       else "Het aantal kan niet negatief zijn.")
        else:
            message = too_large if error.code == quantities.TOO_LARGE else help_text
        raise quantities.QuantityError(error.code, message) from None
    if quantity is None:
        raise quantities.QuantityError(quantities.NOT_HOURS if hours else quantities.NOT_COUNT,
                                       help_text)
    return quantity


HOURS_HELP = ("Schrijf de uren als uren:minuten, bijvoorbeeld 4:30, of als getal, "
              "bijvoorbeeld 4,5.")
COUNT_HELP = "Vul een heel getal in, bijvoorbeeld 3."


class QuantityField(Field):
    """A quantity in the unit of its line: hours ('2:30', '2,5') -> minutes for the units
    counted in minutes, a whole count for day parts and 24-hour stays (parse_quantity). The
    unit is the line's, so the view sets `field.unit` before validating; what was typed is
    parsed then, with a Dutch message next to the field. Empty is None (InputRequired says
    it is needed)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, unit: str = "uur",
                 too_large: str = "Dit getal is te groot.", **kw):
        kw.setdefault("render_kw", {"autocomplete": "off"})
        super().__init__(label, validators, **kw)
        self.unit = unit
        self.too_large = too_large

    def process_formdata(self, valuelist):
        self.data = None  # parsed in pre_validate, once the line's unit is known
        _blank_is_empty(self, valuelist)

    def pre_validate(self, form):
        text = _typed_text(self).strip()
        if not text:
            return
        try:
            self.data = parse_quantity(text, self.unit, too_large=self.too_large)
        except quantities.QuantityError as error:
            raise StopValidation(str(error)) from None

    def _value(self) -> str:
        if self.raw_data:
            return _typed_text(self)
        if self.data is None:
            return ""
        if str(getattr(self.unit, "value", self.unit)) in quantities.MINUTE_UNITS:
            return quantities.format_minutes(self.data)
        return str(self.data)


def line_fields(form) -> dict:
    """Every field of the form: its own by their names in the form ('starts_on', also when
    the form has a prefix), those of its line forms (FormField, FieldList) by their full names
    ('lines-0-tariff_cents' is the first line's tariff)."""
    found = {}
    for key, field in form._fields.items():
        if isinstance(field, FormField | FieldList):
            found.update({leaf.name: leaf for leaf in _leaves(field)})
        else:
            found[key] = field
    return found


def _leaves(field) -> list:
    if isinstance(field, FormField):
        return [leaf for sub in field.form for leaf in _leaves(sub)]
    if isinstance(field, FieldList):
        return [leaf for entry in field.entries for leaf in _leaves(entry)]
    return [field]


def error_items(form) -> list[tuple[str, str]]:
    """(anchor, message) for every error of the form's fields, line forms included, in the
    page's order: for the error summary's links (a list of choices: its fieldset, which
    has the field's id in the choices macro)."""
    items: list[tuple[str, str]] = []
    for field in line_fields(form).values():
        if not field.errors:
            continue
        # A hidden field (the CSRF token) has nothing to go to: the message alone.
        anchor = "" if field.type in ("CSRFTokenField", "HiddenField") else field.id
        items.extend((anchor, message) for message in field.errors)
    return items


# ---------------------------------------------------------------------------------------------
# A date in three fields: dag, maand, jaar (NL Design System / GOV.UK date input)
# ---------------------------------------------------------------------------------------------


class DatePartsWidget:
    """A fieldset with the label as its legend, the hint and the errors, and three numeric
    inputs (Dag, Maand, Jaar) named <name>-dag, <name>-maand, <name>-jaar. No browser date
    picker (whose mm/dd/yyyy order does not match a Dutch hint); works without JavaScript."""

    PARTS = (("dag", "Dag", 2), ("maand", "Maand", 2), ("jaar", "Jaar", 4))

    def __call__(self, field, hint: str | None = None, **_kwargs) -> Markup:
        described = []
        html = [f'<fieldset class="field date-parts{" field--error" if field.errors else ""}"'
                f' id="{field.id}"', ">"]
        html.append(f'<legend class="label">{escape(field.label.text)}</legend>')
        if hint:
            html.append(f'<p class="hint" id="{field.id}-hint">{escape(hint)}</p>')
            described.append(f"{field.id}-hint")
        for error in field.errors:
            html.append(f'<p class="error" id="{field.id}-error">{escape(error)}</p>')
        if field.errors:
            described.append(f"{field.id}-error")
        if described:
            html[1] = f' aria-describedby="{" ".join(described)}">'
        parts = field.parts or _parts_of(field.data)
        for part, label, size in self.PARTS:
            part_id = f"{field.id}-{part}"
            value = parts.get(part, "")
            invalid = ' aria-invalid="true"' if field.errors else ""
            html.append(f'<div class="date-parts__item"><label class="label" for="{part_id}">'
                        f'{label}</label><input class="input input--{size}" id="{part_id}" '
                        f'name="{field.name}-{part}" type="text" inputmode="numeric" '
                        f'size="{size}" maxlength="{size}" autocomplete="off" '
                        f'value="{escape(value)}"{invalid}></div>')
        html.append("</fieldset>")
        return Markup("".join(html))


class DatePartsField(DutchDateField):
    """A date typed in three fields (dag, maand, jaar), checked like every date of the portal
    (DutchDateField: an existing day within the portal's range). A form posted with the date
    in one field (<name>=31-12-2026 or 2026-12-31, as before) is read too."""

    widget = DatePartsWidget()

    def process(self, formdata, data=None, extra_filters=None):
        self.parts: dict[str, str] = {}
        if formdata is not None and any(f"{self.name}-{p}" in formdata
                                        for p, _l, _s in DatePartsWidget.PARTS):
            self.parts = {p: (formdata.get(f"{self.name}-{p}") or "").strip()
                          for p, _l, _s in DatePartsWidget.PARTS}
            joined = ("" if not any(self.parts.values()) else
                      f"{self.parts['dag']}-{self.parts['maand']}-{self.parts['jaar']}")
            formdata = _OneValue(self.name, joined)
        super().process(formdata, data, extra_filters)
        if not self.parts:
            self.parts = _parts_of(self.data) or _typed_parts(_typed_text(self))


def _typed_parts(typed: str) -> dict[str, str]:
    """A date posted in one field that is no date (2026-02-30, 30-2-2026): shown again in the
    three fields as typed."""
    pieces = re.split(r"[-/. ]+", typed.strip())
    if len(pieces) != 3:
        return {}
    if len(pieces[0]) == 4:  # JJJJ-MM-DD
        pieces.reverse()
    return dict(zip(("dag", "maand", "jaar"), pieces, strict=True))


def _parts_of(day) -> dict[str, str]:
    """A date's dag, maand, jaar as shown in the three inputs (a view may set .data later)."""
    if not isinstance(day, dt.date):
        return {}
    return {"dag": str(day.day), "maand": str(day.month), "jaar": str(day.year)}


class _OneValue(dict):
    """Form data with one value under one name (what DateField reads: getlist)."""

    def __init__(self, name: str, value: str):
        super().__init__({name: value} if value else {})

    def getlist(self, name):
        return [self[name]] if name in self else []


# ---------------------------------------------------------------------------------------------
# Refusals onto forms: the one path
# ---------------------------------------------------------------------------------------------


def abort_if_not_allowed(refused: Refused | Iterable[Refusal]) -> None:
    """A denied object answers 404 (never a hint that it exists)."""
    refusals = refused.refusals if isinstance(refused, Refused) else refused
    if any(r.code == NOT_ALLOWED for r in refusals):
        abort(404)


def place_refusals(form, refused: Refused | Iterable[Refusal],
                   aliases: Mapping[str, str] | None = None,
                   lines: Sequence | None = None) -> list[Refusal]:
    """Put each refusal on the form field it names, a field of a line form too
    ('lines-0-tariff_cents'); return the refusals that belong to no field of the form, in
    order. `aliases`: a rule's field name -> the form's ("" for none). `lines`: the line forms
    (FormFields), or the one input of each line (a cell of an hour sheet), in the order the
    rules count the lines, when the form has other rows too (a row per kind of care, of which
    only the ticked ones are lines); None for a line the form has no row for (its refusals go
    to the summary). `not_allowed` answers 404."""
    refusals = list(refused.refusals if isinstance(refused, Refused) else refused)
    abort_if_not_allowed(refusals)
    fields = line_fields(form)
    rest = []
    for refusal in refusals:
        name = refusal.field or ""
        if aliases and name in aliases:
            name = aliases[name]
        name = _line_name(name, lines)
        target = fields.get(name) if name and name != "csrf_token" else None
        if target is None:
            rest.append(refusal)
        elif refusal.message not in target.errors:
            target.errors = [*target.errors, refusal.message]
    return rest


# A rule's name for part of a line: 'lines-1-unit' (agreements) or 'lines[1].quantity' (claims).
_LINE_PART = re.compile(r"^lines(?:-(\d+)-|\[(\d+)\]\.)(\w+)$", re.ASCII)


def _line_name(name: str, lines: Sequence | None) -> str:
    """A rule's name for part of line i -> the name of that part of `lines[i]` (a line form),
    or of `lines[i]` itself (one input per line, as a cell of an hour sheet)."""
    match = _LINE_PART.match(name) if lines is not None else None
    if match is None or lines is None:
        return name
    index = int(match.group(1) or match.group(2))
    line = lines[index] if index < len(lines) else None
    if line is None:
        return name
    if not isinstance(line, FormField):
        return line.name
    sub = line.form._fields.get(match.group(3))
    return sub.name if sub is not None else name


def apply_refusals(form, refused: Refused | Iterable[Refusal],
                   aliases: Mapping[str, str] | None = None,
                   lines: Sequence | None = None) -> list[str]:
    """place_refusals, returning the messages for the error summary."""
    return [r.message for r in place_refusals(form, refused, aliases, lines)]


def form_status() -> int:
    """A form page's status: 422 when it is shown again after a POST (something to fix)."""
    return 422 if request.method == "POST" else 200

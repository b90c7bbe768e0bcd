"""The web floor's forms: the base form, the portal's own fields, and the one path from a use
case's refusals onto a form.

Every area's forms build on BaseForm and these fields; every view that catches `Refused` puts
it on its form through `apply_refusals` (a refusal naming a field of the form becomes that
field's error, the rest goes to the error summary, `not_allowed` answers 404: a denied object
is not shown to exist). A repeat (`AlreadyDone`) is answered with portal.web.show_repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import abort, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from portal.dates import check_date_range
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
        for part, label, size in self.PARTS:
            part_id = f"{field.id}-{part}"
            value = field.parts.get(part, "")
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
        if not self.parts and self.data is not None:
            self.parts = {"dag": str(self.data.day), "maand": str(self.data.month),
                          "jaar": str(self.data.year)}


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
                   aliases: Mapping[str, str] | None = None) -> list[Refusal]:
    """Put each refusal on the form field it names (`aliases`: a rule's field name -> the
    form's, "" for none); return the refusals that belong to no field of the form, in order.
    `not_allowed` answers 404."""
    refusals = list(refused.refusals if isinstance(refused, Refused) else refused)
    abort_if_not_allowed(refusals)
    rest = []
    for refusal in refusals:
        name = refusal.field or ""
        if aliases and name in aliases:
            name = aliases[name]
        target = form._fields.get(name) if name and name != "csrf_token" else None
        if target is None:
            rest.append(refusal)
        elif refusal.message not in target.errors:
            target.errors = [*target.errors, refusal.message]
    return rest


def apply_refusals(form, refused: Refused | Iterable[Refusal],
                   aliases: Mapping[str, str] | None = None) -> list[str]:
    """place_refusals, returning the messages for the error summary."""
    return [r.message for r in place_refusals(form, refused, aliases)]


def form_status() -> int:
    """A form page's status: 422 when it is shown again after a POST (something to fix)."""
    return 422 if request.method == "POST" else 200

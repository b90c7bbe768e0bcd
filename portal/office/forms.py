"""Forms of the payment office: executing a run, finding a paper sheet, entering its grid, and
making a login.

The paper grid has one input per day per column (a kind of care from one budget). Hours are
typed as on paper: 2:30, 2,5 or 2; day parts and 24-hour stays as a count, parsed by the same
helper as the portal's own sheet (portal.claims.forms.parse_quantity). This module only
turns text into numbers; every claim rule (quarters, 24 hours a day, budget, ...) is checked
by portal.claims.service.intake_paper_claim, and its refusals land on the cell they name.
"""

from __future__ import annotations

import datetime as dt

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.access.constants import Role
from portal.claims.correction_rules import WageFix
from portal.claims.forms import parse_quantity
from portal.claims.rules import LineInput
from portal.database import parse_id
from portal.dates import format_day, parse_date, parse_month
from portal.forms import BaseForm, DatePartsField, EuroField
from portal.money import parse_euros
from portal.office.service import SheetColumn
from portal.quantities import MINUTE_UNITS, QuantityError, parse_count, parse_minutes
from portal.refusals import Refused


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RunForm(BaseForm):
    """'Betaalronde uitvoeren': nothing to fill in; the CSRF token, and the moment and the
    fingerprint of the run the office confirmed (payments.service.confirm_run)."""

    fingerprint = HiddenField()
    confirmed_at = HiddenField()


class DecisionForm(BaseForm):
    """The office's decision on a sheet; the pressed button (name 'besluit') says which one.
    The reason is needed to suspend or refuse (claims.rules.check_reason says so)."""

    reason = TextAreaField("Reden", filters=[_strip], validators=[
        Optional(), Length(max=2000, message="Schrijf de reden in hoogstens 2000 tekens.")])


class PaperLookupForm(BaseForm):
    reference = StringField("Kenmerk op het urenbriefje", filters=[_strip],
                            validators=[Optional()])
    agreement = SelectField("Zorgovereenkomst", validate_choice=False)
    month = StringField("Maand", filters=[_strip], validators=[Optional()])

    def set_agreements(self, choices: list[tuple[int, str]]) -> None:
        self.agreement.choices = [("", "Kies een zorgovereenkomst")] + [
            (str(aid), label) for aid, label in choices]

    def chosen(self) -> tuple[str | None, int | None, dt.date | None]:
        """After validate(): (reference, agreement id, month) - a reference, or the other two.

        Errors land on the fields: nothing filled in, a month that is no month, an agreement
        that is not in the list.
        """
        if self.reference.data:
            return self.reference.data.upper(), None, None
        known = {value for value, _label in self.agreement.choices if value}
        agreement_id = None
        if not self.agreement.data and not self.month.data:
            self.reference.errors.append("Vul het kenmerk van het urenbriefje in, of kies de "
                                         "zorgovereenkomst en de maand.")
            return None, None, None
        if not self.agreement.data:
            self.agreement.errors.append("Kies de zorgovereenkomst van het urenbriefje.")
        elif self.agreement.data not in known:
            self.agreement.errors.append("Kies een zorgovereenkomst uit de lijst.")
        else:
            agreement_id = int(self.agreement.data)
        month = None
        if not self.month.data:
            self.month.errors.append("Vul de maand van het urenbriefje in, bijvoorbeeld 2026-03.")
        else:
            try:
                month = parse_month(self.month.data)
            except Refused as refused:
                self.month.errors.append(refused.refusals[0].message)
        if agreement_id is None or month is None:
            return None, None, None
        return None, agreement_id, month


CHOOSE_FROM_LIST = "Kies uit de lijst."


def _chosen_id(value) -> int | None:
    """A list's value as an id: None for 'Geen ...' (the empty value); ValueError when it is
    no id (the field then says 'Kies uit de lijst.')."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    chosen = parse_id(value)
    if chosen is None:
        raise ValueError(value)
    return chosen


def _link_field(label: str) -> SelectField:
    """One of the lists a login belongs to: an id from the list, or none; anything else (no
    number, a number not in the list) is refused on the field."""
    return SelectField(label, coerce=_chosen_id, invalid_value_message=CHOOSE_FROM_LIST,
                       invalid_choice_message=CHOOSE_FROM_LIST)


class AccountForm(BaseForm):
    """A new login. Only parsing here - the household, provider and funder come from their
    lists (field.data: the id, or None) - and every rule (a valid address, a name, a known role,
    the one household / provider / funder the role belongs to, an address not in use) is
    access.service.create_user's, the same as `portal create-user`; its refusals land on
    these fields (named as the refusals name them)."""

    name = StringField("Naam", filters=[_strip], validators=[Optional()])
    email = EmailField("E-mailadres", filters=[_strip], validators=[Optional()])
    role = RadioField("Rol", choices=[SelectChoice(v, label) for v, label in Role.choices()],
                      validate_choice=False, validators=[Optional()])
    household = _link_field("Huishouden (alleen voor een budgethouder)")
    provider = _link_field("Zorgverlener (alleen voor een zorgverlener)")
    funder = _link_field("Financier (alleen voor een consulent)")

    LINKS = ("household", "provider", "funder")
    EMPTY = {"household": "Geen huishouden", "provider": "Geen zorgverlener",
             "funder": "Geen financier"}

    def set_choices(self, choices) -> None:
        """choices: office.accounts.LinkChoices."""
        for link in self.LINKS:
            self[link].choices = [SelectChoice("", self.EMPTY[link])] + [
                SelectChoice(value, label) for value, label in getattr(choices, link + "s")]


class SearchForm(BaseForm):
    """The search box above the list of logins (GET: no CSRF token needed)."""

    class Meta:
        csrf = False

    zoek = StringField("Zoek op naam of e-mailadres", filters=[_strip], validators=[Optional()])


def cell_name(day: dt.date, column: SheetColumn) -> str:
    return f"d{day.day:02d}_k{column.index}"


def sheet_form_class(columns: list[SheetColumn], days: list[dt.date]) -> type[BaseForm]:
    """A form with one text input per day per column, named d03_k1 (day 3, column 1)."""

    class PaperSheetForm(BaseForm):
        # The day the paper sheet came in: the deadline is measured on it (claims.service).
        received_on = StringField("Ontvangen op", filters=[_strip], validators=[Optional()],
                                  description="De datum waarop het papieren urenbriefje "
                                  "binnenkwam, als JJJJ-MM-DD. Leeg: vandaag.")

        def received(self, today: dt.date) -> dt.date | None:
            """The date typed (or today when empty); None, with the error on the field, when
            it is no date."""
            if not self.received_on.data:
                return today
            try:
                return parse_date(self.received_on.data)
            except Refused as refused:
                self.received_on.errors = [*self.received_on.errors, refused.refusals[0].message]
                return None

    for day in days:
        for column in columns:
            setattr(PaperSheetForm, cell_name(day, column),
                    StringField(f"{column.label} op {format_day(day)}", filters=[_strip],
                                validators=[Optional()]))
    return PaperSheetForm


def sheet_lines(form: BaseForm, columns: list[SheetColumn], days: list[dt.date]
                ) -> tuple[list[LineInput], list]:
    """The filled cells as claim lines, and per line the form field it came from.

    A cell that is no number gets its error here (and gives no line); empty and 0 are no line.
    """
    lines: list[LineInput] = []
    fields = []
    for day in days:
        for column in columns:
            field = form[cell_name(day, column)]
            text = field.data or ""
            if not text:
                continue
            try:
                quantity = parse_quantity(column.unit, text)
            except ValueError as error:
                field.errors.append(f"Op {format_day(day)}: {error}")
                continue
            if not quantity:
                continue
            lines.append(LineInput(day=day, care_kind=column.care_kind, quantity=quantity,
                                   grant_id=column.grant_id))
            fields.append(field)
    return lines, fields


class CorrectionForm(BaseForm):
    """The office's correction of a paid sheet: the right quantity per agreement line (read
    by correction_quantities) and the reason (claims.correction_rules.check_correction)."""

    reason = TextAreaField("Reden van de correctie", filters=[_strip], validators=[
        Optional(), Length(max=2000, message="Schrijf de reden in hoogstens 2000 tekens.")])


def correction_quantities(rows, formdata) -> tuple[dict, dict[str, str]]:
    """Per row (claims.corrections.CorrectionRow) the right quantity typed in `formdata`: hours
    as 7:45 or 7,75, other units as a whole number; an empty input leaves the row as it is.
    Returns (row key -> quantity, field name -> Dutch error)."""
    quantities: dict = {}
    errors: dict[str, str] = {}
    for row in rows:
        text = (formdata.get(row.field_name) or "").strip()
        if not text:
            continue
        try:
            value = (parse_minutes(text, digits=3) if row.unit in MINUTE_UNITS
                     else parse_count(text, digits=3))
        except QuantityError:
            errors[row.field_name] = (f"'{text}' is geen aantal voor {row.care_label.lower()}. "
                                      + ("Schrijf uren als 7:45 of 7,75." if row.unit
                                         in MINUTE_UNITS else "Schrijf een heel getal."))
            continue
        if value is not None:
            quantities[row.key] = value
    return quantities, errors


class RepaymentForm(BaseForm):
    """The budget holder paid an open claim-back back by bank transfer: the day it came in,
    the amount (the whole open amount, claims.correction_rules.check_repayment), and a tick
    that the office checked its bank statement."""

    received_on = DatePartsField("Ontvangen op", validators=[
        InputRequired("Vul de dag in waarop het geld binnenkwam.")])
    amount = EuroField("Ontvangen bedrag in euro", validators=[
        InputRequired("Vul het ontvangen bedrag in.")])
    confirm = BooleanField("Ik heb op het bankafschrift gezien dat dit bedrag van de "
                           "budgethouder is binnengekomen", validators=[
                               DataRequired("Vink aan dat u het bankafschrift heeft "
                                            "gecontroleerd.")])


class AmountCorrectionForm(BaseForm):
    """The office's correction of a paid allowance: the right amount and the reason
    (claims.correction_rules.check_amount_correction)."""

    amount = EuroField("Juiste bedrag in euro", validators=[
        InputRequired("Vul het juiste bedrag in, bijvoorbeeld 125,00.")])
    reason = TextAreaField("Reden van de correctie", filters=[_strip], validators=[
        Optional(), Length(max=2000, message="Schrijf de reden in hoogstens 2000 tekens.")])


def wage_fixes(rows, formdata) -> tuple[dict, dict[str, str]]:
    """Per row (claims.corrections.WageCorrectionRow) the right days and monthly wage typed in
    `formdata` (f"{field_name}-dagen", f"{field_name}-loon"); an empty input keeps what was
    paid, a row with both empty is left as it is. Returns (row key -> WageFix, input name ->
    Dutch error)."""
    fixes: dict = {}
    errors: dict[str, str] = {}
    for row in rows:
        days_name, wage_name = f"{row.field_name}-dagen", f"{row.field_name}-loon"
        days_text = (formdata.get(days_name) or "").strip()
        wage_text = (formdata.get(wage_name) or "").strip()
        if not days_text and not wage_text:
            continue
        days, wage = row.days, row.wage_cents
        if days_text:
            try:
                counted = parse_count(days_text, digits=2)
                days = row.days if counted is None else counted
            except QuantityError:
                errors[days_name] = f"'{days_text}' is geen aantal dagen. Schrijf een heel getal."
        if wage_text:
            try:
                wage = parse_euros(wage_text, "loon")
            except Refused as refused:
                errors[wage_name] = refused.refusals[0].message
        if days_name not in errors and wage_name not in errors:
            fixes[row.key] = WageFix(days=days, wage_cents=wage)
    return fixes, errors

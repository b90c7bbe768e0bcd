"""Forms of the agreement screens. Labels and messages in Dutch; domain checks stay in rules.py.

Some steps have a field per budget and kind of care: their form classes are made per request
(`care_form`, `hours_form`, `change_form`), with field names that say what they are about.
"""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import quantities
from portal.agreements import rules
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
from portal.budgets.constants import Unit
from portal.forms import BaseForm, DatePartsField, DutchDateField


def options(pairs) -> list[SelectChoice]:
    """Choices as WTForms wants them (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ModelForm(BaseForm):
    model = RadioField("Welk model past bij uw zorgverlener?", choices=options(ModelKind.choices()),
                       validators=[InputRequired("Kies een model overeenkomst.")])


def relation_field(model: str) -> SelectField:
    choices = [(r.value, r.label) for r in Relation]
    if model == ModelKind.FAMILIE:
        choices = [("", "Kies de relatie")] + [c for c in choices if c[0] != Relation.GEEN]
    validators = [DataRequired("Kies wat de zorgverlener is van degene die de zorg krijgt.")]
    return SelectField("Wat is de zorgverlener van degene die de zorg krijgt?",
                       choices=options(choices),
                       validators=validators)


class NewProviderBase(BaseForm):
    name = StringField("Naam van de zorgverlener", validators=[
        DataRequired("Vul de naam van de zorgverlener in.")])
    iban = StringField("IBAN (rekeningnummer van de zorgverlener)", validators=[
        DataRequired("Vul het IBAN van de zorgverlener in, bijvoorbeeld NL91ABNA0417164300.")])
    email = EmailField("E-mailadres van de zorgverlener (niet verplicht)",
                       validators=[Optional()])


def new_provider_form(model: str, formdata=None, **kw) -> NewProviderBase:
    """The provider step of a new agreement: KvK and AGB only for a care organisation, the
    relation only for the family and employment models."""

    class F(NewProviderBase):
        pass

    if rules.provider_kind_for(ModelKind(model)) == ProviderKind.ORGANISATIE:
        F.kvk = StringField("KvK-nummer (8 cijfers)")
        F.agb = StringField("AGB-code (8 cijfers)")
    if rules.relation_asked(ModelKind(model)):
        F.relation = relation_field(model)
    return F(formdata=formdata, **kw)


def known_provider_form(model: str, providers: list[tuple[int, str]], formdata=None,
                        **kw) -> BaseForm:
    """Step 2 with a provider the household already knows (their earlier agreement is over)."""

    class F(BaseForm):
        provider = RadioField("Met welke zorgverlener maakt u de overeenkomst?", coerce=int,
                              choices=options(providers),
                              validators=[InputRequired("Kies een zorgverlener uit de lijst.")])

    if rules.relation_asked(ModelKind(model)):
        F.relation = relation_field(model)
    return F(prefix="bekend", formdata=formdata, **kw)


def relation_form(model: str, **kw) -> BaseForm:
    class F(BaseForm):
        pass

    if rules.relation_asked(ModelKind(model)):
        F.relation = relation_field(model)
    return F(**kw)


class GrantsForm(BaseForm):
    grants = MultiCheckboxField("Voor wie en uit welk budget wordt de zorg betaald?", coerce=int,
                                validators=[DataRequired("Kies minstens één budget.")])


def unit_choices(model: str) -> list[tuple[str, str]]:
    units = [Unit.UUR, Unit.DAGDEEL, Unit.ETMAAL]
    if model == ModelKind.ARBEID:
        units.append(Unit.MAANDLOON)
    return [(u.value, u.label) for u in units]


def care_prefix(grant_id: int, care_kind: str) -> str:
    return f"g{grant_id}_{care_kind}"


def care_form(model: str, rows: list[tuple[int, str, str]], **kw) -> BaseForm:
    """rows: (grant_id, care_kind value, label). Per row: use it?, unit, tariff."""

    class F(BaseForm):
        top_up = BooleanField("Ik betaal het deel van het tarief boven het maximum zelf, uit "
                              "eigen geld")

    for grant_id, kind, label in rows:
        p = care_prefix(grant_id, kind)
        setattr(F, f"{p}_use", BooleanField(label))
        # Checked by the view only for the kinds of care that are ticked.
        setattr(F, f"{p}_unit", SelectField(f"Eenheid voor {label.lower()}",
                                            choices=options(unit_choices(model)),
                                            validate_choice=False))
        setattr(F, f"{p}_tariff", StringField(f"Tarief voor {label.lower()} in euro"))
    return F(**kw)


def hours_form(model: str, line_labels: list[str], **kw) -> BaseForm:
    """A quantity per line (line_0, line_1, ...); days per week for an employment contract."""

    class F(BaseForm):
        pass

    for i, label in enumerate(line_labels):
        setattr(F, f"line_{i}", StringField(label, validators=[
            DataRequired("Vul in hoeveel per week. Vul 0 in als het per week verschilt.")]))
    if model == ModelKind.ARBEID:
        F.days_per_week = IntegerField("Hoeveel dagen per week werkt de zorgverlener voor u?",
                                       validators=[InputRequired("Vul het aantal dagen per week "
                                                                 "in: 0 tot en met 7."),
                                                   NumberRange(0, 7, "Vul een getal van 0 tot en "
                                                               "met 7 in.")])
    return F(**kw)


class PeriodFields:
    starts_on = DatePartsField("Eerste dag van de zorg", validators=[
        InputRequired("Vul de datum in waarop de zorg begint.")])
    end_kind = RadioField("Hoe lang geldt de overeenkomst?", choices=options(EndKind.choices()),
                          validators=[InputRequired("Kies hoe lang de overeenkomst geldt.")])
    ends_on = DatePartsField("Laatste dag van de zorg (bij 'tot een einddatum')",
                             validators=[Optional()])


class PeriodForm(PeriodFields, BaseForm):
    pass


class ConfirmForm(BaseForm):
    """Only the CSRF token: a button that does one thing (share)."""


class SignForm(BaseForm):
    agree = BooleanField("Ik heb de overeenkomst gelezen en ga ermee akkoord",
                         validators=[DataRequired("Vink aan dat u de overeenkomst gelezen heeft "
                                                  "en ermee akkoord gaat.")])


def provider_sign_form(organisation: bool, **kw) -> BaseForm:
    class F(SignForm):
        name = StringField("Uw naam", validators=[DataRequired("Vul uw naam in.")])
        iban = StringField("Uw IBAN (hierop betaalt het betaalkantoor)",
                           validators=[DataRequired("Vul uw IBAN in.")])
        email = EmailField("Uw e-mailadres", validators=[Optional()])

    if organisation:
        F.kvk = StringField("KvK-nummer (8 cijfers)")
        F.agb = StringField("AGB-code (8 cijfers)")
    return F(**kw)


class UploadForm(BaseForm):
    file = FileField("De ondertekende overeenkomst (PDF, hoogstens 10 MB)",
                     validators=[FileRequired("Kies het PDF-bestand met de ondertekende "
                                              "overeenkomst.")])


class EndForm(BaseForm):
    ended_on = DutchDateField("Laatste dag waarop de zorgverlener zorg geeft",
                              validators=[InputRequired("Vul de laatste dag van de zorg in.")])


def change_form(model: str, line_labels: list[tuple[str, str]], **kw) -> BaseForm:
    """A new version: from (first of a month), period, and per line tariff and quantity.
    line_labels: (tariff label, quantity label) per current line."""

    class F(PeriodFields, BaseForm):
        pass

    F.ends_on = DutchDateField("Laatste dag van de zorg (bij 'tot een einddatum')",
                               validators=[Optional()])
    F.starts_on = DutchDateField(
        "Vanaf welke dag geldt de wijziging? (de eerste dag van een maand)",
        validators=[InputRequired("Vul de eerste dag in waarop de wijziging geldt.")])
    for i, (tariff_label, quantity_label) in enumerate(line_labels):
        setattr(F, f"tariff_{i}", StringField(tariff_label, validators=[
            DataRequired("Vul het tarief in.")]))
        setattr(F, f"line_{i}", StringField(quantity_label, validators=[
            DataRequired("Vul in hoeveel per week.")]))
    if model == ModelKind.ARBEID:
        F.days_per_week = IntegerField("Hoeveel dagen per week werkt de zorgverlener voor u?",
                                       validators=[InputRequired("Vul het aantal dagen per week "
                                                                 "in."), NumberRange(0, 7)])
    return F(**kw)


# ---------------------------------------------------------------------------------------------
# Quantities as people type them
# ---------------------------------------------------------------------------------------------


QuantityError = quantities.QuantityError

# A week has 168 hours (rules.check_lines says so with the number); more than six digits is a
# typing error. The grammar is portal.quantities' ('2:5' is 2:05 here).
DIGITS = 6
TOO_LARGE = "Dit getal is te groot. Vul in hoeveel per week, bijvoorbeeld 4:30 of 3."
HOURS_HELP = ("Schrijf de uren als uren:minuten, bijvoorbeeld 4:30, of als getal, "
              "bijvoorbeeld 4,5.")
COUNT_HELP = "Vul een heel getal in, bijvoorbeeld 3."


def parse_quantity(text: str, unit: str) -> int:
    """'4:30' or '4,5' hours -> 270 minutes (hourly care, fixed hours); '3' -> 3 day parts."""
    hours = unit in rules.MINUTE_UNITS
    try:
        quantity = (quantities.parse_minutes(text, digits=DIGITS, one_digit_minutes=True)
                    if hours else quantities.parse_count(text, digits=DIGITS))
    except QuantityError as error:
        if error.code == quantities.NEGATIVE:
            message = ("Het aantal uren kan niet negatief zijn." if hours
                       else "Het aantal kan niet negatief zijn.")
        elif error.code == quantities.TOO_LARGE:
            message = TOO_LARGE
        else:
            message = HOURS_HELP if hours else COUNT_HELP
        raise QuantityError(error.code, message) from None
    if quantity is None:
        raise QuantityError(quantities.NOT_HOURS if hours else quantities.NOT_COUNT,
                            HOURS_HELP if hours else COUNT_HELP)
    return quantity


def format_quantity(quantity: int, unit: str) -> str:
    if unit in rules.MINUTE_UNITS:
        return f"{quantity // 60}:{quantity % 60:02d}"
    return str(quantity)


def format_tariff(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"

"""Forms of the agreement screens. Labels and messages in Dutch; domain checks stay in rules.py.

Some steps have a line form per budget and kind of care, or per line of the agreement: their
form classes are made per request (`care_form`, `hours_form`, `change_form`), and the fields of
a line are named as the rules name a line's parts (tariff_cents, weekly_quantity, unit,
care_kind), so the rules' refusals land on them (portal.forms.apply_refusals).
"""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FormField,
    IntegerField,
    Label,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import forms as portal_forms
from portal import quantities
from portal.agreements import rules
from portal.agreements.constants import EndKind, ModelKind, ProviderKind, Relation
from portal.budgets.constants import Unit
from portal.forms import (
    BaseForm,
    DatePartsField,
    EuroField,
    LineForm,
    LineList,
    QuantityField,
)


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


UNIT_MESSAGE = "Kies een eenheid uit de lijst."


def care_line_form(model: str, label: str) -> type[LineForm]:
    """One row of the care step: a kind of care of one budget. Its fields are named as the
    rules name a line's parts: ticking `care_kind` makes it a line; unit and tariff are only
    checked then."""
    units = unit_choices(model)

    class CareLine(LineForm):
        care_kind = BooleanField(label)
        unit = SelectField(f"Eenheid voor {label.lower()}", choices=options(units),
                           validate_choice=False)
        tariff_cents = EuroField(f"Tarief voor {label.lower()} in euro")

        def validate(self, extra_validators=None) -> bool:
            if not self.care_kind.data:
                return True  # not chosen: what else the row says does not count
            valid = super().validate(extra_validators)
            if self.unit.data not in {value for value, _ in units}:
                self.unit.errors.append(UNIT_MESSAGE)
                valid = False
            if self.tariff_cents.data is None and not self.tariff_cents.errors:
                self.tariff_cents.errors.append("Vul het tarief in.")
                valid = False
            return valid

    return CareLine


def care_form(model: str, rows: list[tuple[int, str, str]], **kw) -> BaseForm:
    """rows: (grant_id, care kind value, label). A line form per row, named by care_prefix:
    '<prefix>-care_kind' (use it?), '<prefix>-unit', '<prefix>-tariff_cents'."""

    class F(BaseForm):
        top_up = BooleanField("Ik betaal het deel van het tarief boven het maximum zelf, uit "
                              "eigen geld")

    for grant_id, kind, label in rows:
        setattr(F, care_prefix(grant_id, kind), FormField(care_line_form(model, label)))
    return F(**kw)


def care_line(line) -> dict:
    """A line's row of the care step, as the form shows it."""
    return {"care_kind": True, "unit": line.unit.value, "tariff_cents": line.tariff_cents}


# A week has 168 hours (rules.check_lines says so with the number); more than six digits is a
# typing error (portal.forms.QUANTITY_DIGITS).
TOO_LARGE = "Dit getal is te groot. Vul in hoeveel per week, bijvoorbeeld 4:30 of 3."
QuantityError = quantities.QuantityError


def parse_quantity(text: str, unit: str) -> int:
    """'4:30' or '4,5' hours -> 270 minutes (hourly care, fixed hours); '3' -> 3 day parts."""
    return portal_forms.parse_quantity(text, unit, too_large=TOO_LARGE)


class HoursLine(LineForm):
    weekly_quantity = QuantityField("Per week", too_large=TOO_LARGE, validators=[
        InputRequired("Vul in hoeveel per week. Vul 0 in als het per week verschilt.")])


class ChangeLine(LineForm):
    tariff_cents = EuroField("Tarief in euro", validators=[InputRequired("Vul het tarief in.")])
    weekly_quantity = QuantityField("Per week", too_large=TOO_LARGE, validators=[
        InputRequired("Vul in hoeveel per week.")])


def _lines_field(line_form: type[LineForm], count: int) -> LineList:
    return LineList(FormField(line_form), min_entries=count)


def _name_lines(form, lines, labels: list[dict[str, str]]) -> None:
    """Each line's labels, and the unit its quantity is typed in."""
    for entry, line, texts in zip(form.lines, lines, labels, strict=True):
        entry.weekly_quantity.unit = line.unit
        for name, text in texts.items():
            entry[name].label = Label(entry[name].id, text)


def days_per_week_field(message: str) -> IntegerField:
    return IntegerField("Hoeveel dagen per week werkt de zorgverlener voor u?",
                        validators=[InputRequired(message),
                                    NumberRange(0, 7, "Vul een getal van 0 tot en met 7 in.")])


def hours_form(model: str, lines, line_labels: list[str], **kw) -> BaseForm:
    """A quantity per line (lines-<i>-weekly_quantity); days per week for an employment
    contract. lines: the version's LineInputs (their units)."""

    class F(BaseForm):
        lines = _lines_field(HoursLine, len(line_labels))

    if model == ModelKind.ARBEID:
        F.days_per_week = days_per_week_field("Vul het aantal dagen per week in: 0 tot en met 7.")
    form = F(**kw)
    _name_lines(form, lines, [{"weekly_quantity": label} for label in line_labels])
    return form


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
    ended_on = DatePartsField("Laatste dag waarop de zorgverlener zorg geeft",
                              validators=[InputRequired("Vul de laatste dag van de zorg in.")])


def change_form(model: str, lines, line_labels: list[tuple[str, str]], **kw) -> BaseForm:
    """A new version: from (first of a month), period, and per line tariff and quantity
    (lines-<i>-tariff_cents, lines-<i>-weekly_quantity). line_labels: (tariff label,
    quantity label) per current line."""

    class F(PeriodFields, BaseForm):
        lines = _lines_field(ChangeLine, len(line_labels))

    F.starts_on = DatePartsField(
        "Vanaf welke dag geldt de wijziging? (de eerste dag van een maand)",
        validators=[InputRequired("Vul de eerste dag in waarop de wijziging geldt.")])
    if model == ModelKind.ARBEID:
        F.days_per_week = days_per_week_field("Vul het aantal dagen per week in.")
    form = F(**kw)
    _name_lines(form, lines, [{"tariff_cents": t, "weekly_quantity": q} for t, q in line_labels])
    return form


def quantity_data(lines) -> list[dict]:
    """The lines' quantities (and tariffs), as the hours and change forms take them."""
    return [{"tariff_cents": ln.tariff_cents, "weekly_quantity": ln.weekly_quantity}
            for ln in lines]

"""Forms of the consulent's pages. Field names follow the refusal fields of the services
(budgets.rules.check_grant, agreements.rules.check_review), so a refusal lands on its field."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.budgets.constants import CareKind
from portal.forms import BaseForm, DatePartsField, EuroField


class ReviewForm(BaseForm):
    reason = TextAreaField("Reden van afkeuren", validators=[
        Optional(), Length(max=2000, message="Gebruik ten hoogste 2000 tekens.")])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GrantForm(BaseForm):
    bsn = StringField("Burgerservicenummer (BSN) van het gezinslid", validators=[
        DataRequired("Vul het burgerservicenummer van het gezinslid in.")])
    law = SelectField("Wet", validators=[InputRequired("Kies de wet.")])
    period_start = DatePartsField("Begindatum", validators=[
        InputRequired("Vul de begindatum in.")])
    period_end = DatePartsField("Einddatum", validators=[
        InputRequired("Vul de einddatum in.")])
    amount = EuroField("Toegekend bedrag in euro", validators=[
        InputRequired("Vul het toegekende bedrag in, bijvoorbeeld 12000,00.")])
    care_kinds = CheckboxesField("Zorgsoorten waarvoor het budget mag worden gebruikt",
                                 choices=[SelectChoice(v, label) for v, label in CareKind.choices()])
    decision_reference = StringField("Kenmerk van de beschikking", validators=[
        Optional(), Length(max=60, message="Gebruik ten hoogste 60 tekens.")])

    def __init__(self, *args, laws=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.law.choices = [SelectChoice(law.value, law.label) for law in laws]


class ImportForm(BaseForm):
    file = FileField("CSV-bestand met toekenningen", validators=[
        FileRequired("Kies een CSV-bestand.")])


class EndGrantForm(BaseForm):
    """A budget that ends earlier than granted (budgets.rules.check_grant_end's fields)."""

    ended_on = DatePartsField("Laatste dag van het budget", validators=[
        InputRequired("Vul de laatste dag van het budget in.")])
    reason = TextAreaField("Waarom stopt het budget eerder?", validators=[
        DataRequired("Schrijf op waarom het budget eerder stopt, bijvoorbeeld zorg in natura "
                     "of overlijden."),
        Length(max=500, message="Gebruik ten hoogste 500 tekens.")])

"""The payment office's form for a new API key. Only parsing: every rule is
api.rules.check_new_key, through api.service.create_api_key."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from portal.api.constants import ApiScope
from portal.forms import BaseForm, DatePartsField


class KeyForm(BaseForm):
    label = StringField("Naam van de sleutel", validators=[Optional()])
    owner = SelectField("Voor wie is de sleutel?", validate_choice=False, validators=[Optional()])
    scopes = SelectMultipleField(
        "Rechten", choices=[SelectChoice(s.value, f"{s.value}: {s.label}") for s in ApiScope],
        option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
        validate_choice=False, validators=[Optional()])
    expires_on = DatePartsField("Geldig tot en met", validators=[Optional()])

    def set_owners(self, owners: list[tuple[str, str]]) -> None:
        self.owner.choices = [SelectChoice("", "Kies een organisatie")] + [
            SelectChoice(value, label) for value, label in owners]

    def owner_parts(self) -> tuple[str, int | None]:
        """"provider:3" -> ("provider", 3); "office" -> ("office", None)."""
        kind, _, number = (self.owner.data or "").partition(":")
        return kind, int(number) if number.isdigit() and len(number) < 10 else None

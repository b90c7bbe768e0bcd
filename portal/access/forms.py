from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, StopValidation

from portal.access.constants import Scope
from portal.dates import check_date_range
from portal.text import ONE_LINE_MESSAGE, clean_text, is_one_line


def one_line_field(form, field) -> None:
    """The first check of every one-line text field: no line break, tab or other control
    character in what was typed (before clean_text dropped any of them)."""
    if any(isinstance(raw, str) and not is_one_line(raw) for raw in field.raw_data or ()):
        raise StopValidation(ONE_LINE_MESSAGE)


class BaseForm(FlaskForm):
    """Every form of the portal: CSRF-protected, Dutch messages, and every text field cleaned
    of invisible characters and outer spaces (portal.text.clean_text) before any check; a text
    field that is not a TextAreaField is one line (one_line_field)."""

    def add_refusals(self, refused) -> None:
        """A use case's refusals next to their fields (the form's own list when a refusal names
        no field of this form)."""
        for r in refused.refusals:
            target = getattr(self, r.field, None) if r.field else None
            (target.errors if target is not None else self.form_errors).append(r.message)

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


class LoginForm(BaseForm):
    email = EmailField("E-mailadres", validators=[
        DataRequired("Vul uw e-mailadres in."),
        Email("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ])
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in.")])
    submit = SubmitField("Inloggen")


class ForgotPasswordForm(BaseForm):
    email = EmailField("E-mailadres", validators=[
        DataRequired("Vul uw e-mailadres in."),
        Email("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ])


class ResetPasswordForm(BaseForm):
    password = PasswordField("Nieuw wachtwoord", validators=[DataRequired("Vul een nieuw wachtwoord in.")])
    repeat = PasswordField("Herhaal het nieuwe wachtwoord",
                           validators=[DataRequired("Vul het nieuwe wachtwoord nog een keer in.")])


class ChangePasswordForm(BaseForm):
    current = PasswordField("Huidig wachtwoord",
                            validators=[DataRequired("Vul uw huidige wachtwoord in.")])
    password = PasswordField("Nieuw wachtwoord", validators=[DataRequired("Vul een nieuw wachtwoord in.")])
    repeat = PasswordField("Herhaal het nieuwe wachtwoord",
                           validators=[DataRequired("Vul het nieuwe wachtwoord nog een keer in.")])


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


class AuthorizationForm(BaseForm):
    email = EmailField("E-mailadres van de persoon", validators=[
        DataRequired("Vul het e-mailadres in van de persoon die u wilt machtigen."),
        Email("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ])
    scope = RadioField("Wat mag deze persoon?", choices=[SelectChoice(v, label) for v, label in Scope.choices()], validators=[
        DataRequired("Kies wat de persoon mag: alleen bekijken, of bekijken en handelen."),
    ], validate_choice=False)
    ends_on = DutchDateField("Tot en met welke datum?", validators=[
        InputRequired("Vul de datum in waarop de machtiging stopt."),
    ])
    submit = SubmitField("Machtiging geven")


class ConfirmForm(BaseForm):
    """A button that changes something (revoke): only the CSRF token."""


class CodeForm(BaseForm):
    code = StringField("Code uit uw app", render_kw={"inputmode": "numeric"}, validators=[
        DataRequired("Vul de code van 6 cijfers uit uw app in."),
    ])
    submit = SubmitField("Doorgaan")

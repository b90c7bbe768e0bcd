from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired

from portal.access.constants import Scope
from portal.forms import BaseForm, DatePartsField


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


class AuthorizationForm(BaseForm):
    email = EmailField("E-mailadres van de persoon", validators=[
        DataRequired("Vul het e-mailadres in van de persoon die u wilt machtigen."),
        Email("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ])
    scope = RadioField("Wat mag deze persoon?", choices=[SelectChoice(v, label) for v, label in Scope.choices()], validators=[
        DataRequired("Kies wat de persoon mag: alleen bekijken, of bekijken en handelen."),
    ], validate_choice=False)
    ends_on = DatePartsField("Tot en met welke datum?", validators=[
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

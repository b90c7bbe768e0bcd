from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email


class BaseForm(FlaskForm):
    """Every form of the portal: CSRF-protected, Dutch messages."""


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

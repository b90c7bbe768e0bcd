"""Login without an account oracle, and the password-reset link by e-mail.

- every login attempt verifies exactly one argon2 hash: an unknown address against a dummy hash,
  so the time it takes does not tell which accounts exist;
- the reset link goes out through the SMTP server of PORTAL_MAIL_SERVER (smtplib), to the log in
  development without a server, and never into the log in production.
"""

from __future__ import annotations

import logging
import re

import pytest
from argon2 import PasswordHasher

from portal.access import mail, service
from portal.access.constants import Role
from portal.config import ConfigError, load_config
from tests import factories as f


@pytest.fixture
def verifications(monkeypatch):
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self, password_hash, password):
        calls.append(password_hash)
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


@pytest.mark.parametrize("who", ["unknown", "inactive", "wrong_password"])
def test_a_failed_login_costs_one_argon2_verification_whoever_it_is(client, db, verifications, who):
    user = f.make_user(Role.BUDGETHOUDER)
    email, password = user.email, f.PASSWORD
    if who == "unknown":
        email = "niemand@example.nl"
    elif who == "inactive":
        user.is_active_account = False
        db.session.flush()
    else:
        password = "een-ander-wachtwoord"
    response = client.post("/inloggen", data={"email": email, "password": password})
    assert response.status_code == 422
    assert "Het e-mailadres of het wachtwoord klopt niet." in response.get_data(as_text=True)
    assert len(verifications) == 1
    if who != "wrong_password":  # no account to check: the dummy hash, not a user's
        assert verifications[0] != user.password_hash


def test_the_right_password_logs_in_with_one_verification(client, db, verifications):
    user = f.make_user(Role.BUDGETHOUDER)
    assert client.post("/inloggen", data={"email": user.email, "password": f.PASSWORD}
                       ).status_code == 302
    assert verifications == [user.password_hash]
    assert service.authenticate(user.email.upper(), f.PASSWORD) == user
    assert service.authenticate(user.email, "") is None


# --------------------------------------------------------------------------- the reset e-mail


class FakeSMTP:
    """Stands in for smtplib.SMTP / SMTP_SSL: records what the portal does with the server."""

    sent: list = []
    log: list = []
    fail = False

    def __init__(self, host, port, timeout=None, context=None):
        FakeSMTP.log.append(("connect", host, port, context is not None))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        FakeSMTP.log.append(("starttls",))

    def login(self, user, password):
        FakeSMTP.log.append(("login", user, password))

    def send_message(self, message):
        if FakeSMTP.fail:
            raise mail.smtplib.SMTPServerDisconnected("gone")
        FakeSMTP.sent.append(message)


class InlineThread:
    """threading.Thread that runs at once, so the test sees what the thread would send."""

    def __init__(self, target, args=(), daemon=None):
        self.target, self.args = target, args

    def start(self):
        self.target(*self.args)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.log, FakeSMTP.fail = [], [], False
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(mail.smtplib, "SMTP_SSL", FakeSMTP)
    monkeypatch.setattr(mail, "Thread", InlineThread)
    for key, value in {"PORTAL_ENV": "production", "PORTAL_MAIL_SERVER": "smtp.example.nl",
                       "PORTAL_MAIL_PORT": 587, "PORTAL_MAIL_SECURITY": "starttls",
                       "PORTAL_MAIL_FROM": "PGB-portaal <noreply@pgb.example>",
                       "PORTAL_MAIL_USERNAME": "portal", "PORTAL_MAIL_PASSWORD": "geheim"}.items():
        monkeypatch.setitem(app.config, key, value)
    return FakeSMTP


def test_production_mails_the_reset_link_and_the_link_works(client, db, smtp, caplog):
    user = f.make_user(Role.BUDGETHOUDER, name="Anna Jansen")
    with caplog.at_level(logging.DEBUG):
        response = client.post("/wachtwoord-vergeten", data={"email": user.email})
    assert response.status_code == 302
    assert smtp.log == [("connect", "smtp.example.nl", 587, False), ("starttls",),
                        ("login", "portal", "geheim")]
    (message,) = smtp.sent
    assert (message["To"], message["From"]) == (user.email, "PGB-portaal <noreply@pgb.example>")
    assert message["Subject"] == "Nieuw wachtwoord instellen voor het PGB-portaal"
    body = message.get_content()
    assert body.startswith("Beste Anna Jansen,")
    link = re.search(r"https?://\S+/wachtwoord-herstellen/\S+", body).group(0)
    assert "wachtwoord-herstellen" not in caplog.text  # the link never goes to the log
    assert client.get(link.split("portal.test", 1)[1]).status_code == 200


def test_an_unknown_address_gets_no_mail_and_the_same_answer(client, db, smtp):
    user = f.make_user(Role.BUDGETHOUDER)
    known = client.post("/wachtwoord-vergeten", data={"email": user.email})
    unknown = client.post("/wachtwoord-vergeten", data={"email": "onbekend@example.nl"})
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code, unknown.headers["Location"])
    assert [m["To"] for m in smtp.sent] == [user.email]


def test_ssl_without_a_login(client, db, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_MAIL_SECURITY", "ssl")
    monkeypatch.setitem(app.config, "PORTAL_MAIL_PORT", 465)
    monkeypatch.setitem(app.config, "PORTAL_MAIL_USERNAME", None)
    client.post("/wachtwoord-vergeten", data={"email": f.make_user(Role.BUDGETHOUDER).email})
    assert smtp.log == [("connect", "smtp.example.nl", 465, True)] and len(smtp.sent) == 1


def test_a_server_that_fails_is_logged_and_the_answer_stays_the_same(client, db, smtp, caplog):
    smtp.fail = True
    response = client.post("/wachtwoord-vergeten",
                           data={"email": f.make_user(Role.BUDGETHOUDER).email})
    assert response.status_code == 302
    assert "could not be sent through smtp.example.nl" in caplog.text


def test_production_without_a_server_sends_nothing_and_never_logs_the_link(client, db, smtp, app,
                                                                           monkeypatch, caplog):
    monkeypatch.setitem(app.config, "PORTAL_MAIL_SERVER", None)
    response = client.post("/wachtwoord-vergeten",
                           data={"email": f.make_user(Role.BUDGETHOUDER).email})
    assert response.status_code == 302
    assert smtp.sent == [] and smtp.log == []
    assert "PORTAL_MAIL_SERVER is not set" in caplog.text
    assert "wachtwoord-herstellen" not in caplog.text


def test_development_without_a_server_writes_the_mail_to_the_log(client, db, caplog):
    user = f.make_user(Role.BUDGETHOUDER)
    client.post("/wachtwoord-vergeten", data={"email": user.email})
    assert "E-mail (development: not sent)" in caplog.text
    assert caplog.text.count("wachtwoord-herstellen/") == 1


# --------------------------------------------------------------------------- configuration


def test_mail_settings_from_the_environment(tmp_path):
    base = {"PORTAL_INSTANCE_DIR": str(tmp_path)}
    dev = load_config(base)
    assert (dev["PORTAL_MAIL_SERVER"], dev["PORTAL_MAIL_SECURITY"], dev["PORTAL_MAIL_PORT"]) == (
        None, "starttls", 587)
    assert dev["PORTAL_MAIL_FROM"] == "PGB-portaal <noreply@localhost>"
    prod = load_config({**base, "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 40,
                        "PORTAL_DATABASE_URL": "sqlite://",
                        "PORTAL_MAIL_SERVER": "smtp.example.nl:2525",
                        "PORTAL_MAIL_FROM": "noreply@pgb.example", "PORTAL_MAIL_SECURITY": "SSL"})
    assert (prod["PORTAL_MAIL_SERVER"], prod["PORTAL_MAIL_PORT"], prod["PORTAL_MAIL_SECURITY"]) == (
        "smtp.example.nl", 2525, "ssl")
    assert load_config({**base, "PORTAL_MAIL_SERVER": "mail", "PORTAL_MAIL_FROM": "a@b.nl",
                        "PORTAL_MAIL_SECURITY": "none"})["PORTAL_MAIL_PORT"] == 25


@pytest.mark.parametrize("env, says", [
    ({"PORTAL_MAIL_SECURITY": "tls"}, "PORTAL_MAIL_SECURITY"),
    ({"PORTAL_MAIL_SERVER": "smtp.example.nl:poort", "PORTAL_MAIL_FROM": "a@b.nl"},
     "PORTAL_MAIL_SERVER"),
    ({"PORTAL_MAIL_SERVER": "smtp.example.nl"}, "PORTAL_MAIL_FROM"),
])
def test_a_wrong_mail_setting_stops_the_start_with_what_to_set(tmp_path, env, says):
    with pytest.raises(ConfigError, match=says):
        load_config({"PORTAL_INSTANCE_DIR": str(tmp_path), **env})

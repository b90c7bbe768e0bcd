"""The portal's e-mail (the password reset link, the welcome mail of a new login), with the
standard library's smtplib.

Where it goes is configuration (PORTAL_MAIL_*, portal/config.py):
- a server is set: the mail is sent through it (STARTTLS, SSL or plain, with a login if given);
- no server in development: the whole mail (link included) is written to the log, so a developer
  can follow the link;
- no server in production: nothing is sent and an error is logged - without the mail's text, as a
  reset link in a log file would let anyone who reads the log take over the account.
A mail that cannot be sent is logged and reported as False; the caller's answer to the user stays
the same (the reset page says the same whether an address is known or not).

A mail about something the request writes (a new login) waits for the commit: `send_after_commit`
puts it in the session's outbox, sent when the transaction commits and dropped when it rolls
back, so nobody gets a link to a login that was never saved.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from threading import Thread
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

SMTP_TIMEOUT = 15  # seconds; a hanging server must not hold a web worker for long


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message.set_content(body)
    return message


def _smtp(config: Mapping[str, Any]) -> smtplib.SMTP:
    host, port = str(config["PORTAL_MAIL_SERVER"]), int(config["PORTAL_MAIL_PORT"])
    if config["PORTAL_MAIL_SECURITY"] == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT,
                                context=ssl.create_default_context())
    return smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)


def mail_goes_out() -> bool:
    """Does a mail reach anyone: a server is set, or development writes it to the log?"""
    config = current_app.config
    return bool(config.get("PORTAL_MAIL_SERVER")) or config.get("PORTAL_ENV") != "production"


def send_mail(to: str, subject: str, body: str, *, wait: bool = True) -> bool:
    """Send one plain-text mail as configured. True when it was handed to the server (or, in
    development without a server, written to the log).

    wait=False hands it to the server from a thread, so the answer to the user does not take
    longer when there is a mail to send (the reset page would tell which addresses exist);
    True then means only that it was started.
    """
    config = current_app.config
    log = current_app.logger
    if not config.get("PORTAL_MAIL_SERVER"):
        if config.get("PORTAL_ENV") == "production":
            log.error("E-mail to %s not sent: PORTAL_MAIL_SERVER is not set (subject: %s)", to,
                      subject)
            return False
        # One line (portal.log): the body's line breaks are written as \n.
        log.warning("E-mail (development: not sent) to %s | Subject: %s | %s", to, subject, body)
        return True
    message = build_message(str(config["PORTAL_MAIL_FROM"]), to, subject, body)
    settings = {key: config.get(key) for key in MAIL_KEYS}
    if not wait:
        Thread(target=_deliver, args=(settings, message, log), daemon=True).start()
        return True
    return _deliver(settings, message, log)


MAIL_KEYS = ("PORTAL_MAIL_SERVER", "PORTAL_MAIL_PORT", "PORTAL_MAIL_SECURITY",
             "PORTAL_MAIL_USERNAME", "PORTAL_MAIL_PASSWORD")


def _deliver(config: Mapping[str, Any], message: EmailMessage, log) -> bool:
    to = message["To"]
    try:
        with _smtp(config) as smtp:
            if config["PORTAL_MAIL_SECURITY"] == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.get("PORTAL_MAIL_USERNAME"):
                smtp.login(str(config["PORTAL_MAIL_USERNAME"]),
                           str(config.get("PORTAL_MAIL_PASSWORD") or ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("E-mail to %s could not be sent through %s", to, config["PORTAL_MAIL_SERVER"])
        return False
    return True


OUTBOX = "portal_outbox"


def send_after_commit(session: Session, to: str, subject: str, body: str) -> None:
    """Send this mail once the session's transaction commits (never when it rolls back)."""
    session.info.setdefault(OUTBOX, []).append((to, subject, body))


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for to, subject, body in session.info.pop(OUTBOX, []):
        try:
            send_mail(to, subject, body, wait=False)
        except Exception:  # the commit is done: a mail that fails must not fail the request
            current_app.logger.exception("E-mail to %s could not be sent", to)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(OUTBOX, None)

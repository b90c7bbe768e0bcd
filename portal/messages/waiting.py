"""The opt-in mail "Er wacht iets op u in het PGB-portaal".

A login that chose it on its account page (users.mail_when_waiting, off by default) gets one
short mail when a message arrives for it, at most once per Dutch day: the day is claimed by one
conditional UPDATE (users.waiting_mailed_on), so two messages at the same moment, or a payment
run's thousand, still give one mail. The mail names nobody and nothing: no name, no amount, no
item, only that something waits and where to look.

Like the welcome mail, it goes only once the transaction commits (a rollback drops it), and
never inside the request: with PORTAL_REDIS_URL it is a job on the rq queue "mail" (a worker
sends it, `send_waiting_job`); without it (development, one machine) the portal's own mail
thread sends it (access.mail.send_mail with wait=False).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import current_app, has_request_context, url_for
from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session

from portal.access.mail import MAIL_KEYS, _deliver, build_message, send_mail
from portal.access.models import User
from portal.extensions import db

SUBJECT = "Er wacht iets op u in het PGB-portaal"
QUEUE = "mail"
OUTBOX = "portal_waiting_mail"


def waiting_text(link: str | None) -> str:
    """The whole mail: no personal data, only where to look."""
    where = (f"Log in en kijk bij Berichten:\n\n{link}\n" if link
             else "Log in op het PGB-portaal en kijk bij Berichten.\n")
    return ("Goedendag,\n\nEr wacht iets op u in het PGB-portaal. " + where +
            "\nU krijgt deze e-mail hooguit een keer per dag. Wilt u hem niet meer? Zet hem uit "
            "op de pagina Mijn account in het portaal.\n")


def claim_mail_day(user_ids: Iterable[int], today: dt.date) -> list[str]:
    """The addresses that get the mail today: the logins among `user_ids` that chose it, are
    active and had none today yet; their day is taken in the same statement (compare-and-set),
    so nobody gets a second one today whatever runs at the same moment."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    result = db.session.execute(
        update(User).where(User.id.in_(ids), User.mail_when_waiting.is_(True),
                           User.is_active_account.is_(True), User.is_machine.is_(False),
                           or_(User.waiting_mailed_on.is_(None), User.waiting_mailed_on < today))
        .values(waiting_mailed_on=today).returning(User.email)
        .execution_options(synchronize_session=False))
    return sorted(result.scalars())


def mail_after_commit(user_ids: Iterable[int], today: dt.date) -> None:
    """Messages were written for `user_ids`: those who chose it get the mail after the commit."""
    emails = claim_mail_day(user_ids, today)
    if emails:
        link = url_for("messages.inbox", _external=True) if has_request_context() else None
        db.session().info.setdefault(OUTBOX, []).append((emails, link))


def dispatch(emails: list[str], link: str | None) -> None:
    """Hand the mails to the background: the rq queue in production, the mail thread here."""
    redis_url = current_app.config.get("PORTAL_REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue

        Queue(QUEUE, connection=Redis.from_url(str(redis_url))).enqueue(
            send_waiting_job, emails, link)
        return
    for email in emails:
        send_mail(email, SUBJECT, waiting_text(link), wait=False)


def send_waiting_job(emails: list[str], link: str | None) -> int:
    """(rq worker) Send the mails with the mail settings of the worker's environment."""
    from portal.config import load_config

    config = load_config()
    log = logging.getLogger("portal.mail")
    if not config.get("PORTAL_MAIL_SERVER"):
        log.error("E-mail 'er wacht iets' not sent to %d logins: PORTAL_MAIL_SERVER is not set",
                  len(emails))
        return 0
    settings = {key: config.get(key) for key in MAIL_KEYS}
    sender = str(config["PORTAL_MAIL_FROM"])
    return sum(_deliver(settings, build_message(sender, email, SUBJECT, waiting_text(link)), log)
               for email in emails)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for emails, link in session.info.pop(OUTBOX, []):
        try:
            dispatch(emails, link)
        except Exception:  # the commit is done: a mail that fails must not fail the request
            current_app.logger.exception("E-mail 'er wacht iets' could not be queued")


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(OUTBOX, None)

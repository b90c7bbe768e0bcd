"""Writing and reading messages. Adds to the session; the caller's transaction commits.

A user only ever reads their own messages: every read function takes the user's id and
filters on it, so another user's message is simply not found (the page answers 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update

from portal.access.constants import Role
from portal.access.models import User
from portal.database import bulk_insert, rowcount
from portal.dates import now, today
from portal.extensions import db
from portal.messages import rules
from portal.messages.models import Message
from portal.messages.waiting import mail_after_commit
from portal.pagination import Page, paginate


def notify(user_ids: list[int] | set[int], kind: str, subject: str, body: str = "",
           link: str | None = None, *, sender: str | None = None,
           about: str | None = None) -> list[Message]:
    """One message per user: `sender` is who did what it tells, `about` the item's human title.
    Those who chose it get the short "er wacht iets" mail after the commit (waiting.py)."""
    messages = [Message(user_id=uid, kind=kind, subject=subject, body=body, link=link,
                        sender=sender, about=about)
                for uid in sorted(set(user_ids))]
    db.session.add_all(messages)
    mail_after_commit([m.user_id for m in messages], today())
    return messages


PAYMENT_OFFICE = "Het betaalkantoor"


def sender_name(actor: User | None) -> str | None:
    """How a message names who did it: the person, or the payment office as a whole (its
    staff act for the office); None when the portal did it by itself."""
    if actor is None:
        return None
    return PAYMENT_OFFICE if actor.role == Role.BEHEERDER else actor.name


def item_link(endpoint: str, **values) -> str:
    """The path of an item's page (e.g. 'agreements.show', agreement_id=3 ->
    '/overeenkomsten/3'), a message's link to what it is about; also outside a request (the
    command line's payment run)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def notify_many(notes, *, sender: str | None = None) -> None:
    """Many messages in one bulk insert (a payment run's): `notes` are (user ids, kind,
    subject, body) or (user ids, kind, subject, body, about, link), all from `sender`; the
    same as `notify` for each, without an object per message."""
    rows = [{"user_id": uid, "kind": kind, "subject": subject, "body": body,
             "link": item[1] if item else None, "sender": sender,
             "about": item[0] if item else None, "created_at": now()}
            for user_ids, kind, subject, body, *item in notes for uid in sorted(set(user_ids))]
    if rows:
        bulk_insert(Message, rows)
        mail_after_commit({row["user_id"] for row in rows}, today())


def inbox(user_id: int, limit: int = 200, offset: int = 0) -> list[Message]:
    """The user's messages, newest first (one query), `limit` from `offset`."""
    return list(db.session.scalars(
        select(Message).where(Message.user_id == user_id)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit).offset(offset)
    ).all())


INBOX_PAGE_SIZE = 50


def inbox_page(user_id: int, requested: int) -> tuple[list[Message], Page]:
    """One page of the user's messages (INBOX_PAGE_SIZE, newest first) and which page it is:
    two queries (the count on the index of user and date), however many messages there are."""
    total = int(db.session.scalar(
        select(func.count(Message.id)).where(Message.user_id == user_id)) or 0)
    shown, offset = paginate(total, requested, INBOX_PAGE_SIZE)
    return inbox(user_id, INBOX_PAGE_SIZE, offset), shown


@dataclass(frozen=True)
class InboxRow:
    """One line of the Berichten page, ready to show."""

    id: int
    subject: str
    sender: str | None
    about: str | None
    summary: str
    time: str
    unread: bool


def inbox_groups(user_id: int, requested: int, today: dt.date) -> tuple[list[rules.DayGroup], Page]:
    """One page of the user's messages as rows grouped per day (Vandaag, Gisteren, a date)."""
    messages, page = inbox_page(user_id, requested)
    rows = [_row(m) for m in messages]
    groups = rules.group_by_day(messages, today)
    by_id = {row.id: row for row in rows}
    return [rules.DayGroup(g.day, g.label, [by_id[m.id] for m in g.messages]) for g in groups], page


def _row(message: Message) -> InboxRow:
    return InboxRow(id=message.id, subject=message.subject, sender=message.sender,
                    about=message.about, summary=rules.summary(message.body),
                    time=rules.clock_time(message.created_at), unread=message.read_at is None)


def unread_count(user_id: int) -> int:
    """How many of the user's messages are not read yet (one query)."""
    return int(db.session.scalar(
        select(func.count(Message.id)).where(Message.user_id == user_id,
                                             Message.read_at.is_(None))) or 0)


def own_message(user_id: int, message_id: int) -> Message | None:
    """The message, when it is the user's; None otherwise (someone else's does not exist)."""
    return db.session.scalar(
        select(Message).where(Message.id == message_id, Message.user_id == user_id))


def mark_read(message: Message, at: dt.datetime | None = None) -> Message:
    """Mark one message read (the first time only: read_at keeps the first reading)."""
    if message.read_at is None:
        message.read_at = at or now()
        db.session.flush()
    return message


def mark_all_read(user_id: int, at: dt.datetime | None = None) -> int:
    """Mark all of the user's unread messages read. Returns how many were unread."""
    result = db.session.execute(
        update(Message).where(Message.user_id == user_id, Message.read_at.is_(None))
        .values(read_at=at or now()).execution_options(synchronize_session="fetch"))
    db.session.flush()
    return rowcount(result)


def set_mail_when_waiting(user: User, on: bool) -> bool:
    """The login's own choice: a short mail when something waits for it (off by default).
    Returns whether it changed."""
    if bool(user.mail_when_waiting) == on:
        return False
    user.mail_when_waiting = on
    db.session.flush()
    return True
